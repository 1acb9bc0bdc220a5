// Exact outage figures from synthetic captures (issue: sections 3 and 5).
#include "failover_hil/netlab/analysis.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "analysis_fixture.hpp"
#include "failover_hil/netlab/analysis_json.hpp"

namespace failover_hil::netlab {
namespace {

using namespace analysis_testing;

void expect_single_outage(const AnalysisReport& r) {
  ASSERT_EQ(r.clients.size(), 1u);
  const auto& c = r.clients[0];
  EXPECT_EQ(c.client.str(), "198.18.0.21");
  EXPECT_EQ(c.probes, 100u);
  EXPECT_EQ(c.answered, 90u);
  EXPECT_EQ(c.lost, 10u);
  EXPECT_EQ(c.refused, 0u);
  EXPECT_EQ(c.resolution_ns, kI);
  EXPECT_DOUBLE_EQ(c.rate_hz, 100.0);
  ASSERT_EQ(c.outages.size(), 1u);
  const auto& o = c.outages[0];
  ASSERT_TRUE(o.last_success && o.first_success_after);
  EXPECT_EQ(o.last_success->sent_ns, kT0 + 39 * kI);
  EXPECT_EQ(o.last_success->answer_ns, kT0 + 39 * kI + kRtt);
  EXPECT_EQ(o.first_failure.sent_ns, kT0 + 40 * kI);
  EXPECT_EQ(o.first_success_after->answer_ns, kT0 + 50 * kI + kRtt);
  EXPECT_EQ(o.headline().method, OutageMethod::time_based_loss);
  EXPECT_EQ(length(o, OutageMethod::time_based_loss), 10 * kI);
  // Answer to answer less one interval: the same ten probes.
  EXPECT_EQ(length(o, OutageMethod::timestamp_based), 10 * kI);
  EXPECT_EQ(length(o, OutageMethod::packet_loss_based), 10 * kI);
  EXPECT_EQ(o.headline().resolution_ns, kI);
  EXPECT_FALSE(o.open_start);
  EXPECT_FALSE(o.open_end);
  EXPECT_EQ(o.last_success->appliance, "A");
  ASSERT_EQ(c.timeline.size(), 3u);
  EXPECT_TRUE(c.timeline[0].up);
  EXPECT_FALSE(c.timeline[1].up);
  EXPECT_EQ(c.timeline[1].start_ns, kT0 + 40 * kI);
  EXPECT_EQ(c.timeline[1].end_ns, kT0 + 50 * kI);
  EXPECT_EQ(c.timeline[2].end_ns, kT0 + 100 * kI);
  EXPECT_FALSE(r.partial);
}

TEST_F(AnalysisTest, SingleOutageIsExactByAllThreeMethods) {
  SyntheticTraffic t;
  t.probes(script(100), [](int i) { return i >= 40 && i < 50 ? none() : ok(); });
  expect_single_outage(run(t));
}

TEST_F(AnalysisTest, PcapngMicrosecondAndLinuxCookedGiveTheSameFigures) {
  SyntheticTraffic t;
  t.probes(script(100), [](int i) { return i >= 40 && i < 50 ? none() : ok(); });
  expect_single_outage(run(t, CaptureFormat::pcapng));
  expect_single_outage(run(t, CaptureFormat::pcap_microsecond));
  expect_single_outage(run(t, CaptureFormat::pcap_nanosecond, LinkType::linux_sll));
  expect_single_outage(run(t, CaptureFormat::pcapng, LinkType::linux_sll));
}

TEST_F(AnalysisTest, Ipv6ProbesGiveTheSameFigures) {
  SyntheticTraffic t;
  t.probes(script(100, true), [](int i) { return i >= 40 && i < 50 ? none() : ok(); });
  const auto r = run(t);
  ASSERT_EQ(r.clients.size(), 1u);
  EXPECT_EQ(r.clients[0].client.str(), "fd00:198:18::21");
  ASSERT_EQ(r.clients[0].outages.size(), 1u);
  EXPECT_EQ(length(r.clients[0].outages[0], OutageMethod::time_based_loss), 10 * kI);
  EXPECT_EQ(length(r.clients[0].outages[0], OutageMethod::timestamp_based), 10 * kI);
}

TEST_F(AnalysisTest, BackToBackOutagesAreSeparate) {
  SyntheticTraffic t;
  t.probes(script(100),
           [](int i) { return (i >= 40 && i < 45) || (i >= 46 && i < 50) ? none() : ok(); });
  const auto r = run(t);
  ASSERT_EQ(r.clients.size(), 1u);
  const auto& c = r.clients[0];
  ASSERT_EQ(c.outages.size(), 2u);
  EXPECT_EQ(length(c.outages[0], OutageMethod::time_based_loss), 5 * kI);
  EXPECT_EQ(length(c.outages[0], OutageMethod::timestamp_based), 5 * kI);
  EXPECT_EQ(length(c.outages[0], OutageMethod::packet_loss_based), 5 * kI);
  EXPECT_EQ(c.outages[1].last_success->sent_ns, kT0 + 45 * kI);
  EXPECT_EQ(length(c.outages[1], OutageMethod::time_based_loss), 4 * kI);
  EXPECT_EQ(length(c.outages[1], OutageMethod::timestamp_based), 4 * kI);
  EXPECT_EQ(length(c.outages[1], OutageMethod::packet_loss_based), 4 * kI);
  EXPECT_EQ(c.total_downtime[0].length_ns, 9 * kI);
}

TEST_F(AnalysisTest, OutageAtCaptureStartIsOpenAndMeasuredFromCaptureStart) {
  SyntheticTraffic t;
  t.probes(script(100), [](int i) { return i < 10 ? none() : ok(); });
  const auto r = run(t);
  ASSERT_EQ(r.clients.size(), 1u);
  const auto& c = r.clients[0];
  ASSERT_EQ(c.outages.size(), 1u);
  const auto& o = c.outages[0];
  EXPECT_TRUE(o.open_start);
  EXPECT_FALSE(o.last_success);
  EXPECT_EQ(o.first_failure.sent_ns, kT0);
  EXPECT_EQ(length(o, OutageMethod::time_based_loss), 10 * kI);
  EXPECT_EQ(length(o, OutageMethod::timestamp_based), 10 * kI + kRtt);  // from the first packet
  EXPECT_EQ(length(o, OutageMethod::packet_loss_based), 10 * kI);
}

TEST_F(AnalysisTest, ClientThatNeverRecoversIsOpenAtTheEnd) {
  SyntheticTraffic t;
  t.probes(script(100), [](int i) { return i >= 60 ? none() : ok(); });
  const auto r = run(t);
  ASSERT_EQ(r.clients.size(), 1u);
  const auto& c = r.clients[0];
  // The capture ends with probe 99's SYN: 60..88 timed out (lost), 89..98
  // are still inside the 100 ms timeout but waited longer than an answer
  // takes (unanswered at the end, failures), 99 was sent at the end
  // (undecided).
  EXPECT_EQ(c.lost, 39u);
  EXPECT_EQ(c.unanswered_at_end, 10u);
  EXPECT_EQ(c.undecided, 1u);
  ASSERT_EQ(c.outages.size(), 1u);
  const auto& o = c.outages[0];
  EXPECT_TRUE(o.open_end);
  EXPECT_FALSE(o.first_success_after);
  EXPECT_EQ(length(o, OutageMethod::time_based_loss), 39 * kI);
  EXPECT_EQ(length(o, OutageMethod::timestamp_based), 99 * kI - (59 * kI + kRtt + kI));
  EXPECT_EQ(length(o, OutageMethod::packet_loss_based), 39 * kI);
}

TEST_F(AnalysisTest, ReorderedAnswersAreCountedAndNoOutage) {
  SyntheticTraffic t;
  t.probes(script(100), [](int i) {
    auto a = ok();
    if (i == 20) a.delay_ns = 25'000'000;  // overtaken by 21's and 22's answers
    return a;
  });
  const auto r = run(t);
  ASSERT_EQ(r.clients.size(), 1u);
  EXPECT_EQ(r.clients[0].reordered_answers, 1u);
  EXPECT_EQ(r.clients[0].answered, 100u);
  EXPECT_TRUE(r.clients[0].outages.empty());
}

TEST_F(AnalysisTest, DuplicateAnswersAreCounted) {
  SyntheticTraffic t;
  t.probes(script(100), [](int i) {
    auto a = ok();
    if (i == 30) a.duplicate_answers = 2;
    return a;
  });
  const auto r = run(t);
  EXPECT_EQ(r.clients[0].duplicate_answers, 2u);
  EXPECT_EQ(r.clients[0].probes, 100u);
  EXPECT_TRUE(r.clients[0].outages.empty());
}

TEST_F(AnalysisTest, SynRetransmissionsAreNotNewProbes) {
  options_.answer_timeout_ns = 2'000'000'000;
  SyntheticTraffic t;
  t.probes(script(300), [](int i) {
    auto a = ok();
    if (i == 30) {
      a.syn_retransmissions = 1;  // first SYN lost, the retransmission answered
      a.delay_ns = 1'000'000'000 + kRtt;
    }
    return a;
  });
  const auto r = run(t);
  const auto& c = r.clients[0];
  EXPECT_EQ(c.probes, 300u);
  EXPECT_EQ(c.retransmissions, 1u);
  EXPECT_EQ(c.answered, 300u);
  EXPECT_TRUE(c.outages.empty());
  EXPECT_DOUBLE_EQ(c.rate_hz, 100.0);  // the retransmission does not skew the median
}

TEST_F(AnalysisTest, RefusedAndLostAreTold) {
  SyntheticTraffic t;
  t.probes(script(100), [](int i) {
    if (i >= 40 && i < 45) return refused();
    if (i >= 45 && i < 50) return none();
    return ok();
  });
  const auto r = run(t);
  const auto& c = r.clients[0];
  EXPECT_EQ(c.refused, 5u);
  EXPECT_EQ(c.lost, 5u);
  ASSERT_EQ(c.outages.size(), 1u);
  EXPECT_EQ(c.outages[0].refused, 5u);
  EXPECT_EQ(c.outages[0].lost, 5u);
  EXPECT_EQ(length(c.outages[0], OutageMethod::packet_loss_based), 10 * kI);
}

TEST_F(AnalysisTest, AnsweringApplianceChangesAcrossTheOutage) {
  SyntheticTraffic t;
  t.probes(script(100), [](int i) { return i < 50 ? ok(kMacA) : i < 60 ? none() : ok(kMacB); });
  const auto r = run(t);
  const auto& o = r.clients[0].outages.at(0);
  EXPECT_EQ(o.last_success->appliance, "A");
  EXPECT_EQ(o.first_success_after->appliance, "B");
  EXPECT_TRUE(o.appliance_changed());
  // Unnamed MACs are shown as the MAC.
  options_.appliance_macs.clear();
  const auto r2 = run(t);
  EXPECT_EQ(r2.clients[0].outages.at(0).first_success_after->appliance, "02:00:00:00:00:0b");
}

TEST_F(AnalysisTest, GratuitousArpAndUnsolicitedNaAreListed) {
  SyntheticTraffic t;
  t.probes(script(10), [](int) { return ok(); });
  const auto vip = Ipv4Address::parse("198.18.0.10");
  t.gratuitous_arp(kT0 + 5 * kI, ArpOp::request, kMacB, vip);
  t.gratuitous_arp(kT0 + 6 * kI, ArpOp::reply, kMacB, vip);
  t.unsolicited_na(kT0 + 7 * kI, kMacB, Ipv6Address::parse("fd00:198:18::10"));
  const auto r = run(t);
  ASSERT_EQ(r.announcements.size(), 3u);
  EXPECT_EQ(r.announcements[0].kind, Announcement::Kind::garp_request);
  EXPECT_EQ(r.announcements[0].timestamp_ns, kT0 + 5 * kI);
  EXPECT_EQ(r.announcements[0].ip.str(), "198.18.0.10");
  EXPECT_EQ(r.announcements[0].appliance, "B");
  EXPECT_EQ(r.announcements[1].kind, Announcement::Kind::garp_reply);
  EXPECT_EQ(r.announcements[2].kind, Announcement::Kind::unsolicited_na);
  EXPECT_EQ(r.announcements[2].ip.str(), "fd00:198:18::10");
  EXPECT_TRUE(r.conflicts.empty());
}

TEST_F(AnalysisTest, R23TwoMacsAnsweringForOneIpIsAConflict) {
  SyntheticTraffic t;
  const auto vip = Ipv4Address::parse("198.18.0.10");
  const WireHost client{kMacClient, IpAddress::parse("198.18.0.21")};
  t.arp_reply(kT0, kMacA, vip, client);
  t.arp_reply(kT0 + 1'000'000, kMacB, vip, client);  // both answer one request
  t.arp_reply(kT0 + 2'000'000, kMacA, vip, client);
  const auto r = run(t);
  ASSERT_EQ(r.conflicts.size(), 1u);
  const auto& c = r.conflicts[0];
  EXPECT_EQ(c.rule, "R23");
  EXPECT_EQ(c.ip.str(), "198.18.0.10");
  EXPECT_EQ(c.first_appliance, "A");
  EXPECT_EQ(c.second_appliance, "B");
  EXPECT_EQ(c.first_seen_ns, kT0 + 1'000'000);
  EXPECT_EQ(c.last_seen_ns, kT0 + 2'000'000);
  EXPECT_EQ(c.claims, 2u);
}

// A resumed run rebuilds its lab, and an appliance comes back with a new
// MAC: its old and new MACs answering within the window are one holder.
TEST_F(AnalysisTest, R23TwoMacsOfOneApplianceAreNoConflict) {
  const auto rebuilt = MacAddress::parse("02:00:00:00:00:1b");
  options_.appliance_macs[rebuilt] = "B";
  SyntheticTraffic t;
  const auto vip = Ipv4Address::parse("198.18.0.10");
  const WireHost client{kMacClient, IpAddress::parse("198.18.0.21")};
  t.arp_reply(kT0, kMacB, vip, client);
  t.arp_reply(kT0 + 1'000'000, rebuilt, vip, client);
  EXPECT_TRUE(run(t).conflicts.empty());
  t.arp_reply(kT0 + 2'000'000, kMacA, vip, client);  // another appliance still is one
  const auto conflicts = run(t).conflicts;           // with each of B's MACs
  ASSERT_FALSE(conflicts.empty());
  for (const auto& c : conflicts) {
    EXPECT_EQ(c.first_appliance, "B");
    EXPECT_EQ(c.second_appliance, "A");
  }
}

TEST_F(AnalysisTest, R23AnnouncedMoveIsNoConflictButTheOldOwnerAnsweringAfterIs) {
  SyntheticTraffic t;
  const auto vip = Ipv4Address::parse("198.18.0.10");
  const WireHost client{kMacClient, IpAddress::parse("198.18.0.21")};
  t.arp_reply(kT0, kMacA, vip, client);
  t.gratuitous_arp(kT0 + 500'000'000, ArpOp::request, kMacB, vip);  // B takes over
  t.arp_reply(kT0 + 700'000'000, kMacB, vip, client);
  auto r = run(t);
  EXPECT_TRUE(r.conflicts.empty());
  t.arp_reply(kT0 + 900'000'000, kMacA, vip, client);  // A still holds the IP
  r = run(t);
  ASSERT_EQ(r.conflicts.size(), 1u);
  EXPECT_EQ(r.conflicts[0].first_appliance, "B");
  EXPECT_EQ(r.conflicts[0].second_appliance, "A");
}

TEST_F(AnalysisTest, IcmpEchoProbesAreAnalysedToo) {
  SyntheticTraffic t;
  const WireHost client{kMacClient, IpAddress::parse("198.18.0.21")};
  const WireHost site{kMacA, IpAddress::parse("198.18.0.10")};
  for (int i = 0; i < 100; ++i) {
    const auto seq = static_cast<std::uint16_t>(i);
    t.add(kT0 + i * kI, build_echo_frame(client, site, true, 7, seq));
    if (i < 40 || i >= 50)
      t.add(kT0 + i * kI + kRtt, build_echo_frame(site, client, false, 7, seq));
  }
  const auto r = run(t);
  ASSERT_EQ(r.clients.size(), 1u);
  EXPECT_EQ(r.clients[0].kind, WireProbeKind::icmp_echo);
  ASSERT_EQ(r.clients[0].outages.size(), 1u);
  EXPECT_EQ(length(r.clients[0].outages[0], OutageMethod::time_based_loss), 10 * kI);
}

TEST_F(AnalysisTest, SiteFilterSelectsTheSite) {
  SyntheticTraffic t;
  t.probes(script(100), [](int i) { return i >= 40 && i < 50 ? none() : ok(); });
  options_.site_port = 8443;
  EXPECT_TRUE(run(t).clients.empty());
  options_.site_port = 443;
  options_.site_ip = IpAddress::parse("198.18.0.10");
  expect_single_outage(run(t));
}

TEST_F(AnalysisTest, GivenRateOverridesTheInferredOne) {
  SyntheticTraffic t;
  t.probes(script(100), [](int i) { return i >= 40 && i < 50 ? none() : ok(); });
  options_.rate_hz = 50;
  const auto r = run(t);
  EXPECT_FALSE(r.clients[0].rate_inferred);
  EXPECT_EQ(length(r.clients[0].outages[0], OutageMethod::packet_loss_based), 200'000'000);
}

TEST_F(AnalysisTest, TruncatedFileIsPartialWithTheOffsetAndKeepsWhatWasRead) {
  SyntheticTraffic t;
  t.probes(script(100), [](int i) { return i >= 40 && i < 50 ? none() : ok(); });
  const auto path = (dir_ / "capture.pcap").string();
  t.write(path);
  const auto size = std::filesystem::file_size(path);
  std::filesystem::resize_file(path, size - 30);
  const auto r = analyze_files({path}, options_);
  EXPECT_TRUE(r.partial);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].offset, size - 76);  // the last record: 16-byte header + 60-byte frame
  EXPECT_NE(r.errors[0].message.find("at byte " + std::to_string(size - 76)), std::string::npos)
      << r.errors[0].message;
  ASSERT_EQ(r.clients.size(), 1u);
  EXPECT_EQ(r.clients[0].probes, 100u);
  EXPECT_EQ(r.clients[0].outages.size(), 1u);
  EXPECT_NE(render_text(r).find("PARTIAL"), std::string::npos);
}

