#include "failover_hil/netlab/probe_runner.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/icmp.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include "failover_hil/netlab/icmp_echo.hpp"
#include "failover_hil/netlab/netns.hpp"
#include "failover_hil/netlab/probe_log.hpp"
#include "failover_hil/netlab/ttl_resolver.hpp"

namespace failover_hil::netlab {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;
using error_code = boost::system::error_code;
using std::chrono::nanoseconds;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
using TlsStream = ssl::stream<beast::tcp_stream>;

std::int64_t to_ns(steady::time_point t) {
  return std::chrono::duration_cast<nanoseconds>(t.time_since_epoch()).count();
}

// The probe engine is the real-time component: like Asio's timers it reads
// the real clocks itself. CLOCK_REALTIME (not the Clock interface, which has
// millisecond resolution) so records line up with pcap timestamps.
std::int64_t realtime_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Result {
  ProbeOutcome outcome = ProbeOutcome::ok;
  std::string served_by;
  std::string error;
  std::int64_t done_ns = 0;
  std::string peer;
  std::uint16_t local_port = 0;
};

Result failure(ProbeOutcome o, std::string what) {
  return {o, {}, std::move(what), 0, {}, 0};
}

// How an error shows in the record: what a person reading an outage needs.
ProbeOutcome classify(const error_code& ec) {
  namespace e = asio::error;
  if (ec == beast::error::timeout || ec == e::timed_out || ec == e::operation_aborted)
    return ProbeOutcome::timeout;
  if (ec == e::connection_refused) return ProbeOutcome::refused;
  if (ec == e::connection_reset || ec == e::broken_pipe || ec == e::eof ||
      ec == e::connection_aborted || ec == ssl::error::stream_truncated ||
      ec == http::error::end_of_stream || ec == http::error::partial_message)
    return ProbeOutcome::reset;
  if (ec == e::host_unreachable || ec == e::network_unreachable ||
      ec == std::errc::host_unreachable || ec == std::errc::network_unreachable ||
      ec == std::errc::address_not_available)
    return ProbeOutcome::unreachable;
  if (ec.category() == asio::error::get_ssl_category() ||
      ec.category() == ssl::error::get_stream_category())
    return ProbeOutcome::tls_error;
  if (ec.category() == http::make_error_code(http::error::bad_target).category())
    return ProbeOutcome::http_error;
  return ProbeOutcome::error;
}

Result failure(const error_code& ec, std::string_view stage) {
  return failure(classify(ec), std::string(stage) + ": " + ec.message());
}

std::string lower_hex_no_colons(std::string s) {
  std::string out;
  for (const char c : s)
    if (c != ':') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string certificate_sha256(SSL* ssl_handle) {
  X509* cert = SSL_get0_peer_certificate(ssl_handle);
  if (!cert) return {};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &len) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 0xf];
  }
  return out;
}

// Closes a finished probe's socket with an RST (SO_LINGER 0): the client
// keeps no TIME_WAIT, so thousands of connections a second do not run out of
// ephemeral ports.
void abort_socket(tcp::socket& s) {
  error_code ignored;
  s.set_option(asio::socket_base::linger(true, 0), ignored);
  s.close(ignored);
}

// A probe that waits for an answer another coroutine reads (ICMP replies,
// the persistent connection's responses). The timer runs to the deadline
// and is cancelled when the answer comes.
struct Waiter {
  Waiter(asio::io_context& io, steady::time_point deadline, std::int64_t sent)
      : timer(io, deadline), sent_ns(sent), deadline_at(deadline) {}
  asio::steady_timer timer;
  std::int64_t sent_ns;
  steady::time_point deadline_at;
  bool done = false;
  Result result;
  void complete(Result r) {
    if (done) return;
    done = true;
    result = std::move(r);
    if (result.done_ns == 0) result.done_ns = to_ns(steady::now());
    timer.cancel();
  }
};

struct IcmpSlot {
  std::uint64_t seq = ~std::uint64_t{0};
  std::shared_ptr<Waiter> waiter;
  bool answered = false;
};

}  // namespace

