#pragma once
// Internal to the runner: the procedure's steps, each with preconditions,
// the action and postconditions; idempotent, so a resumed run skips what the
// pair's state shows done.

#include "fault_plan.hpp"
#include "run_context.hpp"

namespace failover_hil::hil {

/// Runs one step: "ok" (or "done_already"); throws AbortSafely, Interrupted
/// or HarnessError.
std::string run_step(RunContext& ctx, FaultPlan& faults, const StepSpec& step);

/// The rules a step's conditions check (for the report).
std::vector<std::string> step_rules(StepKind kind);

}  // namespace failover_hil::hil
