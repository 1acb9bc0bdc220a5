// Explore's throughput (issue 14): full-procedure runs per second on one
// core, each seed with its random fault schedule, judged; and simulated time
// per wall second. bench/run-explore-bench prints the figures.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "failover_hil/hil/explore.hpp"

namespace fs = std::filesystem;

namespace {

void explore_seeds(benchmark::State& state, const char* scenario) {
  failover_hil::hil::ExploreOptions o;
  o.scenario = fs::path(FHIL_SOURCE_DIR) / "scenarios" / scenario;
  o.scratch = fs::temp_directory_path() / ("fhil-explore-bench-" + std::to_string(::getpid()));
  std::uint64_t seed = 1;
  double model_s = 0, harness_s = 0;
  for (auto _ : state) {
    const auto r = failover_hil::hil::explore_seed(o, seed++);
    model_s += r.model_s;
    harness_s += r.harness_s;
    benchmark::DoNotOptimize(r.failed);
  }
  fs::remove_all(o.scratch);
  using benchmark::Counter;
  state.counters["runs_per_s"] = Counter(static_cast<double>(state.iterations()), Counter::kIsRate);
  // The appliances' clock (installs, syncs) and the network's (the lab's wall time).
  state.counters["model_x"] = Counter(model_s, Counter::kIsRate);
  state.counters["network_x"] = Counter(harness_s, Counter::kIsRate);
}

void BM_ExploreSharedIp(benchmark::State& s) {
  explore_seeds(s, "shared-ip-baseline.yaml");
}
void BM_ExploreDnsSwing(benchmark::State& s) {
  explore_seeds(s, "dns-swing-baseline.yaml");
}
void BM_ExploreNatSwing(benchmark::State& s) {
  explore_seeds(s, "nat-swing-baseline.yaml");
}

}  // namespace

BENCHMARK(BM_ExploreSharedIp)->Unit(benchmark::kMillisecond)->MinTime(3);
BENCHMARK(BM_ExploreDnsSwing)->Unit(benchmark::kMillisecond)->MinTime(3);
BENCHMARK(BM_ExploreNatSwing)->Unit(benchmark::kMillisecond)->MinTime(3);
BENCHMARK_MAIN();
