#pragma once
// Internal to explore: the base scenario, parsed once for a campaign's many
// runs (a YAML parse costs as much as a tenth of a run).

#include <filesystem>
#include <string>

#include "failover_hil/hil/scenario.hpp"

namespace failover_hil::hil {

struct ExploreBase {
  Scenario scenario;
  std::string text;  ///< the file as written
};

/// The base at `file`, read once per file and modification time. Thread-safe.
const ExploreBase& explore_base(const std::filesystem::path& file);

}  // namespace failover_hil::hil