struct ProbeRunner::Impl {
  Impl(ProbeSpec s, ProbeOutputs o)
      : spec(std::move(s)),
        outputs(std::move(o)),
        schedule(spec.rate_hz),
        label(spec.label.empty() ? std::string(to_string(spec.kind)) : spec.label),
        stats(label, spec.kind, spec.target, spec.rate_hz),
        tls(ssl::context::tls_client) {}

  ProbeSpec spec;
  ProbeOutputs outputs;
  ProbeSchedule schedule;
  std::string label;
  std::optional<Netns> ns;

  mutable std::mutex stats_mutex;
  ProbeStats stats;
  std::optional<ProbeLog> log;

  std::mutex done_mutex;
  std::condition_variable done_cv;
  std::uint64_t completed = 0;

  asio::io_context io{1};
  std::thread thread;
  std::atomic<bool> stop_requested{false};
  bool started = false;
  bool stopped = false;
  std::optional<ProbeSummary> final_summary;

  // The target's address; a resolver thread refreshes it for host names.
  std::mutex address_mutex;
  std::optional<asio::ip::address> address;
  std::string address_error;
  std::thread resolver_thread;
  std::mutex resolver_mutex;
  std::condition_variable resolver_cv;
  bool resolver_stop = false;

  ssl::context tls;
  std::string pin;
  std::string host_name;  // SNI and Host
  std::string request_text;

  std::size_t in_flight = 0;
  std::size_t max_in_flight = 0;
  bool closing = false;

  // ICMP.
  std::optional<asio::ip::icmp::socket> icmp;
  std::uint16_t icmp_id = 0;
  std::uint64_t icmp_nonce = 0;
  std::vector<IcmpSlot> icmp_slots;

  // The persistent connection.
  std::deque<std::shared_ptr<Waiter>> queue;
  std::optional<asio::steady_timer> queue_signal;
  std::optional<TlsStream> conn;

  void setup();
  void thread_main(std::promise<void>& ready);
  void run_loop();
  void launch(std::uint64_t seq, steady::time_point due);
  void finish(const ProbeRecord& record);
  std::optional<asio::ip::address> current_address(std::string& why);
  void resolver_loop(std::string name);

  asio::awaitable<void> probe(std::uint64_t seq, std::int64_t scheduled_ns);
  asio::awaitable<Result> tcp_probe(tcp::endpoint ep, steady::time_point deadline);
  asio::awaitable<Result> tls_probe(tcp::endpoint ep, steady::time_point deadline, bool request);
  asio::awaitable<Result> icmp_probe(std::uint64_t seq, asio::ip::address addr,
                                     steady::time_point deadline, std::int64_t sent_ns);
  asio::awaitable<Result> persistent_probe(steady::time_point deadline, std::int64_t sent_ns);
  asio::awaitable<void> icmp_receive_loop();
  asio::awaitable<void> persistent_loop();
  asio::awaitable<Result> connect_tls(TlsStream& s, tcp::endpoint ep);
  asio::awaitable<Result> http_exchange(TlsStream& s, bool& keep_alive);

  std::function<void(std::exception_ptr)> log_exception(std::string what) {
    return [what = std::move(what), this](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        std::cerr << "probe " << label << ": " << what << " failed: " << ex.what() << '\n';
      }
    };
  }
};

