// Explore's fault schedules: which faults of the registry it draws, within
// which bounds, and one seed's draw.
#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>

#include "failover_hil/hil/explore.hpp"
#include "split_mix.hpp"

namespace failover_hil::hil {

namespace {

// Harness seconds: at the default time scale (3000) a step takes tenths of
// a second to a few seconds, so a fault falls inside the step it names.
constexpr double kExploreMaxAfterS = 2.0;

std::string explore_number(double v) {
  std::ostringstream o;
  o.precision(12);
  o << v;
  return o.str();
}

const ExploreBound* explore_bound_of(std::string_view fault, std::string_view param) {
  for (const auto& b : explore_bounds())
    if (b.fault == fault && b.param == param) return &b;
  return nullptr;
}

/// A number parameter's interval: explore's bound, else the registry's
/// range where finite, else a hundred times its lower end.
std::pair<double, double> explore_interval(const FaultDef& def, const ParamDef& p) {
  if (const auto* b = explore_bound_of(def.name, p.key)) return {b->lo, b->hi};
  double lo = std::isfinite(p.range.lo) ? p.range.lo : 0;
  if (p.range.lo_exclusive) lo += p.kind == ParamKind::integer ? 1 : 0.001;
  double hi = std::isfinite(p.range.hi) ? p.range.hi : std::max(100.0, lo * 100);
  return {lo, hi};
}

}  // namespace

const std::vector<ExploreBound>& explore_bounds() {
  static const std::vector<ExploreBound> bounds{
      // A sync of 5 s slowed up to 2000 times: up to ~3 h, a few harness seconds.
      {"sync_slow", "factor", 1, 2000},
      // Outages up to 5 s of harness time: within every step's patience.
      {"site_refuses", "duration_ms", 1, 5000},
      {"harness_stops", "", 0, 0,
       "it interrupts the run for --resume, which the in-process engine does not do"},
      // Forcing the conflict is the harness's own detection test
      // (scenarios/operator-shared-ip-forced.yaml), not a defect to search for.
      {"operator_enables_shared_ip_early", "force", 0, 0},
  };
  return bounds;
}

namespace {

bool updated_manually(const Scenario& base, Member m) {
  const std::string_view step = m == Member::B ? "update_backup" : "update_primary";
  return std::any_of(base.steps.begin(), base.steps.end(), [&](const StepSpec& s) {
    return s.name() == step && s.params.has("method") && s.params.text("method") == "manual";
  });
}

Member the_other(Member m) {
  return m == Member::A ? Member::B : Member::A;
}

}  // namespace

std::vector<const FaultDef*> explorable_faults(SwitchMethod method) {
  std::vector<const FaultDef*> out;
  for (const auto* d : fault_registry()) {
    if (!d->inprocess_refusal.empty()) continue;
    if (d->only_switch && *d->only_switch != method) continue;
    if (const auto* b = explore_bound_of(d->name, ""); b && !b->excluded.empty()) continue;
    bool drawable = true;
    for (const auto& p : d->params)
      drawable = drawable && (p.kind != ParamKind::choice || !p.choices.empty());
    if (drawable) out.push_back(d);
  }
  return out;
}

Schedule draw_schedule(const Scenario& base, std::uint64_t seed, int max_faults) {
  SplitMix64 rng(seed, "schedule");
  const auto faults = explorable_faults(base.switch_method);
  Schedule out;
  if (faults.empty() || base.steps.empty()) return out;
  const auto n = static_cast<int>(rng.below(static_cast<std::uint64_t>(max_faults) + 1));
  const auto& clients = base.probes.clients;
  auto step_name = [&] { return std::string(base.steps[rng.below(base.steps.size())].name()); };
  for (int i = 0; i < n; ++i) {
    const auto& def = *faults[rng.below(faults.size())];
    DrawnFault f;
    f.fault = std::string(def.name);
    if (def.takes_appliance) f.appliance = rng.below(2) == 0 ? Member::A : Member::B;
    if (def.name == "tampered_update_file") {
      // It hits a manual update's file: the appliance the scenario updates
      // by the manual method (a harness error under the automatic one).
      if (!updated_manually(base, *f.appliance)) f.appliance = the_other(*f.appliance);
      if (!updated_manually(base, *f.appliance)) continue;
    }
    switch (def.cls) {
      case FaultClass::install:  // at the appliance's next install of its kind
        if (def.takes_progress) f.at.progress = rng.quantized(0, 1, 100);
        break;
      case FaultClass::mistake:  // acted out by the step it names
        f.at.step = step_name();
        break;
      case FaultClass::timed:
        if (rng.below(base.steps.size() + 1) == 0) {
          f.at.after_s = rng.quantized(0, kExploreMaxAfterS * 4, 1000);  // from the run's start
        } else {
          f.at.step = step_name();
          f.at.after_step = rng.below(2) == 1;
          if (rng.below(2) == 1) f.at.after_s = rng.quantized(0, kExploreMaxAfterS, 1000);
        }
        break;
    }
    for (const auto& p : def.params) {
      const auto* b = explore_bound_of(def.name, p.key);
      switch (p.kind) {
        case ParamKind::choice:
          f.params.set(std::string(p.key), std::string(p.choices[rng.below(p.choices.size())]));
          break;
        case ParamKind::boolean:
          // A bound of [0, 0] pins it to false.
          f.params.set(std::string(p.key), b && b->hi == 0 ? false : rng.below(2) == 1);
          break;
        case ParamKind::integer: {
          const auto [lo, hi] = explore_interval(def, p);
          f.params.set(std::string(p.key), rng.whole(std::ceil(lo), std::floor(hi)));
          break;
        }
        case ParamKind::number: {
          const auto [lo, hi] = explore_interval(def, p);
          f.params.set(std::string(p.key), rng.quantized(lo, hi, 1000));
          break;
        }
        case ParamKind::host:
          f.params.set(std::string(p.key), clients[rng.below(clients.size())]);
          break;
        case ParamKind::host_pair:
          // The in-process engine partitions a client from an appliance.
          f.params.set(std::string(p.key),
                       std::vector<std::string>{clients[rng.below(clients.size())],
                                                rng.below(2) == 0 ? "appA" : "appB"});
          break;
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::string describe(const DrawnFault& f) {
  std::string s = f.fault;
  if (f.appliance) s += " " + std::string(name(*f.appliance));
  for (const auto& [k, v] : f.params.as_text()) s += " " + k + "=" + v;
  std::string at;
  if (!f.at.step.empty()) at = (f.at.after_step ? "after " : "before ") + f.at.step;
  if (f.at.after_s > 0) at += (at.empty() ? "" : " ") + ("+" + explore_number(f.at.after_s) + "s");
  if (f.at.progress) at += (at.empty() ? "" : " ") + ("at " + explore_number(*f.at.progress));
  return s + (at.empty() ? "" : " (" + at + ")");
}

}  // namespace failover_hil::hil
