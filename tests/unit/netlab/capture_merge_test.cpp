// Captures a physical site can use (issue 15, item 4): files from hosts
// whose clocks differ, put on one time line, and a mirror port's copies.
#include <gtest/gtest.h>

#include "analysis_fixture.hpp"
#include "failover_hil/netlab/analysis.hpp"
#include "failover_hil/netlab/clock_offset.hpp"
#include "failover_hil/netlab/pcap_writer.hpp"

namespace failover_hil::netlab {
namespace {

using namespace analysis_testing;

constexpr std::int64_t kSiteClockAhead = 3'700'000;  // the site host's clock, 3.7 ms fast
constexpr std::int64_t kOneWay = 50'000;             // client <-> site capture points

class CaptureMergeTest : public AnalysisTest {
 protected:
  // The client's capture, and the same packets as a capture on the site's
  // host takes them: the probe 50 us later, the answer 50 us earlier, on a
  // clock 3.7 ms ahead.
  void write_both(const SyntheticTraffic& t) {
    client_ = (dir_ / "client.pcap").string();
    site_ = (dir_ / "site.pcap").string();
    PcapWriter c(client_, LinkType::ethernet);
    PcapWriter s(site_, LinkType::ethernet);
    for (const auto& [ts, frame] : t.sorted()) {
      c.write(ts, frame);
      const bool from_client =
          std::equal(frame.begin() + 6, frame.begin() + 12, kMacClient.bytes.begin());
      s.write(ts + (from_client ? kOneWay : -kOneWay) + kSiteClockAhead, frame);
    }
    c.close();
    s.close();
  }
  SyntheticTraffic switch_over() const {
    SyntheticTraffic t;
    t.probes(script(300), [](int i) { return i < 100 ? ok(kMacA) : i < 143 ? none() : ok(kMacB); });
    return t;
  }
  std::string client_, site_;
};

void expect_the_switch(const AnalysisReport& r) {
  ASSERT_EQ(r.clients.size(), 1u);
  const auto& c = r.clients[0];
  EXPECT_EQ(c.probes, 300u);
  EXPECT_EQ(c.retransmissions, 0u);
  EXPECT_EQ(c.duplicate_answers, 0u);
  ASSERT_EQ(c.outages.size(), 1u);
  const auto& o = c.outages[0];
  EXPECT_EQ(o.first_failure.sent_ns, kT0 + 100 * kI);
  EXPECT_EQ(o.first_success_after->sent_ns, kT0 + 143 * kI);
  for (const auto& l : o.lengths) EXPECT_EQ(l.probes, 43u) << method_name(l.method);
  EXPECT_EQ(o.last_success->appliance, "A");
  EXPECT_EQ(o.first_success_after->appliance, "B");
}

TEST_F(CaptureMergeTest, ClockOffsetIsEstimatedFromPacketsBothHostsSaw) {
  write_both(switch_over());
  const auto clocks = estimate_clock_offsets({client_, site_});
  ASSERT_EQ(clocks.size(), 2u);
  EXPECT_EQ(clocks[0].method, ClockOffset::Method::reference);
  EXPECT_EQ(clocks[1].method, ClockOffset::Method::estimated);
  EXPECT_GT(clocks[1].matched_packets, 10u);
  // Both directions were seen, so the one-way delay cancels.
  EXPECT_NEAR(static_cast<double>(clocks[1].offset_ns), -kSiteClockAhead, 1'000);
  ASSERT_TRUE(clocks[1].uncertainty_ns);
  EXPECT_NEAR(static_cast<double>(*clocks[1].uncertainty_ns), kOneWay, 1'000);
}

TEST_F(CaptureMergeTest, TwoHostsMergedFindTheSameOutagesAsOneCapture) {
  write_both(switch_over());
  const auto one = analyze_files({client_}, options_);
  expect_the_switch(one);
  options_.align_clocks = true;
  const auto both = analyze_files({client_, site_}, options_);
  expect_the_switch(both);
  ASSERT_EQ(both.clock_offsets.size(), 2u);
  EXPECT_EQ(both.clock_offsets[1].method, ClockOffset::Method::estimated);
  EXPECT_EQ(both.copies_dropped, one.packets);  // every site packet is a copy
  EXPECT_EQ(both.clients[0].outages[0].lengths, one.clients[0].outages[0].lengths);
}

TEST_F(CaptureMergeTest, AGivenOffsetIsUsedAndSaidSo) {
  write_both(switch_over());
  options_.clock_offsets_ns[site_] = -kSiteClockAhead;
  const auto r = analyze_files({client_, site_}, options_);
  expect_the_switch(r);
  ASSERT_EQ(r.clock_offsets.size(), 2u);
  EXPECT_EQ(r.clock_offsets[1].method, ClockOffset::Method::given);
  EXPECT_EQ(r.clock_offsets[1].offset_ns, -kSiteClockAhead);
}

TEST_F(CaptureMergeTest, FilesWithNothingInCommonAreTakenAsIsAndSaidSo) {
  write_both(switch_over());
  SyntheticTraffic other;
  auto s = script(10);
  s.client.ip = IpAddress::parse("198.18.0.22");
  other.probes(s, [](int) { return ok(); });
  const auto path = (dir_ / "client2.pcap").string();
  other.write(path);
  const auto clocks = estimate_clock_offsets({client_, path});
  EXPECT_EQ(clocks.at(1).method, ClockOffset::Method::none);
  EXPECT_EQ(clocks.at(1).offset_ns, 0);
}

TEST_F(CaptureMergeTest, MirrorPortSeesEveryClientAndBothAppliancesAndDropsCopies) {
  // A SPAN port copying each packet twice (the client's port and the
  // appliance's), 5 us apart, for two clients through a switch-over.
  SyntheticTraffic t;
  for (const char* ip : {"198.18.0.21", "198.18.0.22"}) {
    auto s = script(300);
    s.client.ip = IpAddress::parse(ip);
    t.probes(s, [](int i) { return i < 100 ? ok(kMacA) : i < 143 ? none() : ok(kMacB); });
  }
  SyntheticTraffic mirrored;
  for (const auto& [ts, frame] : t.sorted()) {
    mirrored.add(ts, frame);
    mirrored.add(ts + 5'000, frame);
  }
  const auto path = (dir_ / "span.pcap").string();
  mirrored.write(path);
  options_.mirror_port = true;
  const auto r = analyze_files({path}, options_);
  EXPECT_EQ(r.copies_dropped, r.packets / 2);
  ASSERT_EQ(r.clients.size(), 2u);
  for (const auto& c : r.clients) {
    EXPECT_EQ(c.retransmissions, 0u);
    EXPECT_EQ(c.duplicate_answers, 0u);
    ASSERT_EQ(c.outages.size(), 1u);
    for (const auto& l : c.outages[0].lengths) EXPECT_EQ(l.probes, 43u);
    EXPECT_EQ(c.outages[0].last_success->appliance, "A");
    EXPECT_EQ(c.outages[0].first_success_after->appliance, "B");
  }
  // Without --mirror the copies look like retransmissions and duplicates.
  options_.mirror_port = false;
  EXPECT_GT(analyze_files({path}, options_).clients[0].retransmissions, 0u);
}

}  // namespace
}  // namespace failover_hil::netlab
