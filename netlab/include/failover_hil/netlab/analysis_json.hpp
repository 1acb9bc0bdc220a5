#pragma once

#include <string>

#include "failover_hil/netlab/analysis.hpp"

namespace failover_hil::netlab {

/// The report as JSON (schema: docs/analysis.md, "schema": "failover-hil/analysis/2").
std::string to_json(const AnalysisReport& report);

/// A compact rendering for terminals: per client the counts, the outages
/// with their three lengths, a one-line timeline; then announcements and
/// conflicts.
std::string render_text(const AnalysisReport& report);

/// "12.345678901s" style: nanoseconds for people, exact.
std::string format_ns_duration(std::int64_t ns);

}  // namespace failover_hil::netlab
