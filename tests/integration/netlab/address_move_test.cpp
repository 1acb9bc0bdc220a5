#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "failover_hil/netlab/address_ops.hpp"
#include "failover_hil/netlab/announce.hpp"
#include "failover_hil/netlab/dup_check.hpp"
#include "failover_hil/netlab/neighbour.hpp"
#include "failover_hil/netlab/route.hpp"
#include "fixture.hpp"

namespace failover_hil::netlab::testing {
namespace {

using std::chrono::milliseconds;

const auto kClient = Ipv4Address::parse("198.18.0.1");
const auto kAppA = Ipv4Address::parse("198.18.0.11");
const auto kAppB = Ipv4Address::parse("198.18.0.12");
const auto kShared = Ipv4Address::parse("198.18.0.10");

class AddressMove : public NetlabTest {
 protected:
  void SetUp() override {
    NetlabTest::SetUp();
    if (IsSkipped()) return;
    lab_.emplace(prefix());
    add_address(*lab_->client.nl, lab_->client.link, {kClient, 24});
    add_address(*lab_->app_a.nl, lab_->app_a.link, {kAppA, 24});
    add_address(*lab_->app_b.nl, lab_->app_b.link, {kAppB, 24});
  }
  void destroy_resources() override { lab_.reset(); }
  std::optional<SwitchedLab> lab_;
};

TEST_F(AddressMove, TcpReachesEveryHostAcrossTheBridge) {
  auto& lab = *lab_;
  const auto on_b = listen_in(lab.app_b.ns);
  EXPECT_EQ(tcp_connect(lab.client.ns, kAppB, on_b.port), 0);
  EXPECT_TRUE(on_b.accepts());
  const auto on_a = listen_in(lab.app_a.ns);
  EXPECT_EQ(tcp_connect(lab.app_b.ns, kAppA, on_a.port), 0);
  EXPECT_TRUE(on_a.accepts());

  const auto addresses = link_addresses(*lab.client.nl, lab.client.link);
  EXPECT_NE(std::find(addresses.begin(), addresses.end(), InterfaceAddress{kClient, 24}),
            addresses.end());
  EXPECT_EQ(
      tcp_connect(lab.client.ns, Ipv4Address::parse("198.18.7.1"), on_b.port, milliseconds(100)),
      ENETUNREACH)
      << "no route yet";
  // The default route makes the rest of the lab range reachable via appB
  // (which does not forward, so only the route lookup is checked).
  const auto route = ScopedRoute::add(lab.client.nl, default_route(kAppB));
  EXPECT_NE(shell("ip -n " + lab.client.ns.name() + " route").find("default via 198.18.0.12"),
            std::string::npos);
}

class GratuitousArp : public AddressMove, public ::testing::WithParamInterface<GarpKind> {};

// R13 (shared IP switch) and R23: disable on A, check nobody answers, enable
// on B, announce; the client's cache follows at once.
TEST_P(GratuitousArp, R13_SharedIpMovesFromAppAToAppB) {
  auto& lab = *lab_;
  const InterfaceAddress shared{kShared, 24};
  const auto mac_a = link_mac(*lab.app_a.nl, lab.app_a.link);
  const auto mac_b = link_mac(*lab.app_b.nl, lab.app_b.link);
  const auto on_a = listen_in(lab.app_a.ns);
  const auto on_b = listen_in(lab.app_b.ns, on_a.port);

  add_address(*lab.app_a.nl, lab.app_a.link, shared);
  ASSERT_EQ(tcp_connect(lab.client.ns, kShared, on_a.port), 0);
  ASSERT_TRUE(on_a.accepts());
  ASSERT_EQ(neighbour_mac(*lab.client.nl, lab.client.link, kShared), mac_a);

  remove_address(*lab.app_a.nl, lab.app_a.link, shared);
  const DupCheckOptions quick{1, milliseconds(0), milliseconds(100)};
  ASSERT_FALSE(find_duplicate(lab.app_b.ns, lab.app_b.link, kShared, quick));
  const auto start = std::chrono::steady_clock::now();
  add_address(*lab.app_b.nl, lab.app_b.link, shared);
  announce_ipv4(lab.app_b.ns, lab.app_b.link, kShared, {GetParam(), 1, milliseconds(0)});

  EXPECT_TRUE(wait_until([&] {
    return neighbour_mac(*lab.client.nl, lab.client.link, kShared) == mac_b;
  })) << "the client still has "
      << shell("ip -n " + lab.client.ns.name() + " neigh");
  EXPECT_NE(
      shell("ip -n " + lab.client.ns.name() + " neigh show " + kShared.str()).find(mac_b.str()),
      std::string::npos);
  EXPECT_EQ(tcp_connect(lab.client.ns, kShared, on_b.port), 0);
  EXPECT_TRUE(on_b.accepts()) << "appB answers the shared IP";
  std::cout
      << "[ figure   ] address add on appB + gratuitous ARP to client TCP connect: "
      << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count()
      << " ms\n";
  EXPECT_FALSE(on_a.accepts(milliseconds(0))) << "nothing reached appA";
}

INSTANTIATE_TEST_SUITE_P(Kinds, GratuitousArp,
                         ::testing::Values(GarpKind::request, GarpKind::reply, GarpKind::both),
                         [](const auto& kind_info) {
                           switch (kind_info.param) {
                             case GarpKind::request:
                               return std::string("Request");
                             case GarpKind::reply:
                               return std::string("Reply");
                             case GarpKind::both:
                               break;
                           }
                           return std::string("Both");
                         });

TEST_F(AddressMove, R13_SharedIpv6MovesWithUnsolicitedNeighbourAdvertisement) {
  auto& lab = *lab_;
  const auto client6 = Ipv6Address::parse("fd00:198:18::1");
  const auto shared6 = Ipv6Address::parse("fd00:198:18::10");
  add_address(*lab.client.nl, lab.client.link, {client6, 64});
  const auto mac_b = link_mac(*lab.app_b.nl, lab.app_b.link);
  const auto on_a = listen_in(lab.app_a.ns);
  const auto on_b = listen_in(lab.app_b.ns, on_a.port);

  add_address(*lab.app_a.nl, lab.app_a.link, {shared6, 64});
  // The link-local address does DAD; the lab's address must not.
  const auto shown = shell("ip -n " + lab.app_a.ns.name() + " -6 addr show dev " + lab.app_a.link);
  const auto line = shown.substr(shown.find(shared6.str()));
  EXPECT_EQ(line.substr(0, line.find('\n')).find("tentative"), std::string::npos)
      << "added without DAD: " << shown;
  ASSERT_EQ(tcp_connect(lab.client.ns, shared6, on_a.port), 0);
  ASSERT_TRUE(on_a.accepts());

  remove_address(*lab.app_a.nl, lab.app_a.link, {shared6, 64});
  add_address(*lab.app_b.nl, lab.app_b.link, {shared6, 64});
  announce_ipv6(lab.app_b.ns, lab.app_b.link, shared6, {GarpKind::both, 1, milliseconds(0)});
  EXPECT_TRUE(wait_until([&] {
    return neighbour_mac(*lab.client.nl, lab.client.link, shared6) == mac_b;
  })) << shell("ip -n " + lab.client.ns.name() + " -6 neigh");
  EXPECT_EQ(tcp_connect(lab.client.ns, shared6, on_b.port), 0);
  EXPECT_TRUE(on_b.accepts());
}

TEST_F(AddressMove, AnnounceRefusesNonLabAddressesAndBadOptions) {
  auto& lab = *lab_;
  EXPECT_THROW(announce_ipv4(lab.app_b.ns, lab.app_b.link, Ipv4Address::parse("192.168.1.1")),
               NetlabError);
  EXPECT_THROW(announce_ipv4(lab.app_b.ns, lab.app_b.link, kShared, {GarpKind::both, 0}),
               NetlabError);
  EXPECT_THROW(announce_ipv4(lab.app_b.ns, prefix().name("nope"), kShared), KernelError);
}

}  // namespace
}  // namespace failover_hil::netlab::testing
