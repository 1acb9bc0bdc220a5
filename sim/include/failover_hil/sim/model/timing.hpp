#pragma once

#include <chrono>
#include <cstdint>

#include "failover_hil/core/clock.hpp"

namespace failover_hil::sim {

/// `base + per_gib * stored data`: how long installs and syncs take (R05, R19).
struct DurationModel {
  Duration base{};
  Duration per_gib{};
  Duration at(std::uint64_t bytes) const;
};

/// Simulated durations of an appliance; every field is configurable.
struct Timing {
  /// R05: installs take 15-60 min, longer with much stored data.
  DurationModel install{std::chrono::minutes(15), std::chrono::minutes(3)};
  /// R19: a sync takes from seconds to hours depending on data.
  DurationModel sync{std::chrono::seconds(5), std::chrono::seconds(90)};
  /// R19: the first sync starts about 60 s after establishing.
  Duration first_sync_delay = std::chrono::seconds(60);
};

}  // namespace failover_hil::sim
