#pragma once
// Internal to the steps: what more than one step does.

#include <string>

#include "../fault_plan.hpp"
#include "../run_context.hpp"

namespace failover_hil::hil {

/// Sync Now on `primary` and wait until a sync finished after it (R02, R19).
void sync_and_wait(RunContext& ctx, ApplianceDriver& primary);

/// R05-R10: Base first, then a fresh backup and the dependent software at once (R06).
void update_appliance(RunContext& ctx, Member m, const std::string& method);

/// "a,b,c".
std::string join(const std::set<std::string>& s);

}  // namespace failover_hil::hil
