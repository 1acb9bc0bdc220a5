// A scenario against an inventory: two simulators started outside any lab
// (on loopback) are treated as physical appliances. Every step the product
// has no API for becomes an operator prompt; this test is the operator, and
// does what each prompt asks through the simulators' own API. The harness
// verifies each result through the product API.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "failover_hil/hil/runner.hpp"
#include "failover_hil/hil/simulators.hpp"

namespace failover_hil::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// Does what the harness asks, on the simulators, and keeps the questions.
class TestOperator final : public hil::OperatorPrompt {
 public:
  explicit TestOperator(hil::SimulatorSet& sims) : sims_(sims) {}
  void ask(const hil::OperatorTask& t) override {
    asked.push_back(t.appliance + ": " + t.instructions);
    auto& d = sims_.driver(t.appliance);
    if (t.action == "sync_now") {
      d.sync_now();
    } else if (t.action == "break_relationship") {
      d.break_relationship();
    } else if (t.action == "set_shared_ip") {
      d.set_shared_ip(t.params.at("enabled") == "true");
    } else if (t.action == "establish") {
      auto& other = t.appliance == "appA" ? sims_.b() : sims_.a();
      const auto port_self = t.appliance == "appA" ? sims_.port_a() : sims_.port_b();
      const auto port_other = t.appliance == "appA" ? sims_.port_b() : sims_.port_a();
      d.establish(other.config().host, port_other, d.config().host, port_self);
    } else if (t.action == "update") {
      for (const auto& offer : d.check_for_updates()) {
        if (offer.id.rfind("sw-", 0) == 0) d.download_backup("operator-backup");
        d.install_update(offer.id);
        ASSERT_TRUE(hil::wait_until(
            [&] { return d.status().state != hil::OperatingState::installing; }, 60s));
      }
    }
    // "point the hosts file ... check Help > About": confirmed as done.
  }
  std::vector<std::string> asked;

 private:
  hil::SimulatorSet& sims_;
};

TEST(InventoryRun, R13_R16_TheSameScenarioRunsThroughOperatorPromptsAndTheProductApi) {
  if (::geteuid() != 0) GTEST_SKIP() << "the run captures on loopback with libpcap: run as root";
  char tmpl[] = "/tmp/fhil-inv-XXXXXX";
  const fs::path dir = ::mkdtemp(tmpl);
  hil::SimulatorOptions so;
  so.dir = dir / "sims";
  so.binary = BSERIES_SIM_PATH;
  hil::SimulatorSet sims(so);
  // The pair in production, as an inventory's appliances are.
  auto& a = sims.a();
  a.set_shared_ip(true);
  a.establish("127.0.0.12", sims.port_b(), "127.0.0.11", sims.port_a());
  ASSERT_TRUE(hil::wait_until([&] { return sims.b().status().role == hil::Role::backup; }, 20s));

  std::ofstream(dir / "inventory.yaml")
      << "appliances:\n"
      << "  A: {name: appA, url: https://127.0.0.11:" << sims.port_a()
      << ", unique_ip: 127.0.0.11, credentials: sims/harness.credentials, fingerprint: "
      << sims.fingerprint("appA") << "}\n"
      << "  B: {name: appB, url: https://127.0.0.12:" << sims.port_b()
      << ", unique_ip: 127.0.0.12, credentials: sims/harness.credentials, fingerprint: "
      << sims.fingerprint("appB") << "}\n"
      << "site: {host: 127.0.0.10, port: " << sims.site_port() << "}\n"
      << "capture_interface: lo\nswitch: shared_ip\n";
  auto op = std::make_shared<TestOperator>(sims);
  hil::RunOptions o;
  o.scenario = fs::path(FHIL_SOURCE_DIR) / "scenarios" / "shared-ip-baseline.yaml";
  o.inventory = dir / "inventory.yaml";
  o.out = dir / "run";
  o.hooks.prompt = op;
  const auto r = hil::run_scenario(o);

  std::string why = r.outcome + ": " + r.reason;
  for (const auto& c : r.checks)
    if (!c.pass) why += "\n" + c.name + ": " + c.detail;
  EXPECT_EQ(r.outcome, "completed") << why;
  EXPECT_TRUE(r.passed()) << why;
  EXPECT_EQ(r.target.rfind("inventory ", 0), 0u) << r.target;
  // What the operator was asked: the product has no API for these.
  auto asked = [&](const std::string& what) {
    for (const auto& q : op->asked)
      if (q.find(what) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(asked("Sync Now"));
  EXPECT_TRUE(asked("Break Failover Relationship"));
  EXPECT_TRUE(asked("install Base"));
  EXPECT_TRUE(asked("Establish Relationship"));
  EXPECT_TRUE(asked("Help > About"));
  // The switch was measured on this host's capture.
  bool measured = false;
  for (const auto& m : r.measurements) measured |= m.name == "switch_downtime_ms.local";
  EXPECT_TRUE(measured);
  const auto sa = sims.a().status(), sb = sims.b().status();
  EXPECT_EQ(sa.version, "24.1.0");
  EXPECT_EQ(sb.role, hil::Role::primary);
  EXPECT_EQ(sa.role, hil::Role::backup);
  sims.stop();
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace failover_hil::testing
