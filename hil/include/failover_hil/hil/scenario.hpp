#pragma once

// A scenario as data: the procedure's steps with their parameters, the
// switch method, budgets, faults to arm and the expected outcome. The YAML
// format is documented in docs/scenarios.md; load_scenario() refuses a bad
// file with file:line and what was expected.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "failover_hil/hil/faults.hpp"
#include "failover_hil/hil/planted_defect.hpp"
#include "failover_hil/hil/steps.hpp"

namespace failover_hil::hil {

/// A scenario (or inventory) file is wrong: the message starts with
/// "file:line: " and says what was expected.
class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A switch method's name (R13: how B is made primary).
const char* to_string(SwitchMethod m);
/// "shared_ip", "dns" or "nat"; throws std::invalid_argument otherwise.
SwitchMethod parse_switch_method(const std::string& name);

/// Limits that become pass/fail measurements in the report.
struct Budgets {
  double switch_downtime_ms = 50;   ///< per switch, per client, headline method
  double exposure_window_s = 3600;  ///< R22: wall time without failover (simulated time is scaled)
  double total_s = 300;             ///< the whole run, wall time
};

/// Software of the pair before and after (the simulators' and the catalogue's).
struct Release {
  std::string base;
  std::string software;
  std::string build;
};

struct ProbePlan {
  std::vector<std::string> clients{"client1", "client2"};  ///< lab hosts that probe
  double rate_hz = 1000;
  int deadline_ms = 200;
};

/// Data put on A before the run (R11, R12, R14, R15, R20).
struct SeedPlan {
  int users = 3;
  int files = 2;
  int session_records = 4;         ///< completed sessions, each with a recording
  int consoles = 1;                ///< installer-deployed representative consoles
  int jump_clients = 1;            ///< installer-deployed Jump Clients
  int msi_clients = 1;             ///< MSI-deployed Jump Clients (R12)
  bool integration_client = true;  ///< configured by the shared IP (R14)
};

/// A client load that keeps creating session records on whichever appliance
/// serves the site.
struct LoadPlan {
  int session_interval_ms = 500;  ///< 0: no load
};

struct Expectation {
  std::string outcome = "completed";  ///< completed | aborted_safely
  std::string reason;                 ///< aborted_safely: a substring of the runner's reason
};

struct Scenario {
  std::string name;
  std::string description;
  std::filesystem::path file;  ///< where it was loaded from
  std::filesystem::path lab;   ///< the lab file, resolved against the scenario's folder
  SwitchMethod switch_method = SwitchMethod::shared_ip;
  double time_scale = 3000;  ///< simulated durations run this much faster
  Release from{"3.3.2", "23.1.2", "b7f3a1"};
  Release to{"3.4.0", "24.1.0", "c9e2d4"};
  ProbePlan probes;
  SeedPlan seed;
  LoadPlan load;
  Budgets budgets;
  std::vector<StepSpec> steps;
  std::vector<FaultSpec> faults;
  Expectation expect;
  /// Seeds every random choice of an in-process run (RunOptions::seed sets it).
  std::uint64_t random_seed = 1;
  /// Test-only: a defect planted on purpose (RunOptions::defect sets it; never from YAML).
  PlantedDefect defect = PlantedDefect::none;
};

/// One fault from YAML text (`{fault: NAME, appliance: B, ...}`), checked
/// as a scenario's faults are; `where` names it in errors ("where:line:
/// ..."). No `at`: an injected fault fires when it is given.
FaultSpec parse_fault(const std::string& yaml_text, const std::string& where);

/// Reads and checks a scenario file. Throws ScenarioError ("file:line: ...")
/// for YAML errors, unknown keys, steps or faults, wrong types, unknown
/// appliances, missing fields and out-of-range values.
Scenario load_scenario(const std::filesystem::path& file);
/// The same from text; `file` names it in errors and resolves `lab:`.
Scenario parse_scenario(const std::string& text, const std::filesystem::path& file);

}  // namespace failover_hil::hil
