#pragma once

// The main job as a library: a scenario taken through the vendor's
// asynchronous upgrade against two simulators in a fresh lab (or the
// appliances of an inventory), every action and probe outcome on one
// timeline, then analysis, checks and reports. No global state; hooks let a
// caller (a test, Python) observe steps and interrupt.

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "failover_hil/hil/engine.hpp"
#include "failover_hil/hil/operator_prompt.hpp"
#include "failover_hil/hil/run_record.hpp"

namespace failover_hil::hil {

/// Faults given while a run goes (from Python, from another thread, from a
/// hook): the run fires each at its next poll (a wait's tick, a step's start
/// or end) as if its trigger had just come; install faults at the next
/// install of their kind, operator mistakes when their step acts them out.
/// Thread-safe.
class FaultInbox {
 public:
  void push(FaultSpec fault);
  std::vector<FaultSpec> take();

 private:
  std::mutex mutex_;
  std::vector<FaultSpec> pending_;
};

struct RunHooks {
  /// Before ("before") and after ("after") every step; may throw to stop the run.
  std::function<void(const std::string& step, const std::string& phase)> on_step;
  /// Every timeline event as it is added (the terminal's progress lines).
  std::function<void(const TimelineEvent&)> on_event;
  /// Polled while waiting: true stops the run as interrupted (resumable).
  std::function<bool()> interrupted;
  /// For physical appliances: how the operator is asked.
  std::shared_ptr<OperatorPrompt> prompt;
  /// Faults injected while the run goes; nullptr: none.
  std::shared_ptr<FaultInbox> inbox;
};

struct RunOptions {
  std::filesystem::path scenario;  ///< the scenario file (with resume: the run's own copy)
  /// The run directory; empty: <runs_root>/<UTC time>-<scenario>.
  std::filesystem::path out;
  std::filesystem::path runs_root = "runs";
  /// Continue the run in `out` from the pair's actual state.
  bool resume = false;
  /// How B is made primary, instead of the scenario's `switch` (a campaign
  /// runs one scenario by every method); kept in the run directory.
  std::optional<SwitchMethod> switch_method;
  /// What the run stands on: the in-process model (virtual time), a lab of
  /// simulators, or an inventory's appliances (set by `inventory`).
  EngineKind engine = EngineKind::lab;
  /// The in-process engine's seed (keys, nonces, identifiers).
  std::uint64_t seed = 1;
  /// Test-only: a defect planted on purpose (docs/explore.md); none in real use.
  PlantedDefect defect = PlantedDefect::none;
  /// Write report.json, junit.xml and report.html (explore's many runs skip them).
  bool write_reports = true;
  /// Physical (or externally started) appliances instead of a lab.
  std::filesystem::path inventory;
  /// Where lab journals live; empty: netlab's default (/run/failover-hil).
  std::filesystem::path lab_state_dir;
  RunHooks hooks;
};

/// The run's verdict as the process exit status (docs/cli.md): 0 it went as
/// the scenario expects (an expected safe abort included); 1 it did not (the
/// outcome differs, or a check or limit failed that the outcome does not
/// waive); 2 it failed before its first step (set-up: nothing was tried);
/// 3 interrupted (resumable).
int exit_status(const RunRecord& record);

/// Runs a scenario. Bad input (scenario, inventory, run directory) throws
/// ScenarioError / HarnessError before anything is built; once the run has
/// started, failures become the record's outcome, and the lab is always
/// torn down.
RunRecord run_scenario(const RunOptions& options);

/// Re-analyses a finished (or interrupted) run from its stored history
/// (timeline.jsonl, captures): the record `failover-hil report` writes.
RunRecord evaluate_run(const std::filesystem::path& run_dir);
/// The same from a run's events and scenario in memory (the runner's own,
/// for an in-process run: no captures, nothing to read back).
RunRecord evaluate_run(const std::filesystem::path& run_dir, std::vector<TimelineEvent> events,
                       const Scenario& scenario);

}  // namespace failover_hil::hil
