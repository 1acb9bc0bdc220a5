// The fault catalogue's scenarios (scenarios/faults/) on the lab engine, as
// a user runs them: each ends as its file expects (issue 13: every fault
// demonstrated on the lab).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "failover_hil/core/text_file.hpp"
#include "shell.hpp"

namespace failover_hil::testing {
namespace {

namespace fs = std::filesystem;

class FaultScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(FaultScenario, EndsAsItExpectsOnTheLab) {
  if (::geteuid() != 0) GTEST_SKIP() << "lab runs build network namespaces: run as root";
  char tmpl[] = "/tmp/fhil-fault-XXXXXX";
  const fs::path dir = ::mkdtemp(tmpl);
  const auto file = fs::path(FHIL_SOURCE_DIR) / "scenarios/faults" / (GetParam() + ".yaml");
  const auto state = " --lab-state-dir " + (dir / "state").string();
  auto [rc, out] = shell(std::string(FAILOVER_HIL_PATH) + " run " + file.string() + state +
                         " --out " + (dir / "run").string());
  if (rc == 3 && read_text(file).find("fault: harness_stops") != std::string::npos) {
    // The harness was stopped on purpose (exit 3): resumed, it must end as
    // the scenario expects.
    EXPECT_NE(out.find("--resume"), std::string::npos) << out;
    std::tie(rc, out) =
        shell(std::string(FAILOVER_HIL_PATH) + " run --resume " + (dir / "run").string() + state);
  }
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("(as expected)"), std::string::npos) << out;
  if (!HasFailure()) fs::remove_all(dir);
}

std::vector<std::string> fault_scenarios() {
  std::vector<std::string> names;
  for (const auto& f : fs::directory_iterator(fs::path(FHIL_SOURCE_DIR) / "scenarios/faults"))
    if (f.path().extension() == ".yaml") names.push_back(f.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(Catalogue, FaultScenario, ::testing::ValuesIn(fault_scenarios()),
                         [](const auto& p) {
                           auto n = p.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace failover_hil::testing
