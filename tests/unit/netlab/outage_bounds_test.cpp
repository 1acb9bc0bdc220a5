// Every outage counted, with its uncertainty (issue 15, item 1): outages open
// at the capture's end, truncated captures, and the three methods counting
// the same probes.
#include <gtest/gtest.h>

#include <filesystem>

#include "analysis_fixture.hpp"
#include "failover_hil/netlab/analysis.hpp"
#include "failover_hil/netlab/analysis_json.hpp"
#include "failover_hil/netlab/pcap_writer.hpp"
#include "failover_hil/netlab/probe_log.hpp"

namespace failover_hil::netlab {
namespace {

using namespace analysis_testing;

constexpr std::int64_t kMs = 1'000'000;     // 1 kHz probes
constexpr std::uint64_t kRecord = 16 + 60;  // pcap record header + minimum Ethernet frame
constexpr std::uint64_t kFileHeader = 24;

class OutageBoundsTest : public AnalysisTest {
 protected:
  void SetUp() override {
    AnalysisTest::SetUp();
    options_.answer_timeout_ns = AnalysisOptions::kDefaultAnswerTimeoutNs;  // 2 s
  }
  SyntheticTraffic::ProbeScript at_1khz(int count) const {
    auto s = script(count);
    s.interval_ns = kMs;
    return s;
  }
  // Analyses frames written as they are (times out of order included).
  template <class Frames>
  AnalysisReport analyze_frames(const Frames& frames) {
    const auto path = (dir_ / "capture.pcap").string();
    PcapWriter w(path, LinkType::ethernet);
    for (const auto& [ts, frame] : frames) w.write(ts, frame);
    w.close();
    return analyze_files({path}, options_);
  }
  // Writes `t`, then cuts it inside the record after the first `records`.
  AnalysisReport run_cut(SyntheticTraffic& t, std::uint64_t records) {
    const auto path = (dir_ / "capture.pcap").string();
    t.write(path);
    std::filesystem::resize_file(path, kFileHeader + records * kRecord + 30);
    return analyze_files({path}, options_);
  }
};

void expect_probes_by_every_method(const Outage& o, std::uint64_t probes) {
  ASSERT_EQ(o.lengths.size(), 3u);
  for (const auto& l : o.lengths)
    EXPECT_EQ(l.probes, probes) << method_name(l.method) << " " << l.length_ns << " ns";
}

TEST_F(OutageBoundsTest, OutageOpenAtTheEndIsReportedWithALowerBoundAndItsReason) {
  // Probes 80..99 unanswered, the capture ends with probe 99's SYN: every
  // one of them is still inside its 2 s timeout.
  SyntheticTraffic t;
  t.probes(script(100), [](int i) { return i >= 80 ? none() : ok(); });
  const auto r = run(t);
  ASSERT_EQ(r.clients.size(), 1u);
  const auto& c = r.clients[0];
  EXPECT_EQ(c.answered, 80u);
  EXPECT_EQ(c.unanswered_at_end, 19u);
  EXPECT_EQ(c.lost, 19u);
  EXPECT_EQ(c.undecided, 1u);  // probe 99, sent at the capture's last instant
  ASSERT_EQ(c.outages.size(), 1u);
  const auto& o = c.outages[0];
  EXPECT_TRUE(o.open_end);
  EXPECT_EQ(o.open_reason, "capture ended while down");
  EXPECT_EQ(o.unanswered_at_end, 19u);
  EXPECT_EQ(o.first_failure.sent_ns, kT0 + 80 * kI);
  EXPECT_EQ(length(o, OutageMethod::time_based_loss), 19 * kI);
  EXPECT_EQ(length(o, OutageMethod::packet_loss_based), 19 * kI);
  expect_probes_by_every_method(o, 19);
  for (const auto& l : o.lengths) EXPECT_EQ(l.bound, LengthBound::lower_bound);
  EXPECT_EQ(c.total_downtime[0].bound, LengthBound::lower_bound);
  EXPECT_FALSE(unbounded_figures(r).empty());
  EXPECT_NE(to_json(r).find("\"open_reason\":\"capture ended while down\""), std::string::npos);
}

TEST_F(OutageBoundsTest, ClosedOutagesAreBoundedAndNothingIsUnbounded) {
  SyntheticTraffic t;
  t.probes(at_1khz(3000), [](int i) { return i >= 500 && i < 543 ? none() : ok(); });
  const auto r = run(t);
  const auto& o = r.clients.at(0).outages.at(0);
  for (const auto& l : o.lengths) {
    EXPECT_EQ(l.bound, LengthBound::bounded);
    EXPECT_EQ(l.resolution_ns, kMs);
  }
  EXPECT_FALSE(o.partial);
  EXPECT_TRUE(o.open_reason.empty());
  EXPECT_TRUE(unbounded_figures(r).empty());
}

TEST_F(OutageBoundsTest, FortyThreeProbeOutageAt1kHzIs43ByEveryMethod) {
  SyntheticTraffic t;
  t.probes(at_1khz(3000), [](int i) { return i >= 500 && i < 543 ? none() : ok(); });
  const auto r = run(t);
  const auto& c = r.clients.at(0);
  ASSERT_EQ(c.outages.size(), 1u);
  const auto& o = c.outages[0];
  EXPECT_EQ(o.lost, 43u);
  expect_probes_by_every_method(o, 43);
  for (const auto& l : o.lengths) EXPECT_EQ(l.length_ns, 43 * kMs) << method_name(l.method);
}

TEST_F(OutageBoundsTest, FortyThreeProbeGapWithOnlyNineProbesCapturedIs43ByEveryMethod) {
  // The schedule owed 43 probes in the gap; the capture shows every fifth
  // (9), unanswered. The loss count used to say 9.
  SyntheticTraffic t;
  t.probes(at_1khz(3000), [](int i) {
    if (i < 500 || i >= 543) return ok();
    return (i - 500) % 5 == 0 ? none() : ProbeAnswer{ProbeAnswer::Kind::not_sent, {}};
  });
  const auto r = run(t);
  const auto& c = r.clients.at(0);
  EXPECT_DOUBLE_EQ(c.rate_hz, 1000.0);
  ASSERT_EQ(c.outages.size(), 1u);
  const auto& o = c.outages[0];
  EXPECT_EQ(o.lost, 9u);
  EXPECT_EQ(o.missing, 34u);
  expect_probes_by_every_method(o, 43);
  for (const auto& l : o.lengths) EXPECT_EQ(l.length_ns, 43 * kMs) << method_name(l.method);
}

TEST_F(OutageBoundsTest, TruncatedMidRecordAfterTheOutageKeepsItAndIsPartial) {
  // A 43-probe outage at 1 kHz, then the file is cut inside a record about
  // 100 ms after it ended: the outage's probes are all inside their 2 s
  // timeout, and the outage used to vanish.
  SyntheticTraffic t;
  t.probes(at_1khz(300), [](int i) { return i >= 100 && i < 143 ? none() : ok(); });
  // Probes 0..240 complete: 241 SYNs and 241 - 43 answers.
  const std::uint64_t records = 241 + 241 - 43;
  const auto r = run_cut(t, records);
  EXPECT_TRUE(r.partial);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].offset, kFileHeader + records * kRecord);
  ASSERT_EQ(r.clients.size(), 1u);
  const auto& c = r.clients[0];
  ASSERT_EQ(c.outages.size(), 1u);
  const auto& o = c.outages[0];
  EXPECT_FALSE(o.open_end);
  EXPECT_TRUE(o.partial);
  EXPECT_EQ(o.unanswered_at_end, 43u);
  expect_probes_by_every_method(o, 43);
  for (const auto& l : o.lengths) EXPECT_EQ(l.bound, LengthBound::bounded);
  EXPECT_FALSE(unbounded_figures(r).empty());
}

