#pragma once
// Internal to the runner: arms a scenario's faults at their triggers.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "run_context.hpp"

namespace failover_hil::hil {

class FaultPlan {
 public:
  explicit FaultPlan(RunContext& ctx);
  void run_started();
  void before_step(std::string_view step);
  /// Disarms the network faults armed during `step` (idempotent): called as
  /// the step succeeds, before its step_ok, so that what they cause stays
  /// inside the step's window; after_step() calls it too.
  void disarm_step_faults(std::string_view step);
  void after_step(std::string_view step);
  /// Fires install faults for `m`'s next install of `kind`.
  void before_install(Member m, UpdateKind kind);
  /// Fires time-triggered faults that are due.
  void tick();
  /// When the next time-triggered fault falls due (virtual time jumps there, not past it).
  std::optional<std::int64_t> next_due_ns() const;

  /// The operator mistake of type T if armed for the current step (taken once).
  template <class T>
  const T* mistake() {
    const auto* spec =
        take_mistake([](const FaultSpec& f) { return std::holds_alternative<T>(f.fault); });
    return spec ? &std::get<T>(spec->fault) : nullptr;
  }

  /// The operator mistake of type T concerning appliance `m`, if armed for the current step.
  template <class T>
  const T* mistake_for(Member m) {
    const auto* spec = take_mistake([m](const FaultSpec& f) {
      return std::holds_alternative<T>(f.fault) && f.appliance() == m;
    });
    return spec ? &std::get<T>(spec->fault) : nullptr;
  }

  /// tampered_update_file: the next update file handed to `m` is modified on its way.
  void tamper_next_file(Member m) { tamper_.insert(m); }
  /// Whether a tampered file is due for `m` (taken once).
  bool take_tamper(Member m) { return tamper_.erase(m) > 0; }
  bool tamper_pending(Member m) const { return tamper_.contains(m); }

  /// For network faults: armed until the step that armed them ends.
  void arm_network_until_step_end(const std::string& id, const NetworkFault& fault);

 private:
  template <class Pred>
  const FaultSpec* take_mistake(Pred matches) {
    receive();
    for (const auto& f : faults_) {
      if (f.def->cls != FaultClass::mistake || fired_.contains(&f) || !matches(f)) continue;
      if (!f.at.step.empty() && f.at.step != ctx_.step) continue;
      fired_.insert(&f);
      ctx_.event(EventType::fault, f.name(), "operator mistake armed at " + ctx_.step, {},
                 "operator");
      return &f;
    }
    return nullptr;
  }
  /// Takes the faults injected since the last poll (RunHooks::inbox): a
  /// timed one falls due now, the others wait for their install or step.
  void receive();
  void fire(const FaultSpec& f);
  RunContext& ctx_;
  std::set<const FaultSpec*> fired_;
  std::map<const FaultSpec*, std::int64_t> due_ns_;
  std::set<Member> tamper_;                 ///< tampered_update_file, not yet handed over
  std::vector<std::string> armed_in_step_;  ///< network faults to disarm when the step ends
  /// The scenario's faults, then those injected while it runs. A deque: an
  /// element keeps its address as more are added (fired_ and due_ns_ hold them).
  std::deque<FaultSpec> faults_;
};

}  // namespace failover_hil::hil
