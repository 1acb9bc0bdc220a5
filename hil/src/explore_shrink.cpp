// Shrinking a failing schedule: fewer faults (delta debugging, Zeller and
// Hildebrandt 2002), then each fault earlier and simpler, keeping a failure
// that shares the original's signature, so a shrunk schedule is the same
// bug and not another one met on the way.
#include <algorithm>
#include <cmath>
#include <set>

#include "explore_base.hpp"
#include "failover_hil/hil/explore.hpp"

namespace failover_hil::hil {

namespace {

class Shrinker {
 public:
  Shrinker(const ExploreOptions& o, const SeedResult& failing, int max_runs)
      : o_(o),
        seed_(failing.seed),
        signature_(failing.signature.begin(), failing.signature.end()),
        max_runs_(max_runs),
        best_{failing.schedule, failing, 0},
        steps_(explore_base(o.scenario).scenario.steps) {}

  ShrinkResult run() {
    if (!best_.schedule.empty()) attempt({});  // a defect that needs no fault at all
    fewer_faults();
    for (int round = 0; round < 3; ++round) {
      const auto before = best_.schedule;
      for (std::size_t i = 0; i < best_.schedule.size(); ++i) simpler(i);
      if (best_.schedule == before) break;
    }
    return best_;
  }

 private:
  /// Runs `candidate`; keeps it when it fails the same way.
  bool attempt(const Schedule& candidate) {
    if (best_.runs >= max_runs_) return false;
    ++best_.runs;
    auto r = run_schedule(o_, seed_, candidate);
    const bool same =
        r.failed && std::any_of(r.signature.begin(), r.signature.end(),
                                [&](const auto& s) { return signature_.contains(s); });
    if (!same) return false;
    best_.schedule = candidate;
    best_.run = std::move(r);
    return true;
  }

  /// ddmin over the faults: drop chunks, halving them until single faults.
  void fewer_faults() {
    std::size_t parts = 2;
    while (best_.schedule.size() >= 2) {
      const auto& s = best_.schedule;
      const std::size_t chunk = (s.size() + parts - 1) / parts;
      bool dropped = false;
      for (std::size_t start = 0; start < s.size() && !dropped; start += chunk) {
        Schedule without(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(start));
        without.insert(without.end(),
                       s.begin() + static_cast<std::ptrdiff_t>(std::min(s.size(), start + chunk)),
                       s.end());
        dropped = attempt(without);
      }
      if (dropped) {
        parts = std::max<std::size_t>(parts - 1, 2);
      } else {
        if (parts >= s.size()) break;
        parts = std::min(s.size(), parts * 2);
      }
    }
  }

  bool with(std::size_t i, const DrawnFault& f) {
    auto candidate = best_.schedule;
    candidate[i] = f;
    return candidate != best_.schedule && attempt(candidate);
  }

  /// Earlier triggers, then simpler parameters, one change at a time.
  void simpler(std::size_t i) {
    auto f = [&] { return best_.schedule[i]; };
    // Earlier: no delay, before the step instead of after, an earlier step.
    if (f().at.after_s > 0) {
      auto g = f();
      g.at.after_s = 0;
      with(i, g);
    }
    if (f().at.after_step) {
      auto g = f();
      g.at.after_step = false;
      with(i, g);
    }
    if (!f().at.step.empty())
      for (const auto& st : steps_) {
        if (st.name() == f().at.step) break;
        auto g = f();
        g.at.step = std::string(st.name());
        if (with(i, g)) break;
      }
    if (f().at.progress && *f().at.progress != 0.5) {
      auto g = f();
      g.at.progress = 0.5;  // the registry's default: the simplest to read
      with(i, g);
    }
    // Simpler parameters: the smallest number that still fails (bisection
    // from the bound's low end), the first choice, false.
    const auto* def = find_fault(f().fault);
    if (!def) return;
    for (const auto& p : def->params) {
      const std::string key(p.key);
      if (!f().params.has(key)) continue;
      const auto value = f().params.all().find(key)->second;
      if (const auto* d = std::get_if<double>(&value)) {
        smallest_number(i, key, p, *d);
      } else if (const auto* c = std::get_if<std::string>(&value);
                 c && p.kind == ParamKind::choice && !p.choices.empty() && *c != p.choices[0]) {
        auto g = f();
        g.params.set(key, std::string(p.choices[0]));
        with(i, g);
      } else if (const auto* b = std::get_if<bool>(&value); b && *b) {
        auto g = f();
        g.params.set(key, false);
        with(i, g);
      }
    }
  }

  void smallest_number(std::size_t i, const std::string& key, const ParamDef& p, double failing) {
    double lo = std::isfinite(p.range.lo) ? p.range.lo : 0;
    for (const auto& b : explore_bounds())
      if (b.fault == best_.schedule[i].fault && b.param == key) lo = b.lo;
    if (p.range.lo_exclusive || lo <= 0)
      lo = std::max(lo, p.kind == ParamKind::integer ? 1.0 : 0.001);
    const double step = p.kind == ParamKind::integer ? 1 : 0.001;
    auto set = [&](double v) {
      auto g = best_.schedule[i];
      g.params.set(key, v);
      return with(i, g);
    };
    if (failing <= lo || set(lo)) return;
    double ok = lo;  // passes (or fails otherwise); `failing` fails
    for (int k = 0; k < 8 && failing - ok > step; ++k) {
      double mid = std::round((ok + failing) / 2 / step) * step;
      if (mid <= ok || mid >= failing) break;
      if (set(mid))
        failing = mid;
      else
        ok = mid;
    }
  }

  const ExploreOptions& o_;
  std::uint64_t seed_;
  std::set<std::string> signature_;
  int max_runs_;
  ShrinkResult best_;
  std::vector<StepSpec> steps_;
};

}  // namespace

ShrinkResult shrink(const ExploreOptions& options, const SeedResult& failing, int max_runs) {
  return Shrinker(options, failing, max_runs).run();
}

}  // namespace failover_hil::hil
