// The in-process engine: one scenario through the whole procedure, checks
// and reports, in virtual time (issue 10's target: the shared-IP baseline
// under 50 ms of wall time). bench/run-engine-bench also times the lab.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "failover_hil/hil/runner.hpp"

namespace fs = std::filesystem;

namespace {

void run_inprocess(benchmark::State& state, const char* scenario) {
  const auto root = fs::temp_directory_path() / ("fhil-engine-bench-" + std::to_string(::getpid()));
  int n = 0;
  for (auto _ : state) {
    failover_hil::hil::RunOptions o;
    o.scenario = fs::path(FHIL_SOURCE_DIR) / "scenarios" / scenario;
    o.out = root / std::to_string(n++);
    o.engine = failover_hil::hil::EngineKind::inprocess;
    const auto r = failover_hil::hil::run_scenario(o);
    if (!r.as_expected) state.SkipWithError(("not as expected: " + r.reason).c_str());
    state.PauseTiming();
    fs::remove_all(o.out);
    state.ResumeTiming();
  }
  fs::remove_all(root);
}

void BM_InProcessSharedIpBaseline(benchmark::State& s) {
  run_inprocess(s, "shared-ip-baseline.yaml");
}
void BM_InProcessDnsSwingBaseline(benchmark::State& s) {
  run_inprocess(s, "dns-swing-baseline.yaml");
}
void BM_InProcessNatSwingBaseline(benchmark::State& s) {
  run_inprocess(s, "nat-swing-baseline.yaml");
}

}  // namespace

BENCHMARK(BM_InProcessSharedIpBaseline)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_InProcessDnsSwingBaseline)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_InProcessNatSwingBaseline)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
