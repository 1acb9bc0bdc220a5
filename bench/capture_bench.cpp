// Capture benchmark (issue 5): "99.9th percentile of capture-minus-send
// timestamp within 1.2x tcpdump's on the same veth". One veth pair between two
// namespaces; a sender thread in one sends N UDP datagrams at a fixed rate,
// each carrying a sequence number, and records CLOCK_REALTIME right before
// each send. The harness's capture (netlab Capture) and tcpdump capture the
// receiving end at the same time. Afterwards both pcaps are read, packets
// matched by sequence number, and the capture-minus-send distributions
// compared. Needs root and tcpdump.
//
// Exit status: 0 when ours/tcpdump at p99.9 <= 1.2, 1 when above, 2 on errors
// or when interrupted (SIGINT/SIGTERM; a second one kills).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "failover_hil/netlab/address.hpp"
#include "failover_hil/netlab/address_ops.hpp"
#include "failover_hil/netlab/capture.hpp"
#include "failover_hil/netlab/link.hpp"
#include "failover_hil/netlab/names.hpp"
#include "failover_hil/netlab/netlink_socket.hpp"
#include "failover_hil/netlab/netns.hpp"
#include "failover_hil/netlab/pcap_file.hpp"
#include "failover_hil/netlab/sweep.hpp"

using namespace failover_hil::netlab;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr std::uint16_t kPort = 9000;
constexpr std::uint64_t kMagic = 0x6668696c63623031;  // "fhilcb01"
constexpr const char* kSenderIp = "198.18.60.1";
constexpr const char* kReceiverIp = "198.18.60.2";
constexpr const char* kFilter = "udp dst port 9000";

std::atomic<bool> g_interrupted{false};

void on_signal(int) {
  g_interrupted.store(true);
}

struct Options {
  std::uint64_t packets = 20000;
  double rate_hz = 2000;
  bool keep = false;  // keep the two pcaps and tcpdump's log
};

void usage() {
  std::fprintf(stderr, "usage: capture_bench [--packets N] [--rate HZ] [--keep]\n");
}

