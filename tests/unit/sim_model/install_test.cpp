#include <gtest/gtest.h>

#include "fixture.hpp"

namespace failover_hil::sim::testing {
namespace {

using InstallTest = PairTest;

TEST_F(InstallTest, R05_InstallTimeGrowsWithStoredData) {
  const auto lsid = session_on(a);
  a.add_recording({lsid, 10 * kGiB});
  a.install_file(server.download(kGuidA, "base-3.4.0"));
  const auto expected = a.timing().install.base + 10 * a.timing().install.per_gib;
  EXPECT_EQ(a.install()->duration, expected);
  EXPECT_EQ(expected, 45min) << "15 min + 3 min/GiB by default";
  clock.advance(expected - 1ms);
  a.tick();
  EXPECT_EQ(a.state(), OperatingState::installing);
  EXPECT_NEAR(a.install()->progress, 1.0, 1e-6);
  clock.advance(1ms);
  a.tick();
  EXPECT_EQ(a.state(), OperatingState::running);
  EXPECT_EQ(a.base(), (Version{3, 4, 0}));
}

TEST_F(InstallTest, R05_InstallTimeIsConfigurable) {
  auto cfg = config_a;
  cfg.timing.install = {60min, 0min};
  Appliance slow(cfg, clock);
  slow.install_file(server.download(kGuidA, "base-3.4.0"));
  EXPECT_EQ(slow.install()->duration, 60min);
}

TEST_F(InstallTest, R04_SiteUnavailableAndEveryoneTerminated) {
  a.add_user({"rep1", "Rep"});
  a.login("rep1");
  auto [console, jump] = clients_on(a);
  const auto open = a.start_session(console, jump);
  EXPECT_TRUE(a.serves_site());
  a.install_file(server.download(kGuidA, "base-3.4.0"));
  EXPECT_FALSE(a.serves_site());
  EXPECT_TRUE(a.logged_in().empty());
  EXPECT_TRUE(a.active_sessions().empty());
  const auto& rec = a.store().sessions.at(open);
  EXPECT_TRUE(rec.terminated);
  EXPECT_EQ(rec.end, clock.now());
  EXPECT_MODEL_ERROR(a.login("rep1"), "", "does not serve");
  EXPECT_MODEL_ERROR(a.start_session(console, jump), "R04", "does not serve");
  EXPECT_MODEL_ERROR(a.sync_now(), "R04", "installing");
}

TEST_F(InstallTest, R06_BaseThenBackupThenDependentSoftwareIsClean) {
  install(a, "base-3.4.0");
  EXPECT_EQ(a.pending_dependents(), std::vector<std::string>{"sw-24.1.0"});
  a.export_backup(BackupSecret::key(bytes_of(1)));
  install(a, "sw-24.1.0");
  EXPECT_TRUE(a.pending_dependents().empty());
  EXPECT_EQ(a.software(), kNew);
  EXPECT_TRUE(a.violations().empty());
}

TEST_F(InstallTest, R06_SomethingElseInBetweenIsAViolation) {
  install(a, "base-3.4.0");
  a.set_shared_ip(true);  // e.g. failing over before the dependent update
  ASSERT_EQ(a.violations().size(), 1u);
  EXPECT_EQ(a.violations()[0].rule, "R06");
  EXPECT_NE(a.violations()[0].text.find("enabling the shared IP"), std::string::npos);
}

TEST_F(InstallTest, R06_NoFreshBackupBeforeTheDependentUpdateIsAViolation) {
  install(a, "base-3.4.0");
  install(a, "sw-24.1.0");
  ASSERT_EQ(a.violations().size(), 1u);
  EXPECT_NE(a.violations()[0].text.find("no backup was downloaded"), std::string::npos);
}

TEST_F(InstallTest, R07_FailedBaseUpdateStopsAndRestartBricks) {
  a.arm_install_faults({0.4, false});
  a.install_file(server.download(kGuidA, "base-3.4.0"));
  const auto d = a.install()->duration;
  clock.advance(d * 4 / 10);
  a.tick();
  EXPECT_EQ(a.state(), OperatingState::base_update_failed);
  EXPECT_EQ(a.base(), (Version{3, 3, 2}));
  EXPECT_FALSE(a.serves_site());
  EXPECT_MODEL_ERROR(a.install_file(server.download(kGuidA, "sw-24.1.0")), "R07",
                     "contact support");
  a.restart();
  EXPECT_EQ(a.state(), OperatingState::unrecoverable);
  ASSERT_EQ(a.violations().size(), 1u);
  EXPECT_EQ(a.violations()[0].rule, "R07");
  EXPECT_MODEL_ERROR(a.restart(), "R07", "unrecoverable");
  EXPECT_THROW(a.support_recover(), ModelError);
}

TEST_F(InstallTest, R07_SupportRecoversAFailedBaseUpdate) {
  a.arm_install_faults({0.5, false});
  install(a, "base-3.4.0");
  EXPECT_EQ(a.state(), OperatingState::base_update_failed);
  a.support_recover();
  EXPECT_EQ(a.state(), OperatingState::running);
  EXPECT_TRUE(a.serves_site());
  EXPECT_TRUE(a.violations().empty());
}

TEST_F(InstallTest, R07_RestartDuringABaseInstallBricks) {
  a.install_file(server.download(kGuidA, "base-3.4.0"));
  a.restart();
  EXPECT_EQ(a.state(), OperatingState::unrecoverable);
  EXPECT_EQ(a.violations().at(0).rule, "R07");
}

TEST_F(InstallTest, FailedSoftwareUpdateKeepsTheOldRelease) {
  install(a, "base-3.4.0");
  a.export_backup(BackupSecret::key(bytes_of(1)));
  a.arm_install_faults({0.9, false});
  install(a, "sw-24.1.0");
  EXPECT_EQ(a.state(), OperatingState::running);
  EXPECT_EQ(a.software(), kOld);
}

TEST_F(InstallTest, HungInstallNeverFinishes) {
  a.arm_install_faults({std::nullopt, true});
  a.install_file(server.download(kGuidA, "base-3.4.0"));
  EXPECT_FALSE(a.next_due());
  clock.advance(48h);
  a.tick();
  EXPECT_EQ(a.state(), OperatingState::installing);
}

TEST_F(InstallTest, R07_ABaseUpdateLargerThanTheFreeDiskFailsWhereTheDiskFills) {
  // The Base update is 900 MiB: with 90 MiB free it fails at 10%.
  a.arm_install_faults({std::nullopt, false, std::uint64_t{90} << 20});
  a.install_file(server.download(kGuidA, "base-3.4.0"));
  const auto d = a.install()->duration;
  clock.advance(d / 10 - 1s);
  a.tick();
  EXPECT_EQ(a.state(), OperatingState::installing);
  clock.advance(2s);
  a.tick();
  EXPECT_EQ(a.state(), OperatingState::base_update_failed);
  EXPECT_NE(a.events().back().text.find("no space left on device: 90 MiB were free, 900 MiB "
                                        "needed"),
            std::string::npos)
      << a.events().back().text;
}

TEST_F(InstallTest, AnUpdateThatFitsTheFreeDiskInstalls) {
  a.arm_install_faults({std::nullopt, false, std::uint64_t{2} << 30});
  install(a, "base-3.4.0");
  EXPECT_EQ(a.state(), OperatingState::running);
  EXPECT_EQ(a.base(), (Version{3, 4, 0}));
}

TEST_F(InstallTest, FaultsApplyToTheNextInstallOnly) {
  a.arm_install_faults({0.1, false});
  install(a, "base-3.4.0");
  a.support_recover();
  server.support_allow_redownload(kGuidA, "base-3.4.0");
  install(a, "base-3.4.0");
  EXPECT_EQ(a.base(), (Version{3, 4, 0}));
}

}  // namespace
}  // namespace failover_hil::sim::testing
