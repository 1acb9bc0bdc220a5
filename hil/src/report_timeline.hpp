#pragma once
// The run drawn as one inline SVG (report.html): steps, appliances' roles and
// versions, and each client's availability with its outages.

#include <string>

#include "failover_hil/hil/run_record.hpp"

namespace failover_hil::hil {

/// An <svg> element, sized by its viewBox so it scales with the page.
std::string timeline_svg(const RunRecord& r);

}  // namespace failover_hil::hil
