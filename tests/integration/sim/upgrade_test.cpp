// Two bseries-sim processes on loopback go through the whole asynchronous
// upgrade, driven only through HttpDriver (product API + simulator API).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/sim/model/backup.hpp"
#include "sim_pair.hpp"

namespace failover_hil::testing {
namespace {

using namespace std::chrono_literals;
using hil::ApplianceDriver;
using hil::ClientSpec;
using hil::wait_until;

bool settled(ApplianceDriver& d, const std::function<bool(const hil::ApplianceStatus&)>& pred,
             std::chrono::milliseconds limit = 20s) {
  return wait_until([&] { return pred(d.status()); }, limit, 10ms);
}

void wait_install(ApplianceDriver& d) {
  ASSERT_TRUE(settled(
      d, [](const auto& s) { return s.state != hil::OperatingState::installing; }, 60s))
      << d.name();
  ASSERT_EQ(d.status().state, hil::OperatingState::running) << d.name();
}

/// Sync Now on `primary` and wait until a sync finished after now.
void sync_and_wait(ApplianceDriver& primary) {
  const auto before = primary.status().last_sync;
  primary.sync_now();
  ASSERT_TRUE(settled(primary, [&](const auto& s) {
    return !s.sync_in_progress && s.last_sync && s.last_sync != before;
  })) << primary.name();
  ASSERT_EQ(primary.status().last_sync_status, "success");
}

struct Clients {
  ClientSpec console{"console-1", false, false, "23.1.2", "b7f3a1"};
  ClientSpec jump{"jump-1", true, false, "23.1.2", "b7f3a1"};
};

std::string session(ApplianceDriver& d, Clients& c, std::vector<std::string>& created) {
  c.console = d.connect_client(c.console);
  c.jump = d.connect_client(c.jump);
  const auto lsid = d.start_session(c.console, c.jump);
  d.end_session(lsid);
  created.push_back(lsid);
  return lsid;
}

// The issue's acceptance test: at the end both run the new version, B is
// primary, and every session record is on both (read through reporting).
TEST(SimUpgrade, R01_R02_R03_R13_R15_R16_FullAsyncUpgradeOverHttps) {
  SimPair pair;
  auto& a = pair.a();
  auto& b = pair.b();
  Clients clients;
  std::vector<std::string> created;

  // Starting state: A primary with the shared IP, B backup, synced.
  pair.a().sim_post("seed", R"({"users":[{"id":"rep1","display_name":"Rep One"}],
                                "files":[{"path":"/files/logo.png","size_bytes":49152}]})");
  a.set_shared_ip(true);
  session(a, clients, created);
  session(a, clients, created);
  EXPECT_TRUE(a.establish("127.0.0.12", pair.port_b(), "127.0.0.11", pair.port_a()).empty());
  ASSERT_TRUE(settled(a, [](const auto& s) {
    return s.role == hil::Role::primary && s.last_sync.has_value();
  })) << a.status().last_peer_error;
  EXPECT_EQ(b.status().role, hil::Role::backup);

  // R01: a verified backup of A before any update.
  const auto backup = a.download_backup("backup-password-1");
  const auto opened =
      sim::open_backup(backup.bytes, sim::BackupSecret::password("backup-password-1"));
  EXPECT_EQ(opened.appliance_name, "appA");
  EXPECT_EQ(opened.store.sessions.size(), 2u);

  // R02, R03: Sync Now, wait, then break.
  sync_and_wait(a);
  a.break_relationship();
  ASSERT_TRUE(settled(b, [](const auto& s) { return s.role == hil::Role::none; }));

  // Update B automatically: Base, backup, dependent software (R06, R08).
  const auto offers = b.check_for_updates();
  ASSERT_EQ(offers.size(), 2u);
  b.install_update("base-3.4.0");
  wait_install(b);
  EXPECT_EQ(b.status().pending_dependents, std::vector<std::string>{"sw-24.1.0"});
  b.download_backup("backup-password-1");
  b.install_update("sw-24.1.0");
  wait_install(b);
  session(a, clients, created);  // A keeps serving meanwhile

  // Verify B (R11): a console upgrades itself on connect and reports the build.
  ClientSpec verify{"verify-console", false, false, "23.1.2", "b7f3a1"};
  verify = b.connect_client(verify);
  EXPECT_EQ(verify.state, "online");
  EXPECT_EQ(verify.build, "c9e2d4");
  Clients on_b;
  session(b, on_b, created);

  // Shared IP switch (R13): the site at the shared IP now answers from B.
  a.set_shared_ip(false);
  b.set_shared_ip(true);
  HttpsClient site("127.0.0.10", pair.shared_port(), TlsTrust{{}, "", true});
  EXPECT_EQ(site.get("/").header("x-served-by"), "appB");
  session(b, on_b, created);

  // R16: only now update A, manually (R09) with its Download Key.
  const auto key = a.download_key();
  const auto files_res = pair.update_server().request(
      {"POST",
       "/updates/v1/key-files",
       boost::json::serialize(
           boost::json::object{{"key", key},
                               {"base", "3.3.2"},
                               {"software", {{"version", "23.1.2"}, {"build", "b7f3a1"}}}}),
       {{"Content-Type", "application/json"}}});
  ASSERT_EQ(files_res.status, 200) << files_res.body;
  const auto files = boost::json::parse(files_res.body).at("files").as_array();
  ASSERT_EQ(files.size(), 2u);
  for (const auto& f : files) {
    const auto bytes = crypto::base64_decode(std::string(f.as_string()));
    a.install_file({bytes.begin(), bytes.end()});
    wait_install(a);
    if (!a.status().pending_dependents.empty()) a.download_backup("backup-password-1");
  }
  EXPECT_EQ(a.status().version, "24.1.0");

  // Re-establish on B with A as backup; sessions merge both ways (R15).
  b.establish("127.0.0.11", pair.port_a(), "127.0.0.12", pair.port_b());
  ASSERT_TRUE(settled(b, [](const auto& s) { return s.role == hil::Role::primary; }))
      << b.status().last_peer_error;
  sync_and_wait(b);

  const auto sa = a.status(), sb = b.status();
  EXPECT_EQ(sa.version, "24.1.0");
  EXPECT_EQ(sb.version, "24.1.0");
  EXPECT_EQ(sa.build, sb.build);
  EXPECT_EQ(sb.role, hil::Role::primary);
  EXPECT_EQ(sa.role, hil::Role::backup);
  EXPECT_TRUE(sa.violations.empty()) << sa.violations.front();
  EXPECT_TRUE(sb.violations.empty()) << sb.violations.front();
  const auto lsids_a = a.session_lsids(), lsids_b = b.session_lsids();
  EXPECT_EQ(lsids_a, lsids_b);
  for (const auto& l : created) EXPECT_TRUE(lsids_a.contains(l)) << l;
  EXPECT_EQ(created.size(), 5u);
}

}  // namespace
}  // namespace failover_hil::testing
