// A rehearsal (docs/rehearsal.md), run as QA would from a shell:
// `failover-hil lab rehearse` starts two simulators in a lab, outside any
// run, as a pair in production; `failover-hil run --inventory` from the
// lab's client1 reaches them as physical appliances (simulator: false), so
// every step without a product API is an operator prompt, answered by the
// scripted operator of an answers file, and verified through the API.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "failover_hil/hil/child_process.hpp"
#include "failover_hil/hil/runner.hpp"
#include "shell.hpp"

namespace failover_hil::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class Rehearsal : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0)
      GTEST_SKIP() << "a rehearsal builds a lab of network namespaces: run the suite as root";
    char tmpl[] = "/tmp/fhil-rehearsal-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    holder_ = hil::ChildProcess::spawn(
        {FAILOVER_HIL_PATH, "lab", "--state-dir", (dir_ / "state").string(), "rehearse", scenario_,
         "--dir", (dir_ / "reh").string()},
        dir_ / "rehearse.log");
    ASSERT_TRUE(hil::wait_until([&] { return fs::exists(dir_ / "reh" / "ready"); }, 120s)) << log();
  }
  void TearDown() override {
    if (dir_.empty()) return;
    holder_.terminate(20s);
    EXPECT_EQ(shell("ip netns list").second.find("fhil0-"), std::string::npos)
        << "the rehearsal left namespaces behind";
    if (!HasFailure()) fs::remove_all(dir_);
  }
  std::string log() const {
    std::ifstream in(dir_ / "rehearse.log");
    return {std::istreambuf_iterator<char>(in), {}};
  }
  /// `failover-hil run` from client1, as the rehearsal's message says.
  std::pair<int, std::string> run(const std::string& method, const fs::path& answers,
                                  const std::string& scenario = {}) {
    return shell(std::string(FAILOVER_HIL_PATH) + " lab --state-dir " + (dir_ / "state").string() +
                 " exec client1 -- " + FAILOVER_HIL_PATH + " run " +
                 (scenario.empty() ? scenario_ : scenario) + " --inventory " +
                 (dir_ / "reh" / ("inventory-" + method + ".yaml")).string() + " --operator " +
                 answers.string() + " --out " + (dir_ / "run").string());
  }

  std::string scenario_ = FHIL_SOURCE_DIR "/scenarios/shared-ip-baseline.yaml";
  fs::path dir_;
  hil::ChildProcess holder_;
};

class RehearsalBySwitch : public Rehearsal, public ::testing::WithParamInterface<std::string> {};

TEST_P(RehearsalBySwitch, EveryPromptAnsweredByTheScriptedOperatorCompletes) {
  const auto [rc, out] = run(GetParam(), dir_ / "reh" / "answers.yaml");
  EXPECT_EQ(rc, 0) << out;
  const auto r = hil::evaluate_run(dir_ / "run");
  EXPECT_EQ(r.outcome, "completed") << r.reason << "\n" << out;
  EXPECT_EQ(r.switch_method, GetParam()) << "the inventory's method, not the scenario's";
  EXPECT_EQ(r.target.rfind("inventory ", 0), 0u) << r.target;
  // Each step without a product API was asked, by its action, and done.
  for (const auto* action :
       {"(sync_now)", "(break_relationship)", "(update)", "(establish)", "(verify_clients)"})
    EXPECT_NE(out.find(action), std::string::npos) << "never asked: " << action << "\n" << out;
  EXPECT_NE(out.find("scripted operator: do"), std::string::npos) << out;
  // The simulators named no appliance (as the product does not): who
  // answered came from this host's kernel, not from X-Served-By.
  std::ifstream flow(dir_ / "run" / "probes" / "local-https.csv");
  const std::string probes{std::istreambuf_iterator<char>(flow), {}};
  EXPECT_FALSE(probes.empty());
  EXPECT_EQ(probes.find("appA"), std::string::npos) << "an answer carried X-Served-By";
  EXPECT_EQ(probes.find("appB"), std::string::npos) << "an answer carried X-Served-By";
  // The switch was measured on the harness host's own capture.
  bool measured = false;
  for (const auto& m : r.measurements) measured |= m.name == "switch_downtime_ms.local";
  EXPECT_TRUE(measured);
}

INSTANTIATE_TEST_SUITE_P(Switch, RehearsalBySwitch, ::testing::Values("shared_ip", "dns", "nat"));

// The operator answers done without doing it: the harness's verification
// through the API catches it, and the run stops before anything is lost.
TEST_F(Rehearsal, AnOperatorWhoSaysDoneButDidNotIsCaughtAndTheRunAbortsSafely) {
  const auto answers = dir_ / "lie.yaml";
  std::ofstream(answers) << "default: do\n"
                            "answers:\n"
                            "  - {action: break_relationship, answer: confirm}\n";
  // The baseline, with break's wait for role none cut from 30 s to 2 s.
  std::ifstream in(scenario_);
  std::string text{std::istreambuf_iterator<char>(in), {}};
  text.replace(text.find("\nlab: ") + 6, 0, FHIL_SOURCE_DIR "/scenarios/");
  text.replace(text.find("  - break\n"), 10, "  - break: {settle_timeout_s: 2}\n");
  const auto scenario = dir_ / "quick-break.yaml";
  std::ofstream(scenario) << text;
  const auto [rc, out] = run("shared_ip", answers, scenario.string());
  EXPECT_EQ(rc, 1) << "not as the scenario expects\n" << out;
  EXPECT_NE(out.find("scripted operator: confirm"), std::string::npos) << out;
  const auto r = hil::evaluate_run(dir_ / "run");
  EXPECT_EQ(r.outcome, "aborted_safely") << r.reason;
  EXPECT_NE(r.reason.find("R03: the relationship is not broken 2 s after"), std::string::npos)
      << r.reason;
  for (const auto& s : r.steps) {
    if (s.name == "update_backup") {
      EXPECT_EQ(s.status, "not_run") << "nothing was installed";
    }
  }
}

}  // namespace
}  // namespace failover_hil::testing
