#pragma once
// Internal to the steps: what more than one step does.

#include <string>

#include "../fault_plan.hpp"
#include "../run_context.hpp"

namespace failover_hil::hil {

/// Sync Now on `primary` and wait until a sync finished after it (R02, R19).
void sync_and_wait(RunContext& ctx, ApplianceDriver& primary);

/// R05-R10: Base first, then a fresh backup and the dependent software at once (R06).
/// An install not finished within `install_limit` stops the run (R07).
void update_appliance(RunContext& ctx, Member m, const std::string& method,
                      std::chrono::milliseconds install_limit);

/// R16: throws AbortSafely unless appB was confirmed in production and the
/// site no longer points at appA (update_primary's gate).
void require_production_confirmed(RunContext& ctx);

/// operator_updates_primary_early, if armed here: the R16 gate refuses it.
void refuse_early_primary_update_if_asked(RunContext& ctx);

/// "a,b,c".
std::string join(const std::set<std::string>& s);

}  // namespace failover_hil::hil
