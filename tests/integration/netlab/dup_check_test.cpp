#include "failover_hil/netlab/dup_check.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "failover_hil/netlab/address_ops.hpp"
#include "fixture.hpp"

namespace failover_hil::netlab::testing {
namespace {

class DupCheck : public NetlabTest {
 protected:
  void destroy_resources() override { lab_.reset(); }
  std::optional<SwitchedLab> lab_;
};

// R23: the shared IP is never enabled on two appliances at once.
TEST_F(DupCheck, R23_FindsTheHostHoldingTheAddressAndNoneWhenFree) {
  lab_.emplace(prefix());
  const auto shared = Ipv4Address::parse("198.18.0.10");
  add_address(*lab_->app_a.nl, lab_->app_a.link, {shared, 24});
  add_address(*lab_->app_b.nl, lab_->app_b.link, {Ipv4Address::parse("198.18.0.12"), 24});

  const auto holder = find_duplicate(lab_->app_b.ns, lab_->app_b.link, shared);
  ASSERT_TRUE(holder) << "appA holds " << shared.str();
  EXPECT_EQ(*holder, link_mac(*lab_->app_a.nl, lab_->app_a.link));

  const DupCheckOptions quick{1, std::chrono::milliseconds(0), std::chrono::milliseconds(200)};
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(
      find_duplicate(lab_->app_b.ns, lab_->app_b.link, Ipv4Address::parse("198.18.0.99"), quick));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000))
      << "bounded by the options";

  remove_address(*lab_->app_a.nl, lab_->app_a.link, {shared, 24});
  EXPECT_FALSE(find_duplicate(lab_->app_b.ns, lab_->app_b.link, shared, quick))
      << "free once appA let it go";
}

TEST_F(DupCheck, RefusesAddressesOutsideTheLab) {
  lab_.emplace(prefix());
  EXPECT_THROW(find_duplicate(lab_->app_b.ns, lab_->app_b.link, Ipv4Address::parse("10.1.1.1")),
               NetlabError);
}

}  // namespace
}  // namespace failover_hil::netlab::testing
