// Issue 16 item 1 and 10: long and out-of-range input is refused with
// file:line, never crashes the loaders (std::regex_match once overflowed the
// stack on these exact sizes) and is not echoed back whole.
#include <gtest/gtest.h>

#include <string>

#include "failover_hil/hil/inventory.hpp"
#include "failover_hil/hil/scenario.hpp"
#include "refusal.hpp"

namespace failover_hil::hil {
namespace {

const std::string kSteps =
    "steps: [backup, sync, break, update_backup, verify_backup, switch, verify_production, "
    "update_primary, reestablish]\n";

Scenario parse_scen(const std::string& text) {
  return parse_scenario(text, "dir/scen.yaml");
}
Inventory parse_inv(const std::string& text) {
  return parse_inventory(text, "lab/inv.yaml");
}

// The refusal's text, which must stay short whatever the input's size.
std::string refusal(const std::function<void()>& parse) {
  try {
    parse();
  } catch (const ScenarioError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted";
  return {};
}

TEST(HostileScenario, ThirtyThousandCharacterNameIsRefusedWithItsLine) {
  const auto text = "scenario: " + std::string(30'000, 'a') + "\nswitch: dns\n" + kSteps;
  testing::expect_refused_by(parse_scen, "dir/scen.yaml", text, 1,
                             {"'scenario' is 30000 characters long", "at most 64"});
  // Of the right characters but not of the right length, and of the wrong
  // characters and long: both refused, both short.
  const auto bad = "scenario: " + std::string(30'000, '!') + "\nswitch: dns\n" + kSteps;
  EXPECT_LT(refusal([&] { parse_scen(bad); }).size(), 300u);
}

TEST(HostileScenario, MegabyteBuildIsRefusedWithItsLine) {
  const auto text =
      "scenario: t\nswitch: dns\n" + kSteps + "to: {build: " + std::string(1'000'000, 'b') + "}\n";
  testing::expect_refused_by(parse_scen, "dir/scen.yaml", text, 4,
                             {"'to.build' is 1000000 characters long", "at most 64"});
  testing::expect_refused_by(parse_scen, "dir/scen.yaml",
                             "scenario: t\nswitch: dns\n" + kSteps + "to: {build: a/b}\n", 4,
                             {"'to.build' is 'a/b'"});
}

TEST(HostileScenario, MegabyteUnknownStepIsNotEchoedWhole) {
  const auto text = "scenario: t\nswitch: dns\nsteps: [" + std::string(1'000'000, 's') + "]\n";
  const auto msg = refusal([&] { parse_scen(text); });
  EXPECT_EQ(msg.rfind("dir/scen.yaml:3: unknown step 'sss", 0), 0u) << msg.substr(0, 200);
  EXPECT_NE(msg.find("(1000000 characters)"), std::string::npos) << msg.substr(0, 200);
  EXPECT_LT(msg.size(), 400u);
  const auto key = "scenario: t\nswitch: dns\n" + kSteps + std::string(1'000'000, 'k') + ": 1\n";
  EXPECT_LT(refusal([&] { parse_scen(key); }).size(), 400u);
}

TEST(HostileScenario, LongDuplicateProbeClientIsNotEchoedWhole) {
  const auto name = std::string(100'000, 'c');
  const auto text =
      "scenario: t\nswitch: dns\n" + kSteps + "probes: {clients: [" + name + ", " + name + "]}\n";
  const auto msg = refusal([&] { parse_scen(text); });
  EXPECT_NE(msg.find("twice"), std::string::npos) << msg.substr(0, 200);
  EXPECT_LT(msg.size(), 400u);
}

TEST(HostileScenario, WholeNumberLimitIsNamedInTheMessage) {
  // 2147483648 was refused as "expected a whole number of at least 0".
  testing::expect_refused_by(parse_scen, "dir/scen.yaml",
                             "scenario: t\nswitch: dns\n" + kSteps + "seed: {users: 2147483648}\n",
                             4, {"'seed.users' is '2147483648'", "from 0 to 2147483647"});
  const auto s = parse_scen("scenario: t\nswitch: dns\n" + kSteps + "seed: {users: 2147483647}\n");
  EXPECT_EQ(s.seed.users, 2147483647);
}

TEST(HostileScenario, EmptyExpectDefaultsToCompleted) {
  const auto s = parse_scen("scenario: t\nswitch: dns\n" + kSteps + "expect: {}\n");
  EXPECT_EQ(s.expect.outcome, "completed");
}

std::string inventory_with(const std::string& url_a, const std::string& tail = {}) {
  return "appliances:\n  A: {url: \"" + url_a +
         "\", credentials: c.yaml, ca: ca.pem}\n"
         "  B: {url: https://198.51.100.12, credentials: c.yaml, ca: ca.pem}\n"
         "site: {host: 198.51.100.10}\n" +
         tail;
}

TEST(HostileInventory, HundredKilobyteUrlIsRefusedWithItsLine) {
  const auto text = inventory_with("https://" + std::string(100'000, 'h'));
  testing::expect_refused_by(parse_inv, "lab/inv.yaml", text, 2,
                             {"'appliances.A.url' is 100008 characters long", "at most 300"});
}

TEST(HostileInventory, UrlFormsAreReadByHand) {
  auto inv = parse_inv(inventory_with("https://[2001:db8::1]:8443/"));
  EXPECT_EQ(inv.a.host, "2001:db8::1");
  EXPECT_EQ(inv.a.port, 8443);
  inv = parse_inv(inventory_with("https://app-a.example.com"));
  EXPECT_EQ(inv.a.host, "app-a.example.com");
  for (const auto* bad : {"https://", "https://[::1", "https://[::1]x", "https://[::1]:",
                          "https://h:", "https://h:123456", "https://[]", "https://h//"})
    testing::expect_refused_by(parse_inv, "lab/inv.yaml", inventory_with(bad), 2,
                               {"'appliances.A.url'", "https://HOST"});
}

TEST(HostileInventory, LongNatTableIsRefusedWithItsLine) {
  const auto text = inventory_with(
      "https://198.51.100.11",
      "switch: nat\nnat: {table: " + std::string(100'000, 't') + ", vip: 198.51.100.100}\n");
  testing::expect_refused_by(parse_inv, "lab/inv.yaml", text, 6,
                             {"'nat.table' is 100000 characters long", "at most 64"});
}

}  // namespace
}  // namespace failover_hil::hil
