#include "failover_hil/netlab/ttl_resolver.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace failover_hil::netlab {
namespace {

using std::chrono::seconds;

const auto kA = Ipv4Address::parse("198.18.0.11");
const auto kB = Ipv4Address::parse("198.18.0.12");

// A DNS server in a vector: each query takes the next answer.
struct ScriptedDns {
  std::vector<DnsAnswer> answers;
  std::vector<std::string> asked;
  DnsQueryFn fn() {
    return [this](const std::string& name) {
      asked.push_back(name);
      if (answers.empty()) throw DnsError("no answer scripted", -1);
      const auto a = answers.front();
      answers.erase(answers.begin());
      return a;
    };
  }
};

TEST(TtlResolver, ReusesAnAnswerUntilItsTtlPasses) {
  ManualClock clock;
  ScriptedDns dns{{{kA, seconds(2)}, {kB, seconds(1)}}, {}};
  TtlResolver resolver(clock, dns.fn());
  const auto start = clock.now();

  EXPECT_EQ(resolver.resolve("support.lab.example."), kA);
  EXPECT_EQ(resolver.expires_at("support.lab.example."), start + seconds(2));
  clock.advance(std::chrono::milliseconds(1999));
  EXPECT_EQ(resolver.resolve("support.lab.example."), kA) << "still cached";
  EXPECT_EQ(resolver.queries(), 1u);

  clock.advance(std::chrono::milliseconds(1));
  EXPECT_FALSE(resolver.expires_at("support.lab.example."));
  EXPECT_EQ(resolver.resolve("support.lab.example."), kB) << "expired: asked again";
  EXPECT_EQ(resolver.queries(), 2u);
  EXPECT_EQ(resolver.expires_at("support.lab.example."), clock.now() + seconds(1));
  EXPECT_EQ(dns.asked, (std::vector<std::string>{"support.lab.example.", "support.lab.example."}));
}

TEST(TtlResolver, ZeroTtlIsNeverCached) {
  ManualClock clock;
  ScriptedDns dns{{{kA, seconds(0)}, {kB, seconds(0)}}, {}};
  TtlResolver resolver(clock, dns.fn());
  EXPECT_EQ(resolver.resolve("x.lab.example."), kA);
  EXPECT_FALSE(resolver.expires_at("x.lab.example."));
  EXPECT_EQ(resolver.resolve("x.lab.example."), kB);
  EXPECT_EQ(resolver.queries(), 2u);
}

TEST(TtlResolver, NamesAreCachedApartAndClearDropsAll) {
  ManualClock clock;
  ScriptedDns dns{{{kA, seconds(60)}, {kB, seconds(60)}, {kB, seconds(60)}}, {}};
  TtlResolver resolver(clock, dns.fn());
  EXPECT_EQ(resolver.resolve("a.lab.example."), kA);
  EXPECT_EQ(resolver.resolve("b.lab.example."), kB);
  EXPECT_EQ(resolver.resolve("a.lab.example."), kA);
  EXPECT_EQ(resolver.queries(), 2u);
  resolver.clear();
  EXPECT_EQ(resolver.resolve("a.lab.example."), kB);
  EXPECT_EQ(resolver.queries(), 3u);
}

TEST(TtlResolver, AFailedQueryCachesNothing) {
  ManualClock clock;
  ScriptedDns dns;
  TtlResolver resolver(clock, dns.fn());
  EXPECT_THROW(resolver.resolve("a.lab.example."), DnsError);
  EXPECT_FALSE(resolver.expires_at("a.lab.example."));
  dns.answers.push_back({kA, seconds(5)});
  EXPECT_EQ(resolver.resolve("a.lab.example."), kA);
}

}  // namespace
}  // namespace failover_hil::netlab