std::optional<Options> parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--packets" && has_value) {
      o.packets = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--rate" && has_value) {
      o.rate_hz = std::strtod(argv[++i], nullptr);
    } else if (arg == "--keep") {
      o.keep = true;
    } else {
      return std::nullopt;
    }
  }
  if (o.packets < 1 || o.packets > 10'000'000 || !(o.rate_hz >= 1 && o.rate_hz <= 100'000))
    return std::nullopt;
  if (static_cast<double>(o.packets) / o.rate_hz > 600) {
    std::fprintf(stderr, "capture_bench: a run is bounded to 600 s (packets / rate)\n");
    return std::nullopt;
  }
  return o;
}

std::int64_t to_ns(const timespec& t) {
  return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

timespec from_ns(std::int64_t ns) {
  timespec t{};
  t.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  t.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  return t;
}

std::int64_t now_ns(clockid_t clock) {
  timespec t{};
  ::clock_gettime(clock, &t);
  return to_ns(t);
}

/// An owned descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) noexcept : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

sockaddr_in socket_address(const char* ip, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(Ipv4Address::parse(ip).value);
  return a;
}

/// A UDP socket inside `ns`, bound to ip:port (port 0: any).
Fd udp_socket(const Netns& ns, const char* ip, std::uint16_t port) {
  Fd fd(run_in_netns(ns, [] { return ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); }));
  if (fd.get() < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
  const auto a = socket_address(ip, port);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0)
    throw std::runtime_error("bind " + std::string(ip) + ": " + std::strerror(errno));
  return fd;
}

/// A temporary directory, removed with its contents unless kept.
class TempDir {
 public:
  explicit TempDir(bool keep) : keep_(keep) {
    std::string templ = (fs::temp_directory_path() / "fhil-capture-bench-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr)
      throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    if (!keep_) fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const noexcept { return path_; }

 private:
  fs::path path_;
  bool keep_;
};

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

/// `ip netns exec <ns> tcpdump ... -w <pcap> <filter>`, stderr to `log`. The
/// child dies with us (PR_SET_PDEATHSIG); stop() (and the destructor) sends
/// SIGINT, waits a bounded time, then SIGKILLs.
class Tcpdump {
 public:
  Tcpdump(const std::string& netns, const std::string& interface, const fs::path& pcap,
          const fs::path& log) {
    const char* ip = nullptr;
    for (const char* candidate : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"})
      if (::access(candidate, X_OK) == 0) {
        ip = candidate;
        break;
      }
    if (ip == nullptr) throw std::runtime_error("ip (iproute2) not found");
    std::vector<std::string> argv = {ip, "netns", "exec", netns, "tcpdump", "-n", "-Z", "root"};
    argv.insert(argv.end(),
                {"-i", interface, "--time-stamp-precision=nano", "-w", pcap.string(), kFilter});
    // Everything the child needs is prepared before fork.
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const Fd out(::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    const Fd devnull(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (out.get() < 0 || devnull.get() < 0)
      throw std::runtime_error("open " + log.string() + ": " + std::strerror(errno));
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork: " + std::string(std::strerror(errno)));
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      ::dup2(devnull.get(), STDIN_FILENO);
      ::dup2(devnull.get(), STDOUT_FILENO);
      ::dup2(out.get(), STDERR_FILENO);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ~Tcpdump() { stop(5s); }
  Tcpdump(const Tcpdump&) = delete;
  Tcpdump& operator=(const Tcpdump&) = delete;

  /// Whether it still runs (reaps it when it has exited).
  bool running() {
    if (pid_ <= 0) return false;
    if (::waitpid(pid_, &status_, WNOHANG) == pid_) pid_ = -1;
    return pid_ > 0;
  }

  /// SIGINT (tcpdump then flushes its file and prints its statistics), up to
  /// `grace` to exit, then SIGKILL. Returns the wait status.
  int stop(std::chrono::milliseconds grace) {
    if (!running()) return status_;
    ::kill(pid_, SIGINT);
    const auto until = std::chrono::steady_clock::now() + grace;
    while (running() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(10ms);
    if (running()) {
      std::fprintf(stderr, "capture_bench: tcpdump ignored SIGINT for %lld ms; killing it\n",
                   static_cast<long long>(grace.count()));
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status_, 0);
      pid_ = -1;
    }
    return status_;
  }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
};

std::uint64_t be64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

void put_be64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<std::uint8_t>(v & 0xff);
    v >>= 8;
  }
}

/// The sequence number of one of our datagrams (Ethernet, IPv4, UDP to
/// kPort, payload magic + sequence), or nullopt for anything else.
std::optional<std::uint64_t> sequence_of(std::uint32_t linktype, std::span<const std::uint8_t> f) {
  if (linktype != static_cast<std::uint32_t>(LinkType::ethernet) || f.size() < 14)
    return std::nullopt;
  std::size_t at = 12;
  auto ethertype = static_cast<unsigned>((f[at] << 8) | f[at + 1]);
  while ((ethertype == 0x8100 || ethertype == 0x88a8) && f.size() >= at + 6) {
    at += 4;
    ethertype = static_cast<unsigned>((f[at] << 8) | f[at + 1]);
  }
  at += 2;
  if (ethertype != 0x0800 || f.size() < at + 20 || (f[at] >> 4) != 4) return std::nullopt;
  const std::size_t ihl = static_cast<std::size_t>(f[at] & 0x0f) * 4;
  const bool later_fragment = ((f[at + 6] & 0x1f) | f[at + 7]) != 0;
  if (ihl < 20 || f[at + 9] != IPPROTO_UDP || later_fragment) return std::nullopt;
  at += ihl;
  if (f.size() < at + 8 + 16) return std::nullopt;
  if (static_cast<unsigned>((f[at + 2] << 8) | f[at + 3]) != kPort) return std::nullopt;
  at += 8;
  if (be64(&f[at]) != kMagic) return std::nullopt;
  return be64(&f[at + 8]);
}

/// What one capture file saw of the run.
struct Captured {
  std::vector<std::int64_t> at;  ///< capture timestamp per sequence number, 0 when missed
  std::uint64_t packets = 0;     ///< our datagrams in the file
  std::uint64_t duplicates = 0;
  std::uint64_t unknown = 0;  ///< sequence numbers never sent
};

Captured read_capture(const fs::path& path, std::uint64_t packets) {
  Captured c;
  c.at.assign(packets, 0);
  PcapFileSource src(path.string());
  while (const auto p = src.next()) {
    const auto seq = sequence_of(p->linktype, p->bytes);
    if (!seq) continue;
    ++c.packets;
    if (*seq >= packets) {
      ++c.unknown;
    } else if (c.at[*seq] != 0) {
      ++c.duplicates;
    } else {
      c.at[*seq] = p->timestamp_ns;
    }
  }
  return c;
}

struct Distribution {
  std::size_t matched = 0;
  std::size_t missed = 0;                      ///< sent but not captured
  double p50 = 0, p99 = 0, p999 = 0, max = 0;  // microseconds
};

/// Nearest-rank percentile of a sorted, non-empty vector.
double percentile(const std::vector<double>& sorted, double q) {
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

Distribution capture_minus_send(const Captured& c, const std::vector<std::int64_t>& sent) {
  Distribution d;
  std::vector<double> us;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    if (sent[i] == 0) continue;  // never sent
    if (c.at[i] == 0) {
      ++d.missed;
      continue;
    }
    us.push_back(static_cast<double>(c.at[i] - sent[i]) / 1000.0);
  }
  d.matched = us.size();
  if (us.empty()) return d;
  std::sort(us.begin(), us.end());
  d.p50 = percentile(us, 0.5);
  d.p99 = percentile(us, 0.99);
  d.p999 = percentile(us, 0.999);
  d.max = us.back();
  return d;
}

/// tcpdump's closing statistics ("N packets dropped by kernel" etc.), by label.
std::optional<std::uint64_t> tcpdump_count(const std::string& log, const std::string& label) {
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    unsigned long long n = 0;
    char rest[64] = {};
    if (std::sscanf(line.c_str(), "%llu %63[^\n]", &n, rest) == 2 && label == rest) return n;
  }
  return std::nullopt;
}

std::string count_text(const std::optional<std::uint64_t>& n) {
  return n ? std::to_string(*n) : std::string("?");
}

/// What the sender did.
struct SendResult {
  std::vector<std::int64_t> sent;  ///< CLOCK_REALTIME right before sendto, 0 when not sent
  std::uint64_t count = 0;
  std::uint64_t errors = 0;
  std::uint64_t late = 0;  ///< woke more than one period after its slot
  double seconds = 0;
};

/// Sends `packets` datagrams from `fd` to the receiver at `rate_hz`, on an
/// absolute schedule (no drift); stops early on SIGINT/SIGTERM or when the
/// run takes twice its planned time plus 5 s.
void send_all(int fd, const Options& o, SendResult& r) {
  r.sent.assign(o.packets, 0);
  const auto to = socket_address(kReceiverIp, kPort);
  const auto period_ns = static_cast<std::int64_t>(1e9 / o.rate_hz);
  const std::int64_t start = now_ns(CLOCK_MONOTONIC) + 10'000'000;
  const std::int64_t give_up =
      start + 2 * period_ns * static_cast<std::int64_t>(o.packets) + 5'000'000'000;
  std::array<std::uint8_t, 32> payload{};
  put_be64(payload.data(), kMagic);
  for (std::uint64_t i = 0; i < o.packets; ++i) {
    if (g_interrupted.load()) break;
    const std::int64_t slot = start + static_cast<std::int64_t>(i) * period_ns;
    const timespec deadline = from_ns(slot);
    while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr) == EINTR &&
           !g_interrupted.load()) {
    }
    const std::int64_t woke = now_ns(CLOCK_MONOTONIC);
    if (woke > give_up) break;
    if (woke - slot > period_ns) ++r.late;
    put_be64(payload.data() + 8, i);
    const std::int64_t t = now_ns(CLOCK_REALTIME);
    if (::sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&to),
                 sizeof to) == static_cast<ssize_t>(payload.size())) {
      r.sent[i] = t;
      ++r.count;
    } else {
      ++r.errors;
    }
  }
  r.seconds = static_cast<double>(now_ns(CLOCK_MONOTONIC) - start) / 1e9;
}

