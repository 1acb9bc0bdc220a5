#pragma once
// How every report writes times, figures and untrusted text, so the JSON,
// JUnit, HTML and terminal reports agree on them.

#include <cstdint>
#include <string>
#include <string_view>

#include "failover_hil/hil/run_record.hpp"

namespace failover_hil::hil::report_text {

/// "2024-05-01T12:00:00.123456789Z" (always nine fraction digits).
std::string rfc3339_utc(std::int64_t ns);

/// For people: "2024-05-01 12:00:00.123 UTC".
std::string readable_utc(std::int64_t ns);

/// At most three decimals, trailing zeros dropped: 62.1, 50, 0.125.
std::string number(double v);

/// An outage length: "3.2 ms" below ten seconds, else "12.3 s".
std::string outage_length(std::int64_t ns);

/// A step or run duration for people: "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min".
std::string duration(std::int64_t ns);

/// An offset from the run's start: "0:12.345", "1:02:03.456".
std::string offset(std::int64_t ns);

/// "62.1 ms", "3 count", "0.99 ratio" (unit omitted when empty).
std::string value_with_unit(double v, const std::string& unit);

/// The limit as written next to a value: "<= 50 ms".
std::string limit_text(const Measurement& m);

/// Why a measurement failed: "switch_downtime_ms.client1 = 62.1 ms > 50 ms".
std::string measurement_failure(const Measurement& m);

/// "shared IP", "DNS", "NAT", or the method as given.
std::string switch_method_label(const std::string& method);

/// Text safe for XML and HTML text and attributes: & < > " ' escaped, control
/// characters XML 1.0 forbids replaced by U+FFFD.
std::string escape_xml(std::string_view s);

/// Text with the control characters XML 1.0 forbids replaced by U+FFFD (for
/// writers that escape markup themselves).
std::string xml_safe(std::string_view s);

/// Text for one terminal line: control characters (newlines, ESC, ...) become
/// spaces, so untrusted messages neither break a table nor inject escapes.
std::string one_line(std::string_view s);

/// Code points of UTF-8 text, for aligning terminal columns.
std::size_t display_width(std::string_view s);

/// At most `width` code points, ending in "…" when cut.
std::string truncate(std::string_view s, std::size_t width);

}  // namespace failover_hil::hil::report_text
