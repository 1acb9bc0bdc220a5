#include "failover_hil/hil/run_record.hpp"

#include <algorithm>

namespace failover_hil::hil {

bool RunRecord::passed() const {
  return as_expected &&
         std::all_of(checks.begin(), checks.end(),
                     [](const auto& c) { return c.pass || c.waived; }) &&
         std::all_of(measurements.begin(), measurements.end(),
                     [](const auto& m) { return m.pass || m.waived; });
}

}  // namespace failover_hil::hil
