#include <gtest/gtest.h>

#include "fixture.hpp"

namespace failover_hil::sim::testing {
namespace {

using FailoverTest = PairTest;

TEST_F(FailoverTest, R18_EstablishOnTheIntendedPrimary) {
  const auto warnings = pair.establish(a, a_to_b);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(a.role(), FailoverRole::primary);
  EXPECT_EQ(b.role(), FailoverRole::backup);
  EXPECT_EQ(a.peer(), a_to_b.backup) << "New Backup Site Connection Details";
  EXPECT_EQ(b.peer(), a_to_b.reverse) << "Reverse Connection Details";
}

TEST_F(FailoverTest, R18_WarnsWhenSharedIpOrSiteHostnameIsUsed) {
  const auto w1 = pair.establish(a, {{"198.18.0.10", 443}, {"198.18.0.11", 443}});
  ASSERT_EQ(w1.size(), 1u);
  EXPECT_NE(w1[0].find("unique IP"), std::string::npos);
  a.break_relationship();
  pair.pump();
  const auto w2 = pair.establish(a, {{"198.18.0.12", 443}, {"support.lab.example", 443}});
  EXPECT_EQ(w2.size(), 1u);
}

TEST_F(FailoverTest, R18_BadConnectionDetailsAreRefused) {
  EXPECT_MODEL_ERROR(a.establish({{"", 443}, {"198.18.0.11", 443}}), "R18", "TLS port");
  EXPECT_MODEL_ERROR(a.establish({{"198.18.0.12", 0}, {"198.18.0.11", 443}}), "R18", "TLS port");
  pair.establish(a, a_to_b);
  EXPECT_MODEL_ERROR(a.establish(a_to_b), "R18", "already primary");
}

TEST_F(FailoverTest, R18_UnreachableBackupFailsCleanly) {
  pair.set_connected(false);
  EXPECT_THROW(pair.establish(a, a_to_b), ModelError);
  EXPECT_NE(a.last_peer_error().find("cannot reach the backup at 198.18.0.12:443"),
            std::string::npos);
  EXPECT_EQ(a.role(), FailoverRole::none);
  EXPECT_EQ(b.role(), FailoverRole::none);
}

TEST_F(FailoverTest, R17_DifferentInterApplianceKeysFailOnBothSides) {
  auto cfg = config_b;
  cfg.inter_appliance_key = bytes_of(0x43);
  Appliance other(cfg, clock);
  Pair p(a, other, clock);
  EXPECT_MODEL_ERROR(p.establish(a, a_to_b), "R17", "Inter-Appliance keys of appA and appB differ");
  EXPECT_EQ(a.role(), FailoverRole::none);
  EXPECT_EQ(other.role(), FailoverRole::none);
  EXPECT_NE(other.last_peer_error().find("keys"), std::string::npos);
}

TEST_F(FailoverTest, R17_DifferentVersionOrBuildIsNamed) {
  auto cfg = config_b;
  cfg.software = kNew;
  Appliance newer(cfg, clock);
  Pair p1(a, newer, clock);
  EXPECT_MODEL_ERROR(p1.establish(a, a_to_b), "R17",
                     "software versions differ: appA runs 23.1.2, appB runs 24.1.0");
  cfg.software = {kOld.version, "ffffff"};
  Appliance rebuilt(cfg, clock);
  Pair p2(a, rebuilt, clock);
  EXPECT_MODEL_ERROR(p2.establish(a, a_to_b), "R17", "builds differ");
  EXPECT_EQ(rebuilt.role(), FailoverRole::none);
}

TEST_F(FailoverTest, R17_TheKeyNeverCrossesTheChannel) {
  a.establish(a_to_b);
  const auto out = a.take_outbox();
  ASSERT_EQ(out.size(), 1u);
  const auto& hello = std::get<EstablishHello>(out[0].request);
  const std::string key(config_a.inter_appliance_key.begin(), config_a.inter_appliance_key.end());
  EXPECT_EQ(hello.proof_hex.find("4242"), std::string::npos);
  EXPECT_EQ(hello.proof_hex.size(), 64u) << "an HMAC-SHA256, not the key";
}

TEST_F(FailoverTest, R19_BackupManagementIsRestricted) {
  establish_ab();
  EXPECT_TRUE(b.management_restricted());
  EXPECT_FALSE(a.management_restricted());
  EXPECT_MODEL_ERROR(b.add_user({"x", "X"}), "R19", "on the primary instead");
  EXPECT_MODEL_ERROR(b.set_setting("k", "v"), "R19", "restricted");
  EXPECT_MODEL_ERROR(b.establish(b_to_a), "R19", "restricted");
  EXPECT_FALSE(b.serves_site());
}

TEST_F(FailoverTest, R19_FirstSyncStartsAbout60sAfterEstablishing) {
  a.add_user({"rep1", "Rep"});
  pair.establish(a, a_to_b);
  const auto t0 = clock.now();
  EXPECT_EQ(a.sync_status().scheduled, t0 + 60s);
  pair.run_until(t0 + 59s);
  EXPECT_FALSE(a.sync_status().in_progress);
  pair.run_until(t0 + 60s);
  EXPECT_TRUE(a.sync_status().in_progress);
  const auto d = a.timing().sync.at(a.store().stored_bytes());
  pair.run_until(t0 + 60s + d);
  EXPECT_FALSE(a.sync_status().in_progress);
  EXPECT_EQ(a.sync_status().last_sync, t0 + 60s + d) << "the Failover page shows the last sync";
  EXPECT_EQ(a.sync_status().last_status, "success");
  EXPECT_TRUE(b.store().users.contains("rep1"));
}

TEST_F(FailoverTest, R19_SyncNowForcesTheSync) {
  pair.establish(a, a_to_b);
  a.sync_now();
  EXPECT_TRUE(a.sync_status().in_progress);
  EXPECT_FALSE(a.sync_status().scheduled) << "the scheduled first sync is replaced";
  ASSERT_TRUE(pair.run_until([&] { return !a.sync_status().in_progress; }, 1h));
  EXPECT_EQ(a.sync_status().last_status, "success");
}

TEST_F(FailoverTest, R19_SyncTakesLongerWithMoreData) {
  const auto lsid = session_on(a);
  const auto small = a.timing().sync.at(a.store().stored_bytes());
  a.add_recording({lsid, 100 * kGiB});
  const auto big = a.timing().sync.at(a.store().stored_bytes());
  EXPECT_GT(big, small);
  EXPECT_GE(big, 2h) << "hours for much data";
  EXPECT_LE(small, 10s) << "seconds for little";
}

TEST_F(FailoverTest, R20_SyncOverwritesWhatTheBackupHad) {
  b.add_user({"stale", "Only on B"});
  b.set_setting("site.title", "B's title");
  a.add_user({"rep1", "Rep"});
  a.set_setting("site.title", "A's title");
  establish_ab();
  EXPECT_EQ(b.store().users, a.store().users);
  EXPECT_EQ(b.store().settings.at("site.title"), "A's title");
}

TEST_F(FailoverTest, R02_SyncNowRunsOnThePrimary) {
  EXPECT_MODEL_ERROR(a.sync_now(), "R02", "is none");
  establish_ab();
  EXPECT_MODEL_ERROR(b.sync_now(), "R02", "is backup");
}

TEST_F(FailoverTest, R02_SyncFailsWhenThePeerIsUnreachable) {
  establish_ab();
  pair.set_connected(false);
  a.sync_now();
  ASSERT_TRUE(pair.run_until([&] { return !a.sync_status().in_progress; }, 1h));
  EXPECT_NE(a.sync_status().last_status.find("failed: peer 198.18.0.12:443 unreachable"),
            std::string::npos)
      << a.sync_status().last_status;
}

TEST_F(FailoverTest, R03_BreakOnlyAfterTheSyncFinished) {
  establish_ab();
  a.sync_now();
  EXPECT_MODEL_ERROR(a.break_relationship(), "R03", "wait until it has finished");
  EXPECT_EQ(a.role(), FailoverRole::primary);
  ASSERT_TRUE(pair.run_until([&] { return !a.sync_status().in_progress; }, 1h));
  a.break_relationship();
  pair.pump();
  EXPECT_EQ(a.role(), FailoverRole::none);
  EXPECT_EQ(b.role(), FailoverRole::none);
  EXPECT_TRUE(b.serves_site()) << "standalone again, B serves its own site";
  EXPECT_MODEL_ERROR(a.break_relationship(), "R03", "not in a failover relationship");
}

TEST_F(FailoverTest, R03_BreakWhileThePeerIsUnreachableStillBreaksLocally) {
  establish_ab();
  pair.set_connected(false);
  a.break_relationship();
  pair.pump();
  EXPECT_EQ(a.role(), FailoverRole::none);
  EXPECT_EQ(b.role(), FailoverRole::backup);
}

TEST_F(FailoverTest, R15_SessionsCompletedWhileBrokenMergeOnReestablish) {
  establish_ab();
  a.break_relationship();
  pair.pump();
  const auto on_a = session_on(a);
  const auto on_b = session_on(b);
  pair.establish(b, b_to_a);  // B primary now, A backup
  EXPECT_TRUE(a.store().sessions.contains(on_a));
  const auto since = clock.now();
  ASSERT_TRUE(pair.run_until([&] { return b.sync_status().last_sync > since; }, 2h));
  for (const auto* x : {&a, &b}) {
    EXPECT_TRUE(x->store().sessions.contains(on_a)) << x->name();
    EXPECT_TRUE(x->store().sessions.contains(on_b)) << x->name();
  }
}

TEST_F(FailoverTest, R21_BackupOfAtlasPrimaryNodeBecomesBackupPrimaryNode) {
  auto cfg = config_a;
  cfg.atlas = AtlasRole::primary_node;
  Appliance node(cfg, clock);
  Pair p(node, b, clock);
  p.establish(node, a_to_b);
  EXPECT_EQ(b.atlas_role(), AtlasRole::backup_primary_node);
  EXPECT_EQ(cluster_role(b.atlas_role()), "primary");
}

TEST_F(FailoverTest, R21_OtherwiseTheBackupStaysOutOfAtlas) {
  establish_ab();
  EXPECT_EQ(b.atlas_role(), AtlasRole::none);
}

TEST_F(FailoverTest, R13_SharedIpFlagMovesWithTheSwitch) {
  a.set_shared_ip(true);
  EXPECT_EQ(pair.holder_of("198.18.0.10"), &a);
  a.set_shared_ip(false);
  EXPECT_EQ(pair.holder_of("198.18.0.10"), nullptr) << "the switch's gap";
  b.set_shared_ip(true);
  EXPECT_EQ(pair.holder_of("198.18.0.10"), &b);
  EXPECT_EQ(pair.holder_of("198.18.0.11"), &a) << "the unique IP is always enabled";
}

TEST_F(FailoverTest, R23_SharedIpOnBothIsAConflict) {
  a.set_shared_ip(true);
  b.set_shared_ip(true);
  EXPECT_MODEL_ERROR(pair.holder_of("198.18.0.10"), "R23", "enabled on both appA and appB");
}

TEST_F(FailoverTest, SetFailoverRoleSwapsThePair) {
  establish_ab();
  EXPECT_EQ(a.set_failover_role(FailoverRole::backup, false, false), "Successfully changed role.");
  EXPECT_EQ(a.role(), FailoverRole::backup);
  EXPECT_EQ(b.role(), FailoverRole::backup) << "one side after the other: both briefly backup";
  pair.pump();
  EXPECT_EQ(b.role(), FailoverRole::primary);
  EXPECT_EQ(b.set_failover_role(FailoverRole::primary, false, false), "Successfully changed role.");
}

TEST_F(FailoverTest, SetFailoverRoleDataSyncFirst) {
  establish_ab();
  a.add_user({"rep1", "Rep"});
  a.login("rep1");
  EXPECT_EQ(a.set_failover_role(FailoverRole::backup, true, false),
            "Successfully started data sync. Role change will occur upon successful completion.");
  EXPECT_TRUE(a.logged_in().empty()) << "every user on the primary is disconnected";
  EXPECT_EQ(a.role(), FailoverRole::primary);
  EXPECT_THROW(a.set_failover_role(FailoverRole::backup, false, false), ModelError)
      << "nothing else until the swap completes";
  ASSERT_TRUE(pair.run_until([&] { return b.role() == FailoverRole::primary; }, 1h));
  EXPECT_EQ(a.role(), FailoverRole::backup);
  EXPECT_TRUE(b.store().users.contains("rep1"));
}

TEST_F(FailoverTest, SetFailoverRoleWithoutForceNeedsThePeer) {
  establish_ab();
  pair.set_connected(false);
  a.set_failover_role(FailoverRole::backup, false, false);
  pair.pump();
  EXPECT_EQ(a.role(), FailoverRole::primary) << "cancelled: the pair would have no primary";
  EXPECT_NE(a.last_peer_error().find("use force"), std::string::npos);
  a.set_failover_role(FailoverRole::backup, false, true);
  pair.pump();
  EXPECT_EQ(a.role(), FailoverRole::backup) << "force: even with the peer unreachable";
}

TEST_F(FailoverTest, BackupTakesOverWhenThePrimaryIsGone) {
  establish_ab();
  pair.set_connected(false);
  b.set_failover_role(FailoverRole::primary, false, false);
  pair.pump();
  EXPECT_EQ(b.role(), FailoverRole::primary);
  EXPECT_TRUE(b.serves_site());
}

TEST_F(FailoverTest, SetFailoverRoleBadInput) {
  EXPECT_THROW(a.set_failover_role(FailoverRole::primary, false, false), ModelError);
  establish_ab();
  EXPECT_THROW(a.set_failover_role(FailoverRole::none, false, false), ModelError);
  EXPECT_THROW(b.set_failover_role(FailoverRole::primary, false, true), ModelError)
      << "force only for primary -> backup";
}

TEST_F(FailoverTest, ModelIsDeterministic) {
  establish_ab();
  auto cfg_a = config_a, cfg_b = config_b;
  ManualClock c2;
  Appliance a2(cfg_a, c2), b2(cfg_b, c2);
  Pair p2(a2, b2, c2);
  p2.establish(a2, a_to_b);
  ASSERT_TRUE(p2.run_until([&] { return a2.sync_status().last_sync.has_value(); }, 2h));
  ASSERT_EQ(a.events().size(), a2.events().size());
  for (std::size_t i = 0; i < a.events().size(); ++i) {
    EXPECT_EQ(a.events()[i].text, a2.events()[i].text);
    EXPECT_EQ(a.events()[i].at, a2.events()[i].at);
  }
}

}  // namespace
}  // namespace failover_hil::sim::testing

