#pragma once

// The run's reports, each a pure function of its RunRecord (docs/reports.md):
// report.json (the record itself, readable back), junit.xml for CI,
// report.html for people, and the terminal summary.

#include <filesystem>
#include <string>

#include "failover_hil/hil/run_record.hpp"

namespace failover_hil::hil {

/// The schema written into report.json and the one parse_report_json accepts.
inline constexpr const char* report_schema = "failover-hil/report/1";

/// Every field of `r` as JSON (schema "failover-hil/report/1"), one short
/// object per line; timestamps as integer ns and as RFC 3339 UTC strings.
std::string report_json(const RunRecord& r);

/// The inverse of report_json. Throws HarnessError naming the field
/// (e.g. "report.json: steps[2].start_ns: expected an integer").
RunRecord parse_report_json(const std::string& text);

/// JUnit XML: one testsuite, a testcase per step, check, measurement with a
/// limit, and one for the outcome.
std::string junit_xml(const RunRecord& r);

/// One self-contained HTML page (inline CSS and SVG, no script) with the
/// run's timeline and tables.
std::string report_html(const RunRecord& r);

/// The terminal summary: steps, measurements, checks, the outcome line.
/// ANSI colour only when `color`.
std::string render_summary(const RunRecord& r, bool color);

/// Writes report.json, junit.xml and report.html into `dir` (created if
/// missing), each through a temporary file renamed into place, so a reader
/// never sees half a report. Throws HarnessError naming the file.
void write_reports(const RunRecord& r, const std::filesystem::path& dir);

}  // namespace failover_hil::hil
