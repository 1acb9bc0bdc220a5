// Campaign results (docs/regress.md): cases.json and reports read back,
// shards merged, baselines saved and compared by the Mann-Whitney U test.
#include "failover_hil/hil/campaign.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <pugixml.hpp>

#include "failover_hil/core/text_file.hpp"
#include "failover_hil/hil/appliance_driver.hpp"
#include "failover_hil/hil/report.hpp"

namespace failover_hil::hil {
namespace {

namespace fs = std::filesystem;

TEST(MannWhitney, IsExactForSmallSamples) {
  // 5 against 5, wholly above: only 1 of C(10,5) = 252 splits is as extreme.
  EXPECT_NEAR(mann_whitney_greater({6, 7, 8, 9, 10}, {1, 2, 3, 4, 5}), 1.0 / 252, 1e-12);
  EXPECT_NEAR(mann_whitney_greater({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}), 1.0, 1e-12);
  // All tied: nothing says larger.
  EXPECT_NEAR(mann_whitney_greater({5, 5, 5}, {5, 5, 5}), 1.0, 1e-12);
  // Ties by midranks: {2,3} vs {1,2}: pooled ranks 1, 2.5, 2.5, 4; observed
  // 6.5; splits with a rank sum >= 6.5: {2.5,4} twice and... = 2 of 6.
  EXPECT_NEAR(mann_whitney_greater({2, 3}, {1, 2}), 2.0 / 6, 1e-12);
}

TEST(MannWhitney, LargeSamplesUseTheNormalApproximation) {
  std::vector<double> hi, lo;
  for (int i = 0; i < 40; ++i) hi.push_back(20 + i), lo.push_back(i);
  const double p = mann_whitney_greater(hi, lo);
  EXPECT_GT(p, 0);
  EXPECT_LT(p, 1e-3);
  EXPECT_GT(mann_whitney_greater(lo, hi), 0.999);
}

TEST(CompareWithBaseline, FlagsASignificantSlowdownOnlyBeyondTheFactor) {
  const Samples base{{"s@shared_ip", {{"switch_downtime_ms.client1", {10, 11, 12, 10.5, 11.5}}}}};
  const CompareRule rule;  // 1.5x, p < 0.01
  // Three times slower, every run: regressed.
  auto rows = compare_with_baseline(
      {{"s@shared_ip", {{"switch_downtime_ms.client1", {33, 34, 35, 32, 36}}}}}, base, rule);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].verdict, "REGRESSED");
  EXPECT_NEAR(*rows[0].ratio, 34.0 / 11, 1e-9);
  EXPECT_LT(*rows[0].p, 0.01);
  // Significantly slower but under the factor: not a regression.
  rows = compare_with_baseline(
      {{"s@shared_ip", {{"switch_downtime_ms.client1", {13, 14, 13.5, 14.5, 15}}}}}, base, rule);
  EXPECT_EQ(rows[0].verdict, "ok");
  // Twice the median on two samples: too few to judge.
  rows = compare_with_baseline({{"s@shared_ip", {{"switch_downtime_ms.client1", {22, 23}}}}}, base,
                               rule);
  EXPECT_EQ(rows[0].verdict, "too few samples");
  EXPECT_FALSE(rows[0].p);
  // A figure the baseline lacks is not compared.
  EXPECT_TRUE(compare_with_baseline({{"other@dns", {{"x", {1, 2, 3}}}}}, base, rule).empty());
}

class CampaignFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fhil-campaign-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A shard directory as ci/regress writes it: cases.json and run folders
  // with report.json, the switch downtime `ms` for each run.
  fs::path shard(const std::string& name, const std::string& shard_text,
                 const std::vector<std::pair<std::string, double>>& runs, bool as_expected = true) {
    const auto d = dir_ / name;
    std::string cases;
    for (const auto& [id, ms] : runs) {
      const auto run = d / "runs" / id;
      fs::create_directories(run);
      RunRecord r;
      r.scenario = "shared-ip-baseline";
      r.switch_method = "shared_ip";
      r.outcome = "completed";
      r.expected_outcome = "completed";
      r.as_expected = as_expected;
      r.steps.push_back({"switch", "ok", 1'000'000'000, 3'500'000'000, "", {}});
      r.measurements.push_back({"switch_downtime_ms.client1", ms, "ms", 50.0, "<=", ms <= 50});
      r.checks.push_back({"one_holder", {"R23"}, true, "", false});
      write_text(run / "report.json", report_json(r));
      const auto key = id.substr(0, id.find('#'));
      cases += std::string(cases.empty() ? "" : ",") + R"({"id":")" + id + R"(","key":")" + key +
               R"(","scenario":"shared-ip-baseline","switch":"shared_ip","repeat":)" +
               id.substr(id.find('#') + 1) + R"(,"exit":0,"wall_s":4.5,"run_dir":"runs/)" + id +
               "\"}";
    }
    write_text(d / "cases.json",
               R"({"shard":")" + shard_text +
                   R"(","engine":"lab","jobs":2,"repeat":3,"wall_s":20,"cases":[)" + cases + "]}");
    return d;
  }

  fs::path dir_;
};