void ProbeRunner::Impl::setup() {
  // Every socket below (and every probe's) is made by this thread, inside
  // the namespace: sockets stay bound to the namespace they were made in.
  error_code ec;
  const auto literal = asio::ip::make_address(spec.target, ec);
  if (!ec) {
    address = literal;
  } else if (spec.resolver) {
    // First answer now (so start() reports a dead DNS), later ones off-thread.
    address = asio::ip::address_v4(spec.resolver->resolve(spec.target).value);
    resolver_thread = std::thread([this, name = spec.target] { resolver_loop(name); });
  } else {
    tcp::resolver resolver(io);
    const auto results = resolver.resolve(spec.target, "", ec);
    if (ec || results.empty())
      throw ProbeError("probe " + label + ": cannot resolve '" + spec.target +
                       "': " + ec.message());
    address = results.begin()->endpoint().address();
  }

  host_name = spec.host_header.empty() ? spec.target : spec.host_header;
  if (spec.kind == ProbeKind::https_new || spec.kind == ProbeKind::https_persistent) {
    // The request never changes: formatted once.
    request_text = "GET " + spec.http_path + " HTTP/1.1\r\nHost: " + host_name +
                   "\r\nUser-Agent: failover-hil-probe\r\n" +
                   (spec.kind == ProbeKind::https_new ? "Connection: close\r\n" : "") + "\r\n";
  }
  tls.set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                  ssl::context::no_tlsv1_1);
  // The pin is compared after the handshake; no chain is checked.
  tls.set_verify_mode(ssl::verify_none);
  pin = lower_hex_no_colons(spec.trust.pinned_sha256);

  if (spec.kind == ProbeKind::icmp_echo) {
    if (!address->is_v4())
      throw ProbeError("probe " + label + ": ICMP echo probes reach IPv4 targets only");
    // An ICMP datagram socket needs no privilege when net.ipv4.ping_group_range
    // holds our group; else a raw socket (CAP_NET_RAW).
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);
    if (fd < 0) fd = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
    if (fd < 0)
      throw ProbeError("probe " + label + ": cannot open an ICMP socket (" + std::strerror(errno) +
                       "): run as root or with CAP_NET_RAW, or widen net.ipv4.ping_group_range");
    icmp.emplace(io);
    icmp->assign(asio::ip::icmp::v4(), fd);
    std::random_device rd;
    icmp_nonce = (std::uint64_t{rd()} << 32) | rd();
    icmp_id = static_cast<std::uint16_t>(icmp_nonce & 0xffff);
    icmp_slots.resize(65536);
    asio::co_spawn(io, icmp_receive_loop(), log_exception("ICMP receive"));
  }
  if (spec.kind == ProbeKind::https_persistent) {
    queue_signal.emplace(io, steady::time_point::max());
    asio::co_spawn(io, persistent_loop(), log_exception("persistent connection"));
  }
  const double per_deadline = spec.rate_hz * std::chrono::duration<double>(spec.deadline).count();
  max_in_flight =
      spec.max_in_flight ? spec.max_in_flight : static_cast<std::size_t>(per_deadline) + 16;
}

void ProbeRunner::Impl::resolver_loop(std::string name) {
  // TtlResolver asks the network only when the cached answer expired, so
  // asking it often costs nothing and follows a DNS swing within 10 ms of
  // the TTL running out.
  std::unique_lock lock(resolver_mutex);
  while (!resolver_stop) {
    lock.unlock();
    std::optional<asio::ip::address> a;
    std::string why;
    try {
      a = asio::ip::address_v4(spec.resolver->resolve(name).value);
    } catch (const std::exception& e) {
      why = e.what();
    }
    {
      std::lock_guard g(address_mutex);
      if (a) {
        address = a;
        address_error.clear();
      } else {
        address.reset();
        address_error = "no address for " + name + ": " + why;
      }
    }
    lock.lock();
    resolver_cv.wait_for(lock, std::chrono::milliseconds(10), [&] { return resolver_stop; });
  }
}

std::optional<asio::ip::address> ProbeRunner::Impl::current_address(std::string& why) {
  std::lock_guard g(address_mutex);
  if (!address) why = address_error;
  return address;
}

void ProbeRunner::Impl::thread_main(std::promise<void>& ready) {
  std::optional<NetnsGuard> in_ns;
  try {
    if (ns) in_ns.emplace(*ns);
    // Timer slack (50 us by default) would blur the schedule at 10 kHz.
    ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    if (spec.realtime_priority > 0) {
      sched_param param{};
      param.sched_priority = spec.realtime_priority;
      if (const int err = ::pthread_setschedparam(::pthread_self(), SCHED_FIFO, &param); err != 0)
        throw ProbeError("probe " + label + ": cannot run at realtime priority " +
                         std::to_string(spec.realtime_priority) + " (" + std::strerror(err) +
                         "): needs root or CAP_SYS_NICE, or set realtime_priority = 0");
    }
    setup();
  } catch (...) {
    ready.set_exception(std::current_exception());
    return;
  }
  ready.set_value();
  try {
    run_loop();
  } catch (const std::exception& e) {
    std::cerr << "probe " << label << ": stopped by an error: " << e.what() << '\n';
  }
  std::lock_guard g(stats_mutex);
  stats.set_cpu_seconds(thread_cpu_seconds());
}

