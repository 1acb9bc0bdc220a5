// Interoperability: curl and openssl s_client against the simulator, the way
// a QA engineer would poke at a physical appliance.
#include <gtest/gtest.h>

#include <memory>

#include "shell.hpp"
#include "sim_pair.hpp"

namespace failover_hil::testing {
namespace {

constexpr auto run = shell;

bool have(const char* tool) {
  return run(std::string("command -v ") + tool).first == 0;
}

/// The access_token of a /oauth2/token answer ("" when there is none).
std::string token_of(const std::string& answer) {
  const std::string key = "\"access_token\":\"";
  const auto at = answer.find(key);
  if (at == std::string::npos) return {};
  const auto from = at + key.size();
  return answer.substr(from, answer.find('"', from) - from);
}

TEST(SimInterop, CurlVerifiesTheCertificateAndReadsTheSite) {
  if (!have("curl")) GTEST_SKIP() << "curl is not installed (ci/setup installs it)";
  SimPair pair;
  const auto base = "https://127.0.0.11:" + std::to_string(pair.port_a());
  const auto ca = (pair.dir() / "appA" / "tls.crt").string();
  for (const char* tls : {"--tlsv1.2 --tls-max 1.2", "--tlsv1.3"}) {
    const auto [rc, out] =
        run("curl -sS -i --cacert " + ca + " " + tls + " " + base + "/check_health");
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("HTTP/1.1 200"), std::string::npos) << out;
    EXPECT_NE(out.find("X-Served-By: appA"), std::string::npos) << out;
  }
}

// The vendor's API test scenario page, literally: its example account, its
// Authorization header byte for byte, its curl command (with our CA and
// address), then the get_api_info call it makes with the token.
TEST(SimInterop, VendorsDocumentedTokenRequestGetsAToken) {
  if (!have("curl")) GTEST_SKIP() << "curl is not installed (ci/setup installs it)";
  SimPair pair;
  const auto base = "https://127.0.0.11:" + std::to_string(pair.port_a());
  const auto ca = " --cacert " + (pair.dir() / "appA" / "tls.crt").string() + " ";
  const auto [rc, out] = run("curl -sS" + ca +
                             "-H \"authorization: Basic "
                             "ZTUyYTlhYTZmYzA1MDhkZGYzYTQwNjAxYTczNmIyMzBhMWJlYmNkMTpCVTV1MGZWRWIxc"
                             "UVXdUhkQks5QVI2cTkrTzFDQjI2c3F1MXN1c2ZKMExzSw==\" "
                             "--data \"grant_type=client_credentials\" " +
                             base + "/oauth2/token");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("\"token_type\":\"Bearer\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"expires_in\":3600"), std::string::npos) << out;
  const auto token = token_of(out);
  ASSERT_FALSE(token.empty()) << out;
  const auto [rc2, info] = run("curl -sS" + ca + "-H \"authorization: Bearer " + token + "\" " +
                               base + "/api/command?action=get_api_info");
  EXPECT_EQ(rc2, 0) << info;
  EXPECT_NE(
      info.find("<api_information xmlns=\"https://www.beyondtrust.com/namespaces/API/command\">"),
      std::string::npos)
      << info;
}

TEST(SimInterop, CurlDashUWithAPlusInTheSecretGetsAToken) {
  if (!have("curl")) GTEST_SKIP() << "curl is not installed (ci/setup installs it)";
  SimPair pair;
  const auto base = "https://127.0.0.11:" + std::to_string(pair.port_a());
  const auto ca = " --cacert " + (pair.dir() / "appA" / "tls.crt").string() + " ";
  for (const char* account : {"'harness:harness+secret/1='",
                              "e52a9aa6fc0508ddf3a40601a736b230a1bebcd1:"
                              "BU5u0fVEb1qEWuHdBK9AR6q9+O1CB26squ1susfJ0LsK"}) {
    const auto [rc, out] = run("curl -sS" + ca + "-u " + account +
                               " -d grant_type=client_credentials " + base + "/oauth2/token");
    ASSERT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("\"token_type\":\"Bearer\""), std::string::npos) << account << ": " << out;
  }
  // Every GET answers HEAD (headers, no body) and OPTIONS names what is allowed.
  const auto token = token_of(
      run("curl -sS" + ca + "-u 'harness:harness+secret/1=' -d grant_type=client_credentials " +
          base + "/oauth2/token")
          .second);
  const auto bearer = "-H \"Authorization: Bearer " + token + "\" ";
  const auto [rc, head] = run("curl -sS -I" + ca + bearer + base + "/api/command/v2/info");
  EXPECT_EQ(rc, 0) << head;
  EXPECT_NE(head.find("HTTP/1.1 200"), std::string::npos) << head;
  EXPECT_NE(head.find("Content-Type: application/json"), std::string::npos) << head;
  EXPECT_NE(head.find("X-RateLimit-Limit: 15000"), std::string::npos) << head;
  const auto [rc2, options] =
      run("curl -sS -i -X OPTIONS" + ca + bearer + base + "/api/command/v2/user");
  EXPECT_EQ(rc2, 0) << options;
  EXPECT_NE(options.find("Allow: GET, HEAD, OPTIONS"), std::string::npos) << options;
}

