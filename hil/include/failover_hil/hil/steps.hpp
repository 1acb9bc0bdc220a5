#pragma once

// The procedure's steps, each defined once (hil/src/steps/<name>.cpp): its
// name, the rules it guards, its parameters, its conditions, how it runs and
// how a resumed run knows it already happened. The scenario parser,
// `validate`, the runner, resume, the report and the generated part of
// docs/scenarios.md all read this registry.

#include <string>
#include <string_view>
#include <vector>

#include "failover_hil/hil/params.hpp"

namespace failover_hil::hil {

struct RunContext;
struct StepSpec;

/// How a resumed run skips a step that already ran.
enum class Resume {
  by_state,    ///< the step reads the pair's state and does only what is left
  by_history,  ///< its result is not in the pair's state: skipped when the timeline has its step_ok
};

struct StepDef {
  std::string_view name;     ///< as scenario files write it
  std::string_view summary;  ///< one line, for docs and --help
  std::vector<std::string_view> rules;
  std::vector<ParamDef> params;
  std::string_view preconditions;   ///< what it checks (and refuses) before acting
  std::string_view postconditions;  ///< what holds when it returns
  Resume resume = Resume::by_state;
  /// Runs the step: "ok" or "done_already"; throws AbortSafely, Interrupted or HarnessError.
  std::string (*run)(RunContext& ctx, const StepSpec& step) = nullptr;
};

/// A step as a scenario names it.
struct StepSpec {
  const StepDef* def = nullptr;
  int line = 0;  ///< where the scenario file names it
  ParamValues params;
  std::string_view name() const { return def->name; }
  bool operator==(const StepSpec& o) const { return def == o.def && params == o.params; }
};

/// Every step, in the vendor's order.
const std::vector<const StepDef*>& step_registry();
/// nullptr for an unknown name.
const StepDef* find_step(std::string_view name);
/// Throws std::invalid_argument naming the known steps.
const StepDef& step_def(std::string_view name);

}  // namespace failover_hil::hil
