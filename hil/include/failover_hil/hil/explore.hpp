#pragma once

// Explore: many seeded, fully deterministic runs of the procedure on the
// in-process engine, each with a fault schedule drawn from the fault
// registry within per-fault bounds; each run judged by the run's own checks
// and explore's invariants; a failing schedule shrunk to a small one and
// written as a scenario file any engine runs (docs/explore.md).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "failover_hil/hil/faults.hpp"
#include "failover_hil/hil/planted_defect.hpp"
#include "failover_hil/hil/scenario.hpp"

namespace failover_hil::hil {

/// One fault of a schedule, as data (it becomes a `faults` item of YAML).
struct DrawnFault {
  std::string fault;                ///< the registry's name
  std::optional<Member> appliance;  ///< faults that take one
  FaultTrigger at;
  ParamValues params;  ///< every parameter the fault takes, drawn
  bool operator==(const DrawnFault&) const = default;
};
using Schedule = std::vector<DrawnFault>;

/// How explore draws a fault: which faults, and each number's interval.
struct ExploreBound {
  std::string_view fault;
  std::string_view param;  ///< a parameter's key, or "" for the fault as a whole
  double lo = 0, hi = 0;   ///< for `param`; ignored for the fault as a whole
  /// Non-empty: the fault is never drawn, for this reason.
  std::string_view excluded{};
};
/// The per-fault bounds (docs/explore.md lists them). A fault the table
/// does not name is drawn from its registry entry's own ranges.
const std::vector<ExploreBound>& explore_bounds();
/// The registry's faults explore draws from for a run switching by
/// `method`, in registry order.
std::vector<const FaultDef*> explorable_faults(SwitchMethod method);

/// Draws seed `seed`'s schedule for `base` (its steps, clients and appliances):
/// 0 to `max_faults` faults. The same seed, the same schedule.
Schedule draw_schedule(const Scenario& base, std::uint64_t seed, int max_faults);

/// A one-line description of a fault ("sync_slow factor=812 at sync+0.25s").
std::string describe(const DrawnFault& f);

/// The base scenario file with `faults` and `expect` replaced: YAML that
/// `failover-hil validate` accepts and any engine runs. `lab_dir` is the
/// folder the file will be written in (its `lab:` is made relative to it);
/// `switch_method` replaces the base's `switch`.
std::string scenario_yaml(const std::filesystem::path& base_file, const std::string& name,
                          const std::string& description, const Schedule& schedule,
                          const Expectation& expect, const std::filesystem::path& lab_dir,
                          std::optional<SwitchMethod> switch_method = {});
/// The scenario name explore gives seed `seed`'s runs of `base`.
std::string explore_run_name(const Scenario& base, std::uint64_t seed);

struct ExploreOptions {
  std::filesystem::path scenario;  ///< the base procedure (its steps, switch, lab)
  std::optional<SwitchMethod> switch_method;
  int max_faults = 4;
  PlantedDefect defect = PlantedDefect::none;  ///< test-only
  /// Where each run's directory goes while it runs (removed after).
  std::filesystem::path scratch;
  /// Keep the run directory of each run (for replay and inspection) under scratch.
  bool keep_runs = false;
};

/// One seed's run and verdict.
struct SeedResult {
  std::uint64_t seed = 0;
  Schedule schedule;
  bool failed = false;
  /// What failed: "check <name>: <detail>", "outcome <outcome>: <reason>", "invariant ...".
  std::vector<std::string> failures;
  /// The names of what failed (check names, "outcome", "unrecoverable"): the
  /// failure's signature, which shrinking keeps.
  std::vector<std::string> signature;
  std::string outcome, reason;
  std::string timeline;  ///< the run's event log (timeline.jsonl), byte for byte
  double harness_s = 0;  ///< virtual time of the run, as a lab run would take it
  double model_s = 0;    ///< the appliances' simulated time (harness_s * time_scale)
};

/// Runs seed `seed`: draws its schedule and runs it.
SeedResult explore_seed(const ExploreOptions& options, std::uint64_t seed);
/// Runs `schedule` with the run seed `seed` (keys, nonces, ARP timers).
SeedResult run_schedule(const ExploreOptions& options, std::uint64_t seed,
                        const Schedule& schedule);

struct ShrinkResult {
  Schedule schedule;  ///< the smallest failing schedule found
  SeedResult run;     ///< its failing run
  int runs = 0;       ///< runs shrinking took
};
/// Reduces a failing schedule (fewer faults by delta debugging, then
/// earlier triggers and simpler parameters), keeping a failure that shares
/// the original's signature, within `max_runs` runs.
ShrinkResult shrink(const ExploreOptions& options, const SeedResult& failing, int max_runs = 300);

/// The expectation a shrunk scenario is written with: the outcome its
/// failing run ended with (completed or aborted_safely, with a stable part
/// of the reason), or `completed` when what failed is a symptom an expected
/// abort would excuse (an IP conflict), or the run did not end safely.
Expectation expectation_for(const SeedResult& failing);

/// A campaign: a range of seeds (one shard of it), each run and judged;
/// failing seeds shrunk and saved.
struct CampaignOptions {
  ExploreOptions explore;
  std::uint64_t first_seed = 1;  ///< the seeds first_seed .. end_seed - 1
  std::uint64_t end_seed = 101;
  /// This process runs the seeds whose index in the range is shard - 1
  /// modulo shards (round robin, as ci/regress shares its suite).
  int shard = 1, shards = 1;
  /// Where failing seeds, shrunk scenarios and the summary go; empty: nowhere.
  std::filesystem::path out;
  bool shrink = true;
  int shrink_runs = 300;
  /// Stop after this many failing seeds (0: run every seed).
  int stop_after = 0;
  std::function<void(const SeedResult&)> on_seed;  ///< after each seed (progress)
};

struct CampaignResult {
  std::vector<std::uint64_t> seeds;  ///< the seeds this shard ran, in order
  std::vector<SeedResult> failing;
  std::vector<ShrinkResult> shrunk;   ///< one per failing seed when shrinking
  double harness_s = 0, model_s = 0;  ///< virtual time over every run (shrinking excluded)
};

/// Runs the campaign. With `out`, writes (docs/explore.md): seeds.jsonl (one
/// line a seed), summary.json, and per failing seed failing/seed-S/ with its
/// scenario.yaml, timeline.jsonl, failures.txt and the shrunk scenario
/// (shrunk.yaml, shrunk-timeline.jsonl). Deterministic: no wall time in it.
CampaignResult run_campaign(const CampaignOptions& options);

}  // namespace failover_hil::hil