TEST_F(OutageBoundsTest, TruncatedMidOutageIsOpenPartialAndALowerBound) {
  SyntheticTraffic t;
  t.probes(at_1khz(300), [](int i) { return i >= 100 ? none() : ok(); });
  // Probes 0..200 complete: 201 SYNs and 100 answers.
  const auto r = run_cut(t, 201 + 100);
  EXPECT_TRUE(r.partial);
  const auto& c = r.clients.at(0);
  ASSERT_EQ(c.outages.size(), 1u);
  const auto& o = c.outages[0];
  EXPECT_TRUE(o.open_end);
  EXPECT_TRUE(o.partial);
  EXPECT_EQ(o.open_reason, "capture truncated while down");
  EXPECT_EQ(o.unanswered_at_end, 100u);  // 100..199; 200 was sent at the cut
  EXPECT_EQ(c.undecided, 1u);
  EXPECT_EQ(length(o, OutageMethod::time_based_loss), 100 * kMs);
  expect_probes_by_every_method(o, 100);
  for (const auto& l : o.lengths) EXPECT_EQ(l.bound, LengthBound::lower_bound);
}

TEST_F(OutageBoundsTest, CaptureEndingWhileUpLeavesOnlyTheLastProbeUndecided) {
  SyntheticTraffic t;
  t.probes(script(100), [](int) { return ok(); });
  t.add(kT0 + 100 * kI,
        build_tcp_frame({kMacClient, IpAddress::parse("198.18.0.21")},
                        {kMacA, IpAddress::parse("198.18.0.10")}, 61000, 443, 9, 0, tcp_flag::syn));
  const auto r = run(t);
  const auto& c = r.clients.at(0);
  EXPECT_TRUE(c.outages.empty());
  EXPECT_EQ(c.undecided, 1u);
  EXPECT_TRUE(unbounded_figures(r).empty());
}