void ProbeRunner::Impl::run_loop() {
  // A hand-written loop rather than a timer coroutine: it can wait on the
  // timer until shortly before a probe is due and then poll the event loop
  // until it is, which puts sends within microseconds of the schedule.
  auto work = asio::make_work_guard(io);
  const auto spin = spec.spin.value_or(
      std::min<nanoseconds>(schedule.period() / 2, std::chrono::microseconds(50)));
  asio::steady_timer wake(io);
  const auto t0 = steady::now();
  std::uint64_t next = 0;
  auto more = [&] {
    return !stop_requested.load(std::memory_order_relaxed) &&
           (spec.count == 0 || next < spec.count);
  };
  while (more()) {
    auto due = t0 + schedule.due(next);
    const auto now = steady::now();
    if (now >= due) {
      // On time or behind: every overdue probe goes now (open loop).
      do {
        launch(next, due);
        ++next;
        due = t0 + schedule.due(next);
      } while (more() && due <= now);
      io.poll();
      continue;
    }
    if (due - now > spin) {
      bool woke = false;
      wake.expires_at(due - spin);
      wake.async_wait([&woke](const error_code&) { woke = true; });
      while (!woke && !stop_requested.load(std::memory_order_relaxed)) io.run_one();
      if (!woke) {
        wake.cancel();
        io.poll();
      }
    } else {
      io.poll_one();  // one handler at a time, so the due time is checked in between
    }
  }

  // Drain: probes in flight end by their own deadlines; past that (plus a
  // margin) whatever remains is cancelled.
  bool escalate = false;
  asio::steady_timer bound(io, steady::now() + spec.deadline + std::chrono::milliseconds(500));
  bound.async_wait([&escalate](const error_code& ec) {
    if (!ec) escalate = true;
  });
  while (in_flight > 0 && !escalate) io.run_one();
  if (in_flight > 0)
    std::cerr << "probe " << label << ": " << in_flight
              << " probes outlived their deadline; cancelled\n";
  closing = true;
  bound.cancel();
  if (icmp) {
    error_code ignored;
    icmp->close(ignored);
  }
  if (queue_signal) queue_signal->cancel();
  if (conn) {
    error_code ignored;
    beast::get_lowest_layer(*conn).cancel();
    beast::get_lowest_layer(*conn).socket().close(ignored);
  }
  work.reset();
  io.run_for(std::chrono::milliseconds(200));
  io.stop();
}

void ProbeRunner::Impl::launch(std::uint64_t seq, steady::time_point due) {
  if (in_flight >= max_in_flight) {
    ProbeRecord r;
    r.seq = seq;
    r.kind = spec.kind;
    r.scheduled_ns = to_ns(due);
    r.done_ns = to_ns(steady::now());
    r.outcome = ProbeOutcome::skipped;
    r.error = std::to_string(in_flight) + " probes in flight";
    finish(r);
    return;
  }
  ++in_flight;
  asio::co_spawn(io, probe(seq, to_ns(due)), [this](std::exception_ptr e) {
    --in_flight;
    if (e) log_exception("a probe")(e);
  });
}

void ProbeRunner::Impl::finish(const ProbeRecord& r) {
  {
    std::lock_guard g(stats_mutex);
    stats.on_record(r);
  }
  if (log) log->write(r);
  if (outputs.on_record) outputs.on_record(r);
  std::lock_guard g(done_mutex);
  if (++completed == spec.count) done_cv.notify_all();
}

