// HttpDriver against misbehaving servers on loopback: one that never
// answers, a proxy's HTML error page, answers the driver cannot read. Every
// error must name the appliance and the operation, and come within the
// deadline. No privileges needed.
#include "failover_hil/hil/http_driver.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <vector>

#include "loopback_server.hpp"

namespace failover_hil::hil {
namespace {

using namespace std::chrono_literals;
using test::LoopbackServer;

// Generous: the deadline is 300 ms; a regression (no deadline) would hang.
constexpr auto kBound = 5s;

const std::string kToken =
    test::http_answer(200, "OK", "application/json", R"({"access_token":"t","expires_in":3600})");
const std::string kBadGateway =
    test::http_answer(502, "Bad Gateway", "text/html", "<html><body>Bad Gateway</body></html>");

std::string health(const std::string& role, const std::string& error = {}) {
  return test::http_answer(
      200, "OK", "text/xml; charset=UTF-8",
      R"(<?xml version="1.0"?><health_check xmlns="http://www.example.com/namespaces/API">)"
      R"(<appliance id="a0a0">appA</appliance><version>24.1.0 (b1)</version>)"
      "<success>" +
          std::string(error.empty() ? "1" : "0") + "</success>" +
          (error.empty() ? "" : "<error_message>" + error + "</error_message>") +
          "<failover_role>" + role + "</failover_role></health_check>");
}

/// Answers the token endpoint properly and everything else with `rest`.
LoopbackServer::Answer token_then(std::optional<std::string> rest) {
  return [rest](const std::string& target) -> std::optional<std::string> {
    if (target == "/oauth2/token") return kToken;
    return rest;
  };
}

struct NoPrompt final : OperatorPrompt {
  void ask(const OperatorTask&) override {}
};

struct Fixture {
  test::TestIdentity id;
  std::shared_ptr<LoopbackServer> server;

  Fixture(LoopbackServer::Mode mode, LoopbackServer::Answer answer = {})
      : server(std::make_shared<LoopbackServer>(mode, &id.identity, std::move(answer))) {}