TEST_F(OutageBoundsTest, TimestampsSteppingBackDoNotBreakTheRate) {
  // Captures from several CPUs can hold a packet stamped just before the
  // one written ahead of it: an interval of -1 ns must not become a bin.
  SyntheticTraffic t;
  t.probes(script(100), [](int) { return ok(); });
  auto frames = t.sorted();                  // SYN i at 2i, its SYN-ACK at 2i + 1
  frames[100].first = frames[98].first - 1;  // probe 50's SYN stamped 1 ns before 49's
  const auto r = analyze_frames(frames);
  ASSERT_EQ(r.clients.size(), 1u);
  EXPECT_DOUBLE_EQ(r.clients[0].rate_hz, 100.0);
  EXPECT_EQ(r.clients[0].probes, 100u);
  EXPECT_EQ(r.clients[0].answered, 100u);
  EXPECT_TRUE(r.clients[0].outages.empty());
}

// Issue 16 item 3: one record stamped at the epoch (ts_sec = 0) in a 1 kHz
// capture became a 56-year outage, with exit 0. It is skipped, said, and
// makes the analysis partial.
TEST_F(OutageBoundsTest, ARecordStampedAtTheEpochIsSkippedNotAFiftySixYearOutage) {
  SyntheticTraffic t;
  t.probes(at_1khz(3000), [](int) { return ok(); });
  auto frames = t.sorted();
  frames[1500].first = 0;
  const auto r = analyze_frames(frames);
  ASSERT_EQ(r.clients.size(), 1u);
  for (const auto& o : r.clients[0].outages)
    EXPECT_LT(o.headline().length_ns, 1'000'000'000) << "an outage made of a damaged time";
  EXPECT_TRUE(r.partial);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_NE(r.errors[0].message.find("steps back"), std::string::npos) << r.errors[0].message;
}

// Issue 16: the forward twin of the record above. One record stamped three
// hours ahead, then the capture goes on as before: it was a three-hour outage
// (the probes pending at it timed out) and every record after it was skipped
// as stepping back, hiding the real 100 ms outage later on.
TEST_F(OutageBoundsTest, ARecordStampedHoursAheadIsSkippedAndHidesNoRealOutage) {
  SyntheticTraffic t;
  t.probes(at_1khz(3000), [](int i) { return i >= 2000 && i < 2100 ? none() : ok(); });
  auto frames = t.sorted();  // probe i's SYN is frame 2i, its SYN-ACK frame 2i + 1
  constexpr std::int64_t kThreeHours = 3LL * 3600 * 1'000'000'000;
  frames[1001].first += kThreeHours;  // probe 500's SYN-ACK: record 1002
  const auto r = analyze_frames(frames);
  ASSERT_EQ(r.clients.size(), 1u);
  const auto& c = r.clients[0];
  ASSERT_EQ(c.outages.size(), 2u) << "the damaged record's probe, then the real outage";
  // Probe 500 lost its answer with the record: one probe, not three hours.
  EXPECT_EQ(c.outages[0].first_failure.sent_ns, kT0 + 500 * kMs);
  EXPECT_EQ(length(c.outages[0], OutageMethod::packet_loss_based), kMs);
  EXPECT_EQ(c.outages[1].first_failure.sent_ns, kT0 + 2000 * kMs);
  EXPECT_EQ(length(c.outages[1], OutageMethod::packet_loss_based), 100 * kMs);
  for (const auto& o : c.outages) EXPECT_LT(o.headline().length_ns, 1'000'000'000);
  EXPECT_EQ(c.probes, 3000u);
  EXPECT_TRUE(r.partial);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message.find("packet 1002:"), std::string::npos) << r.errors[0].message;
  EXPECT_NE(r.errors[0].message.find("ahead"), std::string::npos) << r.errors[0].message;
}

// A capture that really jumps (paused for 5 s, or the clock stepped forward
// for good) goes on from the new time: nothing is skipped, nothing is partial.
TEST_F(OutageBoundsTest, ACaptureThatJumpsAheadAndStaysThereIsNotDamaged) {
  SyntheticTraffic t;
  t.probes(at_1khz(3000), [](int) { return ok(); });
  auto frames = t.sorted();
  for (std::size_t i = 3000; i < frames.size(); ++i) frames[i].first += 5'000'000'000;
  const auto r = analyze_frames(frames);
  ASSERT_EQ(r.clients.size(), 1u);
  EXPECT_EQ(r.clients[0].probes, 3000u);
  EXPECT_EQ(r.clients[0].answered, 3000u);
  EXPECT_FALSE(r.partial);
  EXPECT_TRUE(r.errors.empty());
}

// The last record of a capture alone more than 1 s after the rest cannot be
// told from a damaged one: skipped and said, not an outage of its own.
TEST_F(OutageBoundsTest, ALoneLastRecordHoursAheadIsSkipped) {
  SyntheticTraffic t;
  t.probes(at_1khz(1000), [](int) { return ok(); });
  auto frames = t.sorted();
  frames.back().first += 3LL * 3600 * 1'000'000'000;
  const auto r = analyze_frames(frames);
  ASSERT_EQ(r.clients.size(), 1u);
  for (const auto& o : r.clients[0].outages)
    EXPECT_LT(o.headline().length_ns, 1'000'000'000) << "an outage made of a damaged time";
  EXPECT_LT(r.last_packet_ns - r.first_packet_ns, 1'000'000'000);
  EXPECT_TRUE(r.partial);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message.find("packet 2000:"), std::string::npos) << r.errors[0].message;
}

TEST_F(OutageBoundsTest, AnswerTimeoutIsTheProbesDeadlineFromTheirLog) {
  const auto path = dir_ / "client1.probes.csv";
  auto log = ProbeLog::create(path, "client1");
  ProbeRecord ok_record;
  ok_record.sent_ns = 1'000'000;
  ok_record.done_ns = 1'300'000;
  ok_record.latency_ns = 300'000;
  log.write(ok_record);
  EXPECT_NO_THROW(log.flush());
  EXPECT_FALSE(infer_answer_timeout(path));  // nothing timed out: no evidence
  for (const std::int64_t waited : {500'400'000, 500'050'000, 500'900'000}) {
    ProbeRecord r;
    r.sent_ns = 2'000'000'000;
    r.done_ns = r.sent_ns + waited;
    r.outcome = ProbeOutcome::timeout;
    log.write(r);
  }
  log.close();
  EXPECT_EQ(infer_answer_timeout(path), 500'000'000);  // spec.deadline = 500ms
}

}  // namespace
}  // namespace failover_hil::netlab
