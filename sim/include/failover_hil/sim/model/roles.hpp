#pragma once

#include <string_view>

namespace failover_hil::sim {

/// The failover role, as check_health's <failover_role> prints it.
enum class FailoverRole { none, primary, backup };

/// The appliance's place in an Atlas cluster (R21). `backup_primary_node` is
/// what the backup of a cluster's primary node becomes.
enum class AtlasRole { none, primary_node, backup_primary_node, traffic_node };

std::string_view to_string(FailoverRole r);
std::string_view to_string(AtlasRole r);
/// get_appliances' <cluster_role>: single, primary or traffic.
std::string_view cluster_role(AtlasRole r);

}  // namespace failover_hil::sim
