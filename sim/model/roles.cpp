#include "failover_hil/sim/model/roles.hpp"

namespace failover_hil::sim {

std::string_view to_string(FailoverRole r) {
  switch (r) {
    case FailoverRole::none:
      return "none";
    case FailoverRole::primary:
      return "primary";
    case FailoverRole::backup:
      return "backup";
  }
  return "?";
}

std::string_view to_string(AtlasRole r) {
  switch (r) {
    case AtlasRole::none:
      return "none";
    case AtlasRole::primary_node:
      return "primary_node";
    case AtlasRole::backup_primary_node:
      return "backup_primary_node";
    case AtlasRole::traffic_node:
      return "traffic_node";
  }
  return "?";
}

std::string_view cluster_role(AtlasRole r) {
  switch (r) {
    case AtlasRole::none:
      return "single";
    case AtlasRole::primary_node:
    case AtlasRole::backup_primary_node:
      return "primary";
    case AtlasRole::traffic_node:
      return "traffic";
  }
  return "?";
}

}  // namespace failover_hil::sim
