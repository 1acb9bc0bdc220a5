// The main job end to end, as root: each scenario builds a fresh lab, starts
// two simulators and takes them through the upgrade; the verdict comes from
// the captures and the timeline. After every run no namespace is left.
#include "failover_hil/hil/runner.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>

#include "failover_hil/hil/report.hpp"
#include "failover_hil/hil/timeline.hpp"

namespace failover_hil::testing {
namespace {

namespace fs = std::filesystem;

std::string run_shell(const std::string& cmd) {
  std::array<char, 4096> buf{};
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  while (std::fgets(buf.data(), buf.size(), p)) out += buf.data();
  ::pclose(p);
  return out;
}

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0)
      GTEST_SKIP() << "a run builds a lab of network namespaces: run the suite as root";
    ::setenv("FHIL_BSERIES_SIM", BSERIES_SIM_PATH, 1);
    char tmpl[] = "/tmp/fhil-run-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override {
    if (dir_.empty()) return;
    EXPECT_EQ(run_shell("ip netns list").find("fhil0-"), std::string::npos)
        << "namespaces left behind";
    if (HasFailure())
      std::cerr << "run kept in " << dir_ << "\n";
    else
      fs::remove_all(dir_);
  }
  hil::RunRecord run(const std::string& scenario, hil::RunHooks hooks = {}) {
    hil::RunOptions o;
    o.scenario = fs::path(FHIL_SOURCE_DIR) / "scenarios" / scenario;
    o.out = dir_ / "run";
    o.lab_state_dir = dir_ / "state";
    o.hooks = std::move(hooks);
    return hil::run_scenario(o);
  }
  static const hil::CheckRecord* check(const hil::RunRecord& r, const std::string& name) {
    for (const auto& c : r.checks)
      if (c.name == name) return &c;
    return nullptr;
  }
  static std::string failures(const hil::RunRecord& r) {
    std::string s = r.outcome + ": " + r.reason + "\n";
    for (const auto& c : r.checks)
      if (!c.pass) s += "check " + c.name + ": " + c.detail + "\n";
    for (const auto& m : r.measurements)
      if (!m.pass) s += "measurement " + m.name + " = " + std::to_string(m.value) + "\n";
    return s;
  }
  /// Every client's switch downtime was measured from its capture.
  static void expect_switch_measured(const hil::RunRecord& r, double at_most_ms) {
    int measured = 0;
    for (const auto& m : r.measurements) {
      if (m.name.rfind("switch_downtime_ms.", 0) != 0) continue;
      ++measured;
      EXPECT_LE(m.value, at_most_ms) << m.name << ": " << m.detail;
      EXPECT_NE(m.detail.find("time-based loss"), std::string::npos);
    }
    EXPECT_EQ(measured, 2) << "one per probing client";
  }
  fs::path dir_;
};

TEST_F(RunnerTest, R01_R13_R15_R23_SharedIpBaselineCompletesWithEveryCheckGreen) {
  std::vector<std::string> seen;
  hil::RunHooks hooks;
  hooks.on_step = [&](const std::string& step, const std::string& phase) {
    if (phase == "before") seen.push_back(step);
  };
  const auto r = run("shared-ip-baseline.yaml", hooks);
  EXPECT_EQ(r.outcome, "completed") << failures(r);
  EXPECT_TRUE(r.passed()) << failures(r);
  EXPECT_EQ(seen, (std::vector<std::string>{"backup", "sync", "break", "update_backup",
                                            "verify_backup", "switch", "verify_production",
                                            "update_primary", "reestablish"}));
  expect_switch_measured(r, 50);
  // The shared IP moved: the clients' lanes show appA before the outage and appB after.
  for (const auto& lane : r.clients) {
    bool moved = false;
    for (const auto& o : lane.outages) moved |= o.before == "appA" && o.after == "appB";
    bool clean = lane.outages.empty();
    EXPECT_TRUE(moved || clean) << lane.client;
  }
  ASSERT_NE(check(r, "no_session_record_lost"), nullptr);
  EXPECT_TRUE(check(r, "no_session_record_lost")->pass)
      << check(r, "no_session_record_lost")->detail;
  for (const auto* f : {"report.json", "junit.xml", "report.html", "timeline.jsonl",
                        "captures/client1.pcap", "captures/client2.pcap", "sims/appA.log"})
    EXPECT_TRUE(fs::exists(dir_ / "run" / f)) << f;
  // The stored history gives the same verdict later (`failover-hil report`).
  const auto again = hil::evaluate_run(dir_ / "run");
  EXPECT_EQ(again.outcome, r.outcome);
  ASSERT_EQ(again.checks.size(), r.checks.size());
  for (std::size_t i = 0; i < r.checks.size(); ++i)
    EXPECT_EQ(again.checks[i].pass, r.checks[i].pass) << r.checks[i].name;
}

