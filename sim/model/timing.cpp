#include "failover_hil/sim/model/timing.hpp"

namespace failover_hil::sim {

Duration DurationModel::at(std::uint64_t bytes) const {
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  const double extra = static_cast<double>(per_gib.count()) * static_cast<double>(bytes) / kGiB;
  return base + Duration{static_cast<Duration::rep>(extra)};
}

}  // namespace failover_hil::sim
