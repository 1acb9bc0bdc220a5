// bseries-client verifies an updated appliance the way the vendor asks (R11,
// R12): two machines whose hosts file points the site hostname at B, a console
// that upgrades itself and reports the build, a session through a Jump Client.
#include <gtest/gtest.h>

#include <array>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>

#include "sim_pair.hpp"

namespace failover_hil::testing {
namespace {

using namespace std::chrono_literals;

struct Run {
  int rc;
  boost::json::object out;
  std::string text;
};

Run client(const std::string& args) {
  std::array<char, 4096> buf{};
  std::string out;
  FILE* p = ::popen((std::string(BSERIES_CLIENT_PATH) + " " + args + " 2>&1").c_str(), "r");
  while (std::fgets(buf.data(), buf.size(), p)) out += buf.data();
  const int rc = WEXITSTATUS(::pclose(p));
  Run r{rc, {}, out};
  boost::system::error_code ec;
  auto v = boost::json::parse(out, ec);
  if (!ec && v.is_object()) r.out = v.as_object();
  return r;
}

void update(hil::ApplianceDriver& d) {
  d.check_for_updates();
  for (const char* id : {"base-3.4.0", "sw-24.1.0"}) {
    d.install_update(id);
    ASSERT_TRUE(
        hil::wait_until([&] { return d.status().state == hil::OperatingState::running; }, 30s));
    if (!d.status().pending_dependents.empty()) d.download_backup("backup-password-1");
  }
  ASSERT_EQ(d.status().version, "24.1.0");
}

TEST(SimClient, R11_R12_VerifyTheUpdatedApplianceThroughAHostsOverride) {
  SimPair pair;
  update(pair.b());
  for (int machine = 1; machine <= 2; ++machine) {
    const auto dir = pair.dir() / ("machine" + std::to_string(machine));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "hosts") << "127.0.0.12 support.lab.example\n";
    const std::string site = "--site support.lab.example --port " + std::to_string(pair.port_b()) +
                             " --hosts-file " + (dir / "hosts").string() + " --ca " +
                             (pair.dir() / "appB" / "tls.crt").string() + " --state " +
                             (dir / "state").string();
    auto c = client(site + " connect --id console --version 23.1.2 --build b7f3a1");
    ASSERT_EQ(c.rc, 0) << c.text;
    EXPECT_EQ(c.out.at("before").as_string(), "23.1.2 (b7f3a1)");
    EXPECT_EQ(c.out.at("about").as_string(), "24.1.0 (c9e2d4)")
        << "Help > About after the self-upgrade";
    EXPECT_EQ(c.out.at("served_by").as_string(), "appB") << "the hosts override leads to B";
    // The upgrade stays installed: the next run reports the new build at once.
    auto again = client(site + " connect --id console");
    EXPECT_EQ(again.out.at("before").as_string(), "24.1.0 (c9e2d4)");
    if (machine == 1) {
      ASSERT_EQ(
          client(site + " connect --jump-client --id jump --version 23.1.2 --build b7f3a1").rc, 0);
      auto s = client(site + " session --console console --jump-client jump");
      ASSERT_EQ(s.rc, 0) << s.text;
      EXPECT_TRUE(pair.b().session_lsids().contains(std::string(s.out.at("lsid").as_string())));
      // R12: an MSI-deployed console on a locked-down computer does not upgrade.
      auto locked = client(site + " connect --msi --id locked --version 23.1.2 --build b7f3a1");
      EXPECT_EQ(locked.rc, 1);
      EXPECT_EQ(locked.out.at("state").as_string(), "needs_redeploy");
      EXPECT_EQ(locked.out.at("about").as_string(), "23.1.2 (b7f3a1)");
    }
  }
}

TEST(SimClient, TheSiteCertificateIsVerified) {
  SimPair pair;
  const auto dir = pair.dir() / "machine";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "hosts") << "127.0.0.11 support.lab.example\n";  // A, but trusting only B
  auto c =
      client("--site support.lab.example --port " + std::to_string(pair.port_a()) +
             " --hosts-file " + (dir / "hosts").string() + " --ca " +
             (pair.dir() / "appB" / "tls.crt").string() + " --state " + (dir / "state").string() +
             " connect --id console --version 23.1.2 --build b7f3a1");
  EXPECT_EQ(c.rc, 2) << c.text;
  EXPECT_NE(c.text.find("cannot reach the site"), std::string::npos) << c.text;
}

}  // namespace
}  // namespace failover_hil::testing
