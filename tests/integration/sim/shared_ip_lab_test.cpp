// The shared IP moved between two bseries-sim processes inside a lab's
// namespaces: the address is added by netlink and announced by gratuitous
// ARP, as on a real appliance (R13, R23). Needs root.
#include <gtest/gtest.h>

#include "failover_hil/netlab/address_ops.hpp"
#include "failover_hil/netlab/neighbour.hpp"
#include "lab_sim_test.hpp"

namespace failover_hil::testing {
namespace {

using namespace std::chrono_literals;
using netlab::Ipv4Address;

class SharedIpLab : public LabSimTest {
 protected:
  /// Which appliance answers the site at the shared IP, from the client.
  std::string served_by() {
    HttpsClient site("198.18.0.10", 8443, TlsTrust{{}, {}, true}, 2s, lab_->client.ns.name());
    return site.get("/").header("x-served-by");
  }
};

TEST_F(SharedIpLab, R13_SwitchMovesTheAddressAndClientsFollowTheAnnouncement) {
  auto& a = pair_->a();
  auto& b = pair_->b();
  a.set_shared_ip(true);
  EXPECT_EQ(served_by(), "appA");
  const auto mac_a = netlab::link_mac(*lab_->app_a.nl, lab_->app_a.link);
  const auto mac_b = netlab::link_mac(*lab_->app_b.nl, lab_->app_b.link);
  EXPECT_EQ(
      netlab::neighbour_mac(*lab_->client.nl, lab_->client.link, Ipv4Address::parse("198.18.0.10")),
      mac_a);

  a.set_shared_ip(false);
  b.set_shared_ip(true);
  // The gratuitous ARP updates the client's neighbour entry: no waiting for ARP timeouts.
  EXPECT_TRUE(netlab::testing::wait_until(
      [&] {
        return netlab::neighbour_mac(*lab_->client.nl, lab_->client.link,
                                     Ipv4Address::parse("198.18.0.10")) == mac_b;
      },
      2s));
  EXPECT_EQ(served_by(), "appB");
  const auto on_a = netlab::link_addresses(*lab_->app_a.nl, lab_->app_a.link);
  EXPECT_EQ(std::count(on_a.begin(), on_a.end(),
                       netlab::InterfaceAddress{Ipv4Address::parse("198.18.0.10"), 24}),
            0)
      << "A no longer holds the address";
}

TEST_F(SharedIpLab, R23_EnablingWhileTheOtherHoldsItIsRefusedByThePreCheck) {
  pair_->a().set_shared_ip(true);
  try {
    pair_->b().set_shared_ip(true);
    FAIL() << "B enabled the shared IP while A held it";
  } catch (const hil::HarnessError& e) {
    EXPECT_NE(std::string(e.what()).find("R23"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("already answered by"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(pair_->b().status().shared_ip_enabled);
  EXPECT_EQ(served_by(), "appA");
}

}  // namespace
}  // namespace failover_hil::testing
