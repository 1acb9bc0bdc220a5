// report.json read back (`failover-hil report` and the Python module): a
// refusal naming the field, never a crash.
#include <exception>

#include "failover_hil/hil/report.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto r = failover_hil::hil::parse_report_json(failover_hil::fuzz::as_text(data, size));
    (void)failover_hil::hil::report_json(r);  // what was read can be written again
  } catch (const std::exception&) {
  }
  return 0;
}
