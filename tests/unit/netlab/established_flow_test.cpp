// Established flows and ICMP errors (issue 15, item 2): a persistent HTTPS
// flow's stall and reset are outages of that flow; ICMP port and host
// unreachable are refusals.
#include <gtest/gtest.h>

#include "analysis_fixture.hpp"
#include "failover_hil/netlab/analysis.hpp"
#include "failover_hil/netlab/analysis_json.hpp"

namespace failover_hil::netlab {
namespace {

using namespace analysis_testing;

constexpr std::int64_t kMs = 1'000'000;

const WireHost kClient{kMacClient, IpAddress::parse("198.18.0.21")};
const WireHost kSite{kMacA, IpAddress::parse("198.18.0.10")};

// One kept-alive connection from the client: a handshake at `start`, then a
// 100-byte request every 10 ms, each answered (ACK + 200 bytes) after kRtt
// unless `answered(i)` says no. The site's next ACK acknowledges all.
class PersistentFlow {
 public:
  PersistentFlow(SyntheticTraffic& t, std::uint16_t port, std::int64_t start)
      : t_(t), port_(port), at_(start) {
    using namespace tcp_flag;
    t_.add(at_, build_tcp_frame(kClient, kSite, port_, 443, kIsn, 0, syn));
    t_.add(at_ + kRtt, build_tcp_frame(kSite, kClient, 443, port_, kSiteIsn, kIsn + 1, syn | ack));
    t_.add(at_ + 2 * kRtt,
           build_tcp_frame(kClient, kSite, port_, 443, kIsn + 1, kSiteIsn + 1, ack));
  }
  void requests(int count, const std::function<bool(int)>& answered) {
    using namespace tcp_flag;
    for (int i = 0; i < count; ++i) {
      const std::int64_t sent = at_ + (i + 1) * 10 * kMs;
      t_.add(sent, build_tcp_frame(kClient, kSite, port_, 443, next_, site_next_, ack | psh, 100));
      next_ += 100;
      last_sent_ = sent;
      if (!answered(i)) continue;
      t_.add(sent + kRtt,
             build_tcp_frame(kSite, kClient, 443, port_, site_next_, next_, ack | psh, 200));
      site_next_ += 200;
    }
  }
  void site_reset(std::int64_t ts) {
    t_.add(ts, build_tcp_frame(kSite, kClient, 443, port_, site_next_, next_,
                               tcp_flag::rst | tcp_flag::ack));
  }
  void client_reset(std::int64_t ts) {
    t_.add(ts, build_tcp_frame(kClient, kSite, port_, 443, next_, 0, tcp_flag::rst));
  }
  std::int64_t last_sent() const { return last_sent_; }

