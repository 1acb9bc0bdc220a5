#include "fault_plan.hpp"

namespace failover_hil::hil {

namespace {

std::int64_t seconds_ns(double s) {
  return static_cast<std::int64_t>(s * 1e9);
}

}  // namespace

FaultPlan::FaultPlan(RunContext& ctx)
    : ctx_(ctx), faults_(ctx.scenario.faults.begin(), ctx.scenario.faults.end()) {}

void FaultPlan::receive() {
  if (!ctx_.hooks || !ctx_.hooks->inbox) return;
  for (auto& f : ctx_.hooks->inbox->take()) {
    const auto& spec = faults_.emplace_back(std::move(f));
    ctx_.event(EventType::info, spec.name(), "injected during " + ctx_.step);
    if (spec.def->cls == FaultClass::timed) due_ns_[&spec] = ctx_.now_ns();
  }
}

void FaultPlan::run_started() {
  for (const auto& f : faults_)
    if (f.def->cls == FaultClass::timed && f.at.step.empty())
      due_ns_[&f] = ctx_.now_ns() + seconds_ns(f.at.after_s);
}

void FaultPlan::before_step(std::string_view step) {
  for (const auto& f : faults_)
    if (f.def->cls == FaultClass::timed && f.at.step == step && !f.at.after_step)
      due_ns_[&f] = ctx_.now_ns() + seconds_ns(f.at.after_s);
  tick();
}

void FaultPlan::disarm_step_faults(std::string_view step) {
  for (const auto& id : armed_in_step_) {
    ctx_.engine->disarm_network(id);
    ctx_.event(EventType::fault, id, "disarmed at the end of " + std::string(step));
  }
  armed_in_step_.clear();
}

void FaultPlan::after_step(std::string_view step) {
  disarm_step_faults(step);
  // "when: after" with after_s: that long after the step ended.
  for (const auto& f : faults_)
    if (f.def->cls == FaultClass::timed && f.at.step == step && f.at.after_step)
      due_ns_[&f] = ctx_.now_ns() + seconds_ns(f.at.after_s);
  tick();
}

void FaultPlan::tick() {
  receive();
  const auto now = ctx_.now_ns();
  // In the scenario's order: faults due at one instant fire as listed, not
  // in the order of their addresses (a replay must fire them alike).
  for (const auto& f : faults_)
    if (const auto it = due_ns_.find(&f);
        it != due_ns_.end() && !fired_.contains(&f) && now >= it->second)
      fire(f);
}

std::optional<std::int64_t> FaultPlan::next_due_ns() const {
  std::optional<std::int64_t> next;
  for (const auto& [f, due] : due_ns_)
    if (!fired_.contains(f) && (!next || due < *next)) next = due;
  return next;
}

void FaultPlan::before_install(Member m, UpdateKind kind) {
  receive();
  for (const auto& f : faults_) {
    if (f.def->cls != FaultClass::install || fired_.contains(&f) || f.appliance() != m) continue;
    if (f.update() != kind) continue;
    if (!f.at.step.empty() && f.at.step != ctx_.step) continue;
    fire(f);
  }
}

void FaultPlan::fire(const FaultSpec& f) {
  fired_.insert(&f);
  auto data = f.params.as_text();
  if (const auto m = f.appliance()) data["appliance"] = std::string(letter(*m));
  ctx_.event(EventType::fault, f.name(), "armed", data);
  f.def->fire(ctx_, *this, f);
}

void FaultPlan::arm_network_until_step_end(const std::string& id, const NetworkFault& fault) {
  ctx_.engine->arm_network(id, fault);
  armed_in_step_.push_back(id);
}

}  // namespace failover_hil::hil
