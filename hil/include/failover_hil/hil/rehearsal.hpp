#pragma once

// A rehearsal (docs/rehearsal.md): a scenario's lab with two simulators put
// in production (A primary with the shared IP, B its backup, one sync done),
// answering as the product does, and the inventories that reach them as
// physical appliances from a lab host, with an operator who does every step.
// Used by `failover-hil lab rehearse` and by Python's Rehearsal.

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "failover_hil/hil/scenario.hpp"

namespace failover_hil::netlab {
class Lab;
class LabSlot;
struct LabSpec;
}  // namespace failover_hil::netlab

namespace failover_hil::hil {

class SimulatorSet;

struct RehearsalOptions {
  std::filesystem::path scenario;   ///< its lab, versions and time scale
  std::filesystem::path dir;        ///< the inventories, site.key, answers.yaml, ready
  std::string harness;              ///< the lab host runs start from; empty: the first client
  std::filesystem::path state_dir;  ///< lab journals; empty: netlab's default
  /// Polled while the lab is built: true gives up (NetlabError).
  std::function<bool()> interrupted;
};

/// Builds everything in its constructor (root) and removes it all in its
/// destructor: the simulators, the lab, the `ready` file. Throws
/// ScenarioError, NetlabError or HarnessError, leaving nothing behind.
class Rehearsal {
 public:
  explicit Rehearsal(const RehearsalOptions& options);
  ~Rehearsal();
  Rehearsal(const Rehearsal&) = delete;
  Rehearsal& operator=(const Rehearsal&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  const std::string& harness() const { return harness_; }
  /// dir/inventory-<method>.yaml (dns only when the lab has a DNS server).
  std::filesystem::path inventory(SwitchMethod method) const;
  std::filesystem::path answers() const { return dir_ / "answers.yaml"; }
  const Scenario& scenario() const { return scenario_; }
  netlab::Lab& lab() { return *lab_; }
  SimulatorSet& simulators() { return *sims_; }

 private:
  Scenario scenario_;
  std::filesystem::path dir_;
  std::string harness_;
  std::unique_ptr<netlab::LabSlot> slot_;  ///< keeps runs off its prefix; released last
  std::unique_ptr<netlab::Lab> lab_;
  std::unique_ptr<SimulatorSet> sims_;
};

}  // namespace failover_hil::hil
