// bseries-sim as a service: refusals, persistence, authentication, faults.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "failover_hil/core/crypto.hpp"
#include "sim_pair.hpp"

namespace failover_hil::testing {
namespace {

using namespace std::chrono_literals;
using hil::HarnessError;
using hil::wait_until;

#define EXPECT_HARNESS_ERROR(stmt, text)                                          \
  do {                                                                            \
    try {                                                                         \
      stmt;                                                                       \
      ADD_FAILURE() << "expected HarnessError from " #stmt;                       \
    } catch (const HarnessError& e) {                                             \
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what(); \
    }                                                                             \
  } while (0)

TEST(SimService, R17_WrongInterApplianceKeyFailsOnBothSides) {
  SimPair pair({.same_inter_appliance_key = false});
  pair.a().establish("127.0.0.12", pair.port_b(), "127.0.0.11", pair.port_a());
  ASSERT_TRUE(wait_until([&] { return !pair.a().status().last_peer_error.empty(); }, 10s));
  EXPECT_NE(pair.a().status().last_peer_error.find("Inter-Appliance key"), std::string::npos)
      << pair.a().status().last_peer_error;
  EXPECT_EQ(pair.a().status().role, hil::Role::none);
  EXPECT_EQ(pair.b().status().role, hil::Role::none);
  // B refused too, and says why in its log.
  EXPECT_NE(pair.log("appB").find("is not using our Inter-Appliance key"), std::string::npos)
      << pair.log("appB");
}

TEST(SimService, R17_DifferentVersionIsNamed) {
  SimPair pair({.b_software = "23.2.0"});
  pair.a().establish("127.0.0.12", pair.port_b(), "127.0.0.11", pair.port_a());
  ASSERT_TRUE(wait_until([&] { return !pair.a().status().last_peer_error.empty(); }, 10s));
  EXPECT_NE(pair.a().status().last_peer_error.find(
                "software versions differ: appA runs 23.1.2, appB runs 23.2.0"),
            std::string::npos)
      << pair.a().status().last_peer_error;
}

TEST(SimService, KillNineLosesNothingAcknowledged) {
  SimPair pair;
  auto& a = pair.a();
  a.sim_post("seed", R"({"users":[{"id":"rep1","display_name":"Rep One"}]})");
  hil::ClientSpec console{"c", false, false, "23.1.2", "b7f3a1"},
      jump{"j", true, false, "23.1.2", "b7f3a1"};
  console = a.connect_client(console);
  jump = a.connect_client(jump);
  std::set<std::string> acknowledged;
  for (int i = 0; i < 5; ++i) {
    const auto lsid = a.start_session(console, jump);
    a.end_session(lsid);
    acknowledged.insert(lsid);
  }
  a.set_shared_ip(true);
  pair.process_a().kill_hard();
  pair.start_a();
  EXPECT_EQ(pair.a().session_lsids(), acknowledged);
  EXPECT_TRUE(pair.a().status().shared_ip_enabled);
}

TEST(SimService, CrashDuringAnInstallResumesIt) {
  SimPair pair({.time_scale = 300});  // a 15-minute install takes 3 s
  auto& b = pair.b();
  b.check_for_updates();
  b.install_update("base-3.4.0");
  ASSERT_EQ(b.status().state, hil::OperatingState::installing);
  try {
    b.sim_post("faults/crash", "{}");
  } catch (const HarnessError&) {
    // the process died before answering
  }
  ASSERT_TRUE(wait_until([&] { return !pair.process_b().running(); }, 5s));
  pair.start_b();
  EXPECT_EQ(pair.b().status().state, hil::OperatingState::installing)
      << "the install survives the crash";
  ASSERT_TRUE(wait_until([&] { return pair.b().status().state == hil::OperatingState::running; },
                         30s, 50ms));
  EXPECT_EQ(pair.b().status().base, "3.4.0");
}

TEST(SimService, R09_TamperedUpdateFileIsRejectedOverTheApi) {
  SimPair pair;
  auto& a = pair.a();
  const auto res = pair.update_server().get(
      "/updates/v1/download?guid=a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0&id=base-3.4.0");
  ASSERT_EQ(res.status, 200);
  std::vector<std::uint8_t> file(res.body.begin(), res.body.end());
  file[20] ^= 1;
  EXPECT_HARNESS_ERROR(a.install_file(file), "signature does not verify");
  EXPECT_EQ(a.status().state, hil::OperatingState::running);
  EXPECT_EQ(a.status().base, "3.3.2");
  // R10: the server does not hand the same update out twice.
  EXPECT_EQ(pair.update_server()
                .get("/updates/v1/download?guid=a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0&id=base-3.4.0")
                .status,
            409);
}

TEST(SimService, R07_FailedBaseUpdateAndRestartBricks) {
  SimPair pair;
  auto& b = pair.b();
  b.sim_post("faults/install", R"({"fail_at_progress":0.3})");
  b.check_for_updates();
  b.install_update("base-3.4.0");
  ASSERT_TRUE(wait_until([&] { return b.status().state != hil::OperatingState::installing; }, 20s));
  EXPECT_EQ(b.status().state, hil::OperatingState::base_update_failed);
  EXPECT_FALSE(b.status().healthy);
  b.sim_post("restart", "{}");
  EXPECT_EQ(b.status().state, hil::OperatingState::unrecoverable);
  ASSERT_EQ(b.status().violations.size(), 1u);
  EXPECT_EQ(b.status().violations[0].substr(0, 3), "R07");
}

// disk_full_during_install (issue 13): the Base update (900 MiB) finds 100
// MiB free and fails where the disk fills; a negative size is refused.
TEST(SimService, R07_ABaseUpdateLargerThanTheFreeDiskFails) {
  SimPair pair;
  auto& b = pair.b();
  b.sim_post("faults/install", R"({"disk_free_bytes":104857600})");
  b.check_for_updates();
  b.install_update("base-3.4.0");
  ASSERT_TRUE(wait_until([&] { return b.status().state != hil::OperatingState::installing; }, 20s));
  EXPECT_EQ(b.status().state, hil::OperatingState::base_update_failed);
  EXPECT_HARNESS_ERROR(b.sim_post("faults/install", R"({"disk_free_bytes":-1})"),
                       "disk_free_bytes");
}

TEST(SimService, R08_NoAutomaticUpdatesInARelationship) {
  SimPair pair;
  pair.a().establish("127.0.0.12", pair.port_b(), "127.0.0.11", pair.port_a());
  ASSERT_TRUE(wait_until([&] { return pair.b().status().role == hil::Role::backup; }, 10s));
  EXPECT_HARNESS_ERROR(pair.b().check_for_updates(), "R08");
}

TEST(SimService, R23_SharedIpCannotBeEnabledOnBoth) {
  SimPair pair;
  pair.a().set_shared_ip(true);
  EXPECT_HARNESS_ERROR(pair.b().set_shared_ip(true), "R23");
  EXPECT_FALSE(pair.b().status().shared_ip_enabled);
}

TEST(SimService, SetFailoverRoleThroughTheXmlApi) {
  SimPair pair;
  pair.a().establish("127.0.0.12", pair.port_b(), "127.0.0.11", pair.port_a());
  ASSERT_TRUE(wait_until([&] { return pair.a().status().role == hil::Role::primary; }, 10s));
  EXPECT_EQ(pair.a().set_failover_role(hil::Role::backup, false, false),
            "Successfully changed role.");
  ASSERT_TRUE(wait_until([&] { return pair.b().status().role == hil::Role::primary; }, 10s));
  EXPECT_EQ(pair.a().status().role, hil::Role::backup);
}

TEST(SimService, OAuthTokensAndPermissions) {
  SimPair pair;
  HttpsClient api("127.0.0.11", pair.port_a(), TlsTrust{{}, pair.fingerprint_a(), false});
  auto token = [&](const std::string& id, const std::string& secret) {
    return api.request(
        {"POST",
         "/oauth2/token",
         "grant_type=client_credentials&client_id=" + id + "&client_secret=" + secret,
         {{"Content-Type", "application/x-www-form-urlencoded"}}});
  };
  EXPECT_EQ(token("harness", "wrong").status, 401);
  const auto first =
      boost::json::parse(token("reader", "reader-secret-1").body).at("access_token").as_string();
  // A 31st token evicts the oldest.
  for (int i = 0; i < 30; ++i) ASSERT_EQ(token("reader", "reader-secret-1").status, 200);
  auto with = [&](const std::string& t, const std::string& target) {
    return api.request({"GET", target, {}, {{"Authorization", "Bearer " + t}}});
  };
  EXPECT_EQ(with(std::string(first), "/api/command/v2/health").status, 401);
  const auto reader = std::string(
      boost::json::parse(token("reader", "reader-secret-1").body).at("access_token").as_string());
  const auto health = with(reader, "/api/command?action=check_health");
  EXPECT_NE(health.body.find("<success>1</success>"), std::string::npos);
  // read_only may not change roles; the error comes as <error> with HTTP 200.
  const auto denied = with(reader, "/api/command?action=set_failover_role&role=backup");
  EXPECT_EQ(denied.status, 200);
  EXPECT_NE(denied.body.find("<error"), std::string::npos);
  EXPECT_EQ(with(reader, "/api/backup").status, 403);
  EXPECT_EQ(with(reader, "/sim/v1/status").status, 403);
  EXPECT_EQ(health.header("connection"), "close") << "the XML API closes after each call";
}

TEST(SimService, PhysicalApplianceStepsBecomeOperatorPrompts) {
  SimPair pair;
  // The "operator" is this test: it does on the simulator what it is asked.
  struct TestOperator : hil::OperatorPrompt {
    SimPair* pair;
    std::vector<std::string> asked;
    void ask(const hil::OperatorTask& t) override {
      asked.push_back(t.appliance + ": " + t.instructions);
      if (t.action == "set_shared_ip") pair->a().set_shared_ip(t.params.at("enabled") == "true");
    }
  };
  auto op = std::make_shared<TestOperator>();
  op->pair = &pair;
  auto physical = pair.physical_a(op);
  physical->set_shared_ip(true);
  ASSERT_EQ(op->asked.size(), 1u);
  EXPECT_NE(op->asked[0].find("/appliance > Networking > IP Configuration"), std::string::npos);
  // Then verified through the product API alone.
  EXPECT_EQ(physical->status().role, hil::Role::none);
  EXPECT_TRUE(physical->status().healthy);
  EXPECT_HARNESS_ERROR(physical->download_key(), "no API");
}

}  // namespace
}  // namespace failover_hil::testing