asio::awaitable<void> ProbeRunner::Impl::probe(std::uint64_t seq, std::int64_t scheduled_ns) {
  ProbeRecord r;
  r.seq = seq;
  r.kind = spec.kind;
  r.scheduled_ns = scheduled_ns;
  const auto sent = steady::now();
  r.sent_ns = to_ns(sent);
  r.sent_realtime_ns = realtime_ns();
  {
    std::lock_guard g(stats_mutex);
    stats.on_sent(seq, scheduled_ns, r.sent_ns);
  }
  const auto deadline = sent + spec.deadline;
  Result res;
  std::string why;
  const auto addr = current_address(why);
  if (!addr) {
    res = failure(ProbeOutcome::unreachable, why);
  } else {
    const tcp::endpoint ep(*addr, spec.port);
    switch (spec.kind) {
      case ProbeKind::icmp_echo:
        res = co_await icmp_probe(seq, *addr, deadline, r.sent_ns);
        break;
      case ProbeKind::tcp_connect:
        res = co_await tcp_probe(ep, deadline);
        break;
      case ProbeKind::tls_handshake:
        res = co_await tls_probe(ep, deadline, false);
        break;
      case ProbeKind::https_new:
        res = co_await tls_probe(ep, deadline, true);
        break;
      case ProbeKind::https_persistent:
        res = co_await persistent_probe(deadline, r.sent_ns);
        break;
    }
  }
  r.done_ns = res.done_ns ? res.done_ns : to_ns(steady::now());
  r.outcome = res.outcome;
  r.latency_ns = res.outcome == ProbeOutcome::ok ? r.done_ns - r.sent_ns : 0;
  r.served_by = std::move(res.served_by);
  r.error = std::move(res.error);
  r.peer = std::move(res.peer);
  r.local_port = res.local_port;
  finish(r);
}

asio::awaitable<Result> ProbeRunner::Impl::tcp_probe(tcp::endpoint ep,
                                                     steady::time_point deadline) {
  beast::tcp_stream s(io);
  s.expires_at(deadline);
  auto [ec] = co_await s.async_connect(ep, tuple_awaitable);
  Result res = ec ? failure(ec, "connect") : Result{};
  res.done_ns = to_ns(steady::now());
  abort_socket(s.socket());
  co_return res;
}

asio::awaitable<Result> ProbeRunner::Impl::connect_tls(TlsStream& s, tcp::endpoint ep) {
  auto& lowest = beast::get_lowest_layer(s);
  if (auto [ec] = co_await lowest.async_connect(ep, tuple_awaitable); ec)
    co_return failure(ec, "connect");
  error_code not_an_address;
  asio::ip::make_address(host_name, not_an_address);
  // SNI names hosts only (RFC 6066). SSL_set_tlsext_host_name is a macro
  // with a C cast; this is its expansion.
  if (not_an_address &&
      SSL_ctrl(s.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(host_name.c_str())) != 1)
    co_return failure(ProbeOutcome::tls_error, "cannot set SNI");
  if (auto [ec] = co_await s.async_handshake(ssl::stream_base::client, tuple_awaitable); ec)
    co_return failure(ec, "TLS handshake");
  if (!pin.empty() && certificate_sha256(s.native_handle()) != pin)
    co_return failure(ProbeOutcome::tls_error,
                      "TLS handshake: certificate does not match the pinned SHA-256");
  co_return Result{};
}

asio::awaitable<Result> ProbeRunner::Impl::http_exchange(TlsStream& s, bool& keep_alive) {
  if (auto [ec, n] = co_await asio::async_write(s, asio::buffer(request_text), tuple_awaitable); ec)
    co_return failure(ec, "HTTP request");
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1 << 20);
  if (auto [ec, n] = co_await http::async_read(s, buffer, parser, tuple_awaitable); ec)
    co_return failure(ec, "HTTP response");
  const auto& res = parser.get();
  keep_alive = res.keep_alive();
  Result out;
  out.done_ns = to_ns(steady::now());
  out.served_by = std::string(res["X-Served-By"]);
  error_code ignored;
  const auto& sock = beast::get_lowest_layer(s).socket();
  out.peer = sock.remote_endpoint(ignored).address().to_string();
  out.local_port = sock.local_endpoint(ignored).port();
  if (res.result_int() < 200 || res.result_int() > 299) {
    out.outcome = ProbeOutcome::http_error;
    out.error = "HTTP " + std::to_string(res.result_int());
  }
  co_return out;
}

