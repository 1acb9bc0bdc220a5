#include "failover_hil/sim/model/clients.hpp"

#include <gtest/gtest.h>

#include "fixture.hpp"

namespace failover_hil::sim::testing {
namespace {

class ClientsTest : public PairTest {
 protected:
  void update_a() {
    install(a, "base-3.4.0");
    a.export_backup(BackupSecret::key(bytes_of(1)));
    install(a, "sw-24.1.0");
  }
};

TEST_F(ClientsTest, R11_ConsoleUpgradesOnFirstConnectAndReportsTheBuild) {
  Client console{"c1", ClientKind::representative_console, Deployment::installer, kOld};
  update_a();
  EXPECT_EQ(a.connect_client(console), ClientState::online);
  EXPECT_EQ(console.build, kNew) << "Help > About shows the site's build";
  EXPECT_EQ(console.connected_to, "appA");
}

TEST_F(ClientsTest, R11_SessionToARemoteComputerThroughTheAppliance) {
  update_a();
  auto [console, jump] = clients_on(a);
  const auto lsid = a.start_session(console, jump);
  EXPECT_EQ(a.active_sessions().count(lsid), 1u);
  a.end_session(lsid);
  EXPECT_TRUE(a.store().sessions.at(lsid).end);
  EXPECT_EQ(a.store().sessions.at(lsid).recorded_by, "appA");
}

TEST_F(ClientsTest, R11_SessionNeedsOnlineClientsOfTheRightKind) {
  auto [console, jump] = clients_on(a);
  EXPECT_THROW(a.start_session(jump, console), ModelError);
  Client offline{"c9", ClientKind::representative_console, Deployment::installer, kOld};
  EXPECT_MODEL_ERROR(a.start_session(offline, jump), "R11", "not online");
  EXPECT_MODEL_ERROR(b.start_session(console, jump), "R11", "not online with appB");
}

TEST_F(ClientsTest, R12_MsiDeployedClientDoesNotUpgradeItself) {
  Client locked{"c2", ClientKind::representative_console, Deployment::msi, kOld};
  update_a();
  EXPECT_EQ(a.connect_client(locked), ClientState::needs_redeploy);
  EXPECT_EQ(locked.build, kOld);
  redeploy_msi(locked, kNew);
  EXPECT_EQ(a.connect_client(locked), ClientState::online);
}

TEST_F(ClientsTest, R12_PrestagedNewMsiStaysOfflineUntilTheApplianceIsUpdated) {
  Client staged{"j2", ClientKind::jump_client, Deployment::msi, kNew};
  EXPECT_EQ(a.connect_client(staged), ClientState::waiting_for_appliance);
  update_a();
  EXPECT_EQ(a.connect_client(staged), ClientState::online);
}

TEST_F(ClientsTest, R12_NewMsiCannotRemoveTheOldInstallation) {
  Client locked{"c3", ClientKind::representative_console, Deployment::msi, kOld};
  EXPECT_MODEL_ERROR(uninstall_with_msi(locked, kNew), "R12",
                     "use the MSI of the installed version");
  EXPECT_EQ(locked.build, kOld);
  EXPECT_NO_THROW(uninstall_with_msi(locked, kOld));
}

TEST_F(ClientsTest, ClientsCannotConnectToAnApplianceThatDoesNotServe) {
  establish_ab();
  Client c{"c4", ClientKind::representative_console, Deployment::installer, kOld};
  EXPECT_EQ(b.connect_client(c), ClientState::offline) << "a backup accepts no clients";
}

TEST_F(ClientsTest, R14_IntegrationClientByIpFollowsTheSharedIp) {
  session_on(a);
  a.set_shared_ip(true);
  establish_ab();
  IntegrationClient ic{"ic", IntegrationClient::Addressing::ip, "198.18.0.10"};
  EXPECT_EQ(pair.holder_of(ic.address), &a);
  EXPECT_EQ(pair.holder_of(ic.address)->integration_extract().size(), 1u);
  a.break_relationship();
  pair.pump();
  a.set_shared_ip(false);
  b.set_shared_ip(true);
  Appliance* target = pair.holder_of(ic.address);
  ASSERT_EQ(target, &b);
  EXPECT_EQ(target->integration_extract().size(), 1u) << "B has A's synced records";
}

TEST_F(ClientsTest, R14_IntegrationClientByIpOfAnApplianceBeingUpdatedFails) {
  IntegrationClient ic{"ic", IntegrationClient::Addressing::ip, "198.18.0.11"};  // A's own IP
  a.install_file(server.download(kGuidA, "base-3.4.0"));
  EXPECT_MODEL_ERROR(pair.holder_of(ic.address)->integration_extract(), "R14", "does not serve");
}

}  // namespace
}  // namespace failover_hil::sim::testing
