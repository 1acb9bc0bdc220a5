#pragma once
// Internal to the runner: arms a scenario's faults at their triggers.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "failover_hil/netlab/faults.hpp"
#include "run_context.hpp"

namespace failover_hil::hil {

class FaultPlan {
 public:
  explicit FaultPlan(RunContext& ctx);
  void run_started();
  void before_step(const std::string& step);
  void after_step(const std::string& step);
  /// Arms install faults for `letter`'s next install of `kind` (base | software).
  void before_install(const std::string& letter, const std::string& kind);
  /// Fires time-triggered faults that are due.
  void tick();
  /// The operator mistake `name` if armed for the current step (fired once).
  const FaultSpec* mistake(const std::string& name);

 private:
  void fire(const FaultSpec& f);
  /// partition / loss: nft rules on the lab's switch until the step ends.
  void arm_network(const FaultSpec& f);
  RunContext& ctx_;
  std::set<const FaultSpec*> fired_;
  std::map<const FaultSpec*, std::int64_t> due_ns_;
  std::optional<netlab::Faults> network_;
  std::vector<std::string> armed_in_step_;  ///< network faults to disarm when the step ends
};

}  // namespace failover_hil::hil
