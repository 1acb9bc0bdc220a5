#pragma once
// Two bseries-sim processes inside a switched lab (netlab's test fixture):
// appA 198.18.0.11, appB 198.18.0.12, the shared IP 198.18.0.10 added by
// netlink on their interfaces, the update server and the drivers in the
// client's namespace (198.18.0.1). Needs root; skips otherwise.

#include "../netlab/fixture.hpp"
#include "failover_hil/netlab/address_ops.hpp"
#include "sim_pair.hpp"

namespace failover_hil::testing {

class LabSimTest : public netlab::testing::NetlabTest {
 protected:
  void SetUp() override {
    NetlabTest::SetUp();
    if (IsSkipped()) return;
    using netlab::Ipv4Address;
    lab_.emplace(prefix());
    netlab::add_address(*lab_->client.nl, lab_->client.link,
                        {Ipv4Address::parse("198.18.0.1"), 24});
    netlab::add_address(*lab_->app_a.nl, lab_->app_a.link, {Ipv4Address::parse("198.18.0.11"), 24});
    netlab::add_address(*lab_->app_b.nl, lab_->app_b.link, {Ipv4Address::parse("198.18.0.12"), 24});
    SimPair::Options o;
    o.layout = {"198.18.0.11",          "198.18.0.12",         "198.18.0.10",
                "198.18.0.1",           lab_->app_a.ns.name(), lab_->app_b.ns.name(),
                lab_->client.ns.name(), lab_->app_a.link,      lab_->app_b.link,
                lab_->client.ns.name()};
    o.layout.site_port = 8443;
    pair_ = std::make_unique<SimPair>(o);
  }
  void destroy_resources() override {
    pair_.reset();  // the simulators first: they remove their addresses
    lab_.reset();
  }

  std::optional<netlab::testing::SwitchedLab> lab_;
  std::unique_ptr<SimPair> pair_;
};

}  // namespace failover_hil::testing