namespace failover_hil::sim::testing {
namespace {

TEST_F(FailoverTest, R02_SlowSyncFaultLengthensTheSync) {
  establish_ab();
  const auto normal = a.timing().sync.at(a.store().stored_bytes());
  a.arm_sync_faults({10.0, false});
  const auto t0 = clock.now();
  a.sync_now();
  ASSERT_TRUE(pair.run_until([&] { return !a.sync_status().in_progress; }, 1h));
  EXPECT_EQ(clock.now() - t0, normal * 10);
}

TEST_F(FailoverTest, R03_BrokenSyncFaultFailsTheSyncAndBreakIsThenAllowed) {
  establish_ab();
  a.arm_sync_faults({1.0, true});
  a.sync_now();
  ASSERT_TRUE(pair.run_until([&] { return !a.sync_status().in_progress; }, 1h));
  EXPECT_EQ(a.sync_status().last_status, "failed: fault: the sync broke");
  EXPECT_NO_THROW(a.break_relationship()) << "the harness must check the status, not the model";
}

TEST_F(FailoverTest, OutboundMessagesCarryTheirDestination) {
  a.establish(a_to_b);
  const auto hello = a.take_outbox();
  ASSERT_EQ(hello.size(), 1u);
  EXPECT_EQ(hello[0].to, a_to_b.backup);
  for (const auto& o : hello) a.on_peer_response(o.id, b.handle_peer(o.request));
  a.break_relationship();
  const auto notice = a.take_outbox();
  ASSERT_EQ(notice.size(), 1u);
  EXPECT_EQ(notice[0].to, a_to_b.backup) << "sent before the peer is forgotten";
}

}  // namespace
}  // namespace failover_hil::sim::testing
