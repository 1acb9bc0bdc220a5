#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <iostream>

#include "failover_hil/netlab/address_ops.hpp"
#include "failover_hil/netlab/dns_server.hpp"
#include "failover_hil/netlab/dns_update.hpp"
#include "failover_hil/netlab/ttl_resolver.hpp"
#include "fixture.hpp"

namespace failover_hil::netlab::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const auto kClient = Ipv4Address::parse("198.18.0.1");
const auto kDns = Ipv4Address::parse("198.18.0.53");
const auto kAppA = Ipv4Address::parse("198.18.0.11");
const auto kAppB = Ipv4Address::parse("198.18.0.12");
const std::string kSite = "support.lab.example.";

// A client namespace cabled to a dns namespace that runs named.
class DnsTest : public NetlabTest {
 protected:
  void SetUp() override {
    NetlabTest::SetUp();
    if (IsSkipped()) return;
    if (!find_named())
      GTEST_SKIP() << "named (BIND 9) is not installed: `apt-get install bind9` to run the DNS "
                      "tests";
    client_.emplace(Netns::create(prefix().name("cli")));
    dns_.emplace(Netns::create(prefix().name("dns")));
    client_nl_ = NetlinkSocket::open(*client_);
    dns_nl_ = NetlinkSocket::open(*dns_);
    cable_.emplace(
        VethPair::create(client_nl_, prefix().name("cli"), prefix().name("dns"), &*dns_));
    set_link_up(*client_nl_, prefix().name("cli"));
    set_link_up(*dns_nl_, prefix().name("dns"));
    add_address(*client_nl_, prefix().name("cli"), {kClient, 24});
    add_address(*dns_nl_, prefix().name("dns"), {kDns, 24});
  }
  void destroy_resources() override {
    server_.reset();
    cable_.reset();
    client_nl_.reset();
    dns_nl_.reset();
    client_.reset();
    dns_.reset();
  }
  NamedServer& start_named(seconds ttl) {
    NamedConfig config;
    config.listen = kDns;
    config.records = {{"support", kAppA, ttl}};
    server_.emplace(NamedServer::start(*dns_, config));
    return *server_;
  }

  std::optional<Netns> client_;
  std::optional<Netns> dns_;
  std::shared_ptr<NetlinkSocket> client_nl_;
  std::shared_ptr<NetlinkSocket> dns_nl_;
  std::optional<VethPair> cable_;
  std::optional<NamedServer> server_;
};

// R13 (DNS swing): the record moves by signed UPDATE; a client honouring the
// TTL follows once its cached answer expires.
TEST_F(DnsTest, R13_SignedUpdateSwingsTheSiteAndTheResolverFollowsAfterTheTtl) {
  auto& server = start_named(seconds(1));
  const auto first = query_a(*client_, server.address(), kSite);
  EXPECT_EQ(first.address, kAppA);
  EXPECT_EQ(first.ttl, seconds(1));

  SystemClock clock;
  TtlResolver resolver(clock, ldns_query_fn(*client_, server.address()));
  ASSERT_EQ(resolver.resolve(kSite), kAppA);

  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(dns_update(*client_, server.address(), {server.zone(), kSite, kAppB, seconds(1)},
                       server.key()),
            rcode::kNoError);
  const auto now_served = query_a(*client_, server.address(), kSite);
  EXPECT_EQ(now_served.address, kAppB) << "the server answers the new record at once";
  EXPECT_EQ(now_served.ttl, seconds(1));
  // Still cached: the probe keeps going to A until the TTL passed.
  if (const auto expiry = resolver.expires_at(kSite); expiry && clock.now() < *expiry) {
    EXPECT_EQ(resolver.resolve(kSite), kAppA);
  }
  EXPECT_TRUE(wait_until([&] { return resolver.resolve(kSite) == kAppB; }, milliseconds(5000)));
  std::cout
      << "[ figure   ] dns_update(B) to TtlResolver returning B (cached TTL 1 s): "
      << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count()
      << " ms\n";
  EXPECT_EQ(resolver.queries(), 2u) << "one query per TTL, not per resolve";
}

TEST_F(DnsTest, AWrongKeyIsRefusedWithNotauthAndBadsig) {
  auto& server = start_named(seconds(60));
  TsigKey wrong = server.key();
  wrong.secret = TsigKey::generate("x.").secret;
  try {
    dns_update(*client_, server.address(), {server.zone(), kSite, kAppB, seconds(1)}, wrong);
    FAIL() << "the server accepted an UPDATE signed with the wrong secret";
  } catch (const DnsError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.rcode(), rcode::kNotAuth) << what;
    EXPECT_EQ(e.tsig_error(), 16) << what;
    EXPECT_NE(what.find("NOTAUTH"), std::string::npos) << what;
    EXPECT_NE(what.find("BADSIG"), std::string::npos) << what;
    EXPECT_EQ(what.find(server.key().secret), std::string::npos) << "the secret leaked";
    EXPECT_EQ(what.find(wrong.secret), std::string::npos) << "the secret leaked";
  }
  TsigKey unknown = TsigKey::generate("stranger.");
  try {
    dns_update(*client_, server.address(), {server.zone(), kSite, kAppB, seconds(1)}, unknown);
    FAIL() << "the server accepted an UPDATE signed with an unknown key";
  } catch (const DnsError& e) {
    EXPECT_NE(std::string(e.what()).find("BADKEY"), std::string::npos) << e.what();
  }
  EXPECT_EQ(query_a(*client_, server.address(), kSite).address, kAppA) << "nothing changed";
}

TEST_F(DnsTest, TheKeyFileIsPrivateAndReadsBack) {
  auto& server = start_named(seconds(60));
  EXPECT_EQ(std::filesystem::status(server.key_file()).permissions(),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const auto key = TsigKey::read_file(server.key_file());
  EXPECT_EQ(key.secret, server.key().secret);
  EXPECT_EQ(dns_update(*client_, server.address(), {server.zone(), kSite, kAppB, seconds(5)}, key),
            rcode::kNoError);
}

TEST_F(DnsTest, NamedIsGoneWithItsHandle) {
  auto& server = start_named(seconds(60));
  const pid_t pid = server.pid();
  const auto run_dir = server.run_dir();
  ASSERT_GT(pid, 0);
  ASSERT_EQ(::kill(pid, 0), 0);
  server_.reset();
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH) << "named " << pid << " survived its handle";
  EXPECT_FALSE(std::filesystem::exists(run_dir));
  EXPECT_EQ(shell("pgrep -f '^[^ ]*named .*" + run_dir.string() + "'"), "");
  EXPECT_THROW(query_a(*client_, {kDns, 53}, kSite, milliseconds(200)), DnsError);
  dns_.reset();
  EXPECT_EQ(shell("ip netns list").find(prefix().name("dns")), std::string::npos);
}

}  // namespace
}  // namespace failover_hil::netlab::testing