TEST_F(RunnerTest, R13_DnsSwingBaselineCompletesOnceEveryClientResolvesB) {
  const auto r = run("dns-swing-baseline.yaml");
  EXPECT_EQ(r.outcome, "completed") << failures(r);
  EXPECT_TRUE(r.passed()) << failures(r);
  expect_switch_measured(r, 50);
  bool settled = false;
  for (const auto& m : r.measurements)
    if (m.name == "switch_settle_ms") settled = m.value > 0 && m.value < 30'000;
  EXPECT_TRUE(settled) << "the TTL wait is measured and bounded";
}

TEST_F(RunnerTest, R13_NatSwingBaselineMovesNewAndEstablishedFlows) {
  const auto r = run("nat-swing-baseline.yaml");
  EXPECT_EQ(r.outcome, "completed") << failures(r);
  EXPECT_TRUE(r.passed()) << failures(r);
  expect_switch_measured(r, 50);
}

TEST_F(RunnerTest, R07_BaseInstallFailureAbortsSafelyWithoutRestartingB) {
  const auto r = run("base-install-fails.yaml");
  EXPECT_EQ(r.outcome, "aborted_safely") << failures(r);
  EXPECT_NE(r.reason.find("contact support"), std::string::npos) << r.reason;
  EXPECT_TRUE(r.as_expected);
  ASSERT_NE(check(r, "a_still_serves"), nullptr);
  EXPECT_TRUE(check(r, "a_still_serves")->pass) << check(r, "a_still_serves")->detail;
  EXPECT_TRUE(check(r, "failed_appliance_not_restarted")->pass);
  // B was left as the failed install left it, and nothing after the update ran.
  std::string b_state;
  for (const auto& s : r.samples)
    if (s.appliance == "appB") b_state = s.state;
  EXPECT_EQ(b_state, "base_update_failed");
  for (const auto& s : r.steps)
    if (s.name == "switch") {
      EXPECT_EQ(s.status, "not_run");
    }
}

TEST_F(RunnerTest, R23_EnablingTheSharedIpOnBWhileAHoldsItIsRefused) {
  const auto r = run("operator-shared-ip-early.yaml");
  EXPECT_EQ(r.outcome, "completed") << failures(r);
  bool refused = false;
  for (const auto& e : r.events)
    refused |= e.type == hil::EventType::refused && e.op == "enable_shared_ip_on_appB";
  EXPECT_TRUE(refused);
  EXPECT_TRUE(check(r, "no_ip_conflict")->pass);
  EXPECT_TRUE(r.passed()) << failures(r);
}

TEST_F(RunnerTest, R23_AForcedSharedIpOnBothIsCaughtAsAConflictFromTheCapture) {
  const auto r = run("operator-shared-ip-forced.yaml");
  EXPECT_EQ(r.outcome, "aborted_safely") << failures(r);
  EXPECT_NE(r.reason.find("IP conflict"), std::string::npos) << r.reason;
  ASSERT_NE(check(r, "no_ip_conflict"), nullptr);
  EXPECT_FALSE(check(r, "no_ip_conflict")->pass) << "the conflict is in the capture";
  EXPECT_TRUE(check(r, "no_ip_conflict")->waived) << "the expected abort's own evidence";
  EXPECT_TRUE(check(r, "a_still_serves")->pass);
  EXPECT_EQ(hil::exit_status(r), 0) << "ended as the scenario expects: " << failures(r);
}