asio::awaitable<Result> ProbeRunner::Impl::tls_probe(tcp::endpoint ep, steady::time_point deadline,
                                                     bool request) {
  TlsStream s(io, tls);
  auto& lowest = beast::get_lowest_layer(s);
  lowest.expires_at(deadline);
  Result res = co_await connect_tls(s, ep);
  if (res.outcome == ProbeOutcome::ok) {
    res.done_ns = to_ns(steady::now());
    if (request) {
      bool keep_alive = false;
      res = co_await http_exchange(s, keep_alive);
    }
  }
  if (res.done_ns == 0) res.done_ns = to_ns(steady::now());
  abort_socket(lowest.socket());
  co_return res;
}

asio::awaitable<Result> ProbeRunner::Impl::icmp_probe(std::uint64_t seq, asio::ip::address addr,
                                                      steady::time_point deadline,
                                                      std::int64_t sent_ns) {
  auto waiter = std::make_shared<Waiter>(io, deadline, sent_ns);
  auto& slot = icmp_slots[seq & 0xffff];
  slot = IcmpSlot{seq, waiter, false};
  const auto packet = build_icmp_echo_request({icmp_id, icmp_nonce, seq});
  auto [ec, n] = co_await icmp->async_send_to(asio::buffer(packet),
                                              asio::ip::icmp::endpoint(addr, 0), tuple_awaitable);
  if (ec) {
    waiter->complete(failure(ec, "ICMP send"));
  } else {
    co_await waiter->timer.async_wait(tuple_awaitable);
    waiter->complete(failure(ProbeOutcome::timeout, "no echo reply before the deadline"));
  }
  // The slot stays (answered or not) so late replies and duplicates are
  // recognised; the waiter is no longer needed there.
  if (icmp_slots[seq & 0xffff].seq == seq) icmp_slots[seq & 0xffff].waiter.reset();
  co_return waiter->result;
}

asio::awaitable<void> ProbeRunner::Impl::icmp_receive_loop() {
  std::array<std::uint8_t, 2048> buf{};
  asio::ip::icmp::endpoint from;
  while (!closing) {
    auto [ec, n] = co_await icmp->async_receive_from(asio::buffer(buf), from, tuple_awaitable);
    if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor || closing)
      co_return;
    if (ec) continue;  // e.g. an ICMP error reported on the socket
    const auto echo = parse_icmp_echo_reply(std::span<const std::uint8_t>(buf.data(), n));
    if (!echo || echo->nonce != icmp_nonce) continue;  // another pinger's
    const auto now = to_ns(steady::now());
    auto& slot = icmp_slots[echo->seq & 0xffff];
    std::lock_guard g(stats_mutex);
    if (slot.seq != echo->seq) {
      stats.on_late();  // older than 65536 probes
    } else if (slot.answered) {
      stats.on_duplicate();
    } else {
      slot.answered = true;
      if (slot.waiter && !slot.waiter->done)
        slot.waiter->complete({ProbeOutcome::ok, {}, {}, now});
      else
        stats.on_late();
    }
  }
}

asio::awaitable<Result> ProbeRunner::Impl::persistent_probe(steady::time_point deadline,
                                                            std::int64_t sent_ns) {
  auto waiter = std::make_shared<Waiter>(io, deadline, sent_ns);
  queue.push_back(waiter);
  queue_signal->cancel();
  co_await waiter->timer.async_wait(tuple_awaitable);
  waiter->complete(failure(ProbeOutcome::timeout, "no answer before the deadline"));
  co_return waiter->result;
}

