// Interoperability: curl and openssl s_client against the simulator, the way
// a QA engineer would poke at a physical appliance.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>

#include "sim_pair.hpp"

namespace failover_hil::testing {
namespace {

std::pair<int, std::string> run(const std::string& cmd) {
  std::array<char, 4096> buf{};
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return {-1, ""};
  while (std::fgets(buf.data(), buf.size(), p)) out += buf.data();
  const int status = ::pclose(p);
  return {WEXITSTATUS(status), out};
}

bool have(const char* tool) {
  return run(std::string("command -v ") + tool).first == 0;
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
  const auto [rc, token] = run("curl -sS --cacert " + ca +
                               " -u harness:harness-secret-1 -d grant_type=client_credentials " +
                               base + "/oauth2/token");
  ASSERT_EQ(rc, 0) << token;
  EXPECT_NE(token.find("\"token_type\":\"Bearer\""), std::string::npos) << token;
  EXPECT_NE(token.find("\"expires_in\":3600"), std::string::npos) << token;
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

}  // namespace
}  // namespace failover_hil::testing
