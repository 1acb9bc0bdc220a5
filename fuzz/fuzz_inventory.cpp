// The inventory loader on any text (without the files it names): a
// ScenarioError naming file:line, never a crash.
#include <exception>

#include "failover_hil/hil/inventory.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)failover_hil::hil::parse_inventory(failover_hil::fuzz::as_text(data, size),
                                             "/nonexistent/fuzz/inventory.yaml");
  } catch (const std::exception&) {
  }
  return 0;
}
