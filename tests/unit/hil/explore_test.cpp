// Explore (issue 14): schedules drawn from the fault registry within their
// bounds, the same seed replaying the same event log byte for byte, the
// clean procedure passing, and every planted defect found within a stated
// number of seeds and shrunk to a scenario of at most 3 faults that fails
// again when run as a scenario, and passes without the defect.
#include "failover_hil/hil/explore.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <thread>

#include "failover_hil/hil/runner.hpp"

namespace fs = std::filesystem;

namespace failover_hil::hil {
namespace {

const fs::path kScenarios = fs::path(FHIL_SOURCE_DIR) / "scenarios";

// The figures hold for a Release build; under the sanitizers (a
// Debug build, about twelve times slower, where ci/test runs this suite)
// these tests run a tenth of the seeds, so the suite stays within CI's
// budget. ExploreCli.AThousandSeedsTwiceGiveTheSameEventLogs replays 1,000
// seeds on the release binary.
#ifdef NDEBUG
constexpr std::uint64_t kSeedScale = 1;
#else
constexpr std::uint64_t kSeedScale = 10;
#endif

class Explore : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("fhil-explore-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  ExploreOptions options(const std::string& scenario = "shared-ip-baseline.yaml",
                         PlantedDefect defect = PlantedDefect::none) const {
    ExploreOptions o;
    o.scenario = kScenarios / scenario;
    o.defect = defect;
    o.scratch = dir_ / "scratch";
    return o;
  }

  /// Runs a scenario file in-process, as `failover-hil run --engine inprocess` does.
  RunRecord run_file(const fs::path& file, std::uint64_t seed, PlantedDefect defect,
                     const std::string& out) {
    RunOptions o;
    o.scenario = file;
    o.out = dir_ / out;
    o.engine = EngineKind::inprocess;
    o.seed = seed;
    o.defect = defect;
    o.write_reports = false;
    return run_scenario(o);
  }

  fs::path dir_;
};

TEST(ExploreSchedule, TheSameSeedDrawsTheSameSchedule) {
  const auto base = load_scenario(kScenarios / "shared-ip-baseline.yaml");
  std::set<std::size_t> sizes;
  bool differ = false;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    const auto s = draw_schedule(base, seed, 4);
    EXPECT_EQ(s, draw_schedule(base, seed, 4)) << seed;
    differ = differ || s != draw_schedule(base, seed + 1, 4);
    sizes.insert(s.size());
  }
  EXPECT_TRUE(differ);
  EXPECT_GE(sizes.size(), 4u);  // 0..4 faults all occur
}

TEST(ExploreSchedule, DrawsOnlyTheRegistrysFaultsWithinTheirBounds) {
  const auto base = load_scenario(kScenarios / "dns-swing-baseline.yaml");
  std::set<std::string> drawn;
  for (std::uint64_t seed = 1; seed <= 500; ++seed) {
    for (const auto& f : draw_schedule(base, seed, 4)) {
      drawn.insert(f.fault);
      const auto* def = find_fault(f.fault);
      ASSERT_NE(def, nullptr) << f.fault;
      EXPECT_TRUE(def->inprocess_refusal.empty()) << f.fault;
      EXPECT_NE(f.fault, "harness_stops");
      EXPECT_EQ(f.appliance.has_value(), def->takes_appliance) << f.fault;
      for (const auto& p : def->params) ASSERT_TRUE(f.params.has(p.key)) << f.fault << p.key;
      if (f.fault == "sync_slow") {
        EXPECT_GE(f.params.number("factor"), 1);
        EXPECT_LE(f.params.number("factor"), 2000);
      }
      if (f.fault == "site_refuses") {
        EXPECT_GE(f.params.number("duration_ms"), 1);
        EXPECT_LE(f.params.number("duration_ms"), 5000);
      }
      if (f.fault == "operator_enables_shared_ip_early") {
        EXPECT_FALSE(f.params.flag("force"));
      }
      if (f.at.progress) {
        EXPECT_GE(*f.at.progress, 0);
        EXPECT_LE(*f.at.progress, 1);
      }
    }
  }
  // Every fault explore may draw is drawn somewhere in 500 seeds.
  for (const auto* d : explorable_faults(base.switch_method))
    EXPECT_TRUE(drawn.contains(std::string(d->name))) << d->name;
}

TEST_F(Explore, AScheduleIsAScenarioFileThatLoadsWithTheSameFaults) {
  const auto base = load_scenario(kScenarios / "nat-swing-baseline.yaml");
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    const auto schedule = draw_schedule(base, seed, 4);
    const auto file = dir_ / "s.yaml";
    std::ofstream(file) << scenario_yaml(kScenarios / "nat-swing-baseline.yaml", "explore-x", "d",
                                         schedule, {}, dir_);
    const auto s = load_scenario(file);
    EXPECT_EQ(s.switch_method, SwitchMethod::nat);
    EXPECT_EQ(s.steps.size(), base.steps.size());
    ASSERT_EQ(s.faults.size(), schedule.size()) << seed;
    for (std::size_t i = 0; i < schedule.size(); ++i) {
      EXPECT_EQ(s.faults[i].name(), schedule[i].fault);
      EXPECT_EQ(s.faults[i].at, schedule[i].at) << seed << " " << describe(schedule[i]);
      EXPECT_EQ(s.faults[i].params, schedule[i].params) << seed << " " << describe(schedule[i]);
      EXPECT_EQ(s.faults[i].appliance(), schedule[i].appliance);
    }
  }
}

