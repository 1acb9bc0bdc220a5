#pragma once
// Internal to the runner: what every step reads and writes.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "failover_hil/core/https_client.hpp"
#include "failover_hil/hil/appliance_driver.hpp"
#include "failover_hil/hil/runner.hpp"
#include "failover_hil/hil/scenario.hpp"
#include "failover_hil/hil/site_watch.hpp"
#include "failover_hil/hil/switchers.hpp"
#include "failover_hil/hil/timeline.hpp"

namespace failover_hil::hil {

class SimulatorSet;
}  // namespace failover_hil::hil
namespace failover_hil::netlab {
class Lab;
}
namespace failover_hil::hil {

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

/// An appliance as the runner addresses it.
struct Target {
  ApplianceDriver* driver = nullptr;
  std::string ip;                 ///< unique IP (establish, hosts override)
  std::uint16_t port = 443;       ///< management port (establish)
  std::uint16_t site_port = 443;  ///< the site on its unique IP (hosts override)
  TlsTrust trust;                 ///< its certificate (hosts-override checks)
};

struct RunContext {
  Scenario scenario;
  std::filesystem::path dir;
  Timeline* timeline = nullptr;
  const RunHooks* hooks = nullptr;
  Target a, b;
  SimulatorSet* sims = nullptr;  ///< null for an inventory
  netlab::Lab* lab = nullptr;    ///< null for an inventory
  bool simulator = true;         ///< the simulators' API is there (faults, seeding, clients)
  Switcher* switcher = nullptr;
  SiteWatch* watch = nullptr;
  std::string site_ip;  ///< the shared IP (R23 checks); empty outside a lab
  std::string site_hostname;
  std::vector<WatchedClient> clients;
  /// Fetches a manual update's files for a Download Key (R09).
  std::function<std::vector<std::vector<std::uint8_t>>(const std::string& key,
                                                       const ApplianceStatus& from)>
      update_files;
  std::string backup_password;
  std::string step;            ///< the step running now
  std::function<void()> tick;  ///< called while waiting (time-triggered faults)
  /// Stops the client load, so the final read sees every record it made.
  std::function<void()> stop_load;

  ApplianceDriver& A() { return *a.driver; }
  ApplianceDriver& B() { return *b.driver; }
  Target& target(const std::string& letter) { return letter == "A" ? a : b; }

  std::int64_t event(const std::string& type, const std::string& op, const std::string& detail = {},
                     std::map<std::string, std::string> data = {},
                     const std::string& actor = "harness");
  /// Reads an appliance's status and records it (role, version, state).
  ApplianceStatus observe(ApplianceDriver& d);
  /// Waits for `done` (checked every `every`), bounded; observes
  /// interruptions. Returns whether it held.
  bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit,
                std::chrono::milliseconds every = std::chrono::milliseconds(20));
  void check_interrupted();
  /// Whether the timeline (this run, resumed parts included) has `op` of `type`.
  bool happened(const std::string& op, const std::string& type = "ok") const;
};

/// A run directory's own copy of its scenario, with the lab copied beside it.
Scenario load_run_scenario(const std::filesystem::path& dir);

}  // namespace failover_hil::hil
