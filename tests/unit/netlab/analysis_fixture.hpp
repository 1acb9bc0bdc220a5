// The fixture of the analyser's tests: a client probing a site at 100/s,
// captures written to a per-test directory.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "failover_hil/netlab/analysis.hpp"
#include "failover_hil/netlab/synthetic_traffic.hpp"

namespace failover_hil::netlab::analysis_testing {

inline constexpr std::int64_t kT0 = 1'700'000'000'000'000'000;
inline constexpr std::int64_t kI = 10'000'000;  // 100 probes/s
inline constexpr std::int64_t kRtt = 200'000;

inline const MacAddress kMacA = MacAddress::parse("02:00:00:00:00:0a");
inline const MacAddress kMacB = MacAddress::parse("02:00:00:00:00:0b");
inline const MacAddress kMacClient = MacAddress::parse("02:00:00:00:00:21");

class AnalysisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("fhil-analysis-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    options_.answer_timeout_ns = 100'000'000;
    options_.appliance_macs = {{kMacA, "A"}, {kMacB, "B"}};
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  SyntheticTraffic::ProbeScript script(int count, bool v6 = false) const {
    SyntheticTraffic::ProbeScript s;
    s.client = {kMacClient, IpAddress::parse(v6 ? "fd00:198:18::21" : "198.18.0.21")};
    s.site = {kMacA, IpAddress::parse(v6 ? "fd00:198:18::10" : "198.18.0.10")};
    s.port = 443;
    s.start_ns = kT0;
    s.interval_ns = kI;
    s.rtt_ns = kRtt;
    s.count = count;
    return s;
  }

  AnalysisReport run(SyntheticTraffic& t, CaptureFormat format = CaptureFormat::pcap_nanosecond,
                     LinkType lt = LinkType::ethernet) {
    const auto path = (dir_ / "capture.pcap").string();
    t.write(path, format, lt);
    return analyze_files({path}, options_);
  }

  static ProbeAnswer ok(const MacAddress& m = kMacA) { return {ProbeAnswer::Kind::syn_ack, m}; }
  static ProbeAnswer none() { return {ProbeAnswer::Kind::none, {}}; }
  static ProbeAnswer refused() { return {ProbeAnswer::Kind::rst, kMacA}; }

  std::filesystem::path dir_;
  AnalysisOptions options_;
};

inline std::int64_t length(const Outage& o, OutageMethod m) {
  for (const auto& l : o.lengths)
    if (l.method == m) return l.length_ns;
  ADD_FAILURE() << "no figure for " << method_name(m);
  return -1;
}

}  // namespace failover_hil::netlab::analysis_testing
