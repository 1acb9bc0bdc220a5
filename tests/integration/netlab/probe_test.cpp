#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <thread>

#include "failover_hil/core/tls_identity.hpp"
#include "failover_hil/netlab/address_ops.hpp"
#include "failover_hil/netlab/probe_log.hpp"
#include "failover_hil/netlab/probe_runner.hpp"
#include "fixture.hpp"

namespace failover_hil::netlab::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

// Under ThreadSanitizer (ci/test's tsan stage) the code runs 5-15x slower:
// the races are checked there, the schedule and rates here, in Release.
#if defined(__SANITIZE_THREAD__)
constexpr bool kTimingAsserted = false;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr bool kTimingAsserted = false;
#else
constexpr bool kTimingAsserted = true;
#endif
#else
constexpr bool kTimingAsserted = true;
#endif

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::int64_t ns_of(steady::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// A fresh directory under the system's temp dir, removed at the end.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "probe-test-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

// The site as the probes see it: HTTPS on 127.0.0.1 with a self-signed
// certificate, answering every request with 200 and X-Served-By, keeping
// connections alive. refuse_for() closes the listening socket for a while
// (new connections are refused, established ones live on).
class SiteServer {
 public:
  SiteServer(const std::filesystem::path& dir, std::string name)
      : name_(std::move(name)), tls_(ssl::context::tls_server), acceptor_(asio::make_strand(io_)) {
    const auto id = generate_self_signed(dir, "site", {"127.0.0.1", "site.test"});
    fingerprint_ = certificate_fingerprint(id.cert_file);
    tls_.use_certificate_chain_file(id.cert_file.string());
    tls_.use_private_key_file(id.key_file.string(), ssl::context::pem);
    open(0);
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~SiteServer() {
    asio::post(acceptor_.get_executor(), [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
    });
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
  }
  std::uint16_t port() const { return port_; }
  const std::string& fingerprint() const { return fingerprint_; }

  /// Closes the acceptor now and reopens it after `d`; returns the steady
  /// times of both once it has reopened.
  std::pair<steady::time_point, steady::time_point> refuse_for(milliseconds d) {
    std::promise<std::pair<steady::time_point, steady::time_point>> done;
    asio::co_spawn(
        acceptor_.get_executor(),
        [&]() -> asio::awaitable<void> {
          boost::system::error_code ignored;
          acceptor_.close(ignored);
          const auto closed = steady::now();
          asio::steady_timer t(io_, d);
          co_await t.async_wait(kTuple);
          open(port_);
          done.set_value({closed, steady::now()});
        },
        asio::detached);
    return done.get_future().get();
  }

 private:
  void open(std::uint16_t port) {
    const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(1024);
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(io_), kTuple);
      if (ec) co_return;  // closed
      asio::co_spawn(socket.get_executor(), serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    ssl::stream<beast::tcp_stream> s(beast::tcp_stream(std::move(socket)), tls_);
    beast::get_lowest_layer(s).expires_after(std::chrono::seconds(5));
    if (auto [ec] = co_await s.async_handshake(ssl::stream_base::server, kTuple); ec) co_return;
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::empty_body> req;
      beast::get_lowest_layer(s).expires_after(std::chrono::seconds(5));
      if (auto [ec, n] = co_await http::async_read(s, buffer, req, kTuple); ec) co_return;
      http::response<http::string_body> res{http::status::ok, req.version()};
      res.set("X-Served-By", name_);
      res.body() = "ok\n";
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      if (auto [ec, n] = co_await http::async_write(s, res, kTuple); ec || !req.keep_alive())
        co_return;
    }
  }

  std::string name_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  ssl::context tls_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::string fingerprint_;
  std::vector<std::thread> threads_;
};

ProbeSpec loopback_spec(ProbeKind kind, const SiteServer& site, std::uint64_t count) {
  ProbeSpec spec;
  spec.kind = kind;
  spec.target = "127.0.0.1";
  spec.port = site.port();
  spec.rate_hz = 500;
  spec.count = count;
  spec.deadline = milliseconds(1000);
  // The sender's schedule is asserted to 0.1 %: where allowed, keep other
  // work on the host (parallel builds) from delaying the probe thread.
  if (::geteuid() == 0) spec.realtime_priority = 10;
  spec.trust = kind == ProbeKind::https_new ? ProbeTrust::pinned(site.fingerprint())
                                            : ProbeTrust::insecure();
  return spec;
}

std::vector<ProbeRecord> read_log(const std::filesystem::path& csv) {
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, probe_csv_header());
  std::vector<ProbeRecord> out;
  while (std::getline(in, line)) out.push_back(parse_probe_csv_row(line));
  return out;
}

