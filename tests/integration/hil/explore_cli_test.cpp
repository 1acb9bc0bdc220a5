// failover-hil explore as a person runs it (issue 14): a planted defect found,
// shrunk and saved; the seed replayed with --seed; the shrunk scenario
// accepted by `validate` and failing again under `run --engine inprocess`
// (and on the lab engine, as root, where the defect is reachable there).
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "shell.hpp"

namespace failover_hil::testing {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

class ExploreCli : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fhil-explore-cli-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override {
    if (HasFailure())
      std::cerr << "kept in " << dir_ << "\n";
    else
      fs::remove_all(dir_);
  }
  static std::string cli() { return FAILOVER_HIL_PATH; }
  /// A campaign with base_failure_restarted planted, stopped at its first failing seed.
  static std::pair<int, std::string> find_base_failure_restarted(const fs::path& out) {
    return shell(cli() +
                 " explore --plant-defect base_failure_restarted --seeds 100 --stop-after 1 "
                 "--out " +
                 out.string());
  }
  /// The first failing seed of a campaign's summary.
  static std::uint64_t first_failing(const fs::path& out) {
    const auto summary = boost::json::parse(slurp(out / "summary.json")).as_object();
    return summary.at("failing").as_array().at(0).as_object().at("seed").to_number<std::uint64_t>();
  }
  /// The first failing seed's shrunk scenario of campaign `out`, run on a
  /// lab with `defect` planted: its exit status, output and report.json.
  std::tuple<int, std::string, boost::json::object> run_shrunk_on_lab(const fs::path& out,
                                                                      const std::string& defect) {
    const auto shrunk =
        out / "failing" / ("seed-" + std::to_string(first_failing(out))) / "shrunk.yaml";
    const auto run = dir_ / "lab-run";
    auto [rc, log] = shell(cli() + " run --plant-defect " + defect + " --out " + run.string() +
                           " --lab-state-dir " + (dir_ / "state").string() + " " + shrunk.string());
    return {rc, log, boost::json::parse(slurp(run / "report.json")).as_object()};
  }
  fs::path dir_;
};

TEST_F(ExploreCli, FindsAPlantedDefectShrinksItAndReplaysIt) {
  const auto out = dir_ / "campaign";
  const auto [rc, log] = find_base_failure_restarted(out);
  ASSERT_EQ(rc, 1) << log;
  EXPECT_NE(log.find("shrunk to"), std::string::npos) << log;
  const auto seed = first_failing(out);
  const auto seed_dir = out / "failing" / ("seed-" + std::to_string(seed));
  const auto shrunk = seed_dir / "shrunk.yaml";
  ASSERT_TRUE(fs::exists(shrunk)) << log;

  // The seed again, alone: the same event log, byte for byte.
  const auto again = dir_ / "again";
  const auto [rrc, rlog] = shell(cli() + " explore --plant-defect base_failure_restarted --seed " +
                                 std::to_string(seed) + " --out " + again.string());
  EXPECT_EQ(rrc, 1) << rlog;
  EXPECT_EQ(slurp(again / "failing" / ("seed-" + std::to_string(seed)) / "timeline.jsonl"),
            slurp(seed_dir / "timeline.jsonl"));

  // The shrunk scenario is a scenario: validated, and it fails again in-process
  // with the shrink's own event log; without the defect it passes.
  const auto [vrc, vlog] = shell(cli() + " validate " + shrunk.string());
  EXPECT_EQ(vrc, 0) << vlog << slurp(shrunk);
  const auto [frc, flog] =
      shell(cli() +
            " run --engine inprocess --plant-defect "
            "base_failure_restarted --seed " +
            std::to_string(seed) + " --out " + (dir_ / "repro").string() + " " + shrunk.string());
  EXPECT_EQ(frc, 1) << flog;
  EXPECT_EQ(slurp(dir_ / "repro" / "timeline.jsonl"), slurp(seed_dir / "shrunk-timeline.jsonl"));
  const auto [prc, plog] = shell(cli() + " run --engine inprocess --seed " + std::to_string(seed) +
                                 " --out " + (dir_ / "fixed").string() + " " + shrunk.string());
  EXPECT_EQ(prc, 0) << plog;
}

TEST_F(ExploreCli, ABadRangeOrShardIsAUsageError) {
  for (const auto* args : {"--seed-range 9..1", "--seed-range x", "--shard 3/2", "--shard 0/1",
                           "--seeds 5 --seed 3", "--scenario no-such-scenario"}) {
    const auto [rc, log] = shell(cli() + " explore " + args + " --out " + (dir_ / "x").string());
    EXPECT_EQ(rc, 2) << args << ": " << log;
  }
}

