// Analyser throughput (packets/s) on a generated capture, against a bare
// libpcap read loop over the same file. FHIL_BENCH_PACKETS sets the size
// (default 2 000 000 packets: 1 000 000 probes and their answers).
#include <benchmark/benchmark.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "failover_hil/netlab/analysis.hpp"
#include "failover_hil/netlab/pcap_file.hpp"
#include "failover_hil/netlab/pcap_writer.hpp"
#include "failover_hil/netlab/synthetic_traffic.hpp"

namespace {

using namespace failover_hil::netlab;

std::int64_t packet_count() {
  const char* env = std::getenv("FHIL_BENCH_PACKETS");
  return env != nullptr ? std::atoll(env) : 2'000'000;
}

// Written once, streamed (not built in memory): probes every 1 ms, every
// 1000th unanswered.
const std::string& capture_path() {
  static const std::string path = [] {
    // FHIL_BENCH_CAPTURE keeps the file (bench/run-analysis-bench times tshark on it).
    const char* keep = std::getenv("FHIL_BENCH_CAPTURE");
    auto p = keep != nullptr ? std::string(keep)
                             : (std::filesystem::temp_directory_path() /
                                ("fhil-bench-" + std::to_string(::getpid()) + ".pcap"))
                                   .string();
    const WireHost client{MacAddress::parse("02:00:00:00:00:21"), IpAddress::parse("198.18.0.21")};
    const WireHost site{MacAddress::parse("02:00:00:00:00:0a"), IpAddress::parse("198.18.0.10")};
    PcapWriter w(p, LinkType::ethernet);
    const std::int64_t t0 = 1'700'000'000'000'000'000;
    for (std::int64_t i = 0; i < packet_count() / 2; ++i) {
      const auto sport = static_cast<std::uint16_t>(20000 + i % 40000);
      const auto isn = static_cast<std::uint32_t>(i * 1000 + 7);
      w.write(t0 + i * 1'000'000, build_tcp_frame(client, site, sport, 443, isn, 0, tcp_flag::syn));
      if (i % 1000 != 999)
        w.write(t0 + i * 1'000'000 + 200'000, build_tcp_frame(site, client, 443, sport, 1, isn + 1,
                                                              tcp_flag::syn | tcp_flag::ack));
    }
    w.close();
    if (keep == nullptr) std::atexit([] { std::filesystem::remove(capture_path()); });
    return p;
  }();
  return path;
}

void BM_BareLibpcapLoop(benchmark::State& state) {
  const auto& path = capture_path();  // generated outside the timing
  std::int64_t packets = 0;
  for (auto _ : state) {
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t* p =
        pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (p == nullptr) {
      state.SkipWithError(errbuf);
      return;
    }
    pcap_pkthdr* h = nullptr;
    const u_char* d = nullptr;
    std::uint64_t sum = 0;
    while (pcap_next_ex(p, &h, &d) == 1) {
      sum += h->caplen;
      ++packets;
    }
    benchmark::DoNotOptimize(sum);
    pcap_close(p);
  }
  state.counters["packets/s"] =
      benchmark::Counter(static_cast<double>(packets), benchmark::Counter::kIsRate);
}

void BM_OurReaderOnly(benchmark::State& state) {
  const auto& path = capture_path();  // generated outside the timing
  std::int64_t packets = 0;
  for (auto _ : state) {
    PcapFileSource src(path);
    std::uint64_t sum = 0;
    while (const auto p = src.next()) {
      sum += p->bytes.size();
      ++packets;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.counters["packets/s"] =
      benchmark::Counter(static_cast<double>(packets), benchmark::Counter::kIsRate);
}

void BM_Analyzer(benchmark::State& state) {
  const auto& path = capture_path();  // generated outside the timing
  std::int64_t packets = 0;
  for (auto _ : state) {
    const auto report = analyze_files({path});
    packets += static_cast<std::int64_t>(report.packets);
    benchmark::DoNotOptimize(report.clients.size());
  }
  state.counters["packets/s"] =
      benchmark::Counter(static_cast<double>(packets), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_BareLibpcapLoop)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_OurReaderOnly)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Analyzer)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
