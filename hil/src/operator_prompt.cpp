#include "failover_hil/hil/operator_prompt.hpp"

#include <istream>
#include <ostream>

#include "failover_hil/hil/appliance_driver.hpp"

namespace failover_hil::hil {

void StreamPrompt::ask(const std::string& appliance, const std::string& instructions) {
  out_ << "\n>>> On " << appliance << ": " << instructions
       << "\n>>> Press Enter when done (or type 'abort'): " << std::flush;
  std::string line;
  if (!std::getline(in_, line))
    throw HarnessError("operator prompt for " + appliance + ": no answer (input closed)");
  if (line == "abort") throw HarnessError("the operator aborted at: " + instructions);
}

}  // namespace failover_hil::hil