// The replay criterion: the same seed, twice, the same event log.
// The seeds are shared among a few threads (runs share nothing but the
// base scenario's cache and the PBKDF2 memo, both locked).
TEST_F(Explore, TheSameSeedTwiceGivesTheSameEventLogOver1000Seeds) {
  const auto o = options();
  constexpr std::uint64_t kSeeds = 1000 / kSeedScale;
  const auto threads = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  std::vector<std::string> first(kSeeds + 1);
  std::vector<std::string> problems(threads);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (std::uint64_t seed = 1 + t; seed <= kSeeds; seed += threads) {
        const auto one = explore_seed(o, seed);
        const auto two = explore_seed(o, seed);
        if (one.timeline.empty() || one.timeline != two.timeline || one.failures != two.failures)
          problems[t] += " " + std::to_string(seed);
        first[seed] = one.timeline;
      }
    });
  for (auto& th : pool) th.join();
  for (const auto& p : problems) EXPECT_TRUE(p.empty()) << "seeds that did not replay:" << p;
  const std::set<std::string> logs(first.begin() + 1, first.end());
  EXPECT_GT(logs.size(), kSeeds * 9 / 10);  // the seed reaches the run: the logs differ
}

// Without a planted defect the procedure holds under every schedule drawn:
// a failure here is a finding (the seed replays it).
TEST_F(Explore, TheProcedureHoldsUnderRandomFaultsByEveryMethod) {
  for (const auto* file :
       {"shared-ip-baseline.yaml", "dns-swing-baseline.yaml", "nat-swing-baseline.yaml"}) {
    CampaignOptions c;
    c.explore = options(file);
    c.first_seed = 1;
    c.end_seed = 1 + 150 / kSeedScale;
    c.shrink = false;
    const auto r = run_campaign(c);
    EXPECT_EQ(r.seeds.size(), 150 / kSeedScale);
    for (const auto& f : r.failing) {
      std::string why;
      for (const auto& w : f.failures) why += "\n  " + w;
      for (const auto& d : f.schedule) why += "\n  fault: " + describe(d);
      ADD_FAILURE() << file << " seed " << f.seed << ":" << why;
    }
  }
}

TEST_F(Explore, ShardsShareTheSeedsRoundRobin) {
  std::vector<std::uint64_t> all;
  for (int i = 1; i <= 3; ++i) {
    CampaignOptions c;
    c.explore = options();
    c.first_seed = 10;
    c.end_seed = 20;
    c.shard = i;
    c.shards = 3;
    const auto r = run_campaign(c);
    all.insert(all.end(), r.seeds.begin(), r.seeds.end());
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<std::uint64_t>{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}));
}

struct DefectCase {
  PlantedDefect defect;
  const char* scenario;
  std::uint64_t seeds;    ///< explore finds it within this many seeds (stated in docs/explore.md)
  const char* signature;  ///< what fails
};

class PlantedDefects : public Explore, public ::testing::WithParamInterface<DefectCase> {};

TEST_P(PlantedDefects, ExploreFindsItAndShrinksItToAScenarioThatFailsAgain) {
  const auto& p = GetParam();
  CampaignOptions c;
  c.explore = options(p.scenario, p.defect);
  c.first_seed = 1;
  c.end_seed = 1 + p.seeds;
  c.out = dir_ / "out";
  c.stop_after = 1;  // the first failing seed is enough
  const auto r = run_campaign(c);
  ASSERT_FALSE(r.failing.empty()) << to_string(p.defect) << ": not found in " << p.seeds
                                  << " seeds";
  ASSERT_EQ(r.shrunk.size(), r.failing.size());
  const auto& first = r.failing.front();
  const auto& shrunk = r.shrunk.front();
  EXPECT_NE(std::find(first.signature.begin(), first.signature.end(), p.signature),
            first.signature.end())
      << first.failures.front();
  EXPECT_LE(shrunk.schedule.size(), 3u);
  EXPECT_LE(shrunk.schedule.size(), first.schedule.size());
  EXPECT_TRUE(shrunk.run.failed);

  // The shrunk scenario as written: it loads, fails again with the defect
  // (the same event log as when it was shrunk) and passes without it.
  const auto file = c.out / "failing" / ("seed-" + std::to_string(first.seed)) / "shrunk.yaml";
  ASSERT_TRUE(fs::exists(file));
  const auto loaded = load_scenario(file);
  EXPECT_EQ(loaded.faults.size(), shrunk.schedule.size());
  const auto again = run_file(file, first.seed, p.defect, "again");
  EXPECT_NE(exit_status(again), 0) << again.outcome << ": " << again.reason;
  const auto fixed = run_file(file, first.seed, PlantedDefect::none, "fixed");
  EXPECT_EQ(exit_status(fixed), 0) << fixed.outcome << ": " << fixed.reason;
}

INSTANTIATE_TEST_SUITE_P(
    Explore, PlantedDefects,
    ::testing::Values(DefectCase{PlantedDefect::sync_sends_start_snapshot,
                                 "shared-ip-baseline.yaml", 1000, "no_session_record_lost"},
                      DefectCase{PlantedDefect::shared_ip_enabled_before_release,
                                 "shared-ip-baseline.yaml", 20, "no_ip_conflict"},
                      DefectCase{PlantedDefect::base_failure_restarted, "shared-ip-baseline.yaml",
                                 100, "failed_appliance_not_restarted"}),
    [](const ::testing::TestParamInfo<DefectCase>& c) {
      return std::string(to_string(c.param.defect));
    });

}  // namespace
}  // namespace failover_hil::hil