TEST_F(ExploreCli, ShardsTogetherRunEverySeedOnce) {
  std::string all;
  for (int i = 1; i <= 2; ++i) {
    const auto out = dir_ / ("shard" + std::to_string(i));
    const auto [rc, log] = shell(cli() + " explore --seed-range 1..6 --shard " + std::to_string(i) +
                                 "/2 --out " + out.string());
    EXPECT_EQ(rc, 0) << log;
    all += slurp(out / "seeds.jsonl");
  }
  for (int seed = 1; seed <= 6; ++seed)
    EXPECT_NE(all.find("{\"seed\":" + std::to_string(seed) + ","), std::string::npos) << all;
}

// The replay criterion end to end, on the release binary: 1,000
// seeds twice, every run's event log the same (seeds.jsonl holds each log's
// digest). The unit suite's own replay test runs under the sanitizers.
TEST_F(ExploreCli, AThousandSeedsTwiceGiveTheSameEventLogs) {
  // Both at once, one a core: two processes share nothing but the files.
  const auto campaign = [&](int i) {
    return cli() + " explore --seeds 1000 --no-shrink --out " +
           (dir_ / ("campaign-" + std::to_string(i))).string();
  };
  const auto [rc, log] = shell(campaign(0) + " & first=$!; " + campaign(1) +
                               "; second=$?; wait $first; exit $(( $? | second ))");
  ASSERT_EQ(rc, 0) << log;
  const std::string logs[2] = {slurp(dir_ / "campaign-0" / "seeds.jsonl"),
                               slurp(dir_ / "campaign-1" / "seeds.jsonl")};
  EXPECT_EQ(logs[0], logs[1]);
  std::istringstream lines(logs[0]);
  std::set<std::string> digests;
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n)
    digests.insert(std::string(boost::json::parse(line).at("log_sha256").as_string()));
  EXPECT_EQ(n, 1000);
  // Distinct runs, distinct logs: a digest of nothing would match too.
  EXPECT_GT(digests.size(), 900u);
}

// The lab engine runs the shrunk scenario too; the defect is in the harness,
// so it is reachable there and the run fails the same check.
TEST_F(ExploreCli, AShrunkScenarioFailsOnTheLabEngineToo) {
  if (::geteuid() != 0) GTEST_SKIP() << "the lab engine needs root (network namespaces)";
  ::setenv("FHIL_BSERIES_SIM", BSERIES_SIM_PATH, 1);
  const auto out = dir_ / "campaign";
  const auto [rc, log] = find_base_failure_restarted(out);
  ASSERT_EQ(rc, 1) << log;
  const auto [lrc, llog, report] = run_shrunk_on_lab(out, "base_failure_restarted");
  EXPECT_EQ(lrc, 1) << llog;
  bool restarted_check_failed = false;
  for (const auto& c : report.at("checks").as_array())
    restarted_check_failed |=
        c.at("name").as_string() == "failed_appliance_not_restarted" && !c.at("pass").as_bool();
  EXPECT_TRUE(restarted_check_failed) << llog;
}

// The early shared IP on the lab: bseries-sim's duplicate-address check
// refuses B's enable while A answers for the address, so the lab run fails
// at the switch, where in-process the conflict itself is seen.
TEST_F(ExploreCli, AnEarlySharedIpIsRefusedOnTheLabEngine) {
  if (::geteuid() != 0) GTEST_SKIP() << "the lab engine needs root (network namespaces)";
  ::setenv("FHIL_BSERIES_SIM", BSERIES_SIM_PATH, 1);
  const auto out = dir_ / "campaign";
  const auto [rc, log] =
      shell(cli() + " explore --plant-defect shared_ip_enabled_before_release --seeds 20 " +
            "--stop-after 1 --out " + out.string());
  ASSERT_EQ(rc, 1) << log;
  const auto [lrc, llog, report] = run_shrunk_on_lab(out, "shared_ip_enabled_before_release");
  EXPECT_EQ(lrc, 1) << llog;
  EXPECT_EQ(report.at("outcome").as_string(), "failed") << llog;
  EXPECT_NE(std::string(report.at("reason").as_string()).find("R23"), std::string::npos) << llog;
}

}  // namespace
}  // namespace failover_hil::testing
