// The product API as the vendor documents it (docs/product-api.md), asked of
// bseries-sim over HTTPS: the raw bytes a physical appliance would send, and
// HttpDriver reading them.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/sim/model/backup.hpp"
#include "sim_pair.hpp"

namespace failover_hil::testing {
namespace {

using namespace std::chrono_literals;
using hil::wait_until;
namespace json = boost::json;

#define EXPECT_HAS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)
#define EXPECT_LACKS(text, part) EXPECT_EQ((text).find(part), std::string::npos) << (text)

/// One appliance's API asked directly, with a token of the harness account.
struct Api {
  HttpsClient client;
  std::string token;

  Api(SimPair& pair, const std::string& name)
      : client(name == "appA" ? "127.0.0.11" : "127.0.0.12",
               name == "appA" ? pair.port_a() : pair.port_b(),
               TlsTrust{{}, pair.fingerprint(name), false}) {
    token = std::string(
        json::parse(basic("harness", "harness+secret/1=").body).at("access_token").as_string());
  }
  /// POST /oauth2/token with `Authorization: Basic base64(id:secret)`, raw.
  HttpResponse basic(const std::string& id, const std::string& secret) const {
    return client.request(
        {"POST",
         "/oauth2/token",
         "grant_type=client_credentials",
         {{"Authorization", "Basic " + crypto::base64_encode(crypto::as_bytes(id + ":" + secret))},
          {"Content-Type", "application/x-www-form-urlencoded"}}});
  }
  HttpResponse call(const std::string& target, const std::string& method = "GET",
                    const std::string& body = {}, const std::string& type = {}) const {
    HttpRequest r{method, target, body, {{"Authorization", "Bearer " + token}}};
    if (!type.empty()) r.headers.emplace_back("Content-Type", type);
    return client.request(r);
  }
};

/// A and B in a relationship (A primary), the shared IP left disabled.
void establish(SimPair& pair) {
  ASSERT_TRUE(pair.a().establish("127.0.0.12", pair.port_b(), "127.0.0.11", pair.port_a()).empty());
  ASSERT_TRUE(wait_until(
      [&] {
        const auto s = pair.a().status();
        return s.role == hil::Role::primary && s.last_sync.has_value();
      },
      20s, 10ms))
      << pair.a().status().last_peer_error;
}

TEST(ProductApi, RawBasicCredentialsWithPlusSlashAndEqualsGetAToken) {
  SimPair pair;
  const Api api(pair, "appA");
  EXPECT_EQ(api.basic("harness", "harness+secret/1=").status, 200);
  // A client that form-encodes before base64 alters the secret: refused.
  EXPECT_EQ(api.basic("harness", "harness%2Bsecret%2F1%3D").status, 401);
  EXPECT_EQ(api.basic("harness", "harness secret/1=").status, 401);
  // The form body is form-encoded, as any form: accepted.
  const auto form = api.client.request(
      {"POST",
       "/oauth2/token",
       "grant_type=client_credentials&client_id=harness&client_secret=harness%2Bsecret%2F1%3D",
       {{"Content-Type", "application/x-www-form-urlencoded"}}});
  EXPECT_EQ(form.status, 200) << form.body;
  // HttpDriver authenticates to an appliance that compares raw credentials.
  EXPECT_TRUE(pair.a().status().healthy);
  EXPECT_TRUE(pair.b().session_lsids().empty());
}

TEST(ProductApi, InvalidTokenOnTheJsonApisIsAccessDenied) {
  SimPair pair;
  HttpsClient api("127.0.0.11", pair.port_a(), TlsTrust{{}, pair.fingerprint_a(), false});
  const auto r =
      api.request({"GET", "/api/command/v2/health", {}, {{"Authorization", "Bearer nope"}}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body),
            json::parse(R"({"error":"access_denied","message":"The resource owner or )"
                        R"(authorization server denied the request."})"));
}

TEST(ProductApi, ReportingHasItsOwnNamespaceAnEmptyListAndDocumentedSessions) {
  SimPair pair;
  const Api api(pair, "appA");
  const auto empty =
      api.call("/api/reporting?generate_report=SupportSessionListing&start_time=0&duration=0");
  EXPECT_HAS(
      empty.body,
      R"(<session_summary_list xmlns="https://www.beyondtrust.com/namespaces/API/reporting" />)");
  EXPECT_LACKS(empty.body, "<error");
  EXPECT_TRUE(pair.a().session_lsids().empty());

  hil::ClientSpec console{"console-1", false, false, "23.1.2", "b7f3a1"};
  hil::ClientSpec jump{"jump-1", true, false, "23.1.2", "b7f3a1"};
  console = pair.a().connect_client(console);
  jump = pair.a().connect_client(jump);
  const auto lsid = pair.a().start_session(console, jump);
  pair.a().end_session(lsid);
  EXPECT_TRUE(std::regex_match(lsid, std::regex("[0-9a-f]{32}"))) << lsid;
  EXPECT_EQ(pair.a().session_lsids(), std::set<std::string>{lsid});

  const auto full = api.call("/api/reporting?generate_report=SupportSession&lsid=" + lsid).body;
  EXPECT_HAS(full,
             R"(<session_list xmlns="https://www.beyondtrust.com/namespaces/API/reporting">)");
  EXPECT_HAS(full, "<session lsid=\"" + lsid + "\">");
  for (const char* child :
       {"<session_type>support</session_type>", "<lseq>1</lseq>",
        "<start_time timestamp=", "<end_time timestamp=", "<duration>", "<public_site id=\"1\">",
        "<external_key", "<primary_customer gsnumber=\"2\">jump-1<",
        "<primary_rep gsnumber=\"1\" id=\"1\">console-1<", "<customer_list>", "<rep_list>",
        "<session_details>", "event_type=\"Session Start\"", "event_type=\"Session End\""})
    EXPECT_HAS(full, child);
  EXPECT_LACKS(full, "primary_appliance");

  const auto health = api.call("/api/command?action=check_health").body;
  EXPECT_HAS(health, R"(xmlns="https://www.beyondtrust.com/namespaces/API/command")");
}

TEST(ProductApi, GetApiInfoFollowsTheVendorsVersionTable) {
  SimPair pair({.b_software = "24.3.1"});
  const auto a = Api(pair, "appA").call("/api/command?action=get_api_info").body;
  EXPECT_HAS(a, "<api_version>1.23.1</api_version>");
  EXPECT_HAS(a, "<company_name>example</company_name>");
  for (const char* perm :
       {"perm_backup\">1<", "perm_command\">full_access<", "perm_configuration\">0<",
        "perm_configuration_vault_account\">0<", "perm_ecm\">0<", "perm_real_time_state\">0<",
        "perm_reporting_archive\">0<", "perm_reporting_license\">0<",
        "perm_reporting_presentation\">0<", "perm_reporting_support\">1<", "perm_scim\">0<"})
    EXPECT_HAS(a, std::string("<permission name=\"") + perm);
  // 24.3 removed company_name; every 24.x is API 1.24.1.
  const auto b = Api(pair, "appB").call("/api/command?action=get_api_info").body;
  EXPECT_HAS(b, "<api_version>1.24.1</api_version>");
  EXPECT_LACKS(b, "company_name");
}

TEST(ProductApi, CheckHealthOmitsSharedIpsWhenNoneIsEnabled) {
  SimPair pair;
  establish(pair);
  const auto health = Api(pair, "appA").call("/api/command?action=check_health").body;
  EXPECT_HAS(health, "<failover_role>primary</failover_role>");
  EXPECT_LACKS(health, "enabled_shared_ips");
  EXPECT_HAS(health, "<last_data_sync_time ts=\"");
  EXPECT_FALSE(pair.a().status().shared_ip_enabled);
}

// A recorded appliance sent the last sync without `ts`, with a "+0000"
// offset: the harness's sync wait (Sync Now by the operator, then
// check_health until the last sync changes) still sees the sync finish.
TEST(ProductApi, SyncWaitWorksWhenTheLastSyncTimeHasNoTs) {
  SimPair pair({.last_data_sync_time = "recorded"});
  establish(pair);
  const auto raw = Api(pair, "appA").call("/api/command?action=check_health").body;
  EXPECT_TRUE(std::regex_search(
      raw, std::regex(R"(<last_data_sync_time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000<)")))
      << raw;
  EXPECT_LACKS(raw, "ts=");

  struct SyncOperator : hil::OperatorPrompt {
    SimPair* pair = nullptr;
    void ask(const hil::OperatorTask& t) override {
      if (t.action == "sync_now") pair->a().sync_now();
    }
  };
  auto op = std::make_shared<SyncOperator>();
  op->pair = &pair;
  auto physical = pair.physical_a(op);
  const auto before = physical->status().last_sync;
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before, pair.a().status().last_sync);
  physical->sync_now();
  EXPECT_TRUE(wait_until(
      [&] {
        const auto s = physical->status();
        return !s.sync_in_progress && s.last_sync && s.last_sync != before;
      },
      20s, 10ms));
  EXPECT_EQ(physical->status().last_sync_status, "success");
}

TEST(ProductApi, TerminateSessionAndBackupWithTheDocumentedPassword) {
  SimPair pair;
  const Api api(pair, "appA");
  auto console = pair.a().connect_client({"console-1", false, false, "23.1.2", "b7f3a1"});
  auto jump = pair.a().connect_client({"jump-1", true, false, "23.1.2", "b7f3a1"});
  const auto lsid = pair.a().start_session(console, jump);
  const auto ended = api.call("/api/command?action=terminate_session&lsid=" + lsid).body;
  EXPECT_HAS(ended, ">Successfully terminated</success>");

  const auto backup = pair.a().download_backup("abc");
  const auto opened = sim::open_backup(backup.bytes, sim::BackupSecret::password("abc"));
  EXPECT_EQ(opened.appliance_name, "appA");
}

TEST(ProductApi, CommandApiV2AnswersTheDocumentedShapes) {
  SimPair pair;
  pair.a().sim_post("seed", R"({"users":[{"id":"rep1","display_name":"Rep One"},
                                         {"id":"rep2","display_name":"Rep Two"}]})");
  pair.a().sim_post("login", R"({"user_id":"rep2"})");
  const Api api(pair, "appA");

  const auto info = api.call("/api/command/v2/info");
  const auto i = json::parse(info.body).as_object();
  for (const char* key : {"current_time", "command_api_version", "config_api_version",
                          "reporting_api_version", "backup_api_version", "product"})
    EXPECT_TRUE(i.contains(key)) << key << " in " << info.body;
  EXPECT_TRUE(std::regex_match(std::string(i.at("current_time").as_string()),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00)")))
      << info.body;
  EXPECT_EQ(i.at("permissions").at("perm_command").as_string(), "full_access");
  EXPECT_TRUE(i.at("permissions").at("perm_backup").as_bool());
  EXPECT_EQ(i.at("permissions").as_object().size(), 11u);

  const auto appliances = json::parse(api.call("/api/command/v2/appliance").body);
  ASSERT_TRUE(appliances.is_array());
  EXPECT_EQ(appliances.at(0).at("id").as_string(), "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0");
  EXPECT_EQ(appliances.at(0).at("timezone_offset").as_int64(), 0);

  const auto users = json::parse(api.call("/api/command/v2/user").body);
  ASSERT_EQ(users.as_array().size(), 1u);
  EXPECT_EQ(users.at(0).at("id").as_int64(), 2);  // the second of the store's users
  EXPECT_EQ(api.call("/api/command/v2/user/2/logout", "POST").status, 204);
  EXPECT_TRUE(json::parse(api.call("/api/command/v2/user").body).as_array().empty());

  const auto options = api.call("/api/command/v2/info", "OPTIONS");
  EXPECT_EQ(options.header("allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(api.call("/api/command/v2/failover-role", "OPTIONS").header("allow"), "POST, OPTIONS");
  EXPECT_EQ(info.header("x-ratelimit-limit"), "15000");
  const auto remaining = std::stoi(info.header("x-ratelimit-remaining"));
  EXPECT_LT(std::stoi(api.call("/api/command/v2/health").header("x-ratelimit-remaining")),
            remaining);
  // 20 a second: of 60 quick requests some are refused, and say when to retry.
  int refused = 0;
  for (int n = 0; n < 60; ++n) {
    const auto r = api.call("/api/command/v2/health");
    if (r.status == 429) {
      ++refused;
      EXPECT_EQ(r.header("retry-after"), "1");
    }
  }
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace failover_hil::testing