  /// A physical appliance unless `simulator`: check_health only.
  std::shared_ptr<HttpDriver> driver(bool simulator = false) const {
    HttpDriverConfig c{"appA",
                       "127.0.0.1",
                       server->port(),
                       TlsTrust{{}, id.fingerprint, false},
                       {"harness", "secret"},
                       simulator,
                       {},
                       300ms,
                       400ms};
    return std::make_shared<HttpDriver>(c, std::make_shared<NoPrompt>());
  }
};

/// The status() error, run with a bound so that a hang fails the test.
std::string status_error(const Fixture& f, bool simulator = false) {
  const auto r = test::run_bounded<HarnessError>(
      kBound, [d = f.driver(simulator), s = f.server] { d->status(); });
  EXPECT_TRUE(r.finished) << "status() outlived its 300 ms deadline by seconds";
  EXPECT_TRUE(r.threw) << r.message;
  return r.message;
}

#define EXPECT_HAS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

TEST(HttpDriver, ApplianceThatAcceptsAndNeverAnswersFailsStatusWithinTheDeadline) {
  const Fixture f(LoopbackServer::Mode::silent);
  const auto e = status_error(f);
  EXPECT_HAS(e, "appA (127.0.0.1:" + std::to_string(f.server->port()) + ")");
  EXPECT_HAS(e, "status (check_health) failed");
  EXPECT_HAS(e, "TLS handshake timed out");
  EXPECT_HAS(e, "300 ms");
}

TEST(HttpDriver, CommandApiThatNeverAnswersFailsStatusWithinTheDeadline) {
  const Fixture f(LoopbackServer::Mode::tls_answer, token_then(std::nullopt));
  const auto e = status_error(f);
  EXPECT_HAS(e, "appA (127.0.0.1:");
  EXPECT_HAS(e, "status (check_health) failed");
  EXPECT_HAS(e, "/api/command");
  EXPECT_HAS(e, "read timed out");
  EXPECT_HAS(e, "300 ms");
}

TEST(HttpDriver, BackupThatNeverArrivesFailsWithinTheBackupDeadline) {
  const Fixture f(LoopbackServer::Mode::tls_answer, token_then(std::nullopt));
  const auto r = test::run_bounded<HarnessError>(
      kBound, [d = f.driver(), s = f.server] { d->download_backup("pw"); });
  ASSERT_TRUE(r.finished) << "download_backup() outlived its 400 ms deadline by seconds";
  ASSERT_TRUE(r.threw) << r.message;
  EXPECT_HAS(r.message, "appA (127.0.0.1:");
  EXPECT_HAS(r.message, "download_backup failed");
  EXPECT_HAS(r.message, "400 ms");
}

TEST(HttpDriver, ProxyErrorPageInPlaceOfTheCommandApiIsNamed) {
  const Fixture f(LoopbackServer::Mode::tls_answer, token_then(kBadGateway));
  const auto e = status_error(f);
  EXPECT_HAS(e, "appA (127.0.0.1:");
  EXPECT_HAS(e, "status (check_health) failed");
  EXPECT_HAS(e, "expected XML <health_check> from the command API");
  EXPECT_HAS(e, "HTTP 502");
  EXPECT_HAS(e, "text/html");
  EXPECT_HAS(e, "an HTML page");
  EXPECT_HAS(e, "<html><body>Bad Gateway</body></html>");
}

TEST(HttpDriver, HtmlPageWithStatus200IsNotAHealthCheck) {
  const Fixture f(LoopbackServer::Mode::tls_answer,
                  token_then(test::http_answer(
                      200, "OK", "text/html; charset=utf-8",
                      "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n<body>" +
                          std::string(200, 'x') + "</body></html>")));
  const auto e = status_error(f);
  EXPECT_HAS(e, "appA (127.0.0.1:");
  EXPECT_HAS(e, "status (check_health) failed");
  EXPECT_HAS(e, "HTTP 200");
  EXPECT_HAS(e, "an HTML page: '<!DOCTYPE html> <html><head><title>Sign in</title>");
  EXPECT_LT(e.size(), 400u) << "the body is cut to its first printable characters";
}

TEST(HttpDriver, ProxyErrorPageInPlaceOfTheTokenIsNamed) {
  const Fixture f(LoopbackServer::Mode::tls_answer,
                  [](const std::string&) -> std::optional<std::string> { return kBadGateway; });
  const auto e = status_error(f);
  EXPECT_HAS(e, "appA (127.0.0.1:");
  EXPECT_HAS(e, "status (check_health) failed");
  EXPECT_HAS(e, "access token from /oauth2/token");
  EXPECT_HAS(e, "HTTP 502");
  EXPECT_HAS(e, "an HTML page");
}

TEST(HttpDriver, UnknownRoleIsAnErrorNamingTheText) {
  const Fixture f(LoopbackServer::Mode::tls_answer, token_then(health("secondary")));
  const auto e = status_error(f);
  EXPECT_HAS(e, "appA (127.0.0.1:");
  EXPECT_HAS(e, "status (check_health) failed");
  EXPECT_HAS(e, "'secondary'");
}

TEST(HttpDriver, HealthCheckReadsRoleAndState) {
  {
    const Fixture f(LoopbackServer::Mode::tls_answer, token_then(health("backup")));
    const auto s = f.driver()->status();
    EXPECT_EQ(s.role, Role::backup);
    EXPECT_EQ(s.state, OperatingState::running);
    EXPECT_TRUE(s.healthy);
    EXPECT_FALSE(s.serves_site);
    EXPECT_EQ(s.version, "24.1.0");
    EXPECT_EQ(s.build, "b1");
  }
  {
    const Fixture f(LoopbackServer::Mode::tls_answer, token_then(health("primary", "installing")));
    const auto s = f.driver()->status();
    EXPECT_EQ(s.role, Role::primary);
    EXPECT_EQ(s.state, OperatingState::installing);
    EXPECT_EQ(s.error, "");
  }
  {
    const Fixture f(LoopbackServer::Mode::tls_answer,
                    token_then(health("none", "database unavailable")));
    const auto s = f.driver()->status();
    EXPECT_EQ(s.state, OperatingState::unhealthy);
    EXPECT_EQ(s.error, "database unavailable");
  }
}

TEST(HttpDriver, SimulatorStatusWithAMissingFieldNamesIt) {
  const Fixture f(LoopbackServer::Mode::tls_answer,
                  [](const std::string& target) -> std::optional<std::string> {
                    if (target == "/oauth2/token") return kToken;
                    if (target.starts_with("/api/command")) return health("primary");
                    return test::http_answer(200, "OK", "application/json",
                                             R"({"state":"running","serves_site":true})");
                  });
  const auto e = status_error(f, true);
  EXPECT_HAS(e, "appA (127.0.0.1:");
  EXPECT_HAS(e, "status (/sim/v1/status) failed");
  EXPECT_HAS(e, "'shared_ip_enabled' true or false");
  EXPECT_HAS(e, R"('{"state":"running","serves_site":true}')");
}

// What real appliances send: the default namespace differs by version and
// by API (documented https://www.beyondtrust.com/..., 19.x recorded
// http://www.bomgar.com/..., PRA .../sra/...), and the last sync time may
// lack its `ts` attribute. The driver reads each of them the same.
const std::vector<std::string> kNamespaceBases{
    "https://www.beyondtrust.com/namespaces/API", "http://www.beyondtrust.com/namespaces/API",
    "http://www.bomgar.com/namespaces/API", "https://www.bomgar.com/namespaces/API",
    "http://www.beyondtrust.com/sra/namespaces/API"};

std::string xml_answer(const std::string& body) {
  return test::http_answer(200, "OK", "text/xml; charset=UTF-8",
                           R"(<?xml version="1.0" encoding="UTF-8"?>)"
                           "\n" +
                               body);
}

std::string primary_health(const std::string& ns, const std::string& sync_time) {
  return xml_answer("<health_check xmlns=\"" + ns +
                    "/command\"><appliance id=\"a0a0\">appA</appliance>"
                    "<version>19.1.3 (bld)</version><success>1</success>"
                    "<failover_role>primary</failover_role>"
                    "<enabled_shared_ips><ip>10.0.0.10</ip></enabled_shared_ips>" +
                    sync_time +
                    "<last_data_sync_status>success</last_data_sync_status>"
                    "</health_check>");
}

TEST(HttpDriver, CheckHealthIsReadInEveryNamespace) {
  const TimePoint expected{std::chrono::sys_days(std::chrono::year(2019) / 10 / 7) +
                           std::chrono::hours(0) + std::chrono::minutes(32) +
                           std::chrono::seconds(50)};
  for (const auto& ns : kNamespaceBases) {
    const Fixture f(
        LoopbackServer::Mode::tls_answer,
        token_then(primary_health(ns, R"(<last_data_sync_time ts="1570408370">2019-10-07T00:32:50Z)"
                                      "</last_data_sync_time>")));
    const auto s = f.driver()->status();
    EXPECT_EQ(s.role, Role::primary) << ns;
    EXPECT_TRUE(s.shared_ip_enabled) << ns;
    EXPECT_EQ(s.version, "19.1.3") << ns;
    EXPECT_EQ(s.last_sync, expected) << ns;
    EXPECT_EQ(s.last_sync_status, "success") << ns;
  }
}

TEST(HttpDriver, LastSyncTimeWithoutTsIsReadFromItsText) {
  using std::chrono::milliseconds;
  const TimePoint at{std::chrono::sys_days(std::chrono::year(2019) / 10 / 7) +
                     std::chrono::minutes(32) + std::chrono::seconds(50)};
  for (const auto& [text, expected] : std::vector<std::pair<std::string, TimePoint>>{
           {"2019-10-07T00:32:50.877+0000", at + milliseconds(877)},  // recorded
           {"2019-10-07T00:32:50Z", at},
           {"2019-10-07T00:32:50+00:00", at},
           {"2019-10-07T00:32:50.5Z", at + milliseconds(500)},
           {"2019-10-07T02:32:50.877+02:00", at + milliseconds(877)},
           {"2019-10-06T23:32:50-0100", at}}) {
    const Fixture f(
        LoopbackServer::Mode::tls_answer,
        token_then(primary_health("http://www.bomgar.com/namespaces/API",
                                  "<last_data_sync_time>" + text + "</last_data_sync_time>")));
    EXPECT_EQ(f.driver()->status().last_sync, expected) << text;
  }
  const Fixture f(
      LoopbackServer::Mode::tls_answer,
      token_then(primary_health("http://www.bomgar.com/namespaces/API",
                                "<last_data_sync_time>yesterday</last_data_sync_time>")));
  const auto e = status_error(f);
  EXPECT_HAS(e, "status (check_health) failed");
  EXPECT_HAS(e, "'yesterday'");
}

TEST(HttpDriver, NoSharedIpEnabledIsAnAbsentElement) {
  const Fixture f(LoopbackServer::Mode::tls_answer, token_then(health("backup")));
  EXPECT_FALSE(f.driver()->status().shared_ip_enabled);
}

TEST(HttpDriver, SessionListingIsReadInEveryNamespaceAndEmptyIsNoSessions) {
  for (const auto& ns : kNamespaceBases) {
    const Fixture empty(
        LoopbackServer::Mode::tls_answer,
        token_then(xml_answer("<session_summary_list xmlns=\"" + ns + "/reporting\"/>")));
    EXPECT_TRUE(empty.driver()->session_lsids().empty()) << ns;
    const Fixture two(
        LoopbackServer::Mode::tls_answer,
        token_then(xml_answer(
            "<session_summary_list xmlns=\"" + ns +
            "/reporting\"><session_summary lsid=\"0123456789abcdef0123456789abcdef\" "
            "has_recording=\"1\"/><session_summary lsid=\"fedcba9876543210fedcba9876543210\" "
            "has_recording=\"0\"/></session_summary_list>")));
    EXPECT_EQ(two.driver()->session_lsids(),
              (std::set<std::string>{"0123456789abcdef0123456789abcdef",
                                     "fedcba9876543210fedcba9876543210"}))
        << ns;
  }
  // An <error> is an error, whatever its text.
  const Fixture error(LoopbackServer::Mode::tls_answer,
                      token_then(xml_answer(R"(<error xmlns="https://www.beyondtrust.com/)"
                                            R"(namespaces/API/reporting">No results.</error>)")));
  const auto r = test::run_bounded<HarnessError>(
      kBound, [d = error.driver(), s = error.server] { d->session_lsids(); });
  EXPECT_TRUE(r.threw);
  EXPECT_HAS(r.message, "No results.");
}

}  // namespace
}  // namespace failover_hil::hil
