// The lab file loader on any text: a refusal naming file:line, never a crash.
#include <exception>

#include "failover_hil/netlab/lab_spec.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)failover_hil::netlab::parse_lab(failover_hil::fuzz::as_text(data, size),
                                          "/nonexistent/fuzz/lab.yaml");
  } catch (const std::exception&) {
  }
  return 0;
}
