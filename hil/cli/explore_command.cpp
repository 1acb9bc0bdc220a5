// failover-hil explore: seeded deterministic runs with random fault
// schedules, shrinking and replay (docs/explore.md).
#include <chrono>
#include <iomanip>
#include <iostream>

#include "commands.hpp"
#include "failover_hil/hil/explore.hpp"
#include "failover_hil/hil/install_layout.hpp"

namespace failover_hil::cli {

namespace {

struct ExploreArgs {
  std::string scenario = "shared-ip-baseline";
  std::uint64_t seeds = 100, seed = 0;
  std::string seed_range, shard = "1/1", switch_method, out, defect;
  int max_faults = 4;
  int stop_after = 0;
  bool no_shrink = false;
  bool keep_runs = false;
};

/// "X<sep>Y" as two whole numbers; throws std::invalid_argument otherwise.
std::pair<std::uint64_t, std::uint64_t> two_numbers(const std::string& text,
                                                    const std::string& sep) {
  const auto at = text.find(sep);
  if (at == std::string::npos) throw std::invalid_argument("no " + sep);
  const auto rest = text.substr(at + sep.size());
  std::size_t used = 0;
  const auto x = std::stoull(text.substr(0, at), &used);
  if (used != at || at == 0) throw std::invalid_argument("trailing");
  const auto y = std::stoull(rest, &used);
  if (used != rest.size() || rest.empty()) throw std::invalid_argument("trailing");
  return {x, y};
}

/// "A..B" (both included) as [A, B + 1).
std::pair<std::uint64_t, std::uint64_t> parse_range(const std::string& text) {
  try {
    const auto [a, b] = two_numbers(text, "..");
    if (b < a || b == ~std::uint64_t{0}) throw std::invalid_argument("order");
    return {a, b + 1};
  } catch (const std::exception&) {
    throw CLI::ValidationError("--seed-range", "'" + text + "' is not A..B with A <= B");
  }
}

std::pair<int, int> parse_shard(const std::string& text) {
  try {
    const auto [i, n] = two_numbers(text, "/");
    if (n < 1 || n > 100000 || i < 1 || i > n) throw std::invalid_argument("range");
    return {static_cast<int>(i), static_cast<int>(n)};
  } catch (const std::exception&) {
    throw CLI::ValidationError("--shard", "'" + text + "' is not I/N with 1 <= I <= N");
  }
}

}  // namespace

Action add_explore(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "explore",
      "Run many seeded, deterministic in-process runs with random fault schedules; shrink and "
      "save each failing one (docs/explore.md)");
  auto a = std::make_shared<ExploreArgs>();
  cmd->add_option("--scenario", a->scenario,
                  "The base procedure: a scenario file or a shipped scenario's name (its steps, "
                  "switch method and lab; its faults and expectation are replaced)")
      ->capture_default_str();
  auto* seeds = cmd->add_option("--seeds", a->seeds, "Run seeds 1..N")->capture_default_str();
  auto* seed = cmd->add_option("--seed", a->seed, "Run (replay) this one seed");
  auto* range = cmd->add_option("--seed-range", a->seed_range, "Run seeds A..B (both included)");
  seeds->excludes(seed)->excludes(range);
  seed->excludes(range);
  cmd->add_option("--shard", a->shard,
                  "Run the I-th of N round-robin shares of the seeds (as ci/regress --shard)")
      ->capture_default_str();
  cmd->add_option("--switch", a->switch_method, "Make B primary by this method instead")
      ->check(CLI::IsMember({"shared_ip", "dns", "nat"}));
  cmd->add_option("--max-faults", a->max_faults, "At most this many faults a schedule")
      ->check(CLI::Range(0, 16))
      ->capture_default_str();
  cmd->add_option("--out", a->out,
                  "Where failing seeds, shrunk scenarios and the summary go (default "
                  "runs/explore-<scenario>)");
  cmd->add_flag("--no-shrink", a->no_shrink, "Save failing seeds without shrinking them");
  cmd->add_flag("--keep-runs", a->keep_runs,
                "Keep every run's directory (OUT/scratch/seed-S/run), passing or failing");
  cmd->add_option("--stop-after", a->stop_after, "Stop after this many failing seeds (0: never)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  // Test-only: plants a defect on purpose (docs/explore.md, "Planted defects").
  cmd->add_option("--plant-defect", a->defect)->group("");
  return [cmd, a]() -> int {
    if (!*cmd) return -1;
    hil::CampaignOptions o;
    o.explore.scenario = hil::find_scenario(a->scenario);
    if (!a->switch_method.empty())
      o.explore.switch_method = hil::parse_switch_method(a->switch_method);
    o.explore.max_faults = a->max_faults;
    if (!a->defect.empty()) {
      try {
        o.explore.defect = hil::parse_planted_defect(a->defect);
      } catch (const std::invalid_argument& e) {
        std::cerr << "failover-hil explore: --plant-defect: " << e.what() << "\n";
        return 2;
      }
    }
    try {
      if (cmd->count("--seed") > 0) {
        o.first_seed = a->seed;
        o.end_seed = a->seed + 1;
      } else if (!a->seed_range.empty()) {
        std::tie(o.first_seed, o.end_seed) = parse_range(a->seed_range);
      } else {
        o.first_seed = 1;
        o.end_seed = 1 + a->seeds;
      }
      std::tie(o.shard, o.shards) = parse_shard(a->shard);
    } catch (const CLI::ValidationError& e) {
      std::cerr << "failover-hil explore: " << e.what() << "\n";
      return 2;
    }
    const auto base = hil::load_scenario(o.explore.scenario);
    o.out = a->out.empty() ? std::filesystem::path("runs") / ("explore-" + base.name)
                           : std::filesystem::path(a->out);
    o.shrink = !a->no_shrink;
    o.explore.keep_runs = a->keep_runs;
    o.stop_after = a->stop_after;
    o.on_seed = [](const hil::SeedResult& r) {
      if (!r.failed) return;
      std::cout << "seed " << r.seed << ": FAILED (" << r.outcome << ")\n";
      for (const auto& f : r.failures) std::cout << "    " << f << "\n";
      for (const auto& f : r.schedule) std::cout << "    fault: " << hil::describe(f) << "\n";
    };
    // Wall time for the figures printed here only; nothing written holds it.
    const auto t0 = std::chrono::steady_clock::now();
    const auto result = hil::run_campaign(o);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (std::size_t i = 0; i < result.shrunk.size(); ++i) {
      const auto& s = result.shrunk[i];
      const auto seed_dir = o.out / "failing" / ("seed-" + std::to_string(s.run.seed));
      std::cout << "seed " << s.run.seed << ": shrunk to " << s.schedule.size() << " fault(s) in "
                << s.runs << " runs: " << (seed_dir / "shrunk.yaml").string() << "\n";
      for (const auto& f : s.schedule) std::cout << "    fault: " << hil::describe(f) << "\n";
      std::cout << "    replay: failover-hil run --engine inprocess --seed " << s.run.seed << " "
                << (seed_dir / "shrunk.yaml").string() << "\n";
    }
    std::cout << std::fixed << std::setprecision(1) << result.seeds.size() << " seed(s), "
              << result.failing.size() << " failed; " << wall << " s wall";
    if (wall > 0 && !result.seeds.empty())
      std::cout << ", " << static_cast<double>(result.seeds.size()) / wall << " runs/s (shrinking "
                << "included), simulated time " << std::setprecision(0) << result.model_s / wall
                << "x wall (appliances), " << result.harness_s / wall << "x (network)";
    std::cout << "\nsimulated time: " << std::setprecision(1) << result.model_s
              << " s (appliances), " << result.harness_s
              << " s (network)\nsummary: " << (o.out / "summary.json").string() << std::endl;
    return result.failing.empty() ? 0 : 1;
  };
}

}  // namespace failover_hil::cli