namespace failover_hil::testing {
namespace {

// 19.x appliances answer in the bomgar namespace; the driver reads both.
TEST(SimService, XmlIsReadWhateverTheNamespace) {
  SimPair pair({.api_namespace_base = "http://www.bomgar.com/namespaces/API"});
  HttpsClient api("127.0.0.11", pair.port_a(), TlsTrust{{}, pair.fingerprint_a(), false});
  const auto t = api.request(
      {"POST",
       "/oauth2/token",
       "grant_type=client_credentials&client_id=harness&client_secret=harness%2Bsecret%2F1%3D",
       {{"Content-Type", "application/x-www-form-urlencoded"}}});
  const auto token = std::string(boost::json::parse(t.body).at("access_token").as_string());
  const auto raw = api.request(
      {"GET", "/api/command?action=check_health", {}, {{"Authorization", "Bearer " + token}}});
  EXPECT_NE(raw.body.find("xmlns=\"http://www.bomgar.com/namespaces/API/command\""),
            std::string::npos);
  EXPECT_EQ(raw.header("content-type"), "text/xml; charset=UTF-8");
  const auto s = pair.a().status();
  EXPECT_EQ(s.version, "23.1.2");
  EXPECT_EQ(s.build, "b7f3a1");
  EXPECT_EQ(s.guid, "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0");
  EXPECT_TRUE(s.healthy);
}

}  // namespace
}  // namespace failover_hil::testing
