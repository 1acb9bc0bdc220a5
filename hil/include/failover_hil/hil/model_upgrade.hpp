#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "failover_hil/core/clock.hpp"
#include "failover_hil/sim/model/appliance.hpp"

namespace failover_hil::hil {

/// What one appliance looked like at the end of a step.
struct ApplianceSnapshot {
  std::string name;
  std::string base;
  std::string software;
  std::string role;
  std::string state;
  bool shared_ip = false;
  bool serves = false;
  std::size_t users = 0;
  std::size_t files = 0;
  std::size_t recordings = 0;
  std::size_t sessions = 0;
  std::uint64_t stored_bytes = 0;
};
ApplianceSnapshot snapshot(const sim::Appliance& a);

/// One step of the vendor's procedure as it ran on the model (not the
/// harness's StepRecord of run_record.hpp: one name per type in this namespace).
struct ModelStep {
  int number = 0;
  std::string title;
  std::string rules;  ///< the DESIGN.md rules the step exercises, e.g. "R02 R03"
  TimePoint started;
  TimePoint finished;
  std::vector<std::string> notes;  ///< what happened, for people
  ApplianceSnapshot a;
  ApplianceSnapshot b;
};

struct ModelUpgradeOptions {
  std::uint64_t seed = 1;
  /// Stored recordings on A before the run (they lengthen installs, R05).
  std::uint64_t recordings_mib = 6 * 1024;
  /// Support sessions the client load completes on the serving appliance per step.
  int sessions_per_step = 2;
};

struct ModelUpgradeResult {
  std::vector<ModelStep> steps;
  bool completed = false;
  std::string failure;                        ///< why the run stopped, when it did not complete
  std::vector<std::string> sessions_created;  ///< lsids, in creation order
  std::vector<std::string> missing_on_a;      ///< created lsids absent from A at the end
  std::vector<std::string> missing_on_b;
  std::vector<sim::Violation> violations;  ///< of both appliances
  Duration exposure_window{};              ///< R22: break to re-established
  TimePoint started;
  TimePoint finished;
};

/// Runs the vendor's asynchronous upgrade on two model appliances, from A
/// primary to B primary with both updated, with a manual clock. `on_step` is
/// called after each step (for printing progress). Deterministic for a seed.
ModelUpgradeResult run_model_upgrade(const ModelUpgradeOptions& options,
                                     const std::function<void(const ModelStep&)>& on_step = {});

}  // namespace failover_hil::hil
