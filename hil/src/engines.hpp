#pragma once
// Internal: the three engines' factories and what they share.

#include <filesystem>
#include <memory>

#include "failover_hil/hil/engine.hpp"
#include "failover_hil/hil/runner.hpp"

namespace failover_hil::hil {

/// Data on A and the starting state through drivers and simulator controls:
/// A primary with the shared IP, B backup, synced.
void seed_pair(RunContext& ctx);

/// Checks the scenario against its lab file (clients, two appliances) before anything is built.
std::unique_ptr<Engine> make_lab_engine(const Scenario& scenario,
                                        const std::filesystem::path& lab_state_dir,
                                        const RunHooks& hooks);
std::unique_ptr<Engine> make_inventory_engine(const Scenario& scenario,
                                              const std::filesystem::path& inventory,
                                              const RunHooks& hooks);
/// Refuses a scenario with a fault it cannot model, naming the fault.
std::unique_ptr<Engine> make_inprocess_engine(const Scenario& scenario);

}  // namespace failover_hil::hil
