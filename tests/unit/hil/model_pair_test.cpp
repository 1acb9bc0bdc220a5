#include "failover_hil/hil/model_pair.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"
#include "failover_hil/sim/model/backup.hpp"

namespace failover_hil::hil {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPassword = "backup-password-1";

/// What the engine does while a step waits: virtual time, event by event.
bool wait_for(ModelPair& p, const std::function<bool()>& done, Duration limit) {
  const auto deadline = p.clock().now() + limit;
  while (!done()) {
    if (p.clock().now() >= deadline) return false;
    auto next = p.next_due();
    if (!next || *next > deadline) next = deadline;
    p.run_until(std::max(*next, p.clock().now() + 1ms));
  }
  return true;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Expects `f` to throw a HarnessError whose message holds every part.
template <class F>
void expect_harness_error(F&& f, std::initializer_list<const char*> parts) {
  try {
    f();
    ADD_FAILURE() << "no HarnessError";
  } catch (const HarnessError& e) {
    for (const auto* part : parts) EXPECT_TRUE(contains(e.what(), part)) << e.what();
  }
}

class ModelPairTest : public ::testing::Test {
 protected:
  ApplianceDriver& A() { return pair.driver(Member::A); }
  ApplianceDriver& B() { return pair.driver(Member::B); }
  SimulatorControl& simA() { return pair.control(Member::A); }
  SimulatorControl& simB() { return pair.control(Member::B); }

  /// Clients of the old release, installer-deployed, online with `d`.
  std::pair<ClientSpec, ClientSpec> clients(ApplianceDriver& d) {
    const auto console = d.connect_client({"console-1", false, false, "23.1.2", "b7f3a1"});
    const auto jump = d.connect_client({"jump-1", true, false, "23.1.2", "b7f3a1"});
    return {console, jump};
  }

  std::string session(ApplianceDriver& d) {
    const auto [console, jump] = clients(d);
    const auto lsid = d.start_session(console, jump);
    d.end_session(lsid);
    return lsid;
  }

  /// The procedure's starting state: data on A, A primary with the shared
  /// IP, B backup, synced (R17 R18 R19 R02).
  void seed_and_pair() {
    simA().seed({{{"rep1", "Rep 1"}, {"rep2", "Rep 2"}},
                 {{"/files/doc1.pdf", 65536}},
                 {{"login.banner", "lab"}}});
    const auto [console, jump] = clients(A());
    for (int i = 0; i < 2; ++i) {
      const auto lsid = simA().start_session(console, jump, 4 << 20);
      A().end_session(lsid);
    }
    A().set_shared_ip(true);
    const auto warnings = A().establish("198.18.0.12", 8443, "198.18.0.11", 8443);
    EXPECT_TRUE(warnings.empty());
    ASSERT_EQ(A().status().role, Role::primary) << A().status().last_peer_error;
    ASSERT_EQ(B().status().role, Role::backup);
    sync(A());
  }

  void sync(ApplianceDriver& primary) {
    const auto before = primary.status().last_sync;
    primary.sync_now();
    ASSERT_TRUE(wait_for(
        pair,
        [&] {
          const auto s = primary.status();
          return !s.sync_in_progress && s.last_sync && s.last_sync != before;
        },
        5min));
    EXPECT_EQ(primary.status().last_sync_status, "success");
  }

  void wait_running(ApplianceDriver& d, Duration limit = 2h) {
    ASSERT_TRUE(wait_for(
        pair, [&] { return d.status().state != OperatingState::installing; }, limit));
    ASSERT_EQ(d.status().state, OperatingState::running) << d.status().error;
  }

  ModelPair pair{ModelPairOptions{}};
};

TEST_F(ModelPairTest, StatusReadsTheModelAsHttpDriverReadsBseriesSim) {
  const auto s = A().status();
  EXPECT_EQ(A().name(), "appA");
  EXPECT_EQ(B().name(), "appB");
  EXPECT_EQ(s.name, "appA");
  EXPECT_EQ(s.guid, "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0");
  EXPECT_EQ(B().status().guid, "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0");
  EXPECT_EQ(s.role, Role::none);
  EXPECT_EQ(s.state, OperatingState::running);
  EXPECT_TRUE(s.healthy);
  EXPECT_TRUE(s.serves_site);
  EXPECT_EQ(s.base, "3.3.2");
  EXPECT_EQ(s.version, "23.1.2");
  EXPECT_EQ(s.build, "b7f3a1");
  EXPECT_FALSE(s.shared_ip_enabled);
  EXPECT_FALSE(s.last_sync);
  EXPECT_FALSE(s.install_progress);
  EXPECT_TRUE(s.violations.empty());
}

// The whole procedure through ApplianceDriver only, as the engine runs it.
TEST_F(ModelPairTest, R01_R02_R03_R06_R08_R09_R10_R13_R15_R18_R20_TheAsynchronousUpgrade) {
  seed_and_pair();
  const auto seeded_lsids = A().session_lsids();
  ASSERT_EQ(seeded_lsids.size(), 2u);
  EXPECT_EQ(B().session_lsids(), seeded_lsids) << "R20: the sync carried A's data to B";
  EXPECT_EQ(pair.appliance(Member::B).store().users.size(), 2u);
  EXPECT_EQ(pair.appliance(Member::B).store().settings.at("login.banner"), "\"lab\"");

  // R01: a backup, checked by its digest, opens with its password.
  const auto backup = A().download_backup(kPassword);
  EXPECT_EQ(backup.sha256_hex, to_hex(crypto::sha256(backup.bytes)));
  const auto contents = sim::open_backup(backup.bytes, sim::BackupSecret::password(kPassword));
  EXPECT_EQ(contents.appliance_name, "appA");
  EXPECT_EQ(contents.store.users.size(), 2u);

  // R02 and R03: sync, then break; both leave the relationship.
  sync(A());
  A().break_relationship();
  EXPECT_EQ(A().status().role, Role::none);
  EXPECT_EQ(B().status().role, Role::none);
  EXPECT_TRUE(pair.serves_site(Member::A));
  const auto during_window = session(A());  // a record only A has (R15)

  // R08: B updates automatically: the Base update, then its dependent (R06).
  const auto offered = B().check_for_updates();
  ASSERT_EQ(offered.size(), 2u);
  EXPECT_EQ(offered[0].id, "base-3.4.0");
  EXPECT_EQ(offered[0].target, "Base 3.4.0");
  EXPECT_EQ(offered[1].id, "sw-24.1.0");
  B().install_update("base-3.4.0");
  EXPECT_EQ(B().status().state, OperatingState::installing);
  EXPECT_EQ(B().status().install_progress, 0.0);
  EXPECT_FALSE(pair.serves_site(Member::B));
  wait_running(B());
  EXPECT_EQ(B().status().base, "3.4.0");
  EXPECT_EQ(B().status().pending_dependents, std::vector<std::string>{"sw-24.1.0"});
  B().download_backup(kPassword);  // R06: between the Base update and its dependent
  const auto again = B().check_for_updates();
  ASSERT_EQ(again.size(), 1u) << "R10: a downloaded update is not offered again";
  EXPECT_EQ(again[0].id, "sw-24.1.0");
  B().install_update("sw-24.1.0");
  wait_running(B());
  EXPECT_EQ(B().status().version, "24.1.0");
  EXPECT_EQ(B().status().build, "c9e2d4");
  EXPECT_TRUE(B().status().pending_dependents.empty());

  // R11: clients of the old release upgrade themselves on connect to B.
  const auto [console_b, jump_b] = clients(B());
  EXPECT_EQ(console_b.state, "online");
  EXPECT_EQ(console_b.connected_to, "appB");
  EXPECT_EQ(console_b.version, "24.1.0");
  const auto on_b = B().start_session(console_b, jump_b);
  B().end_session(on_b);

  // R13: the shared IP moves from A to B.
  EXPECT_EQ(pair.shared_ip_holder(), Member::A);
  A().set_shared_ip(false);
  B().set_shared_ip(true);
  EXPECT_EQ(pair.shared_ip_holder(), Member::B);
  EXPECT_FALSE(pair.shared_ip_conflict_seen());

  // R09: A updates manually with its Download Key; each file once (R10).
  const auto key = A().download_key();
  const auto files = pair.key_files(key, A().status());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_TRUE(pair.key_files(key, A().status()).empty());
  EXPECT_THROW(B().install_file(files[0]), HarnessError) << "R09: a file is for one appliance";
  A().install_file(files[0]);
  wait_running(A());
  A().download_backup(kPassword);
  A().install_file(files[1]);
  wait_running(A());
  EXPECT_EQ(A().status().version, "24.1.0");

  // R18: re-establish on B with A as its backup; the sync merges records (R15).
  B().establish("198.18.0.11", 8443, "198.18.0.12", 8443);
  ASSERT_EQ(B().status().role, Role::primary) << B().status().last_peer_error;
  ASSERT_EQ(A().status().role, Role::backup);
  sync(B());
  auto all = seeded_lsids;
  all.insert(during_window);
  all.insert(on_b);
  EXPECT_EQ(B().session_lsids(), all) << "R15: B got A's record from the exposure window";
  EXPECT_EQ(A().session_lsids(), all);
  EXPECT_EQ(pair.integration_extract(Member::B), all);
  expect_harness_error([&] { pair.integration_extract(Member::A); }, {"R14", "appA"});

  EXPECT_TRUE(A().status().violations.empty());
  EXPECT_TRUE(B().status().violations.empty());
}

TEST_F(ModelPairTest, R06_TheDependentWithoutABackupIsAViolation) {
  B().check_for_updates();
  B().install_update("base-3.4.0");
  wait_running(B());
  B().install_update("sw-24.1.0");
  wait_running(B());
  const auto v = B().status().violations;
  ASSERT_EQ(v.size(), 1u);
  EXPECT_TRUE(v[0].starts_with("R06: no backup was downloaded from appB")) << v[0];
}

TEST_F(ModelPairTest, R08_R03_ErrorsNameTheApplianceTheOperationAndTheRule) {
  seed_and_pair();
  expect_harness_error([&] { A().check_for_updates(); },
                       {"appA", "Check for updates", "R08", "failover relationship"});
  A().sync_now();
  expect_harness_error([&] { A().break_relationship(); },
                       {"appA", "Break Failover Relationship", "R03", "sync is in progress"});
  expect_harness_error([&] { B().sync_now(); }, {"appB", "Sync Now", "R02"});
}

TEST_F(ModelPairTest, R07_AnInstallFaultLeavesBBaseUpdateFailed) {
  simB().arm_install_fault({0.4, false});
  B().check_for_updates();
  B().install_update("base-3.4.0");
  ASSERT_TRUE(wait_for(
      pair, [&] { return B().status().state != OperatingState::installing; }, 2h));
  const auto s = B().status();
  EXPECT_EQ(s.state, OperatingState::base_update_failed);
  EXPECT_FALSE(s.healthy);
  EXPECT_EQ(s.error, "base_update_failed");
  EXPECT_EQ(s.base, "3.3.2");
  EXPECT_FALSE(pair.serves_site(Member::B));
  expect_harness_error([&] { B().download_backup(kPassword); }, {"appB", "R07", "contact support"});
}

TEST_F(ModelPairTest, R07_FaultArgumentsAreCheckedAsBseriesSimChecksThem) {
  EXPECT_THROW(simB().arm_install_fault({1.5, false}), HarnessError);
  EXPECT_THROW(simB().arm_sync_fault({0.5, false}), HarnessError);
  EXPECT_THROW(simB().refuse_site(-1), HarnessError);
}

TEST_F(ModelPairTest, CrashThenPowerOnKeepsWhatWasCommitted) {
  seed_and_pair();
  const auto lsids = A().session_lsids();
  simA().crash();
  expect_harness_error([&] { A().status(); }, {"appA is down (crashed)"});
  expect_harness_error([&] { simA().seed({}); }, {"appA is down (crashed)"});
  EXPECT_FALSE(pair.serves_site(Member::A));
  EXPECT_EQ(pair.shared_ip_holder(), std::nullopt) << "a dead process answers nothing";
  expect_harness_error([&] { pair.integration_extract(Member::A); }, {"R14", "down"});
  EXPECT_THROW(simB().power_on(), HarnessError) << "B is running";

  simA().power_on();
  const auto s = A().status();
  EXPECT_EQ(s.role, Role::primary);
  EXPECT_TRUE(s.shared_ip_enabled);
  EXPECT_EQ(A().session_lsids(), lsids);
  EXPECT_EQ(pair.appliance(Member::A).store().users.size(), 2u);
  EXPECT_EQ(pair.shared_ip_holder(), Member::A);
  sync(A());  // the relationship survived
}

TEST_F(ModelPairTest, R02_ASyncToASilencedPeerFails) {
  seed_and_pair();
  simB().silence_peer();
  A().sync_now();
  ASSERT_TRUE(wait_for(
      pair, [&] { return !A().status().sync_in_progress; }, 5min));
  const auto s = A().status();
  EXPECT_TRUE(s.last_sync_status.starts_with("failed:")) << s.last_sync_status;
  EXPECT_TRUE(contains(s.last_sync_status, "unreachable")) << s.last_sync_status;
  // A restart of B ends the silence.
  simB().crash();
  simB().power_on();
  sync(A());
}

TEST_F(ModelPairTest, R18_EstablishingWithASilencedPeerFailsCleanly) {
  simA().silence_peer();
  A().establish("198.18.0.12", 8443, "198.18.0.11", 8443);
  const auto s = A().status();
  EXPECT_EQ(s.role, Role::none);
  EXPECT_TRUE(contains(s.last_peer_error, "cannot reach the backup at 198.18.0.12:8443"))
      << s.last_peer_error;
  EXPECT_EQ(B().status().role, Role::none);
}

TEST_F(ModelPairTest, R18_AnAddressNothingListensOnIsUnreachable) {
  A().establish("198.18.0.99", 8443, "198.18.0.11", 8443);
  EXPECT_EQ(A().status().role, Role::none);
  A().establish("198.18.0.12", 9999, "198.18.0.11", 8443);
  EXPECT_EQ(A().status().role, Role::none);
  EXPECT_TRUE(contains(A().status().last_peer_error, "198.18.0.12:9999"));
}

TEST_F(ModelPairTest, R14_RefuseSiteStopsTheSiteForThatLongOfVirtualTime) {
  const auto [console, jump] = clients(A());
  const auto lsid = A().start_session(console, jump);
  A().end_session(lsid);
  const auto start = pair.clock().now();
  simA().refuse_site(5000);
  EXPECT_FALSE(pair.serves_site(Member::A));
  EXPECT_FALSE(A().status().serves_site);
  EXPECT_TRUE(A().status().healthy) << "the API still answers";
  EXPECT_EQ(A().connect_client(console).state, "offline");
  EXPECT_THROW(A().start_session(console, jump), HarnessError);
  expect_harness_error([&] { pair.integration_extract(Member::A); }, {"R14", "refuses"});
  EXPECT_EQ(pair.next_due(), start + 5s);
  pair.run_until(*pair.next_due());
  EXPECT_TRUE(pair.serves_site(Member::A));
  EXPECT_EQ(pair.integration_extract(Member::A), std::set<std::string>{lsid});
}

TEST_F(ModelPairTest, R23_ForcingTheSharedIpOnWhileTheOtherHoldsItIsAConflict) {
  A().set_shared_ip(true);
  EXPECT_EQ(pair.shared_ip_holder(), Member::A);
  EXPECT_FALSE(pair.shared_ip_conflict());
  simB().force_shared_ip_on();
  EXPECT_TRUE(pair.shared_ip_conflict());
  EXPECT_EQ(pair.shared_ip_holder(), std::nullopt);
  B().set_shared_ip(false);
  EXPECT_FALSE(pair.shared_ip_conflict());
  EXPECT_TRUE(pair.shared_ip_conflict_seen());
  EXPECT_EQ(pair.shared_ip_holder(), Member::A);
}

TEST_F(ModelPairTest, DriverCallsDoNotMoveTime) {
  const auto t0 = pair.clock().now();
  seed_and_pair();  // waits for the sync: time moves there only
  const auto t1 = pair.clock().now();
  EXPECT_GT(t1, t0);
  A().download_backup(kPassword);
  A().status();
  A().break_relationship();
  B().check_for_updates();
  B().install_update("base-3.4.0");
  EXPECT_EQ(pair.clock().now(), t1);
  pair.run_until(t1 - 1h);
  EXPECT_EQ(pair.clock().now(), t1) << "never backwards";
}

struct RunOutcome {
  std::string guid_a, guid_b;
  std::set<std::string> lsids;
  std::string backup_sha, second_backup_sha, key;
  TimePoint end;
};

RunOutcome run_once(std::uint64_t seed) {
  ModelPairOptions o;
  o.seed = seed;
  ModelPair p(o);
  auto& a = p.driver(Member::A);
  p.control(Member::A).seed({{{"rep1", "Rep 1"}}, {{"/f", 1000}}, {}});
  const auto console = a.connect_client({"c", false, false, "23.1.2", "b7f3a1"});
  const auto jump = a.connect_client({"j", true, false, "23.1.2", "b7f3a1"});
  const auto lsid = p.control(Member::A).start_session(console, jump, 1 << 20);
  p.run_until(p.clock().now() + 3min);
  a.end_session(lsid);
  a.establish("198.18.0.12", 8443, "198.18.0.11", 8443);
  a.sync_now();
  wait_for(
      p, [&] { return !a.status().sync_in_progress; }, 10min);
  RunOutcome r;
  r.guid_a = a.status().guid;
  r.guid_b = p.driver(Member::B).status().guid;
  r.lsids = p.driver(Member::B).session_lsids();
  r.backup_sha = a.download_backup(kPassword).sha256_hex;
  r.second_backup_sha = a.download_backup(kPassword).sha256_hex;
  r.key = a.download_key();
  r.end = p.clock().now();
  return r;
}

TEST(ModelPairDeterminism, SameSeedSameRun) {
  const auto one = run_once(7);
  const auto two = run_once(7);
  EXPECT_EQ(one.guid_a, two.guid_a);
  EXPECT_EQ(one.guid_b, two.guid_b);
  EXPECT_EQ(one.lsids, two.lsids);
  EXPECT_EQ(one.lsids.size(), 1u);
  EXPECT_EQ(one.backup_sha, two.backup_sha);
  EXPECT_EQ(one.second_backup_sha, two.second_backup_sha);
  EXPECT_EQ(one.key, two.key);
  EXPECT_EQ(one.end, two.end);
  EXPECT_NE(one.backup_sha, one.second_backup_sha) << "each backup has its own IV";
  EXPECT_NE(run_once(8).backup_sha, one.backup_sha) << "keys and nonces derive from the seed";
}

// Appliance::restore reads the saved nonce seed as a signed number: every
// seed the pair derives must survive a crash.
TEST(ModelPairDeterminism, EverySeedSurvivesACrashOfEitherMember) {
  for (std::uint64_t seed = 1; seed <= 16; ++seed) {
    ModelPairOptions o;
    o.seed = seed;
    ModelPair p(o);
    for (const auto m : {Member::A, Member::B}) {
      p.control(m).crash();
      EXPECT_NO_THROW(p.control(m).power_on()) << "seed " << seed << ", " << name(m);
    }
  }
}

}  // namespace
}  // namespace failover_hil::hil
