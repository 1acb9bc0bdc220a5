// The step registry: every step, in the vendor's order. A new step is one
// file beside this one, one line here and one in hil/CMakeLists.txt.
#include <stdexcept>
#include <string>

#include "failover_hil/hil/steps.hpp"

namespace failover_hil::hil {

extern const StepDef kBackupStep, kSyncStep, kBreakStep, kUpdateBackupStep, kVerifyBackupStep,
    kSwitchStep, kVerifyProductionStep, kUpdatePrimaryStep, kReestablishStep;

const std::vector<const StepDef*>& step_registry() {
  static const std::vector<const StepDef*> steps{
      &kBackupStep,           &kSyncStep,          &kBreakStep,
      &kUpdateBackupStep,     &kVerifyBackupStep,  &kSwitchStep,
      &kVerifyProductionStep, &kUpdatePrimaryStep, &kReestablishStep};
  return steps;
}

const StepDef* find_step(std::string_view name) {
  for (const auto* d : step_registry())
    if (d->name == name) return d;
  return nullptr;
}

const StepDef& step_def(std::string_view name) {
  if (const auto* d = find_step(name)) return *d;
  std::string known;
  for (const auto* d : step_registry()) known += (known.empty() ? "" : ", ") + std::string(d->name);
  throw std::invalid_argument("unknown step '" + std::string(name) + "'; expected one of " + known);
}

}  // namespace failover_hil::hil
