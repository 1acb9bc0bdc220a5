// Labs as data: the default lab file built and removed, NAT and DNS working,
// two labs side by side, and a crashed run's leftovers undone.
#include "failover_hil/netlab/lab.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "failover_hil/netlab/dns_query.hpp"
#include "fixture.hpp"

namespace failover_hil::netlab::testing {
namespace {

using namespace std::chrono_literals;

class LabTest : public NetlabTest {
 protected:
  void SetUp() override {
    NetlabTest::SetUp();
    if (IsSkipped()) return;
    if (!find_named()) GTEST_SKIP() << "BIND 9 (named) is not installed; ci/setup installs bind9";
    char tmpl[] = "/tmp/fhil-labtest-XXXXXX";
    state_ = ::mkdtemp(tmpl);
  }
  void TearDown() override {
    NetlabTest::TearDown();
    std::error_code ec;
    if (!state_.empty()) std::filesystem::remove_all(state_, ec);
  }
  LabSpec spec(const std::string& prefix_text, const std::string& subnet_third_octet) const {
    auto s = load_lab_file(FHIL_SOURCE_DIR "/scenarios/labs/default.yaml");
    s.prefix = prefix_text;
    const std::string net = "198.18." + subnet_third_octet + ".";
    s.subnet = Ipv4Prefix::parse(net + "0/24");
    for (auto& h : s.hosts) h.ip = Ipv4Address{s.subnet.network.value + (h.ip.value & 0xff)};
    s.shared_ip = Ipv4Address::parse(net + "10");
    s.vip = Ipv4Address::parse(net + "100");
    return s;
  }
  std::filesystem::path state_;
};

TEST_F(LabTest, DefaultLabComesUpServesNatAndDnsAndGoesAway) {
  const auto s = spec(prefix().str(), "40");
  {
    auto lab = Lab::up(s, state_);
    const auto st = lab_status(s);
    for (const auto& h : st.hosts) EXPECT_TRUE(h.present) << h.name;
    EXPECT_TRUE(st.problems.empty()) << st.problems.front();
    EXPECT_EQ(st.nat_target, "198.18.40.11");
    EXPECT_EQ(st.shared_ip_holder, "");
    // NAT swing: the VIP leads to A, then to B.
    const auto& a = lab->host("appA");
    const auto& b = lab->host("appB");
    const auto& client = lab->host("client1");
    auto on_a = listen_in(a.ns, 443);
    auto on_b = listen_in(b.ns, 443);
    EXPECT_EQ(tcp_connect(client.ns, s.vip, 443), 0);
    EXPECT_TRUE(on_a.accepts());
    lab->nat()->switch_to(b.spec.ip);
    EXPECT_EQ(tcp_connect(client.ns, s.vip, 443), 0);
    EXPECT_TRUE(on_b.accepts());
    EXPECT_EQ(lab_status(s).nat_target, "198.18.40.12");
    // DNS: the site record answers A from the lab's own BIND.
    const auto answer = query_a(client.ns, {lab->host("dns").spec.ip, 53}, s.site_hostname + ".");
    EXPECT_EQ(answer.address, a.spec.ip);
    EXPECT_EQ(answer.ttl.count(), s.dns_ttl_s);
    EXPECT_TRUE(std::filesystem::exists(lab->journal()));
  }
  // Destroyed: nothing of it is left (the base fixture checks netns and links).
  EXPECT_EQ(shell("pgrep -f \"[n]amed.*" + state_.string() + "\""), "");
  EXPECT_FALSE(std::filesystem::exists(lab_journal_path(state_, s)));
}

TEST_F(LabTest, TwoLabsSideBySideDoNotSeeEachOther) {
  const std::string p = prefix().str();
  // Two prefixes inside this test's own (the sweep of either covers both).
  // Short host names: the sub-lab prefixes are one character longer.
  auto shorten = [](LabSpec s) {
    for (auto& h : s.hosts) h.name = h.name.substr(0, 1) + h.name.substr(h.name.size() - 1);
    return s;
  };
  const auto s1 = shorten(spec(p.substr(0, p.size() - 1) + "x-", "41"));
  const auto s2 = shorten(spec(p.substr(0, p.size() - 1) + "y-", "42"));
  auto lab1 = Lab::up(s1, state_);
  auto lab2 = Lab::up(s2, state_);
  auto on_a2 = listen_in(lab2->host("aA").ns, 443);
  EXPECT_NE(tcp_connect(lab1->host("c1").ns, lab2->host("aA").spec.ip, 443, 300ms), 0);
  EXPECT_EQ(tcp_connect(lab2->host("c1").ns, lab2->host("aA").spec.ip, 443), 0);
  EXPECT_TRUE(on_a2.accepts());
  EXPECT_EQ(lab_status(s1).nat_target, "198.18.41.11");
  EXPECT_EQ(lab_status(s2).nat_target, "198.18.42.11");
}

TEST_F(LabTest, LeftoversOfACrashedRunAreUndone) {
  const auto s = spec(prefix().str(), "43");
  auto lab = Lab::up(s, state_);
  // Simulate a crash: the journal survives, the handles are leaked on purpose.
  const auto journal = lab->journal();
  const auto copy = state_ / "journal.copy";
  std::filesystem::copy_file(journal, copy);
  lab.release();  // leaks every handle: namespaces and named stay
  std::filesystem::copy_file(copy, journal, std::filesystem::copy_options::overwrite_existing);
  ASSERT_NE(shell("ip netns list").find(s.prefix), std::string::npos);
  const auto done = undo_lab(journal, NamePrefix(s.prefix));
  EXPECT_FALSE(done.empty());
  EXPECT_EQ(shell("ip netns list").find(s.prefix), std::string::npos);
  EXPECT_EQ(shell("pgrep -f \"[n]amed.*" + state_.string() + "\""), "");
}

TEST_F(LabTest, BadLabFilesAreRefusedWithFileAndLine) {
  const auto file = state_ / "bad.yaml";
  std::ofstream(file) << "name: x\nprefix: fhq-\nsubnet: 10.0.0.0/24\nsite_hostname: a.b\nzone: b\n"
                         "shared_ip: 10.0.0.10\nvip: 10.0.0.100\nhosts: {}\n";
  try {
    load_lab_file(file);
    FAIL();
  } catch (const NetlabError& e) {
    EXPECT_NE(std::string(e.what()).find("outside the lab range"), std::string::npos) << e.what();
  }
  std::ofstream(file) << "name: x\nprefix: fhq-\nsubnet: [1\n";
  try {
    load_lab_file(file);
    FAIL();
  } catch (const NetlabError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.yaml:"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace failover_hil::netlab::testing