 private:
  static constexpr std::uint32_t kIsn = 5000, kSiteIsn = 9000;
  SyntheticTraffic& t_;
  std::uint16_t port_;
  std::int64_t at_;
  std::int64_t last_sent_ = 0;
  std::uint32_t next_ = kIsn + 1;
  std::uint32_t site_next_ = kSiteIsn + 1;
};

using EstablishedFlowTest = AnalysisTest;

TEST_F(EstablishedFlowTest, StallOfAPersistentFlowIsAnOutageOfThatFlow) {
  SyntheticTraffic t;
  PersistentFlow flow(t, 40000, kT0);
  // Requests 49..98 (sent at 500..990 ms) go unacknowledged until request
  // 99's answer acknowledges everything.
  flow.requests(150, [](int i) { return i < 49 || i >= 99; });
  const auto r = run(t);
  EXPECT_EQ(r.flows_seen, 1u);
  ASSERT_EQ(r.flows.size(), 1u);
  const auto& f = r.flows[0];
  EXPECT_EQ(f.client.str(), "198.18.0.21");
  EXPECT_EQ(f.client_port, 40000);
  EXPECT_EQ(f.site_port, 443);
  ASSERT_EQ(f.outages.size(), 1u);
  const auto& o = f.outages[0];
  EXPECT_EQ(o.kind, FlowOutage::Kind::stall);
  EXPECT_EQ(o.start_ns, kT0 + 500 * kMs);  // the first unacknowledged request
  EXPECT_EQ(o.end_ns, kT0 + 1000 * kMs + kRtt);
  EXPECT_EQ(o.length.length_ns, 500 * kMs + kRtt);
  EXPECT_EQ(o.length.bound, LengthBound::bounded);
  EXPECT_FALSE(o.open_end);
  // Beside the connect probe the flow began with.
  ASSERT_EQ(r.clients.size(), 1u);
  EXPECT_EQ(r.clients[0].probes, 1u);
  const auto json = to_json(r);
  EXPECT_NE(json.find("\"kind\":\"stall\""), std::string::npos) << json;
}

TEST_F(EstablishedFlowTest, ShortWaitsAreNoStall) {
  SyntheticTraffic t;
  PersistentFlow flow(t, 40000, kT0);
  flow.requests(100, [](int i) { return i % 10 != 3; });  // 20 ms waits now and then
  const auto r = run(t);
  EXPECT_EQ(r.flows_seen, 1u);
  EXPECT_TRUE(r.flows.empty());
}

TEST_F(EstablishedFlowTest, ResetBySiteLastsUntilTheClientIsServedOnItsNextFlow) {
  SyntheticTraffic t;
  PersistentFlow first(t, 40000, kT0);
  first.requests(50, [](int i) { return i < 49; });  // request 49 (500 ms) waits
  first.site_reset(kT0 + 505 * kMs);
  PersistentFlow second(t, 40001, kT0 + 700 * kMs);  // the prober reconnects
  second.requests(10, [](int) { return true; });
  const auto r = run(t);
  EXPECT_EQ(r.flows_seen, 2u);
  ASSERT_EQ(r.flows.size(), 1u);
  ASSERT_EQ(r.flows[0].outages.size(), 1u);
  const auto& o = r.flows[0].outages[0];
  EXPECT_EQ(o.kind, FlowOutage::Kind::reset);
  EXPECT_EQ(o.reset_by, "site");
  EXPECT_EQ(o.reset_ns, kT0 + 505 * kMs);
  EXPECT_EQ(o.start_ns, kT0 + 500 * kMs);
  EXPECT_EQ(o.end_ns, kT0 + 710 * kMs + kRtt);  // the new flow's first answered request
  EXPECT_EQ(o.length.bound, LengthBound::bounded);
  EXPECT_TRUE(unbounded_figures(r).empty());
}

TEST_F(EstablishedFlowTest, ResetWithoutReconnectIsOpenAtTheEnd) {
  SyntheticTraffic t;
  PersistentFlow flow(t, 40000, kT0);
  flow.requests(20, [](int) { return true; });
  flow.site_reset(kT0 + 300 * kMs);
  t.add(kT0 + 900 * kMs, build_echo_frame(kClient, kSite, true, 1, 1));  // the capture goes on
  const auto r = run(t);
  ASSERT_EQ(r.flows.size(), 1u);
  const auto& o = r.flows[0].outages.at(0);
  EXPECT_TRUE(o.open_end);
  EXPECT_EQ(o.open_reason, "capture ended while down");
  EXPECT_EQ(o.length.length_ns, 600 * kMs);
  EXPECT_EQ(o.length.bound, LengthBound::lower_bound);
  EXPECT_FALSE(unbounded_figures(r).empty());
}

TEST_F(EstablishedFlowTest, ClientClosingWithNothingWaitingIsNoOutage) {
  SyntheticTraffic t;
  PersistentFlow flow(t, 40000, kT0);
  flow.requests(20, [](int) { return true; });
  flow.client_reset(flow.last_sent() + 5 * kMs);  // SO_LINGER 0
  // New-connection probes carry no data: no flows.
  t.probes(script(50), [](int) { return ok(); });
  const auto r = run(t);
  EXPECT_EQ(r.flows_seen, 1u);
  EXPECT_TRUE(r.flows.empty());
}

TEST_F(EstablishedFlowTest, IcmpPortAndHostUnreachableAreRefusals) {
  for (const bool v6 : {false, true}) {
    SyntheticTraffic t;
    t.probes(script(100, v6), [](int i) {
      if (i >= 40 && i < 45) return ProbeAnswer{ProbeAnswer::Kind::port_unreachable, kMacA};
      if (i >= 45 && i < 50) return ProbeAnswer{ProbeAnswer::Kind::host_unreachable, kMacA};
      return ok();
    });
    const auto r = run(t);
    ASSERT_EQ(r.clients.size(), 1u) << v6;
    const auto& c = r.clients[0];
    EXPECT_EQ(c.refused, 10u) << v6;
    EXPECT_EQ(c.lost, 0u) << v6;
    ASSERT_EQ(c.outages.size(), 1u) << v6;
    EXPECT_EQ(c.outages[0].refused, 10u) << v6;
    EXPECT_EQ(length(c.outages[0], OutageMethod::time_based_loss), 10 * kI) << v6;
  }
}

TEST_F(EstablishedFlowTest, IcmpUnreachableRefusesAnEchoProbe) {
  SyntheticTraffic t;
  for (int i = 0; i < 100; ++i) {
    const auto seq = static_cast<std::uint16_t>(i);
    const auto request = build_echo_frame(kClient, kSite, true, 7, seq);
    t.add(kT0 + i * kI, request);
    if (i >= 40 && i < 50)
      t.add(kT0 + i * kI + kRtt, build_unreachable_frame(kSite, kClient, false, request));
    else
      t.add(kT0 + i * kI + kRtt, build_echo_frame(kSite, kClient, false, 7, seq));
  }
  const auto r = run(t);
  ASSERT_EQ(r.clients.size(), 1u);
  EXPECT_EQ(r.clients[0].refused, 10u);
  EXPECT_EQ(r.clients[0].lost, 0u);
}

}  // namespace
}  // namespace failover_hil::netlab
