// Lab benchmark (issue 4): the default lab's up and down time, and the time
// from "enable the shared IP on B" (netlink add + gratuitous ARP) to "client1
// connects to B", over many moves. Needs root. Prints median, p99 and max.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "failover_hil/netlab/address_ops.hpp"
#include "failover_hil/netlab/announce.hpp"
#include "failover_hil/netlab/lab.hpp"

using namespace failover_hil::netlab;
using Clock = std::chrono::steady_clock;

namespace {

double ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

void report(const char* what, std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const auto at = [&](double q) {
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
  };
  std::printf("%-34s n=%-4zu median %8.3f ms   p99 %8.3f ms   max %8.3f ms\n", what, v.size(),
              at(0.5), at(0.99), v.back());
}

int listen_on(const Netns& ns, std::uint16_t port) {
  return run_in_netns(ns, [&] {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 64) != 0)
      std::abort();
    return fd;
  });
}

/// One connect attempt from the client namespace; true when it completed within `wait`.
bool connect_once(const Netns& client, Ipv4Address ip, std::uint16_t port, int wait_ms) {
  return run_in_netns(client, [&] {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(ip.value);
    ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    pollfd p{fd, POLLOUT, 0};
    bool ok = ::poll(&p, 1, wait_ms) == 1;
    int err = 0;
    socklen_t len = sizeof err;
    if (ok) ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    ::close(fd);
    return ok && err == 0;
  });
}

/// Accepts (and closes) whatever waits on `fd`; returns how many.
int drain(int fd) {
  int n = 0;
  for (int c; (c = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC)) >= 0; ++n) ::close(c);
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  if (::geteuid() != 0) {
    std::fprintf(stderr, "lab_bench needs root (network namespaces)\n");
    return 2;
  }
  const int moves = argc > 2 ? std::atoi(argv[2]) : 100;
  auto spec = load_lab_file(argc > 1 ? argv[1] : "scenarios/labs/default.yaml");
  spec.prefix = "fhb-";
  const auto state = std::filesystem::temp_directory_path() / "fhil-lab-bench";

  std::vector<double> up_ms, down_ms;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = Clock::now();
    auto lab = Lab::up(spec, state);
    const auto t1 = Clock::now();
    lab.reset();
    const auto t2 = Clock::now();
    up_ms.push_back(ms(t1 - t0));
    down_ms.push_back(ms(t2 - t1));
  }

  auto lab = Lab::up(spec, state);
  const auto& client = lab->host("client1");
  const LabHost* hosts[2] = {&lab->host("appA"), &lab->host("appB")};
  const std::uint16_t port = 9000;
  const int listeners[2] = {listen_on(hosts[0]->ns, port), listen_on(hosts[1]->ns, port)};
  const InterfaceAddress shared{spec.shared_ip, spec.subnet.length};
  add_address(*hosts[0]->nl, hosts[0]->link, shared);
  announce_ipv4(hosts[0]->ns, hosts[0]->link, spec.shared_ip, {GarpKind::both, 1, {}});
  if (!connect_once(client.ns, spec.shared_ip, port, 1000)) std::abort();
  drain(listeners[0]);

  std::vector<double> move_ms, netlink_ms;
  int holder = 0, misses = 0;
  for (int i = 0; i < moves; ++i) {
    const int next = 1 - holder;
    remove_address(*hosts[holder]->nl, hosts[holder]->link, shared);
    const auto t0 = Clock::now();
    add_address(*hosts[next]->nl, hosts[next]->link, shared);
    const auto t1 = Clock::now();
    announce_ipv4(hosts[next]->ns, hosts[next]->link, spec.shared_ip, {GarpKind::both, 1, {}});
    while (!connect_once(client.ns, spec.shared_ip, port, 1000)) ++misses;
    const auto t2 = Clock::now();
    if (drain(listeners[next]) < 1) std::abort();  // it must have been B that answered
    drain(listeners[holder]);
    netlink_ms.push_back(ms(t1 - t0));
    move_ms.push_back(ms(t2 - t0));
    holder = next;
  }
  ::close(listeners[0]);
  ::close(listeners[1]);
  lab.reset();

  std::printf("lab '%s' (%zu hosts), %d address moves, %d connect attempts timed out\n",
              spec.name.c_str(), spec.hosts.size(), moves, misses);
  report("lab up", up_ms);
  report("lab down", down_ms);
  report("netlink address add", netlink_ms);
  report("enable on B -> client1 connects to B", move_ms);
  return 0;
}
