#include "failover_hil/netlab/probe.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "failover_hil/netlab/icmp_echo.hpp"
#include "failover_hil/netlab/probe_log.hpp"
#include "failover_hil/netlab/probe_runner.hpp"
#include "failover_hil/netlab/probe_stats.hpp"

namespace failover_hil::netlab {
namespace {

using std::chrono::nanoseconds;

TEST(ProbeSchedule, ProbeIIsDueAtIOverRate) {
  const ProbeSchedule s(1000.0);
  EXPECT_EQ(s.period(), nanoseconds(1'000'000));
  EXPECT_EQ(s.due(0), nanoseconds(0));
  EXPECT_EQ(s.due(1), nanoseconds(1'000'000));
  EXPECT_EQ(s.due(3'600'000), nanoseconds(3'600'000'000'000)) << "an hour without drift";
}

TEST(ProbeSchedule, RoundingNeverAccumulates) {
  const ProbeSchedule s(3.0);  // 333333333.33 ns: each due time rounded on its own
  EXPECT_EQ(s.due(1), nanoseconds(333'333'333));
  EXPECT_EQ(s.due(2), nanoseconds(666'666'667));
  EXPECT_EQ(s.due(3), nanoseconds(1'000'000'000));
  EXPECT_EQ(s.due(3'000'000'000ULL), nanoseconds(1'000'000'000'000'000'000LL));
}

TEST(ProbeSchedule, DueCountAgreesWithDue) {
  const ProbeSchedule s(7000.0);
  EXPECT_EQ(s.due_count(nanoseconds(-1)), 0u);
  EXPECT_EQ(s.due_count(nanoseconds(0)), 1u) << "probe 0 is due at the start";
  for (std::uint64_t i = 1; i < 20000; i += 37) {
    EXPECT_EQ(s.due_count(s.due(i)), i + 1);
    EXPECT_EQ(s.due_count(s.due(i) - nanoseconds(1)), i);
  }
}

TEST(ProbeSpec, ValidationNamesTheProblem) {
  ProbeSpec spec;
  spec.kind = ProbeKind::tls_handshake;
  spec.target = "127.0.0.1";
  try {
    validate(spec);
    FAIL() << "a TLS probe without a trust choice was accepted";
  } catch (const ProbeError& e) {
    EXPECT_NE(std::string(e.what()).find("ProbeTrust::insecure()"), std::string::npos);
  }
  spec.trust = ProbeTrust::insecure();
  EXPECT_NO_THROW(validate(spec));
  spec.rate_hz = 0;
  EXPECT_THROW(validate(spec), ProbeError);
  spec.rate_hz = 10;
  spec.kind = ProbeKind::https_new;
  spec.http_path = "/a b";
  EXPECT_THROW(validate(spec), ProbeError);
  spec.http_path = "/probe";
  spec.target.clear();
  EXPECT_THROW(validate(spec), ProbeError);
  EXPECT_THROW(ProbeRunner{spec}, ProbeError) << "the runner validates too";
}

TEST(ProbeKinds, NamesRoundTrip) {
  for (const auto k : {ProbeKind::icmp_echo, ProbeKind::tcp_connect, ProbeKind::tls_handshake,
                       ProbeKind::https_new, ProbeKind::https_persistent})
    EXPECT_EQ(parse_probe_kind(to_string(k)), k);
  for (const auto o : {ProbeOutcome::ok, ProbeOutcome::refused, ProbeOutcome::timeout,
                       ProbeOutcome::reset, ProbeOutcome::tls_error, ProbeOutcome::http_error,
                       ProbeOutcome::unreachable, ProbeOutcome::skipped, ProbeOutcome::error})
    EXPECT_EQ(parse_probe_outcome(to_string(o)), o);
  EXPECT_THROW(parse_probe_kind("ping"), ProbeError);
}

ProbeRecord record(std::uint64_t seq, ProbeOutcome outcome, std::int64_t latency = 1000) {
  ProbeRecord r;
  r.seq = seq;
  r.kind = ProbeKind::https_new;
  r.scheduled_ns = 1'000'000 * static_cast<std::int64_t>(seq);
  r.sent_ns = r.scheduled_ns + 5;
  r.sent_realtime_ns = 1'767'225'600'000'000'000 + r.sent_ns;
  r.done_ns = r.sent_ns + latency;
  r.outcome = outcome;
  r.latency_ns = outcome == ProbeOutcome::ok ? latency : 0;
  return r;
}

TEST(ProbeCsv, HeaderAndRowsAsDocumented) {
  EXPECT_EQ(probe_csv_header(),
            "client,seq,kind,scheduled_ns,sent_ns,sent_realtime_ns,done_ns,outcome,latency_ns,"
            "served_by,error");
  auto r = record(7, ProbeOutcome::ok, 250'000);
  r.served_by = "appA";
  EXPECT_EQ(probe_csv_row("client1", r),
            "client1,7,https_new,7000000,7000005,1767225600007000005,7250005,ok,250000,appA,");
}

TEST(ProbeCsv, QuotesTextAndParsesBack) {
  auto r = record(42, ProbeOutcome::http_error);
  r.served_by = "app \"B\"";
  r.error = "HTTP 503, Service Unavailable\nretry";
  const auto line = probe_csv_row("c,1", r);
  EXPECT_EQ(line.substr(0, 6), "\"c,1\",");
  std::string client;
  const auto back = parse_probe_csv_row(line, &client);
  EXPECT_EQ(client, "c,1");
  EXPECT_EQ(back.seq, r.seq);
  EXPECT_EQ(back.kind, r.kind);
  EXPECT_EQ(back.scheduled_ns, r.scheduled_ns);
  EXPECT_EQ(back.sent_ns, r.sent_ns);
  EXPECT_EQ(back.sent_realtime_ns, r.sent_realtime_ns);
  EXPECT_EQ(back.done_ns, r.done_ns);
  EXPECT_EQ(back.outcome, r.outcome);
  EXPECT_EQ(back.served_by, r.served_by);
  EXPECT_EQ(back.error, r.error);
  EXPECT_THROW(parse_probe_csv_row("a,b,c"), ProbeError);
  EXPECT_THROW(parse_probe_csv_row("c,x,tcp_connect,0,0,0,0,ok,0,,"), ProbeError);
}

TEST(Histogram, PercentilesWithinBucketPrecision) {
  Histogram h;
  for (std::int64_t v = 1; v <= 100'000; ++v) h.add(v);
  EXPECT_EQ(h.count(), 100'000u);
  EXPECT_NEAR(static_cast<double>(h.percentile(0.5)), 50'000, 50'000 * 0.016);
  EXPECT_NEAR(static_cast<double>(h.percentile(0.99)), 99'000, 99'000 * 0.016);
  EXPECT_NEAR(static_cast<double>(h.percentile(0.999)), 99'900, 99'900 * 0.016);
  EXPECT_EQ(h.percentile(1.0), 100'000);
  Histogram small;
  small.add(3);
  small.add(-5);  // clamped to 0
  EXPECT_EQ(small.percentile(0.5), 0);
  EXPECT_EQ(small.percentile(1.0), 3);
  for (std::uint64_t v : {64ULL, 127ULL, 128ULL, 1'000'000ULL, 1ULL << 40}) {
    const auto b = Histogram::bucket_of(v);
    EXPECT_LE(Histogram::bucket_low(b), v);
    EXPECT_GE(Histogram::bucket_high(b), v);
  }
}

TEST(ProbeStats, CountsReorderingAsRfc4737) {
  ProbeStats stats("c", ProbeKind::https_new, "site", 1000.0);
  // Answers in the order 0 1 3 2 5 4 6; probe 7 times out; 8 skipped.
  for (const std::uint64_t seq : {0, 1, 3, 2, 5, 4, 6})
    stats.on_record(record(seq, ProbeOutcome::ok));
  stats.on_record(record(7, ProbeOutcome::timeout));
  stats.on_record(record(8, ProbeOutcome::skipped));
  const auto s = stats.summary();
  EXPECT_EQ(s.scheduled, 9u);
  EXPECT_EQ(s.ok, 7u);
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.skipped, 1u);
  EXPECT_EQ(s.reordered, 2u) << "2 after 3, 4 after 5";
  EXPECT_EQ(s.outcomes.at("timeout"), 1u);
  EXPECT_EQ(s.outcomes.at("ok"), 7u);
}

TEST(ProbeStats, DuplicatesAndLateAnswersAreCountedApart) {
  ProbeStats stats("c", ProbeKind::icmp_echo, "site", 1000.0);
  stats.on_record(record(0, ProbeOutcome::ok));
  stats.on_duplicate();
  stats.on_duplicate();
  stats.on_late();
  const auto s = stats.summary();
  EXPECT_EQ(s.ok, 1u);
  EXPECT_EQ(s.duplicates, 2u);
  EXPECT_EQ(s.late, 1u);
  EXPECT_EQ(s.reordered, 0u);
}

TEST(ProbeStats, SendIntervalErrorAndAchievedRate) {
  ProbeStats stats("c", ProbeKind::tcp_connect, "site", 1000.0);  // period 1 ms
  // Sent on time except probe 5 (100 us late) and probe 9 never sent.
  for (std::uint64_t i = 0; i < 11; ++i) {
    if (i == 9) continue;
    const std::int64_t due = 1'000'000 * static_cast<std::int64_t>(i);
    stats.on_sent(i, due, due + (i == 5 ? 100'000 : 0));
  }
  const auto s = stats.summary();
  EXPECT_EQ(s.sent, 10u);
  EXPECT_DOUBLE_EQ(s.duration_s, 0.010);
  EXPECT_DOUBLE_EQ(s.achieved_rate_hz, 900.0);
  EXPECT_EQ(s.send_interval_error.p50, 0) << "the gap over probe 9 is two periods, no error";
  EXPECT_NEAR(static_cast<double>(s.send_interval_error.max), 100'000, 1);
  EXPECT_NEAR(s.send_interval_error_p999_pct, 10.0, 0.2);
  EXPECT_NEAR(static_cast<double>(s.send_lateness.max), 100'000, 1);
}

TEST(ProbeSummaryJson, HoldsTheDocumentedFields) {
  ProbeStats stats("client1", ProbeKind::tcp_connect, "198.18.0.10", 500.0);
  stats.on_sent(0, 0, 10);
  stats.on_record(record(0, ProbeOutcome::ok));
  const auto v = boost::json::parse(probe_summary_json(stats.summary())).as_object();
  EXPECT_EQ(v.at("label").as_string(), "client1");
  EXPECT_EQ(v.at("kind").as_string(), "tcp_connect");
  EXPECT_EQ(v.at("sent").to_number<std::uint64_t>(), 1u);
  EXPECT_EQ(v.at("outcomes").at("ok").to_number<std::uint64_t>(), 1u);
  for (const char* key : {"scheduled", "ok", "failed", "skipped", "reordered", "duplicates", "late",
                          "duration_s", "achieved_rate_hz", "send_lateness", "send_interval_error",
                          "send_interval_error_p999_pct", "latency", "cpu_s", "rate_hz", "target"})
    EXPECT_TRUE(v.contains(key)) << key;
  EXPECT_TRUE(v.at("send_interval_error").as_object().contains("p999_ns"));
}

TEST(IcmpEcho, BuildsAndParsesWithAndWithoutIpHeader) {
  const IcmpEcho echo{0x1234, 0xfeedface01020304ULL, 70000};
  auto request = build_icmp_echo_request(echo);
  ASSERT_EQ(request.size(), 24u);
  EXPECT_EQ(request[0], 8);
  EXPECT_EQ(internet_checksum(request), 0) << "checksum verifies";
  EXPECT_EQ(request[6], (70000 & 0xffff) >> 8);
  EXPECT_FALSE(parse_icmp_echo_reply(request)) << "a request is not a reply";

  // The reply the peer sends: type 0, checksum adjusted.
  auto reply = request;
  reply[0] = 0;
  reply[2] = reply[3] = 0;
  const auto sum = internet_checksum(reply);
  reply[2] = static_cast<std::uint8_t>(sum >> 8);
  reply[3] = static_cast<std::uint8_t>(sum & 0xff);
  const auto parsed = parse_icmp_echo_reply(reply);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->id, echo.id);
  EXPECT_EQ(parsed->nonce, echo.nonce);
  EXPECT_EQ(parsed->seq, echo.seq);

  std::vector<std::uint8_t> with_ip(20, 0);
  with_ip[0] = 0x45;
  with_ip[9] = 1;
  with_ip.insert(with_ip.end(), reply.begin(), reply.end());
  ASSERT_TRUE(parse_icmp_echo_reply(with_ip));
  EXPECT_EQ(parse_icmp_echo_reply(with_ip)->seq, echo.seq);

  reply[10] ^= 1;  // corrupted
  EXPECT_FALSE(parse_icmp_echo_reply(reply));
  EXPECT_FALSE(parse_icmp_echo_reply(std::span(reply).first(10)));
}

}  // namespace
}  // namespace failover_hil::netlab
