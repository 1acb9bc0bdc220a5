#include "failover_hil/netlab/faults.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "failover_hil/netlab/address_ops.hpp"
#include "fixture.hpp"

namespace failover_hil::netlab::testing {
namespace {

using std::chrono::milliseconds;

const auto kClient = Ipv4Address::parse("198.18.0.1");
const auto kAppA = Ipv4Address::parse("198.18.0.11");
const auto kAppB = Ipv4Address::parse("198.18.0.12");
// Long enough for a SYN and its answer across the bridge, short enough that
// a dropped SYN does not slow the suite.
constexpr milliseconds kBlocked(300);

// Faults between hosts on the lab's bridge, in the `sw` namespace's bridge
// family table (bridged packets need no br_netfilter there).
class FaultsTest : public NetlabTest {
 protected:
  void SetUp() override {
    NetlabTest::SetUp();
    if (IsSkipped()) return;
    lab_.emplace(prefix());
    auto& lab = *lab_;
    add_address(*lab.client.nl, lab.client.link, {kClient, 24});
    add_address(*lab.app_a.nl, lab.app_a.link, {kAppA, 24});
    add_address(*lab.app_b.nl, lab.app_b.link, {kAppB, 24});
    faults_.emplace(Faults::create(lab.sw_ns, prefix()));
  }
  void destroy_resources() override {
    faults_.reset();
    lab_.reset();
  }
  std::string ruleset() {
    return shell("ip netns exec " + lab_->sw_ns.name() + " nft list ruleset");
  }
  bool harness_table_present() { return ruleset().find(prefix().str()) != std::string::npos; }

  std::optional<SwitchedLab> lab_;
  std::optional<Faults> faults_;
};

TEST_F(FaultsTest, PartitionBlocksBothDirectionsUntilDisarmed) {
  auto& lab = *lab_;
  const auto on_a = listen_in(lab.app_a.ns);
  const auto on_b = listen_in(lab.app_b.ns);
  ASSERT_EQ(tcp_connect(lab.app_a.ns, kAppB, on_b.port), 0);
  ASSERT_TRUE(on_b.accepts());

  faults_->arm("split", Partition{kAppA, kAppB});
  EXPECT_TRUE(harness_table_present());
  EXPECT_EQ(tcp_connect(lab.app_a.ns, kAppB, on_b.port, kBlocked), ETIMEDOUT);
  EXPECT_EQ(tcp_connect(lab.app_b.ns, kAppA, on_a.port, kBlocked), ETIMEDOUT);
  EXPECT_EQ(tcp_connect(lab.client.ns, kAppB, on_b.port), 0) << "other hosts are untouched";
  EXPECT_TRUE(on_b.accepts());

  faults_->disarm("split");
  EXPECT_EQ(tcp_connect(lab.app_a.ns, kAppB, on_b.port), 0);
  EXPECT_TRUE(on_b.accepts());
  EXPECT_FALSE(harness_table_present()) << ruleset();
}

TEST_F(FaultsTest, LossOfAHundredPercentBlocksAndZeroPasses) {
  auto& lab = *lab_;
  const auto on_b = listen_in(lab.app_b.ns);
  faults_->arm("all-lost", Loss{kAppA, kAppB, 100});
  EXPECT_EQ(tcp_connect(lab.app_a.ns, kAppB, on_b.port, kBlocked), ETIMEDOUT);
  faults_->disarm("all-lost");

  faults_->arm("none-lost", Loss{kAppA, kAppB, 0});
  EXPECT_NE(ruleset().find("numgen random mod 100 < 0"), std::string::npos);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(tcp_connect(lab.app_a.ns, kAppB, on_b.port), 0);
    EXPECT_TRUE(on_b.accepts());
  }
  faults_->disarm_all();
  EXPECT_FALSE(harness_table_present()) << ruleset();
}

TEST_F(FaultsTest, DropPortBlocksThatPortOnly) {
  auto& lab = *lab_;
  const auto blocked = listen_in(lab.app_b.ns);
  const auto open = listen_in(lab.app_b.ns);
  faults_->arm("no-site", DropPort{kAppB, blocked.port, L4Proto::tcp});
  EXPECT_EQ(tcp_connect(lab.client.ns, kAppB, blocked.port, kBlocked), ETIMEDOUT);
  EXPECT_EQ(tcp_connect(lab.client.ns, kAppB, open.port), 0);
  EXPECT_TRUE(open.accepts());
  faults_->disarm("no-site");
  EXPECT_EQ(tcp_connect(lab.client.ns, kAppB, blocked.port), 0);
}

TEST_F(FaultsTest, FaultsStackByNameAndDisarmAllLeavesNoTrace) {
  auto& lab = *lab_;
  const auto on_b = listen_in(lab.app_b.ns);
  faults_->arm("split", Partition{kAppA, kAppB});
  faults_->arm("no-site", DropPort{kAppB, on_b.port, L4Proto::tcp});
  EXPECT_EQ(faults_->armed(), (std::vector<std::string>{"no-site", "split"}));
  EXPECT_THROW(faults_->arm("split", Partition{kClient, kAppB}), NetlabError);
  EXPECT_THROW(faults_->disarm("nothing"), NetlabError);

  faults_->disarm("split");
  EXPECT_EQ(ruleset().find("fault split"), std::string::npos);
  EXPECT_NE(ruleset().find("fault no-site"), std::string::npos);
  EXPECT_EQ(tcp_connect(lab.client.ns, kAppB, on_b.port, kBlocked), ETIMEDOUT);

  faults_->disarm_all();
  EXPECT_TRUE(faults_->armed().empty());
  EXPECT_FALSE(harness_table_present()) << ruleset();
  EXPECT_EQ(tcp_connect(lab.client.ns, kAppB, on_b.port), 0);
}

TEST_F(FaultsTest, TheDestructorDisarms) {
  faults_->arm("split", Partition{kAppA, kAppB});
  EXPECT_TRUE(harness_table_present());
  faults_.reset();
  EXPECT_FALSE(harness_table_present()) << ruleset();
}

}  // namespace
}  // namespace failover_hil::netlab::testing
