#pragma once
// Internal to the runner: what every step and fault reads and writes.

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include "failover_hil/hil/engine.hpp"
#include "failover_hil/hil/events.hpp"
#include "failover_hil/hil/runner.hpp"
#include "failover_hil/hil/scenario.hpp"
#include "failover_hil/hil/switchers.hpp"
#include "failover_hil/hil/timeline.hpp"

namespace failover_hil::hil {

class FaultPlan;

/// The procedure must stop and leave A serving; the reason goes in the report.
class AbortSafely : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
/// The run stops where it is and can be resumed.
class Interrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RunContext {
  Scenario scenario;
  std::filesystem::path dir;
  Timeline* timeline = nullptr;
  const RunHooks* hooks = nullptr;
  Engine* engine = nullptr;
  FaultPlan* faults = nullptr;  ///< null before the procedure starts
  std::string backup_password;
  std::string step;  ///< the step running now

  Target& target(Member m) { return engine->target(m); }
  ApplianceDriver& driver(Member m) { return *engine->target(m).driver; }
  ApplianceDriver& A() { return driver(Member::A); }
  ApplianceDriver& B() { return driver(Member::B); }
  /// Whether the pair's simulator controls are there (faults, seeding, clients).
  bool simulator() { return target(Member::A).sim && target(Member::B).sim; }
  Switcher& switcher() { return engine->switcher(); }

  std::int64_t now_ns() { return engine->now_ns(); }
  std::int64_t event(EventType type, std::string_view op, const std::string& detail = {},
                     std::map<std::string, std::string> data = {},
                     std::string_view actor = "harness");
  /// Reads an appliance's status and records it (role, version, state).
  ApplianceStatus observe(ApplianceDriver& d);
  /// Waits for `done` (checked every `every`), bounded; observes
  /// interruptions and fires due faults. Returns whether it held.
  bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit,
                std::chrono::milliseconds every = std::chrono::milliseconds(20));
  void check_interrupted();
  /// Whether the timeline (this run, resumed parts included) has `op` of `type`.
  bool happened(std::string_view op, EventType type = EventType::ok) const;
};

/// A run directory's own copy of its scenario, with the lab copied beside it.
Scenario load_run_scenario(const std::filesystem::path& dir);

}  // namespace failover_hil::hil