TEST_F(AnalysisTest, JsonCarriesTheSchemaAndEveryFigure) {
  SyntheticTraffic t;
  t.probes(script(100), [](int i) { return i >= 40 && i < 50 ? none() : ok(); });
  const auto r = run(t);
  const auto v = boost::json::parse(to_json(r));
  EXPECT_EQ(v.at("schema").as_string(), "failover-hil/analysis/2");
  EXPECT_EQ(v.at("headline_method").as_string(), "time-based-loss");
  const auto& o = v.at("clients").at(0).at("outages").at(0);
  EXPECT_EQ(o.at("headline").at("length_ns").as_int64(), 10 * kI);
  EXPECT_EQ(o.at("lengths").at(1).at("method").as_string(), "timestamp-based");
  EXPECT_EQ(o.at("lengths").at(1).at("length_ns").as_int64(), 10 * kI);
  EXPECT_EQ(o.at("lengths").at(1).at("probes").as_int64(), 10);
  EXPECT_EQ(o.at("lengths").at(1).at("bound").as_string(), "bounded");
  EXPECT_EQ(o.at("lengths").at(1).at("uncertainty_ns").as_int64(), kI);
  EXPECT_EQ(o.at("appliance_before").as_string(), "A");
  const auto text = render_text(r);
  EXPECT_NE(text.find("time-based-loss 0.100000000s"), std::string::npos) << text;
}

}  // namespace
}  // namespace failover_hil::netlab
