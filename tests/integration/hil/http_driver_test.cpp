// HttpDriver against misbehaving servers on loopback: one that never
// answers, a proxy's HTML error page, answers the driver cannot read. Every
// error must name the appliance and the operation, and come within the
// deadline. No privileges needed.
#include "failover_hil/hil/http_driver.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace failover_hil::hil
