// One explore run: a schedule as a scenario, the in-process engine, and the
// verdict (the run's own checks plus explore's invariants).
#include <algorithm>

#include "explore_base.hpp"
#include "failover_hil/core/text_file.hpp"
#include "failover_hil/hil/explore.hpp"
#include "failover_hil/hil/runner.hpp"

namespace fs = std::filesystem;

namespace failover_hil::hil {

namespace {

// Outages are what most faults are for: a refusing site, a partition. The
// lab's budgets judge them; explore judges safety (docs/explore.md).
const std::set<std::string> kNotJudged{"no_unexpected_outage"};

void judge(const RunRecord& r, SeedResult& out) {
  auto fail = [&](const std::string& sig, const std::string& what) {
    out.failed = true;
    out.failures.push_back(what);
    if (std::find(out.signature.begin(), out.signature.end(), sig) == out.signature.end())
      out.signature.push_back(sig);
  };
  out.outcome = r.outcome;
  out.reason = r.reason;
  if (r.outcome != "completed" && r.outcome != "aborted_safely")
    fail("outcome", "outcome " + r.outcome + ": " + r.reason);
  for (const auto& c : r.checks)
    if (!c.pass && !kNotJudged.contains(c.name)) fail(c.name, "check " + c.name + ": " + c.detail);
  // R07: an appliance restarted after a failed Base update is lost.
  std::set<std::string> lost;
  for (const auto& s : r.samples)
    if (s.state == "unrecoverable") lost.insert(s.appliance);
  for (const auto& a : lost)
    fail("unrecoverable", "invariant R07: " + a +
                              " is unrecoverable (restarted after a failed "
                              "Base update)");
}

}  // namespace

std::string explore_run_name(const Scenario& base, std::uint64_t seed) {
  auto n = "explore-" + base.name.substr(0, 40) + "-" + std::to_string(seed);
  return n.substr(0, 64);
}

SeedResult run_schedule(const ExploreOptions& o, std::uint64_t seed, const Schedule& schedule) {
  SeedResult out;
  out.seed = seed;
  out.schedule = schedule;
  const auto& base = explore_base(o.scenario).scenario;
  const auto dir = o.scratch / ("seed-" + std::to_string(seed));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto file = dir / "scenario.yaml";
  write_text(file, scenario_yaml(o.scenario, explore_run_name(base, seed),
                                 "explore seed " + std::to_string(seed), schedule, {}, dir,
                                 o.switch_method));
  RunOptions r;
  r.scenario = file;
  r.out = dir / "run";
  r.engine = EngineKind::inprocess;
  r.seed = seed;
  r.defect = o.defect;
  r.write_reports = false;
  try {
    const auto record = run_scenario(r);
    judge(record, out);
    out.harness_s = static_cast<double>(record.finished_ns - record.started_ns) / 1e9;
    out.model_s = out.harness_s * base.time_scale;
  } catch (const std::exception& e) {
    out.failed = true;
    out.outcome = "error";
    out.reason = e.what();
    out.failures.push_back(std::string("harness error: ") + e.what());
    out.signature.push_back("error");
  }
  if (fs::exists(r.out / "timeline.jsonl")) out.timeline = read_text(r.out / "timeline.jsonl");
  if (!o.keep_runs) fs::remove_all(dir);
  return out;
}

SeedResult explore_seed(const ExploreOptions& o, std::uint64_t seed) {
  auto base = explore_base(o.scenario).scenario;
  if (o.switch_method) base.switch_method = *o.switch_method;
  return run_schedule(o, seed, draw_schedule(base, seed, o.max_faults));
}

Expectation expectation_for(const SeedResult& failing) {
  const auto& sig = failing.signature;
  const bool excused_by_abort = std::find(sig.begin(), sig.end(), "no_ip_conflict") != sig.end() ||
                                std::find(sig.begin(), sig.end(), "outcome") != sig.end() ||
                                std::find(sig.begin(), sig.end(), "error") != sig.end();
  if (excused_by_abort || failing.outcome == "completed") return {"completed", ""};
  // A stable part of the reason: what a person would search for.
  const auto& why = failing.reason;
  std::string reason;
  if (why.find("contact support") != std::string::npos)
    reason = "contact support";
  else if (why.size() >= 3 && why[0] == 'R' && std::isdigit(static_cast<unsigned char>(why[1])) &&
           std::isdigit(static_cast<unsigned char>(why[2])))
    reason = why.substr(0, 3);
  else
    reason = why.substr(0, std::min<std::size_t>(why.find(':'), 40));
  return {"aborted_safely", reason};
}

}  // namespace failover_hil::hil