asio::awaitable<void> ProbeRunner::Impl::persistent_loop() {
  // One request at a time on one connection (no pipelining): a probe due
  // while another is answered waits in the queue, within its own deadline.
  // A failed request or a timeout breaks the connection; the next probe
  // reconnects, bounded by its own deadline.
  bool connected = false;
  auto drop = [&] {
    if (conn) abort_socket(beast::get_lowest_layer(*conn).socket());
    conn.reset();
    connected = false;
  };
  while (!closing) {
    while (!queue.empty() && queue.front()->done) queue.pop_front();
    if (queue.empty()) {
      queue_signal->expires_at(steady::time_point::max());
      co_await queue_signal->async_wait(tuple_awaitable);
      continue;
    }
    auto w = queue.front();
    if (!connected) {
      std::string why;
      const auto addr = current_address(why);
      if (!addr) {
        w->complete(failure(ProbeOutcome::unreachable, why));
        continue;
      }
      conn.emplace(io, tls);
      beast::get_lowest_layer(*conn).expires_at(w->deadline_at);
      auto res = co_await connect_tls(*conn, tcp::endpoint(*addr, spec.port));
      if (closing) break;
      if (res.outcome != ProbeOutcome::ok) {
        w->complete(std::move(res));
        drop();
        continue;
      }
      connected = true;
    }
    beast::get_lowest_layer(*conn).expires_at(w->deadline_at);
    bool keep_alive = false;
    auto res = co_await http_exchange(*conn, keep_alive);
    if (closing) break;
    const bool broken = res.outcome != ProbeOutcome::ok && res.outcome != ProbeOutcome::http_error;
    w->complete(std::move(res));
    if (broken || !keep_alive) drop();
  }
  drop();
}

ProbeRunner::ProbeRunner(ProbeSpec spec, ProbeOutputs outputs) {
  validate(spec);
  impl_ = std::make_unique<Impl>(std::move(spec), std::move(outputs));
  if (impl_->spec.netns) impl_->ns.emplace(impl_->spec.netns->share());
}

ProbeRunner::~ProbeRunner() {
  try {
    stop();
  } catch (const std::exception& e) {
    std::cerr << "probe " << impl_->label << ": " << e.what() << '\n';
  }
}

const ProbeSpec& ProbeRunner::spec() const noexcept {
  return impl_->spec;
}

void ProbeRunner::start() {
  auto& d = *impl_;
  if (d.started) throw ProbeError("probe " + d.label + ": already started");
  if (!d.outputs.csv.empty()) d.log.emplace(ProbeLog::create(d.outputs.csv, d.label));
  // Each probe in flight holds a socket: allow as many as the hard limit.
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
  std::promise<void> ready;
  auto ready_future = ready.get_future();
  d.thread = std::thread([&d, &ready] { d.thread_main(ready); });
  try {
    ready_future.get();
  } catch (...) {
    d.thread.join();
    d.stop_requested = true;
    {
      std::lock_guard g(d.resolver_mutex);
      d.resolver_stop = true;
    }
    d.resolver_cv.notify_all();
    if (d.resolver_thread.joinable()) d.resolver_thread.join();
    throw;
  }
  d.started = true;
}

ProbeSummary ProbeRunner::stop() {
  auto& d = *impl_;
  if (d.final_summary) return *d.final_summary;
  if (!d.started) return summary();
  d.stop_requested = true;
  asio::post(d.io, [] {});  // wakes the loop if it waits on its timer
  d.thread.join();
  {
    std::lock_guard g(d.resolver_mutex);
    d.resolver_stop = true;
  }
  d.resolver_cv.notify_all();
  if (d.resolver_thread.joinable()) d.resolver_thread.join();
  d.final_summary = summary();
  if (d.log) d.log->close();
  if (!d.outputs.summary_json.empty())
    write_probe_summary(d.outputs.summary_json, *d.final_summary);
  return *d.final_summary;
}

bool ProbeRunner::wait(std::chrono::milliseconds bound) {
  auto& d = *impl_;
  std::unique_lock lock(d.done_mutex);
  if (d.spec.count == 0) {
    d.done_cv.wait_for(lock, bound);
    return false;
  }
  return d.done_cv.wait_for(lock, bound, [&] { return d.completed >= d.spec.count; });
}

ProbeSummary ProbeRunner::summary() const {
  std::lock_guard g(impl_->stats_mutex);
  return impl_->stats.summary();
}

}  // namespace failover_hil::netlab