TEST_F(CampaignFiles, ShardsMergeIntoOneSortedCampaignWithEveryRunsReportLinked) {
  const auto a = shard("a", "1/2", {{"s@shared_ip#1", 10}, {"s@shared_ip#2", 11}});
  const auto b = shard("b", "2/2", {{"t@dns#1", 20}});
  const auto merged = merge_campaigns({b, a});
  ASSERT_EQ(merged.cases.size(), 3u);
  EXPECT_EQ(merged.cases[0].id, "s@shared_ip#1");
  EXPECT_EQ(merged.cases[2].id, "t@dns#1");
  EXPECT_EQ(merged.meta.shard, "2/2+1/2");
  EXPECT_TRUE(merged.cases[0].as_expected);
  const auto out = dir_ / "all";
  const auto text = write_campaign(out, merged, {}, {});
  EXPECT_NE(text.find("3 runs"), std::string::npos) << text;
  EXPECT_EQ(campaign_status(merged, {}), 0);
  // The merged directory reads back as the same campaign.
  const auto again = read_campaign(out);
  ASSERT_EQ(again.cases.size(), 3u);
  EXPECT_EQ(again.cases[1].run_dir, fs::weakly_canonical(a / "runs" / "s@shared_ip#2"));
  pugi::xml_document junit;
  ASSERT_TRUE(junit.load_file((out / "junit.xml").c_str()));
  EXPECT_EQ(junit.child("testsuite").attribute("tests").as_int(), 6);  // 3 runs, 3 checks
  EXPECT_EQ(junit.child("testsuite").attribute("failures").as_int(), 0);
}

TEST_F(CampaignFiles, TheSameShardTwiceIsRefusedByItsRuns) {
  const auto a = shard("a", "1/2", {{"s@shared_ip#1", 10}});
  try {
    merge_campaigns({a, a});
    FAIL() << "merged a shard with itself";
  } catch (const HarnessError& e) {
    EXPECT_NE(std::string(e.what()).find("s@shared_ip#1"), std::string::npos) << e.what();
  }
}

TEST_F(CampaignFiles, ARunNotAsExpectedOrWithoutAReportFailsTheCampaign) {
  const auto a = shard("a", "1/1", {{"s@shared_ip#1", 10}}, false);
  auto c = read_campaign(a);
  EXPECT_EQ(campaign_status(c, {}), 1);
  const auto b = shard("b", "1/1", {{"s@shared_ip#1", 10}});
  fs::remove(b / "runs" / "s@shared_ip#1" / "report.json");
  c = read_campaign(b);
  EXPECT_EQ(c.cases[0].outcome, "no report");
  EXPECT_EQ(campaign_status(c, {}), 1);
  EXPECT_TRUE(campaign_samples(c).empty()) << "a run without a report gives no figures";
}

TEST_F(CampaignFiles, ABaselineSavedAndLoadedFlagsASlowerCampaign) {
  const auto base =
      shard("base", "1/1", {{"s@shared_ip#1", 10}, {"s@shared_ip#2", 11}, {"s@shared_ip#3", 12}});
  const auto samples = campaign_samples(read_campaign(base));
  ASSERT_EQ(samples.at("s@shared_ip").at("switch_downtime_ms.client1").size(), 3u);
  EXPECT_EQ(samples.at("s@shared_ip").at("step_s.switch"), (std::vector<double>{2.5, 2.5, 2.5}));
  const auto file = dir_ / "baseline.json";
  write_text(file, baseline_json(samples, {base.string()}));
  EXPECT_EQ(load_baseline(file), samples);
  const auto slow = read_campaign(
      shard("slow", "1/1", {{"s@shared_ip#1", 40}, {"s@shared_ip#2", 41}, {"s@shared_ip#3", 42}}));
  // 3 against 3 wholly above gives p = 1/20: significant at 0.1, not at 0.01.
  const auto rows =
      compare_with_baseline(campaign_samples(slow), load_baseline(file), {1.5, 0.1, 3});
  const auto it = std::find_if(rows.begin(), rows.end(), [](const auto& r) {
    return r.figure == "switch_downtime_ms.client1";
  });
  ASSERT_NE(it, rows.end());
  EXPECT_EQ(it->verdict, "REGRESSED");
  EXPECT_EQ(campaign_status(slow, rows), 1);
  write_campaign(dir_ / "slow-out", slow, rows, {1.5, 0.1, 3});
  const auto index = read_text(dir_ / "slow-out" / "index.html");
  EXPECT_NE(index.find("Against the baseline"), std::string::npos);
  EXPECT_NE(index.find("<svg"), std::string::npos) << "both distributions are drawn";
}

TEST_F(CampaignFiles, BadInputIsRefusedByName) {
  EXPECT_THROW(read_campaign(dir_), HarnessError);  // no cases.json
  write_text(dir_ / "cases.json", R"({"cases":[{"id":7}]})");
  try {
    read_campaign(dir_);
    FAIL();
  } catch (const HarnessError& e) {
    EXPECT_NE(std::string(e.what()).find("cases[0].id: expected text"), std::string::npos)
        << e.what();
  }
  write_text(dir_ / "b.json", R"({"schema":"something else"})");
  try {
    load_baseline(dir_ / "b.json");
    FAIL();
  } catch (const HarnessError& e) {
    EXPECT_NE(std::string(e.what()).find("baseline save"), std::string::npos) << e.what();
  }
  write_text(dir_ / "c.json",
             R"({"schema":"failover-hil/baseline/1","samples":{"k":{"f":[1,"x"]}}})");
  EXPECT_THROW(load_baseline(dir_ / "c.json"), HarnessError);
}

}  // namespace
}  // namespace failover_hil::hil