const std::vector<ProbeKind> kTcpKinds = {ProbeKind::tcp_connect, ProbeKind::tls_handshake,
                                          ProbeKind::https_new, ProbeKind::https_persistent};

// Every kind at 500 Hz for 2 s against a healthy site: ~1000 ok probes each,
// X-Served-By read, the schedule kept.
TEST(ProbeRunnerLoopback, EveryKindAnswersAtFiveHundredHertz) {
  TempDir dir;
  SiteServer site(dir.path, "app-a");
  constexpr std::uint64_t kCount = 1000;
  // One kind after the other: the sender's schedule is asserted to 0.1 %, so
  // the probes should not compete with each other for the CPU.
  for (const auto kind : {ProbeKind::tcp_connect, ProbeKind::tls_handshake, ProbeKind::https_new,
                          ProbeKind::https_persistent, ProbeKind::icmp_echo}) {
    SCOPED_TRACE(std::string(to_string(kind)));
    ProbeOutputs out;
    out.csv = dir.path / (std::string(to_string(kind)) + ".csv");
    out.summary_json = dir.path / (std::string(to_string(kind)) + ".json");
    ProbeRunner runner(loopback_spec(kind, site, kCount), out);
    try {
      runner.start();
    } catch (const ProbeError& e) {
      if (kind != ProbeKind::icmp_echo) throw;
      std::cout << "ICMP probe not run: " << e.what() << '\n';
      continue;
    }
    EXPECT_TRUE(runner.wait(milliseconds(kTimingAsserted ? 10'000 : 60'000)));
    const auto s = runner.stop();
    EXPECT_EQ(s.scheduled, kCount);
    EXPECT_EQ(s.duplicates, 0u);
    if (!kTimingAsserted) continue;
    EXPECT_EQ(s.skipped, 0u);
    EXPECT_EQ(s.sent, kCount);
    EXPECT_GE(s.ok, kCount * 99 / 100) << probe_summary_json(s);
    EXPECT_NEAR(s.achieved_rate_hz, 500.0, 0.5) << "within 0.1 %";
    EXPECT_NEAR(s.duration_s, 1.998, 0.002);
  }
  // Under TSan probes fall behind their schedule (skipped, never sent) and
  // time out: what each one saw is checked in Release only.
  if (!kTimingAsserted) return;
  const auto https = read_log(dir.path / "https_new.csv");
  ASSERT_EQ(https.size(), kCount);
  for (const auto& rec : https) {
    EXPECT_GT(rec.sent_realtime_ns, 1'700'000'000'000'000'000);
    if (rec.outcome != ProbeOutcome::ok) continue;
    EXPECT_EQ(rec.served_by, "app-a");
    EXPECT_GT(rec.latency_ns, 0);
  }
  EXPECT_EQ(read_log(dir.path / "https_persistent.csv").front().served_by, "app-a");
  EXPECT_TRUE(std::filesystem::exists(dir.path / "tls_handshake.json"));
}