TEST_F(RunnerTest, R16_APartitionFromBStopsTheRunBeforeAIsTouched) {
  const auto r = run("partition-blocks-production.yaml");
  EXPECT_EQ(r.outcome, "aborted_safely") << failures(r);
  EXPECT_TRUE(r.as_expected) << r.reason;
  EXPECT_EQ(hil::exit_status(r), 0) << "ended as the scenario expects: " << failures(r);
  for (const auto& s : r.steps) {
    if (s.name == "verify_production") {
      EXPECT_EQ(s.status, "failed");
    } else if (s.name == "update_primary") {
      EXPECT_EQ(s.status, "not_run");
    }
  }
  // The partitioned client's outage is on the wire, in the step it hit.
  const auto* outage = check(r, "no_unexpected_outage");
  ASSERT_NE(outage, nullptr);
  EXPECT_FALSE(outage->pass);
  EXPECT_NE(outage->detail.find("client2"), std::string::npos) << outage->detail;
  EXPECT_NE(outage->detail.find("verify_production"), std::string::npos) << outage->detail;
  EXPECT_EQ(outage->detail.find("client1"), std::string::npos) << outage->detail;
  // Nothing of the fault is left in the kernel: the lab is gone with its table.
  EXPECT_EQ(run_shell("nft list tables").find("fhil0-"), std::string::npos);
}

TEST_F(RunnerTest, AnInterruptedRunResumesFromThePairsActualState) {
  hil::RunHooks stop_after_break;
  stop_after_break.interrupted = [] { return false; };
  std::atomic<bool> stop{false};
  stop_after_break.on_step = [&](const std::string& step, const std::string& phase) {
    if (step == "break" && phase == "after") stop = true;
  };
  stop_after_break.interrupted = [&] { return stop.load(); };
  const auto first = run("shared-ip-baseline.yaml", stop_after_break);
  ASSERT_EQ(first.outcome, "interrupted") << failures(first);
  EXPECT_EQ(hil::exit_status(first), 3);
  EXPECT_NE(first.reason.find("--resume"), std::string::npos);

  hil::RunOptions o;
  o.out = dir_ / "run";
  o.resume = true;
  o.lab_state_dir = dir_ / "state";
  const auto r = hil::run_scenario(o);
  EXPECT_EQ(r.outcome, "completed") << failures(r);
  EXPECT_TRUE(r.passed()) << failures(r);
  // Backup, sync and break ran once, in the first part; the rest after the resume.
  int breaks = 0;
  bool resumed = false;
  for (const auto& e : r.events) {
    breaks += e.type == hil::EventType::invoke && e.op == "break_relationship";
    resumed |= e.op == "run_resumed";
  }
  EXPECT_EQ(breaks, 1);
  EXPECT_TRUE(resumed);
}

// Issue 16 item 9: a run stopped after the switch resumed to `completed`
// but exited 1, the switch's outage attributed to verify_backup and the
// switch downtime read 0 ms (the resume re-ran the switch, "done already").
TEST_F(RunnerTest, R13_AResumeAfterTheSwitchKeepsTheSwitchsOutageInTheSwitch) {
  std::ifstream in(fs::path(FHIL_SOURCE_DIR) / "scenarios" / "shared-ip-baseline.yaml");
  std::string text{std::istreambuf_iterator<char>(in), {}};
  const std::string lab = "lab: labs/default.yaml";
  text.replace(text.find(lab), lab.size(),
               "lab: " + (fs::path(FHIL_SOURCE_DIR) / "scenarios/labs/default.yaml").string());
  text.replace(text.find("expect:"), 0,
               "faults:\n  - fault: harness_stops\n    at: {step: verify_production}\n");
  std::ofstream(dir_ / "stops-in-production.yaml") << text;
  hil::RunOptions o;
  o.scenario = dir_ / "stops-in-production.yaml";
  o.out = dir_ / "run";
  o.lab_state_dir = dir_ / "state";
  const auto first = hil::run_scenario(o);
  ASSERT_EQ(first.outcome, "interrupted") << failures(first);
  expect_switch_measured(first, 50);

  o.scenario.clear();
  o.resume = true;
  const auto r = hil::run_scenario(o);
  EXPECT_EQ(r.outcome, "completed") << failures(r);
  EXPECT_EQ(hil::exit_status(r), 0) << failures(r);
  expect_switch_measured(r, 50);
  // The switch's outage measured in the first part is still there, in the switch.
  for (const auto& m : r.measurements) {
    if (m.name.rfind("switch_downtime_ms.", 0) == 0) {
      EXPECT_GT(m.value, 0.0) << m.detail;
    }
  }
  for (const auto& c : r.clients) {
    for (const auto& out : c.outages) {
      EXPECT_EQ(out.step, "switch") << c.client;
    }
  }
}

}  // namespace
}  // namespace failover_hil::testing
