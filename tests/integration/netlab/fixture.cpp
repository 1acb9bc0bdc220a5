#include "fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "failover_hil/netlab/sweep.hpp"

namespace failover_hil::netlab::testing {

std::string missing_privilege() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("CapEff:", 0) != 0) continue;
    const auto caps = std::stoull(line.substr(7), nullptr, 16);
    constexpr int kNetAdmin = 12;
    constexpr int kSysAdmin = 21;  // mount and setns for named namespaces
    if ((caps >> kNetAdmin & 1) == 0 || (caps >> kSysAdmin & 1) == 0)
      return "netlab integration tests need root (CAP_NET_ADMIN and CAP_SYS_ADMIN): run them "
             "with sudo, e.g. `sudo ctest --preset dev -L integration`";
    return {};
  }
  return "cannot read capabilities from /proc/self/status";
}

NamePrefix unique_prefix() {
  static std::atomic<int> counter{0};
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string pid;
  for (auto p = static_cast<unsigned>(::getpid()); p > 0; p /= 36)
    pid.insert(pid.begin(), kDigits[p % 36]);
  return NamePrefix("f" + pid + kDigits[10 + counter++ % 26] + "-");
}

std::string shell(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  char buf[4096];
  while (const auto n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  ::pclose(pipe);
  return out;
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // Re-check the condition shortly: the bound, not this pause, decides.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

bool Listener::accepts(std::chrono::milliseconds bound) const {
  pollfd p{fd.get(), POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(bound.count())) != 1) return false;
  Fd conn(::accept(fd.get(), nullptr, nullptr));
  return conn.get() >= 0;
}

Listener listen_in(const Netns& ns, std::uint16_t port) {
  Listener l;
  l.fd = run_in_netns(ns, [] { return Fd(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0)); });
  if (l.fd.get() < 0) throw std::runtime_error("socket() failed");
  const int off = 0;
  ::setsockopt(l.fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);  // IPv4 too
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_port = htons(port);
  addr.sin6_addr = in6addr_any;
  if (::bind(l.fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(l.fd.get(), 16) != 0)
    throw std::runtime_error("bind/listen failed: " + std::to_string(errno));
  socklen_t len = sizeof addr;
  ::getsockname(l.fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  l.port = ntohs(addr.sin6_port);
  return l;
}

namespace {

int connect_to(const Netns& ns, const sockaddr* addr, socklen_t len, int family,
               std::chrono::milliseconds bound) {
  const Fd fd = run_in_netns(
      ns, [&] { return Fd(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)); });
  if (fd.get() < 0) return errno;
  if (::connect(fd.get(), addr, len) == 0) return 0;
  if (errno != EINPROGRESS) return errno;
  pollfd p{fd.get(), POLLOUT, 0};
  if (::poll(&p, 1, static_cast<int>(bound.count())) != 1) return ETIMEDOUT;
  int err = 0;
  socklen_t err_len = sizeof err;
  ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &err_len);
  return err;
}

}  // namespace

int tcp_connect(const Netns& ns, Ipv4Address ip, std::uint16_t port,
                std::chrono::milliseconds bound) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(ip.value);
  return connect_to(ns, reinterpret_cast<const sockaddr*>(&addr), sizeof addr, AF_INET, bound);
}

int tcp_connect(const Netns& ns, const Ipv6Address& ip, std::uint16_t port,
                std::chrono::milliseconds bound) {
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_port = htons(port);
  std::copy(ip.bytes.begin(), ip.bytes.end(), addr.sin6_addr.s6_addr);
  return connect_to(ns, reinterpret_cast<const sockaddr*>(&addr), sizeof addr, AF_INET6, bound);
}

SwitchedLab::SwitchedLab(const NamePrefix& prefix)
    : sw_ns(Netns::create(prefix.name("sw"))),
      sw(NetlinkSocket::open(sw_ns)),
      bridge(Bridge::create(sw, prefix.name("br"))),
      client(add_host(prefix, "cli")),
      app_a(add_host(prefix, "appA")),
      app_b(add_host(prefix, "appB")) {}

SwitchedLab::~SwitchedLab() {
  cables.clear();
}

Host SwitchedLab::add_host(const NamePrefix& prefix, const std::string& name) {
  Host host{Netns::create(prefix.name(name)), nullptr, prefix.name(name)};
  host.nl = NetlinkSocket::open(host.ns);
  cables.push_back(VethPair::create(sw, prefix.name(name + "-s"), host.link, &host.ns));
  bridge.enslave(cables.back().name());
  set_link_up(*host.nl, host.link);
  return host;
}

void NetlabTest::SetUp() {
  if (const auto why = missing_privilege(); !why.empty()) GTEST_SKIP() << why;
  prefix_.emplace(unique_prefix());
}

void NetlabTest::TearDown() {
  if (!prefix_) return;
  destroy_resources();
  // RAII must have removed everything; the sweep is the backstop that keeps
  // the host clean when it did not.
  const auto swept = sweep_prefix(*prefix_);
  EXPECT_TRUE(swept.namespaces.empty()) << "left behind: netns " << swept.namespaces.front();
  EXPECT_TRUE(swept.links.empty()) << "left behind: link " << swept.links.front();
  EXPECT_EQ(shell("ip netns list").find(prefix_->str()), std::string::npos);
  EXPECT_EQ(shell("ip link").find(prefix_->str()), std::string::npos);
}

}  // namespace failover_hil::netlab::testing