// The site refuses new connections for 200 ms: new-connection probes fail
// in that window only, the established connection never notices, and every
// sender keeps its schedule through it.
TEST(ProbeRunnerLoopback, FailuresOnlyWhileTheSiteRefuses) {
  TempDir dir;
  SiteServer site(dir.path, "app-a");
  constexpr std::uint64_t kCount = 1000;  // 2 s
  for (const auto kind : kTcpKinds) {     // one at a time, as above
    SCOPED_TRACE(std::string(to_string(kind)));
    ProbeOutputs out;
    out.csv = dir.path / (std::string(to_string(kind)) + ".csv");
    ProbeRunner runner(loopback_spec(kind, site, kCount), out);
    runner.start();
    std::this_thread::sleep_for(milliseconds(700));  // drives the scenario; no condition to wait on
    const auto [closed, reopened] = site.refuse_for(milliseconds(200));
    EXPECT_TRUE(runner.wait(milliseconds(kTimingAsserted ? 10'000 : 60'000)));
    const auto s = runner.stop();
    if (!kTimingAsserted) continue;
    EXPECT_EQ(s.sent, kCount) << "the sender kept its schedule";
    EXPECT_EQ(s.skipped, 0u);
    // The rate's 0.1 % is EveryKindAnswersAtFiveHundredHertz's; here a last
    // send 2.7 ms late on a loaded machine (499.3 Hz) is not what is tested.
    EXPECT_NEAR(s.achieved_rate_hz, 500.0, 5.0);
    const auto log = read_log(dir.path / (std::string(to_string(kind)) + ".csv"));
    ASSERT_EQ(log.size(), kCount);
    std::size_t failures = 0;
    for (const auto& rec : log) {
      if (rec.outcome == ProbeOutcome::ok) continue;
      ++failures;
      // A connection still queued for accept() when the socket closed is
      // reset then: allow for a busy server's accept queue before the window.
      EXPECT_GE(rec.sent_ns, ns_of(closed - milliseconds(100))) << rec.error;
      EXPECT_LE(rec.sent_ns, ns_of(reopened + milliseconds(10))) << rec.error;
      EXPECT_TRUE(rec.outcome == ProbeOutcome::refused || rec.outcome == ProbeOutcome::reset)
          << to_string(rec.outcome) << ": " << rec.error;
    }
    const auto window_s = std::chrono::duration<double>(reopened - closed).count();
    if (kind == ProbeKind::https_persistent) {
      EXPECT_EQ(failures, 0u) << "an established connection outlives the listener";
    } else {
      // Most of the window's probes fail; on a loaded machine some are sent
      // late, after the listener is back (95 of 116 once in ci/test).
      EXPECT_GE(static_cast<double>(failures), 0.5 * 500.0 * window_s);
      EXPECT_LE(static_cast<double>(failures), 500.0 * (window_s + 0.1) + 8);
    }
  }
}

// A probe from a client namespace to a listener in app_a's namespace.
class ProbeInNamespace : public NetlabTest {
 protected:
  void destroy_resources() override { lab_.reset(); }
  std::optional<SwitchedLab> lab_;
};

TEST_F(ProbeInNamespace, TcpAndIcmpProbesReachAppA) {
  lab_.emplace(prefix());
  const auto client_ip = Ipv4Address::parse("198.18.0.1");
  const auto app_a_ip = Ipv4Address::parse("198.18.0.11");
  add_address(*lab_->client.nl, lab_->client.link, {client_ip, 24});
  add_address(*lab_->app_a.nl, lab_->app_a.link, {app_a_ip, 24});
  auto listener = listen_in(lab_->app_a.ns);
  std::atomic<bool> stop{false};
  std::thread acceptor([&] {
    while (!stop) {
      pollfd p{listener.fd.get(), POLLIN, 0};
      if (::poll(&p, 1, 20) == 1) {
        const int fd = ::accept4(listener.fd.get(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) ::close(fd);
      }
    }
  });
  for (const auto kind : {ProbeKind::tcp_connect, ProbeKind::icmp_echo}) {
    ProbeSpec spec;
    spec.kind = kind;
    spec.target = app_a_ip.str();
    spec.port = listener.port;
    spec.rate_hz = 200;
    spec.count = 100;
    spec.netns = &lab_->client.ns;
    std::vector<ProbeRecord> records;
    ProbeOutputs out;
    out.on_record = [&](const ProbeRecord& r) { records.push_back(r); };
    ProbeRunner runner(spec, out);
    runner.start();
    EXPECT_TRUE(runner.wait(milliseconds(5000)));
    const auto s = runner.stop();
    EXPECT_EQ(s.ok, 100u) << probe_summary_json(s);
    ASSERT_EQ(records.size(), 100u);
  }
  stop = true;
  acceptor.join();
}

}  // namespace
}  // namespace failover_hil::netlab::testing
