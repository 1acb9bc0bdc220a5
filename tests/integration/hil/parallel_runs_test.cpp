// Runs side by side on one machine (issue 13): each run takes its own lab
// slot (prefix, subnet), so two runs at once both complete and see nothing
// of each other; a run killed with SIGKILL leaves its slot to the next run,
// which removes what it left.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>

#include "failover_hil/core/text_file.hpp"
#include "failover_hil/hil/child_process.hpp"
#include "shell.hpp"

namespace failover_hil::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class ParallelRuns : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "lab runs build network namespaces: run as root";
    char tmpl[] = "/tmp/fhil-parallel-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override {
    if (dir_.empty()) return;
    shell(std::string(FAILOVER_HIL_PATH) + " lab --state-dir " + state() + " down --lab default");
    EXPECT_EQ(shell("ip netns list").second.find("fhil"), std::string::npos)
        << "namespaces left behind";
    if (!HasFailure()) fs::remove_all(dir_);
  }
  std::string state() const { return (dir_ / "state").string(); }
  std::string run_cmd(const std::string& out) const {
    return std::string(FAILOVER_HIL_PATH) + " run " + FHIL_SOURCE_DIR +
           "/scenarios/shared-ip-baseline.yaml --lab-state-dir " + state() + " --out " +
           (dir_ / out).string() + " > " + (dir_ / (out + ".log")).string() + " 2>&1";
  }
  /// Processes whose command line names `path` (bseries-sim, named, ...).
  static std::string processes_naming(const fs::path& path) {
    std::string found;
    for (const auto& e : fs::directory_iterator("/proc")) {
      std::ifstream in(e.path() / "cmdline");
      std::string cmd{std::istreambuf_iterator<char>(in), {}};
      if (cmd.find(path.string()) != std::string::npos) found += e.path().filename().string() + " ";
    }
    return found;
  }
  fs::path dir_;
};

TEST_F(ParallelRuns, TwoRunsAtOnceEachGetTheirOwnLabAndBothComplete) {
  // Exit 1 is allowed: two labs on two cores may push a switch's downtime
  // over its budget; what must hold is the outcome and every check.
  const auto [rc, out] = shell("bash -c '" + run_cmd("run1") + " & p1=$!; " + run_cmd("run2") +
                               " & p2=$!; wait $p1; e1=$?; wait $p2; echo exits $e1 $?'");
  int e1 = -1, e2 = -1;
  ASSERT_EQ(std::sscanf(out.c_str(), "exits %d %d", &e1, &e2), 2) << out;
  EXPECT_LE(e1, 1) << read_text(dir_ / "run1.log");
  EXPECT_LE(e2, 1) << read_text(dir_ / "run2.log");
  const auto slot1 = read_text(dir_ / "run1" / "lab-slot"),
             slot2 = read_text(dir_ / "run2" / "lab-slot");
  EXPECT_NE(slot1, slot2);
  for (const auto* run : {"run1", "run2"}) {
    const auto lab = read_text(dir_ / run / "lab.yaml");
    const auto slot = read_text(dir_ / run / "lab-slot");
    EXPECT_NE(lab.find("prefix: fhil" + slot.substr(0, 1) + "-"), std::string::npos) << lab;
    EXPECT_NE(lab.find("subnet: 198.18." + slot.substr(0, 1) + ".0/24"), std::string::npos) << lab;
    const auto report = boost::json::parse(read_text(dir_ / run / "report.json")).as_object();
    EXPECT_EQ(report.at("outcome").as_string(), "completed") << run;
    for (const auto& c : report.at("checks").as_array())
      EXPECT_TRUE(c.as_object().at("pass").as_bool()) << run << ": " << c;
    bool measured = false;
    for (const auto& m : report.at("measurements").as_array())
      measured |= m.as_object().at("name").as_string() == "switch_downtime_ms.client1";
    EXPECT_TRUE(measured) << run << ": no switch downtime";
  }
}

TEST_F(ParallelRuns, ARunKilledMidwayLeavesItsLabToTheNextRunWhichRemovesIt) {
  auto victim = hil::ChildProcess::spawn(
      {FAILOVER_HIL_PATH, "run", FHIL_SOURCE_DIR "/scenarios/shared-ip-baseline.yaml",
       "--lab-state-dir", state(), "--out", (dir_ / "victim").string()},
      dir_ / "victim.log");
  ASSERT_TRUE(hil::wait_until(
      [&] {
        std::ifstream t(dir_ / "victim" / "timeline.jsonl");
        const std::string s{std::istreambuf_iterator<char>(t), {}};
        return s.find("\"op\":\"seeded\"") != std::string::npos;
      },
      120s))
      << read_text(dir_ / "victim.log");
  victim.kill_hard();
  ASSERT_NE(shell("ip netns list").second.find("fhil0-"), std::string::npos)
      << "the killed run left nothing to clean: the test proves nothing";
  const auto [rc, out] = shell(run_cmd("next"));
  EXPECT_EQ(rc, 0) << read_text(dir_ / "next.log");
  EXPECT_EQ(read_text(dir_ / "next" / "lab-slot"), "0\n") << "the killed run's slot is free again";
  EXPECT_EQ(processes_naming(dir_ / "victim"), "") << "a process of the killed run survives";
}

}  // namespace
}  // namespace failover_hil::testing