// Python's standard clients with Basic credentials, as a QA engineer's
// script would send them (tests/integration/sim/basic_auth_client.py).
TEST(SimInterop, PythonUrllibAndHttpClientWithBasicAuthGetAToken) {
  if (!have("/usr/bin/python3")) GTEST_SKIP() << "/usr/bin/python3 is not installed";
  SimPair pair;
  const auto ca = (pair.dir() / "appA" / "tls.crt").string();
  for (const auto& [id, secret] : {std::pair{"harness", "harness+secret/1="},
                                   std::pair{"e52a9aa6fc0508ddf3a40601a736b230a1bebcd1",
                                             "BU5u0fVEb1qEWuHdBK9AR6q9+O1CB26squ1susfJ0LsK"}}) {
    const auto [rc, out] =
        run(std::string("/usr/bin/python3 ") + BASIC_AUTH_CLIENT_PY + " 127.0.0.11 " +
            std::to_string(pair.port_a()) + " " + ca + " '" + id + "' '" + secret + "'");
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(out, "urllib 200 api_information\nhttp.client 200 api_information\n") << id;
  }
}

TEST(SimInterop, OpensslSClientNegotiatesTls12And13) {
  if (!have("openssl")) GTEST_SKIP() << "openssl is not installed (ci/setup installs it)";
  SimPair pair;
  const auto ca = (pair.dir() / "appA" / "tls.crt").string();
  for (const auto& [flag, proto] :
       {std::pair{"-tls1_2", "TLSv1.2"}, std::pair{"-tls1_3", "TLSv1.3"}}) {
    const auto [rc, out] =
        run("echo | openssl s_client -connect 127.0.0.11:" + std::to_string(pair.port_a()) + " " +
            flag + " -CAfile " + ca + " -verify_return_error -brief");
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find(std::string("Protocol version: ") + proto), std::string::npos) << out;
    EXPECT_NE(out.find("Verification: OK"), std::string::npos) << out;
  }
}

// The vendor's example token request typed into openssl s_client, as one
// checks an appliance by hand: raw HTTP/1.1 over TLS.
TEST(SimInterop, OpensslSClientCarriesTheDocumentedTokenRequest) {
  if (!have("openssl")) GTEST_SKIP() << "openssl is not installed (ci/setup installs it)";
  SimPair pair;
  const auto ca = (pair.dir() / "appA" / "tls.crt").string();
  const std::string request =
      "POST /oauth2/token HTTP/1.1\\r\\nHost: support.example.com\\r\\n"
      "Authorization: Basic "
      "ZTUyYTlhYTZmYzA1MDhkZGYzYTQwNjAxYTczNmIyMzBhMWJlYmNkMTpCVTV1MGZWRWIxcUVXdUhkQks5QVI2cTkrTzFD"
      "QjI2c3F1MXN1c2ZKMExzSw=="
      "\\r\\nContent-Type: application/x-www-form-urlencoded\\r\\nContent-Length: 29\\r\\n"
      "Connection: close\\r\\n\\r\\ngrant_type=client_credentials";
  const auto [rc, out] =
      run("printf '" + request + "' | openssl s_client -quiet -connect 127.0.0.11:" +
          std::to_string(pair.port_a()) + " -CAfile " + ca + " -verify_return_error");
  EXPECT_NE(out.find("HTTP/1.1 200"), std::string::npos) << out;
  EXPECT_NE(out.find("\"token_type\":\"Bearer\""), std::string::npos) << out;
}

}  // namespace
}  // namespace failover_hil::testing
