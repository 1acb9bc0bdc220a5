#include "failover_hil/hil/model_upgrade.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace failover_hil::hil {
namespace {

// The model-level asynchronous upgrade, end to end (issue 2's "done when").
TEST(ModelUpgrade, R16_R22_CompletesWithBothUpdatedAndNothingLost) {
  const auto r = run_model_upgrade({});
  ASSERT_TRUE(r.completed) << r.failure;
  EXPECT_TRUE(r.violations.empty());
  const auto& end = r.steps.back();
  EXPECT_EQ(end.a.software, "24.1.0 (c9e2d4)");
  EXPECT_EQ(end.b.software, "24.1.0 (c9e2d4)");
  EXPECT_EQ(end.a.base, "3.4.0");
  EXPECT_EQ(end.b.role, "primary");
  EXPECT_EQ(end.a.role, "backup");
  EXPECT_TRUE(end.b.shared_ip);
  EXPECT_FALSE(end.a.shared_ip);
  EXPECT_GE(r.sessions_created.size(), 20u);
  EXPECT_TRUE(r.missing_on_a.empty());
  EXPECT_TRUE(r.missing_on_b.empty());
  EXPECT_GT(r.exposure_window, std::chrono::hours(2)) << "two installs per appliance at least";
}

TEST(ModelUpgrade, StepsFollowTheVendorsOrder) {
  const auto r = run_model_upgrade({});
  std::vector<std::string> rules;
  for (const auto& s : r.steps) rules.push_back(s.rules.substr(0, 3));
  const std::vector<std::string> expected{"R17", "R01", "R02", "R03", "R04", "R11",
                                          "R13", "R09", "R11", "R15", "R15"};
  EXPECT_EQ(rules, expected);
  for (std::size_t i = 1; i < r.steps.size(); ++i)
    EXPECT_GE(r.steps[i].started, r.steps[i - 1].finished);
}

// Backups are encrypted with a fresh random IV, so only their digests differ.
std::vector<std::string> without_digests(std::vector<std::string> notes) {
  for (auto& n : notes) n = std::regex_replace(n, std::regex("sha256 [0-9a-f]+"), "sha256 *");
  return notes;
}

TEST(ModelUpgrade, SameSeedSameRun) {
  const auto x = run_model_upgrade({});
  const auto y = run_model_upgrade({});
  ASSERT_EQ(x.steps.size(), y.steps.size());
  for (std::size_t i = 0; i < x.steps.size(); ++i) {
    EXPECT_EQ(x.steps[i].finished, y.steps[i].finished);
    EXPECT_EQ(without_digests(x.steps[i].notes), without_digests(y.steps[i].notes));
  }
  EXPECT_EQ(x.sessions_created, y.sessions_created);
}

TEST(ModelUpgrade, R05_MoreRecordingsLengthenTheWindow) {
  ModelUpgradeOptions small, big;
  small.recordings_mib = 1024;
  big.recordings_mib = 40 * 1024;
  EXPECT_LT(run_model_upgrade(small).exposure_window, run_model_upgrade(big).exposure_window);
}

}  // namespace
}  // namespace failover_hil::hil
