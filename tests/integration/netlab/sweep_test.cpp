#include "failover_hil/netlab/sweep.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "failover_hil/netlab/link.hpp"
#include "fixture.hpp"

namespace failover_hil::netlab::testing {
namespace {

class Sweep : public NetlabTest {};

TEST_F(Sweep, RemovesWhatACrashedRunLeftBehind) {
  {
    // What a run that died would leave: handles gone, kernel objects not.
    auto ns = Netns::create(prefix().name("x"));
    auto root = NetlinkSocket::open(Netns::current());
    auto pair = VethPair::create(root, prefix().name("x0"), prefix().name("x1"));
    auto nl = NetlinkSocket::open(ns);
    auto inner = VethPair::create(nl, prefix().name("y0"), prefix().name("y1"));
    ns.release();
    pair.release();
    inner.release();
  }
  const auto other = unique_prefix();
  auto bystander = Netns::create(other.name("z"));
  ASSERT_NE(shell("ip netns list").find(prefix().name("x")), std::string::npos);
  ASSERT_NE(shell("ip link").find(prefix().name("x0")), std::string::npos);

  const auto swept = sweep_prefix(prefix());
  EXPECT_EQ(swept.namespaces, std::vector<std::string>{prefix().name("x")});
  EXPECT_EQ(swept.links.size(), 2u) << "both ends of the root pair";
  EXPECT_EQ(shell("ip netns list").find(prefix().str()), std::string::npos);
  EXPECT_EQ(shell("ip link").find(prefix().str()), std::string::npos);
  const auto all = list_netns();
  EXPECT_NE(std::find(all.begin(), all.end(), bystander.name()), all.end())
      << "another prefix is left alone";
}

}  // namespace
}  // namespace failover_hil::netlab::testing
