#include "failover_hil/sim/model/roles.hpp"

#include <gtest/gtest.h>

namespace failover_hil::sim {
namespace {

// get_appliances prints <cluster_role> single|primary|traffic (docs/product-api.md).
TEST(Roles, R21_ClusterRoleAsTheApiPrintsIt) {
  EXPECT_EQ(cluster_role(AtlasRole::none), "single");
  EXPECT_EQ(cluster_role(AtlasRole::primary_node), "primary");
  EXPECT_EQ(cluster_role(AtlasRole::backup_primary_node), "primary");
  EXPECT_EQ(cluster_role(AtlasRole::traffic_node), "traffic");
  EXPECT_EQ(to_string(FailoverRole::backup), "backup");
}

}  // namespace
}  // namespace failover_hil::sim
