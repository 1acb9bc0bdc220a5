#pragma once
// JSON as the run directory's files write it: a record per line, doubles in
// their shortest round-trip form, so files read and diff a record at a time.
#include <boost/json/value.hpp>
#include <filesystem>
#include <string>

namespace failover_hil::hil {

/// A container that fits in 100 columns, or an array element whose own
/// containers are that small (a step, an event, a case), on one line.
std::string pretty_json(const boost::json::value& v);

/// The file parsed as JSON; on failure a null value and `why` says what is
/// wrong (unreadable, or the parser's reason), for the caller's message.
boost::json::value parse_json_file(const std::filesystem::path& file, std::string& why);

}  // namespace failover_hil::hil
