#include "failover_hil/netlab/netns.hpp"

#include <gtest/gtest.h>
#include <net/if.h>

#include <algorithm>
#include <chrono>

#include "failover_hil/netlab/address_ops.hpp"
#include "failover_hil/netlab/link.hpp"
#include "fixture.hpp"

namespace failover_hil::netlab::testing {
namespace {

class Namespaces : public NetlabTest {};

bool listed(const std::string& name) {
  const auto all = list_netns();
  return std::find(all.begin(), all.end(), name) != all.end();
}

TEST_F(Namespaces, CreateTwoWithAVethPairAndDestroyThem) {
  const auto start = std::chrono::steady_clock::now();
  {
    auto a = Netns::create(prefix().name("a"));
    auto b = Netns::create(prefix().name("b"));
    auto nl_a = NetlinkSocket::open(a);
    auto nl_b = NetlinkSocket::open(b);
    auto pair = VethPair::create(nl_a, prefix().name("a0"), prefix().name("b0"), &b);
    set_link_up(*nl_a, pair.name());
    set_link_up(*nl_b, pair.peer_name());

    EXPECT_TRUE(listed(a.name()));
    EXPECT_NE(shell("ip netns list").find(b.name()), std::string::npos) << "iproute2 sees it";
    EXPECT_NE(shell("ip -n " + b.name() + " link show " + pair.peer_name()).find("state UP"),
              std::string::npos);
    EXPECT_TRUE(find_link(*nl_a, pair.name()));
    EXPECT_FALSE(find_link(*nl_a, pair.peer_name())) << "the peer lives in b only";
    EXPECT_TRUE(link_is_up(*nl_b, pair.peer_name()));

    const auto mac = MacAddress::parse("02:00:00:00:0b:01");
    set_link_mac(*nl_b, pair.peer_name(), mac);
    EXPECT_EQ(link_mac(*nl_b, pair.peer_name()), mac);

    set_link_up(*nl_b, pair.peer_name(), false);
    EXPECT_FALSE(link_is_up(*nl_b, pair.peer_name()));
  }
  const auto took = std::chrono::steady_clock::now() - start;
  std::cout << "[ figure   ] two namespaces + veth pair, created and destroyed in "
            << std::chrono::duration<double, std::milli>(took).count() << " ms\n";
  EXPECT_FALSE(listed(prefix().name("a")));
  EXPECT_FALSE(listed(prefix().name("b")));
}

TEST_F(Namespaces, GuardEntersOnlyTheCallingThreadAndRestores) {
  auto ns = Netns::create(prefix().name("g"));
  auto nl = NetlinkSocket::open(ns);
  const auto pair = VethPair::create(nl, prefix().name("g0"), prefix().name("g1"));
  EXPECT_EQ(if_nametoindex(pair.name().c_str()), 0u) << "not in the caller's namespace";
  {
    const NetnsGuard guard(ns);
    EXPECT_NE(if_nametoindex(pair.name().c_str()), 0u);
  }
  EXPECT_EQ(if_nametoindex(pair.name().c_str()), 0u) << "restored";

  EXPECT_NE(run_in_netns(ns, [&] { return if_nametoindex(pair.name().c_str()); }), 0u);
  EXPECT_THROW(run_in_netns(ns, [] { throw NetlabError("from the worker"); }), NetlabError);
}

TEST_F(Namespaces, KernelErrorsNameTheObjectAndTheReason) {
  auto ns = Netns::create(prefix().name("e"));
  try {
    Netns::create(prefix().name("e"));
    FAIL() << "created twice";
  } catch (const KernelError& e) {
    EXPECT_EQ(e.code(), std::errc::file_exists);
    EXPECT_NE(std::string(e.what()).find(prefix().name("e")), std::string::npos) << e.what();
  }
  auto nl = NetlinkSocket::open(ns);
  const auto pair = VethPair::create(nl, prefix().name("e0"), prefix().name("e1"));
  try {
    VethPair::create(nl, prefix().name("e0"), prefix().name("e2"));
    FAIL() << "created twice";
  } catch (const KernelError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.code(), std::errc::file_exists) << what;
    EXPECT_NE(what.find(prefix().name("e0")), std::string::npos) << what;
    EXPECT_NE(what.find("exists"), std::string::npos) << "the kernel's reason: " << what;
  }
  try {
    set_link_up(*nl, prefix().name("nope"));
    FAIL();
  } catch (const KernelError& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_device) << e.what();
    EXPECT_NE(std::string(e.what()).find(prefix().name("nope")), std::string::npos);
  }
  const InterfaceAddress a{Ipv4Address::parse("198.18.9.1"), 24};
  add_address(*nl, pair.name(), a);
  try {
    add_address(*nl, pair.name(), a);
    FAIL();
  } catch (const KernelError& e) {
    EXPECT_EQ(e.code(), std::errc::file_exists) << e.what();
    EXPECT_NE(std::string(e.what()).find("198.18.9.1/24"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace failover_hil::netlab::testing
