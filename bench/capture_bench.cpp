// Capture benchmark (issue 5): on one veth, the harness's libpcap capture and
// tcpdump record the same TCP-connect probes (1 kHz); for each, the capture
// timestamp minus the probe's send time (both CLOCK_REALTIME). Prints the
// percentiles of both and their ratio at p99.9. Needs root and tcpdump.
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <set>
#include <thread>

#include "failover_hil/netlab/address_ops.hpp"
#include "failover_hil/netlab/capture.hpp"
#include "failover_hil/netlab/decode.hpp"
#include "failover_hil/netlab/link.hpp"
#include "failover_hil/netlab/netlink_socket.hpp"
#include "failover_hil/netlab/netns.hpp"
#include "failover_hil/netlab/pcap_file.hpp"
#include "failover_hil/netlab/probe_runner.hpp"
#include "failover_hil/netlab/sweep.hpp"

extern char** environ;
using namespace failover_hil::netlab;
using namespace std::chrono_literals;

namespace {

constexpr std::uint16_t kPort = 9000;

/// Capture timestamps of the first SYN of each connection, in file order.
std::vector<std::int64_t> syn_times(const std::string& path) {
  std::vector<std::int64_t> out;
  std::set<std::pair<std::uint16_t, std::uint32_t>> seen;
  PcapFileSource src(path);
  while (auto p = src.next()) {
    const auto f = decode_frame(p->linktype, p->bytes);
    if (f.kind != DecodedFrame::Kind::tcp || f.dst_port != kPort || f.tcp_flags != tcp_flag::syn)
      continue;
    if (seen.insert({f.src_port, f.seq}).second) out.push_back(p->timestamp_ns);
  }
  return out;
}

std::vector<double> deltas_us(const std::vector<std::int64_t>& captured,
                              const std::vector<std::int64_t>& sent) {
  std::vector<double> d;
  for (std::size_t i = 0; i < std::min(captured.size(), sent.size()); ++i)
    d.push_back(static_cast<double>(captured[i] - sent[i]) / 1000.0);
  std::sort(d.begin(), d.end());
  return d;
}

double pct(const std::vector<double>& v, double q) {
  return v.empty() ? 0
                   : v[std::min(v.size() - 1,
                                static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  if (::geteuid() != 0) {
    std::fprintf(stderr, "capture_bench needs root (namespaces, capture)\n");
    return 2;
  }
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 5;
  const NamePrefix prefix("fcb-");
  sweep_prefix(prefix);
  auto client = Netns::create(prefix.name("c"));
  auto server = Netns::create(prefix.name("s"));
  auto cnl = NetlinkSocket::open(client);
  auto snl = NetlinkSocket::open(server);
  auto cable = VethPair::create(cnl, prefix.name("c0"), prefix.name("s0"), &server);
  for (auto& [nl, link, ip] : {std::tuple{cnl, prefix.name("c0"), "198.18.60.1"},
                               std::tuple{snl, prefix.name("s0"), "198.18.60.2"}}) {
    set_link_up(*nl, link);
    add_address(*nl, link, {Ipv4Address::parse(ip), 24});
  }
  // The site: accepts and closes, so the backlog never fills.
  const int listener = run_in_netns(server, [] {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(kPort);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd, 1024);
    return fd;
  });
  std::atomic<bool> done{false};
  std::thread acceptor([&] {
    while (!done)
      if (const int c = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC); c >= 0) ::close(c);
  });

  const std::string dir = "/tmp/fhil-capture-bench";
  std::filesystem::create_directories(dir);
  const auto ours = dir + "/harness.pcap", theirs = dir + "/tcpdump.pcap",
             log = dir + "/tcpdump.log";
  auto capture = Capture::start(client, {prefix.name("c0"), ours, "tcp port 9000"});
  std::filesystem::remove(log);
  pid_t tcpdump = 0;
  {
    const std::string cmd = "exec ip netns exec " + client.name() + " tcpdump -n -i " +
                            prefix.name("c0") + " --time-stamp-precision=nano -U -w " + theirs +
                            " tcp port 9000 2>" + log;
    const char* args[] = {"/bin/sh", "-c", cmd.c_str(), nullptr};
    if (::posix_spawn(&tcpdump, "/bin/sh", nullptr, nullptr, const_cast<char**>(args), environ) !=
        0)
      return 2;
    for (int i = 0; i < 500; ++i) {  // until tcpdump says it listens (bounded)
      std::ifstream in(log);
      std::string text((std::istreambuf_iterator<char>(in)), {});
      if (text.find("listening on") != std::string::npos) break;
      std::this_thread::sleep_for(10ms);
    }
  }

  std::vector<std::int64_t> sent;
  ProbeSpec spec;
  spec.kind = ProbeKind::tcp_connect;
  spec.target = "198.18.60.2";
  spec.port = kPort;
  spec.rate_hz = 1000;
  spec.netns = &client;
  spec.count = static_cast<std::uint64_t>(seconds) * 1000;
  ProbeRunner probes(spec, {{}, {}, [&](const ProbeRecord& r) {
                              if (r.sent_realtime_ns != 0) sent.push_back(r.sent_realtime_ns);
                            }});
  probes.start();
  probes.wait(std::chrono::seconds(seconds + 5));
  probes.stop();
  std::this_thread::sleep_for(200ms);  // let both captures see the last packets
  capture.stop();
  ::kill(tcpdump, SIGINT);
  ::waitpid(tcpdump, nullptr, 0);
  done = true;
  ::shutdown(listener, SHUT_RDWR);
  acceptor.join();
  ::close(listener);

  std::sort(sent.begin(), sent.end());
  const auto a = deltas_us(syn_times(ours), sent);
  const auto b = deltas_us(syn_times(theirs), sent);
  std::printf("%zu probes sent, %zu and %zu SYNs captured (harness, tcpdump)\n", sent.size(),
              a.size(), b.size());
  std::printf("capture - send (us)   p50      p99      p99.9    max\n");
  std::printf("harness           %8.1f %8.1f %8.1f %8.1f\n", pct(a, 0.5), pct(a, 0.99),
              pct(a, 0.999), a.empty() ? 0 : a.back());
  std::printf("tcpdump           %8.1f %8.1f %8.1f %8.1f\n", pct(b, 0.5), pct(b, 0.99),
              pct(b, 0.999), b.empty() ? 0 : b.back());
  std::printf("ratio at p99.9: %.2f (target <= 1.2)\n",
              pct(b, 0.999) > 0 ? pct(a, 0.999) / pct(b, 0.999) : 0.0);
  return 0;
}