/// Sleeps `d` in short steps, returning early on SIGINT/SIGTERM.
void pause_for(std::chrono::milliseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (!g_interrupted.load() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(10ms);
}

int run(const Options& o) {
  TempDir dir(o.keep);
  const auto ours_path = dir.path() / "harness.pcap";
  const auto theirs_path = dir.path() / "tcpdump.pcap";
  const auto log_path = dir.path() / "tcpdump.log";

  // Declaration order is teardown order reversed: the sender thread, tcpdump
  // and the capture stop before the sockets close, the veth goes, and the
  // namespaces are deleted.
  const NamePrefix prefix("fhilcb-");
  sweep_prefix(prefix);  // what a killed run left behind
  auto sender_ns = Netns::create(prefix.name("tx"));
  auto receiver_ns = Netns::create(prefix.name("rx"));
  auto tx_nl = NetlinkSocket::open(sender_ns);
  auto rx_nl = NetlinkSocket::open(receiver_ns);
  auto cable = VethPair::create(tx_nl, prefix.name("tx0"), prefix.name("rx0"), &receiver_ns);
  set_link_up(*tx_nl, cable.name());
  set_link_up(*rx_nl, cable.peer_name());
  add_address(*tx_nl, cable.name(), {Ipv4Address::parse(kSenderIp), 24});
  add_address(*rx_nl, cable.peer_name(), {Ipv4Address::parse(kReceiverIp), 24});

  // A bound socket that is never read: the datagrams have a destination (no
  // ICMP port unreachable back), and the socket buffer just fills and drops.
  const Fd sink = udp_socket(receiver_ns, kReceiverIp, kPort);
  const Fd tx = udp_socket(sender_ns, kSenderIp, 0);
  {
    // Warm-up before either capture runs: resolves ARP, so the first
    // measured packet does not wait for it.
    const auto to = socket_address(kReceiverIp, kPort);
    const std::uint8_t byte = 0;
    for (int i = 0; i < 3; ++i) {
      ::sendto(tx.get(), &byte, 1, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
      std::this_thread::sleep_for(20ms);
    }
  }

  std::optional<Capture> capture;
  capture.emplace(Capture::start(receiver_ns, {cable.peer_name(), ours_path.string(), kFilter}));
  std::optional<Tcpdump> tcpdump;
  tcpdump.emplace(receiver_ns.name(), cable.peer_name(), theirs_path, log_path);
  {
    // Until tcpdump says it listens (its filter is installed), bounded.
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (read_text(log_path).find("listening on") == std::string::npos) {
      if (!tcpdump->running() || g_interrupted.load() || std::chrono::steady_clock::now() > until)
        throw std::runtime_error("tcpdump did not start listening: " + read_text(log_path));
      std::this_thread::sleep_for(10ms);
    }
  }

  std::printf(
      "sending %llu UDP datagrams at %.0f Hz over veth %s -> %s (netns %s), "
      "capturing on %s\n",
      static_cast<unsigned long long>(o.packets), o.rate_hz, cable.name().c_str(),
      cable.peer_name().c_str(), receiver_ns.name().c_str(), cable.peer_name().c_str());
  std::fflush(stdout);
  SendResult sent;
  {
    std::jthread sender([&] { send_all(tx.get(), o, sent); });
  }

  // tcpdump (no immediate mode) gets packets by ring block, retired after at
  // most its 1 s timeout; SIGINT does not wait for a partial block. Wait so
  // the last packets reach both.
  pause_for(1500ms);
  const auto ours_result = capture->stop();
  capture.reset();
  const int status = tcpdump->stop(5s);
  tcpdump.reset();
  const auto log = read_text(log_path);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    std::fprintf(stderr, "capture_bench: tcpdump exited with status 0x%x: %s\n", status,
                 log.c_str());
  if (!ours_result.error.empty())
    std::fprintf(stderr, "capture_bench: our capture failed: %s\n", ours_result.error.c_str());

  const auto ours = read_capture(ours_path, o.packets);
  const auto theirs = read_capture(theirs_path, o.packets);
  const auto a = capture_minus_send(ours, sent.sent);
  const auto b = capture_minus_send(theirs, sent.sent);

  // The same packet in both files: do the two captures share the kernel's timestamp?
  std::size_t both = 0;
  std::int64_t max_gap = 0;
  for (std::size_t i = 0; i < ours.at.size(); ++i)
    if (ours.at[i] != 0 && theirs.at[i] != 0) {
      ++both;
      max_gap = std::max(max_gap, std::abs(ours.at[i] - theirs.at[i]));
    }

  std::printf("sent %llu in %.2f s (%llu send errors, %llu sends more than one period late)%s\n",
              static_cast<unsigned long long>(sent.count), sent.seconds,
              static_cast<unsigned long long>(sent.errors),
              static_cast<unsigned long long>(sent.late),
              g_interrupted.load() ? " -- interrupted" : "");
  std::printf(
      "capture - send (us)     p50       p99     p99.9       max   missed  dup  "
      "kernel drops\n");
  std::printf("harness            %9.1f %9.1f %9.1f %9.1f %8zu %4llu  %s (ifdrop %s)\n", a.p50,
              a.p99, a.p999, a.max, a.missed, static_cast<unsigned long long>(ours.duplicates),
              count_text(ours_result.kernel_drops).c_str(),
              count_text(ours_result.interface_drops).c_str());
  std::printf("tcpdump            %9.1f %9.1f %9.1f %9.1f %8zu %4llu  %s\n", b.p50, b.p99, b.p999,
              b.max, b.missed, static_cast<unsigned long long>(theirs.duplicates),
              count_text(tcpdump_count(log, "packets dropped by kernel")).c_str());
  std::printf("same packet in both: %zu, max |harness - tcpdump timestamp| = %lld ns\n", both,
              static_cast<long long>(max_gap));
  if (o.keep) std::printf("files kept in %s\n", dir.path().c_str());
  if (a.matched == 0 || b.matched == 0 || b.p999 <= 0) {
    std::printf("ratio at p99.9: n/a (a capture saw none of the packets)\n");
    return 2;
  }
  const double ratio = a.p999 / b.p999;
  const bool pass = ratio <= 1.2;
  std::printf("ratio harness/tcpdump at p99.9: %.3f (target <= 1.2): %s\n", ratio,
              pass ? "PASS" : "FAIL");
  if (g_interrupted.load()) return 2;  // figures of a partial run
  return pass ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse_options(argc, argv);
  if (!options) {
    usage();
    return 2;
  }
  if (::geteuid() != 0) {
    std::fprintf(stderr, "capture_bench needs root (namespaces, veth, capture)\n");
    return 2;
  }
  // A first SIGINT/SIGTERM ends the sending early and everything is torn down
  // as usual; a second one kills (SA_RESETHAND).
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESETHAND;
  ::sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  try {
    return run(*options);
  } catch (const std::exception& e) {
    // Caught here so that every RAII handle in run() has been destroyed.
    std::fprintf(stderr, "capture_bench: %s\n", e.what());
    return 2;
  }
}
