// Writes realistic probe traffic for the analyser benchmark (issue 15): TCP
// connect probes at a fixed rate, each from its own random source port with
// its own random ISN, answered by a SYN-ACK acknowledging it (random RTT
// 150-400 us), then the client's ACK and RST (SO_LINGER 0), as the
// tcp_connect prober does. With --outages, every 20 s of probes a 50 ms
// outage: unanswered, then refused (RST), alternately. Seeded: the same
// arguments write the same file.
//
//   analysis_capture_gen OUT.pcap PACKETS RATE_HZ [--outages]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <queue>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "failover_hil/netlab/pcap_writer.hpp"
#include "failover_hil/netlab/synthetic_traffic.hpp"

namespace {

using namespace failover_hil::netlab;

struct Pending {
  std::int64_t ts;
  std::uint64_t order;  // ties keep their order of creation
  std::vector<std::uint8_t> frame;
  bool operator>(const Pending& o) const { return ts != o.ts ? ts > o.ts : order > o.order; }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s OUT.pcap PACKETS RATE_HZ [--outages]\n", argv[0]);
    return 2;
  }
  const std::string path = argv[1];
  const auto packets = std::strtoull(argv[2], nullptr, 10);
  const double rate = std::strtod(argv[3], nullptr);
  const bool outages = argc > 4 && std::strcmp(argv[4], "--outages") == 0;
  const WireHost client{MacAddress::parse("02:00:00:00:00:21"), IpAddress::parse("198.18.0.21")};
  const WireHost site{MacAddress::parse("02:00:00:00:00:0a"), IpAddress::parse("198.18.0.10")};
  const auto period = static_cast<std::int64_t>(1e9 / rate);
  const std::int64_t t0 = 1'700'000'000'000'000'000;
  const auto every = static_cast<std::uint64_t>(20 * rate);            // probes between outages
  const auto outage_probes = static_cast<std::uint64_t>(0.05 * rate);  // 50 ms

  std::mt19937_64 rng(15);
  std::uniform_int_distribution<int> port(32768, 60999);
  std::uniform_int_distribution<std::uint32_t> isn;
  std::uniform_int_distribution<std::int64_t> rtt(150'000, 400'000);
  std::uniform_int_distribution<std::int64_t> jitter(0, 2'000);

  using namespace tcp_flag;
  PcapWriter w(path, LinkType::ethernet);
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> queue;
  std::uint64_t written = 0, order = 0;
  auto flush_until = [&](std::int64_t ts) {
    while (!queue.empty() && queue.top().ts <= ts && written < packets) {
      w.write(queue.top().ts, queue.top().frame);
      ++written;
      queue.pop();
    }
  };
  for (std::uint64_t i = 0; written < packets; ++i) {
    const std::int64_t sent = t0 + static_cast<std::int64_t>(i) * period + jitter(rng);
    flush_until(sent);
    if (written >= packets) break;
    const auto sport = static_cast<std::uint16_t>(port(rng));
    const std::uint32_t cisn = isn(rng), sisn = isn(rng);
    const std::int64_t r = rtt(rng);
    queue.push({sent, order++, build_tcp_frame(client, site, sport, 443, cisn, 0, syn)});
    const bool down = outages && i % every >= every - outage_probes;
    if (down) {
      if ((i / every) % 2 == 1)  // refused
        queue.push(
            {sent + r, order++, build_tcp_frame(site, client, 443, sport, 0, cisn + 1, rst | ack)});
      continue;
    }
    queue.push(
        {sent + r, order++, build_tcp_frame(site, client, 443, sport, sisn, cisn + 1, syn | ack)});
    queue.push({sent + r + 10'000, order++,
                build_tcp_frame(client, site, sport, 443, cisn + 1, sisn + 1, ack)});
    queue.push(
        {sent + r + 20'000, order++, build_tcp_frame(client, site, sport, 443, cisn + 1, 0, rst)});
  }
  flush_until(INT64_MAX);
  w.close();
  std::printf("%s: %llu packets, %.0f probes/s%s\n", path.c_str(),
              static_cast<unsigned long long>(written), rate, outages ? ", with outages" : "");
  return 0;
}
