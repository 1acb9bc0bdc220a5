// The procedure on the in-process engine: every scenario file ends as it
// expects, same seed gives the same timeline, and each rule a step guards is
// refused or proved, in milliseconds and without privileges.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "failover_hil/hil/runner.hpp"
#include "failover_hil/hil/timeline.hpp"

namespace fs = std::filesystem;

namespace failover_hil::hil {
namespace {

const fs::path kScenarios = fs::path(FHIL_SOURCE_DIR) / "scenarios";

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class InProcess : public ::testing::Test {
 protected:
  void SetUp() override {
    // The pid too: two test processes (sanitizer trees, checkouts) may run
    // the same test at once.
    dir_ = fs::temp_directory_path() /
           ("fhil-inprocess-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  RunRecord run_file(const fs::path& scenario, const std::string& out = "run",
                     std::uint64_t seed = 1) {
    RunOptions o;
    o.scenario = scenario;
    o.out = dir_ / out;
    o.engine = EngineKind::inprocess;
    o.seed = seed;
    return run_scenario(o);
  }

  /// The baseline's header with these steps and faults (YAML lines).
  RunRecord run_text(const std::string& steps, const std::string& faults = {},
                     const std::string& sw = "shared_ip") {
    const auto file = dir_ / "scenario.yaml";
    std::ofstream(file) << "scenario: rule-check\n"
                        << "lab: " << (kScenarios / "labs/default.yaml").string() << "\n"
                        << "switch: " << sw << "\n"
                        << "steps:\n"
                        << steps << (faults.empty() ? "" : "faults:\n" + faults);
    return run_file(file);
  }

  static bool has_event(const RunRecord& r, EventType type, std::string_view op) {
    for (const auto& e : r.events)
      if (e.type == type && e.op == op) return true;
    return false;
  }
  static const CheckRecord* check(const RunRecord& r, const std::string& name) {
    for (const auto& c : r.checks)
      if (c.name == name) return &c;
    return nullptr;
  }

  fs::path dir_;
};

const std::string kAll =
    "  - backup\n  - sync\n  - break\n  - update_backup\n  - verify_backup\n  - switch\n"
    "  - verify_production\n  - update_primary: {method: manual}\n  - reestablish\n";

TEST_F(InProcess, EveryScenarioEndsAsItExpects) {
  int n = 0;
  std::vector<fs::path> files;
  for (const auto& dir : {kScenarios, kScenarios / "faults"})
    for (const auto& f : fs::directory_iterator(dir)) files.push_back(f.path());
  for (const auto& f : files) {
    if (f.extension() != ".yaml") continue;
    // A fault the model cannot run is shown on the lab engine only, and so
    // is a stopped harness's --resume (an in-process run is run again).
    bool modelled = true;
    for (const auto& spec : load_scenario(f).faults)
      modelled = modelled && spec.def->inprocess_refusal.empty() && spec.name() != "harness_stops";
    if (!modelled) continue;
    const auto r = run_file(f, f.stem().string());
    EXPECT_TRUE(r.as_expected) << f.filename() << ": " << r.outcome << " (" << r.reason
                               << "), expected " << r.expected_outcome << " (" << r.expected_reason
                               << ")";
    ++n;
  }
  EXPECT_GE(n, 7 + 24);  // scenarios/, then scenarios/faults/ but loss and harness_stops
}

TEST_F(InProcess, R01_R13_R15_SharedIpBaselinePassesEveryCheck) {
  const auto r = run_file(kScenarios / "shared-ip-baseline.yaml");
  ASSERT_EQ(r.outcome, "completed") << r.reason;
  EXPECT_TRUE(r.passed());
  for (const auto& c : r.checks) EXPECT_TRUE(c.pass) << c.name << ": " << c.detail;
  ASSERT_NE(check(r, "no_session_record_lost"), nullptr);
  // Downtime comes from the simulated network: until the clients hold B's
  // gratuitous ARP (16 ms, as measured in the lab; docs/explore.md).
  bool measured = false;
  for (const auto& m : r.measurements)
    if (m.name == "switch_downtime_ms.client1") measured = m.value == 16;
  EXPECT_TRUE(measured);
}

TEST_F(InProcess, SameSeedWritesTheSameTimeline) {
  run_file(kScenarios / "shared-ip-baseline.yaml", "one", 7);
  run_file(kScenarios / "shared-ip-baseline.yaml", "two", 7);
  run_file(kScenarios / "shared-ip-baseline.yaml", "three", 8);
  const auto one = slurp(dir_ / "one" / "timeline.jsonl");
  EXPECT_FALSE(one.empty());
  EXPECT_EQ(one, slurp(dir_ / "two" / "timeline.jsonl"));
  EXPECT_NE(one, slurp(dir_ / "three" / "timeline.jsonl"));  // the seed reaches the run
}

TEST_F(InProcess, R01_AnUpdateWithoutABackupIsRefused) {
  const auto r = run_text("  - sync\n  - break\n  - update_backup\n");
  EXPECT_EQ(r.outcome, "aborted_safely");
  EXPECT_NE(r.reason.find("R01: refused"), std::string::npos) << r.reason;
}

TEST_F(InProcess, R01_TheOperatorSkippingTheBackupIsRefused) {
  const auto r =
      run_text(kAll, "  - fault: operator_skips_backup\n    at: {step: update_backup}\n");
  EXPECT_EQ(r.outcome, "completed") << r.reason;
  EXPECT_TRUE(has_event(r, EventType::refused, op::install_without_backup));
}

TEST_F(InProcess, R02_AFailedSyncKeepsTheRelationship) {
  const auto r = run_text(kAll, "  - fault: sync_fails\n    at: {step: sync}\n");
  EXPECT_EQ(r.outcome, "aborted_safely");
  // Seen as failed when it stops, not after waiting out the 10 min limit.
  EXPECT_NE(r.reason.find("R02: the sync ended with 'failed"), std::string::npos) << r.reason;
  EXPECT_FALSE(has_event(r, EventType::invoke, op::break_relationship));
}

TEST_F(InProcess, R02_ASyncToABackupWhosePeerChannelIsDownFails) {
  const auto r =
      run_text(kAll, "  - fault: peer_channel_down\n    appliance: B\n    at: {step: sync}\n");
  EXPECT_EQ(r.outcome, "aborted_safely");
  EXPECT_NE(r.reason.find("R02: the sync ended"), std::string::npos) << r.reason;
  EXPECT_FALSE(has_event(r, EventType::invoke, op::break_relationship));
}

TEST_F(InProcess, R03_BreakWithoutAFinishedSyncIsRefused) {
  const auto r = run_text("  - backup\n  - break\n");
  EXPECT_EQ(r.outcome, "aborted_safely");
  EXPECT_NE(r.reason.find("R03: refused"), std::string::npos) << r.reason;
}

TEST_F(InProcess, R03_TheOperatorBreakingBeforeTheSyncIsRefused) {
  const auto r = run_text(kAll, "  - fault: operator_breaks_before_sync\n    at: {step: sync}\n");
  EXPECT_EQ(r.outcome, "completed") << r.reason;
  EXPECT_TRUE(has_event(r, EventType::refused, op::break_relationship));
}

TEST_F(InProcess, R07_AFailedBaseUpdateStopsWithoutARestart) {
  const auto r = run_text(kAll,
                          "  - fault: install_fails\n    appliance: B\n"
                          "    at: {step: update_backup, progress: 0.3}\n"
                          "  - fault: operator_restarts_after_failed_base\n"
                          "    at: {step: update_backup}\n");
  EXPECT_EQ(r.outcome, "aborted_safely");
  EXPECT_NE(r.reason.find("contact support"), std::string::npos) << r.reason;
  EXPECT_TRUE(has_event(r, EventType::refused, op::restart));
  ASSERT_NE(check(r, "failed_appliance_not_restarted"), nullptr);
  EXPECT_TRUE(check(r, "failed_appliance_not_restarted")->pass);
  EXPECT_TRUE(check(r, "a_still_serves")->pass);
}

// Explore seed 204: B refusing for a moment at the instant an abort in
// update_primary looked at it read as "the site was not served".
TEST_F(InProcess, R16_AnAbortWaitsOutAMomentaryRefusalOfTheServingSite) {
  const auto faults = [](int ms) {
    return "  - fault: install_fails\n    appliance: A\n    update: software\n"
           "    at: {step: update_primary, progress: 0.5}\n"
           "  - fault: site_refuses\n    appliance: B\n    duration_ms: " +
           std::to_string(ms) + "\n    at: {step: update_primary}\n";
  };
  const auto brief = run_text(kAll, faults(3000));
  ASSERT_EQ(brief.outcome, "aborted_safely") << brief.reason;
  ASSERT_NE(check(brief, "a_still_serves"), nullptr);
  EXPECT_TRUE(check(brief, "a_still_serves")->pass) << check(brief, "a_still_serves")->detail;
  EXPECT_NE(check(brief, "a_still_serves")->detail.find("after the abort"), std::string::npos)
      << check(brief, "a_still_serves")->detail;
  // One that outlasts the wait is not a safe stop.
  fs::remove_all(dir_ / "run");
  const auto lasting = run_text(kAll, faults(60000));
  ASSERT_EQ(lasting.outcome, "aborted_safely") << lasting.reason;
  EXPECT_FALSE(check(lasting, "a_still_serves")->pass);
}

TEST_F(InProcess, R08_AnUpdateInsideTheRelationshipIsRefused) {
  const auto r = run_text("  - backup\n  - sync\n  - update_backup\n");
  EXPECT_EQ(r.outcome, "aborted_safely");
  EXPECT_NE(r.reason.find("R08: refused"), std::string::npos) << r.reason;
}

TEST_F(InProcess, R09_AManualUpdateUsesTheDownloadKey) {
  const auto r = run_text(
      "  - backup\n  - sync\n  - break\n  - update_backup: {method: manual}\n"
      "  - verify_backup\n");
  EXPECT_EQ(r.outcome, "completed") << r.reason;
  EXPECT_TRUE(has_event(r, EventType::ok, op::update_files));
}

TEST_F(InProcess, R11_SwitchingToAnUnverifiedBackupIsRefused) {
  const auto r = run_text("  - backup\n  - sync\n  - break\n  - update_backup\n  - switch\n");
  EXPECT_EQ(r.outcome, "aborted_safely");
  EXPECT_NE(r.reason.find("R11: refused"), std::string::npos) << r.reason;
}

TEST_F(InProcess, R12_AnMsiClientStaysOnItsOldBuild) {
  const auto r = run_file(kScenarios / "shared-ip-baseline.yaml");
  bool msi = false;
  for (const auto& e : r.events)
    if (e.op == op::msi_client && e.type == EventType::ok) msi = e.data.at("build") == "b7f3a1";
  EXPECT_TRUE(msi);
}

TEST_F(InProcess, R13_ADnsSwingThatCannotSettleInTimeStops) {
  // The lab's TTL is 5 s: a 1 s settle limit cannot be met.
  const auto r = run_text(
      "  - backup\n  - sync\n  - break\n  - update_backup\n  - verify_backup\n"
      "  - switch: {settle_timeout_s: 1}\n",
      {}, "dns");
  EXPECT_EQ(r.outcome, "aborted_safely");
  EXPECT_NE(r.reason.find("R13: not every client sees appB"), std::string::npos) << r.reason;
}

TEST_F(InProcess, R14_TheIntegrationClientExtractsFromB) {
  const auto r = run_file(kScenarios / "nat-swing-baseline.yaml");
  EXPECT_TRUE(has_event(r, EventType::ok, op::integration_client));
  EXPECT_TRUE(has_event(r, EventType::info, op::integration_client_reconfigured));
}

TEST_F(InProcess, R14_NoIntegrationClientMeansNoExtraction) {
  const auto file = dir_ / "no-ic.yaml";
  std::ofstream(file) << "scenario: no-ic\nlab: " << (kScenarios / "labs/default.yaml").string()
                      << "\nswitch: shared_ip\nseed: {integration_client: false}\nsteps:\n"
                      << kAll;
  const auto r = run_file(file);
  EXPECT_EQ(r.outcome, "completed") << r.reason;
  EXPECT_FALSE(has_event(r, EventType::ok, op::integration_client));
  EXPECT_TRUE(check(r, "clients_verified")->pass);
}

TEST_F(InProcess, R16_SwitchingBeforeTheUpdateIsRefused) {
  const auto r = run_text("  - backup\n  - sync\n  - break\n  - switch\n");
  EXPECT_EQ(r.outcome, "aborted_safely");
  EXPECT_NE(r.reason.find("R16: refused: appB runs"), std::string::npos) << r.reason;
}

TEST_F(InProcess, R16_UpdatingABeforeProductionWasConfirmedIsRefused) {
  const auto r = run_text(
      "  - backup\n  - sync\n  - break\n  - update_backup\n  - verify_backup\n  - switch\n"
      "  - update_primary\n");
  EXPECT_EQ(r.outcome, "aborted_safely");
  EXPECT_NE(r.reason.find("R16: refused: appB was not confirmed"), std::string::npos) << r.reason;
}

TEST_F(InProcess, R17_ReestablishingWithDifferentVersionsIsRefused) {
  const auto r = run_text(
      "  - backup\n  - sync\n  - break\n  - update_backup\n  - verify_backup\n  - switch\n"
      "  - verify_production\n  - reestablish\n");
  EXPECT_EQ(r.outcome, "aborted_safely");
  EXPECT_NE(r.reason.find("R17: refused: versions differ"), std::string::npos) << r.reason;
}

TEST_F(InProcess, R22_TheExposureWindowIsMeasured) {
  const auto r = run_file(kScenarios / "shared-ip-baseline.yaml");
  bool found = false;
  for (const auto& m : r.measurements)
    if (m.name == "exposure_window_s") found = m.value > 0 && m.pass;
  EXPECT_TRUE(found);
}

TEST_F(InProcess, R23_AForcedSharedIpIsSeenAsAConflict) {
  const auto r = run_text(kAll,
                          "  - fault: operator_enables_shared_ip_early\n    at: {step: switch}\n"
                          "    force: true\n");
  EXPECT_EQ(r.outcome, "aborted_safely");
  EXPECT_NE(r.reason.find("R23: IP conflict"), std::string::npos) << r.reason;
}

// refuse_site lasts its duration in harness time, as on bseries-sim: the
// model's clock runs time_scale faster, and an unscaled refusal vanished.
TEST_F(InProcess, ARefusingSiteIsAnOutageOfItsLengthInHarnessTime) {
  const auto r = run_text(kAll,
                          "  - fault: site_refuses\n    appliance: B\n    duration_ms: 250\n"
                          "    at: {step: update_primary}\n");
  EXPECT_EQ(r.outcome, "completed") << r.reason;
  ASSERT_FALSE(r.clients.empty());
  for (const auto& lane : r.clients) {
    // The switch's own (until B's gratuitous ARP), then the refusal.
    ASSERT_EQ(lane.outages.size(), 2u) << lane.client;
    EXPECT_EQ(lane.outages.front().step, "switch");
    const auto& o = lane.outages.back();
    EXPECT_EQ(o.step, "update_primary");
    EXPECT_FALSE(o.expected);
    EXPECT_NEAR(static_cast<double>(o.length_ns) / 1e6, 250.0, 1.0) << lane.client;
  }
  const auto* c = check(r, "no_unexpected_outage");
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->pass);
}
// A timed flap fires inside the engine's wait for an install: its own wait
// nests in that one, and must neither stall virtual time nor end early.
TEST_F(InProcess, ALinkFlapTimedInsideAWaitIsAnOutageOfItsLength) {
  const auto r = run_text(kAll,
                          "  - fault: link_flap\n    host: appA\n    down_ms: 700\n"
                          "    at: {step: update_backup, after_s: 0.1}\n");
  EXPECT_EQ(r.outcome, "completed") << r.reason;
  ASSERT_FALSE(r.clients.empty());
  for (const auto& lane : r.clients) {
    ASSERT_FALSE(lane.outages.empty()) << lane.client;
    const auto& o = lane.outages.front();
    EXPECT_EQ(o.step, "update_backup") << lane.client;
    EXPECT_NEAR(static_cast<double>(o.length_ns) / 1e6, 700.0, 1.0) << lane.client;
  }
}

TEST_F(InProcess, LossIsRefusedByName) {
  const auto file = dir_ / "loss.yaml";
  std::ofstream(file) << "scenario: loss\nlab: " << (kScenarios / "labs/default.yaml").string()
                      << "\nswitch: shared_ip\nsteps: [backup]\nfaults:\n"
                      << "  - {fault: loss, host: client1, percent: 10}\n";
  try {
    run_file(file);
    ADD_FAILURE() << "a loss fault ran in-process";
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("fault loss cannot run in-process"), std::string::npos)
        << e.what();
  }
}

TEST_F(InProcess, AStoppedInProcessRunIsNotResumedButRunAgain) {
  const auto r = run_text(kAll, "  - fault: harness_stops\n    at: {step: switch}\n");
  EXPECT_EQ(r.outcome, "interrupted");
  RunOptions o;
  o.out = dir_ / "run";
  o.resume = true;
  try {
    run_scenario(o);
    ADD_FAILURE() << "an in-process run was resumed";
  } catch (const HarnessError& e) {
    EXPECT_NE(std::string(e.what()).find("run it again"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace failover_hil::hil

namespace failover_hil::hil {
namespace {

// A campaign runs one scenario by every method (run --switch): the run and
// its re-analysis both use the method given, not the file's.
TEST(InProcessSwitch, AnotherSwitchMethodIsRunAndKeptInTheRunDirectory) {
  const auto dir =
      fs::temp_directory_path() / ("fhil-inprocess-switch-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  RunOptions o;
  o.scenario = kScenarios / "shared-ip-baseline.yaml";
  o.out = dir;
  o.engine = EngineKind::inprocess;
  o.switch_method = SwitchMethod::dns;
  const auto r = run_scenario(o);
  EXPECT_EQ(r.switch_method, "dns");
  EXPECT_EQ(r.outcome, "completed") << r.reason;
  EXPECT_EQ(evaluate_run(dir).switch_method, "dns");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace failover_hil::hil
