#include "failover_hil/hil/scenario.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "refusal.hpp"

namespace failover_hil::hil {
namespace {

// The nine steps on line 3, so text appended to it starts on line 4.
const std::string kMinimal =
    "scenario: t\n"
    "switch: shared_ip\n"
    "steps: [backup, sync, break, update_backup, verify_backup, switch, verify_production, "
    "update_primary, reestablish]\n";

Scenario parse(const std::string& text) {
  return parse_scenario(text, "dir/scen.yaml");
}

// Asserts that `text` is refused at `line` with a message containing every word.
void expect_refused(const std::string& text, int line, const std::vector<std::string>& words) {
  testing::expect_refused_by(parse, "dir/scen.yaml", text, line, words);
}

TEST(Scenario, FullFileParsesIntoItsValues) {
  const auto s = parse(R"(scenario: shared-ip-baseline
description: The vendor's asynchronous upgrade.
lab: labs/other.yaml
switch: dns
time_scale: 500
from: {base: 3.3.2, software: 23.1.2, build: b7f3a1}
to:   {base: 3.5.0, software: 25.1.0, build: d00d01}
probes: {clients: [c1, c2, c3], rate_hz: 250.5, deadline_ms: 150}
seed: {users: 7, files: 0, session_records: 9, consoles: 2, jump_clients: 3, msi_clients: 4, integration_client: false}
load: {session_interval_ms: 0}
budgets: {switch_downtime_ms: 75, exposure_window_s: 1800, total_s: 120}
steps:
  - backup
  - sync
  - break
  - update_backup: {method: automatic}
  - verify_backup
  - switch: {settle_timeout_s: 12.5}
  - verify_production
  - update_primary: {method: manual}
  - reestablish
faults:
  - fault: install_fails
    appliance: B
    at: {step: update_backup, progress: 0.4}
    update: software
  - fault: site_refuses
    appliance: A
    at: {step: switch, when: after, after_s: 2}
    duration_ms: 1500
  - fault: partition
    at: {after_s: 30}
    between: [client1, appB]
expect: {outcome: aborted_safely, reason: contact support}
)");
  EXPECT_EQ(s.name, "shared-ip-baseline");
  EXPECT_EQ(s.description, "The vendor's asynchronous upgrade.");
  EXPECT_EQ(s.file, "dir/scen.yaml");
  EXPECT_EQ(s.lab, std::filesystem::path("dir/labs/other.yaml"));
  EXPECT_EQ(s.switch_method, SwitchMethod::dns);
  EXPECT_EQ(s.time_scale, 500);
  EXPECT_EQ(s.to.base, "3.5.0");
  EXPECT_EQ(s.to.software, "25.1.0");
  EXPECT_EQ(s.to.build, "d00d01");
  EXPECT_EQ(s.probes.clients, (std::vector<std::string>{"c1", "c2", "c3"}));
  EXPECT_EQ(s.probes.rate_hz, 250.5);
  EXPECT_EQ(s.probes.deadline_ms, 150);
  EXPECT_EQ(s.seed.users, 7);
  EXPECT_EQ(s.seed.files, 0);
  EXPECT_EQ(s.seed.session_records, 9);
  EXPECT_EQ(s.seed.consoles, 2);
  EXPECT_EQ(s.seed.jump_clients, 3);
  EXPECT_EQ(s.seed.msi_clients, 4);
  EXPECT_FALSE(s.seed.integration_client);
  EXPECT_EQ(s.load.session_interval_ms, 0);
  EXPECT_EQ(s.budgets.switch_downtime_ms, 75);
  EXPECT_EQ(s.budgets.exposure_window_s, 1800);
  EXPECT_EQ(s.budgets.total_s, 120);

  ASSERT_EQ(s.steps.size(), 9u);
  EXPECT_EQ(s.steps[2].name(), "break");
  EXPECT_EQ(s.steps[2].line, 15);
  EXPECT_EQ(s.steps[3].name(), "update_backup");
  EXPECT_EQ(s.steps[3].params.text("method"), "automatic");
  EXPECT_EQ(s.steps[5].name(), "switch");
  EXPECT_EQ(s.steps[5].params.number("settle_timeout_s"), 12.5);
  EXPECT_EQ(s.steps[7].params.text("method"), "manual");
  EXPECT_EQ(s.steps[8].name(), "reestablish");

  ASSERT_EQ(s.faults.size(), 3u);
  const auto& f = s.faults[0];
  EXPECT_EQ(f.name(), "install_fails");
  EXPECT_EQ(f.line, 23);
  EXPECT_EQ(f.appliance(), Member::B);
  EXPECT_EQ(f.at.step, "update_backup");
  EXPECT_FALSE(f.at.after_step);
  ASSERT_TRUE(f.at.progress.has_value());
  EXPECT_EQ(*f.at.progress, 0.4);
  EXPECT_EQ(f.params.as_text()["update"], "software");
  const auto& g = s.faults[1];
  EXPECT_EQ(g.appliance(), Member::A);
  EXPECT_TRUE(g.at.after_step);
  EXPECT_EQ(g.at.after_s, 2);
  EXPECT_FALSE(g.at.progress.has_value());
  EXPECT_EQ(g.params.as_text()["duration_ms"], "1500");
  const auto& p = s.faults[2];
  EXPECT_EQ(p.appliance(), std::nullopt);
  EXPECT_EQ(p.at.step, "");
  EXPECT_EQ(p.at.after_s, 30);
  EXPECT_EQ(p.params.as_text()["between"], "client1,appB");

  EXPECT_EQ(s.expect.outcome, "aborted_safely");
  EXPECT_EQ(s.expect.reason, "contact support");
}

TEST(Scenario, DefaultsApply) {
  const auto s = parse(kMinimal);
  EXPECT_EQ(s.lab, std::filesystem::path("dir/labs/default.yaml"));
  EXPECT_EQ(s.time_scale, 3000);
  EXPECT_EQ(s.from.base, "3.3.2");
  EXPECT_EQ(s.from.software, "23.1.2");
  EXPECT_EQ(s.from.build, "b7f3a1");
  EXPECT_EQ(s.to.base, "3.4.0");
  EXPECT_EQ(s.to.software, "24.1.0");
  EXPECT_EQ(s.to.build, "c9e2d4");
  EXPECT_EQ(s.probes.clients, (std::vector<std::string>{"client1", "client2"}));
  EXPECT_EQ(s.probes.rate_hz, 1000);
  EXPECT_EQ(s.probes.deadline_ms, 200);
  EXPECT_EQ(s.seed.users, 3);
  EXPECT_TRUE(s.seed.integration_client);
  EXPECT_EQ(s.load.session_interval_ms, 500);
  EXPECT_EQ(s.budgets.switch_downtime_ms, 50);
  EXPECT_EQ(s.budgets.exposure_window_s, 3600);
  EXPECT_EQ(s.budgets.total_s, 300);
  EXPECT_EQ(s.expect.outcome, "completed");
  EXPECT_EQ(s.expect.reason, "");
  EXPECT_TRUE(s.faults.empty());
  ASSERT_EQ(s.steps.size(), 9u);
  for (const auto& st : s.steps) EXPECT_EQ(st.line, 3);
  EXPECT_EQ(s.steps[3].params.text("method"), "automatic");
  EXPECT_EQ(s.steps[5].params.number("settle_timeout_s"), 30);
}

TEST(Scenario, PartialSectionsKeepTheOtherDefaults) {
  const auto s = parse(kMinimal + "to: {build: zz9}\nprobes: {rate_hz: 50}\nseed: {users: 0}\n");
  EXPECT_EQ(s.to.base, "3.4.0");
  EXPECT_EQ(s.to.build, "zz9");
  EXPECT_EQ(s.probes.rate_hz, 50);
  EXPECT_EQ(s.probes.deadline_ms, 200);
  EXPECT_EQ(s.seed.users, 0);
  EXPECT_EQ(s.seed.files, 2);
}

TEST(Scenario, FaultDefaultsApply) {
  const auto s = parse(kMinimal + R"(faults:
  - fault: install_fails
    appliance: A
  - fault: operator_restarts_after_failed_base
  - fault: operator_enables_shared_ip_early
    at: {step: switch}
  - fault: operator_enables_shared_ip_early
    force: yes
  - fault: install_hangs
    appliance: B
    at: {step: update_primary, when: before}
)");
  ASSERT_EQ(s.faults.size(), 5u);
  EXPECT_EQ(s.faults[0].params.as_text()["update"], "base");
  EXPECT_EQ(std::get<InstallFails>(s.faults[0].fault).progress, 0.5);
  EXPECT_EQ(s.faults[0].at.step, "");
  EXPECT_EQ(s.faults[1].appliance(), Member::B);
  EXPECT_EQ(s.faults[2].params.as_text()["force"], "false");
  EXPECT_EQ(s.faults[2].at.step, "switch");
  EXPECT_FALSE(s.faults[2].at.after_step);
  EXPECT_EQ(s.faults[3].params.as_text()["force"], "true");
  EXPECT_FALSE(s.faults[4].at.progress.has_value());
  EXPECT_EQ(s.faults[4].params.as_text()["update"], "base");
  EXPECT_EQ(s.faults[4].line, 12);
}

TEST(Scenario, EveryKnownFaultParsesWithItsRequiredParameters) {
  const std::vector<std::string> items{
      "{fault: install_fails, appliance: B}",
      "{fault: install_hangs, appliance: A, update: software}",
      "{fault: sync_slow, factor: 4}",
      "{fault: sync_fails}",
      "{fault: site_refuses, appliance: B, duration_ms: 3600000}",
      "{fault: peer_silence}",
      "{fault: appliance_crash, appliance: A}",
      "{fault: partition, between: [appA, appB]}",
      "{fault: update_server_unreachable}",
      "{fault: loss, host: client1, percent: 100}",
      "{fault: operator_skips_backup}",
      "{fault: operator_breaks_before_sync}",
      "{fault: peer_channel_down, appliance: B}",
      "{fault: operator_restarts_after_failed_base, appliance: A}",
      "{fault: operator_enables_shared_ip_early, force: true}",
      "{fault: harness_stops, at: {step: verify_backup, when: after}}",
      "{fault: tampered_update_file}",
      "{fault: operator_uses_wrong_download_key, appliance: A}",
      "{fault: operator_updates_primary_early}",
      "{fault: operator_fails_over_between_updates}",
      "{fault: disk_full_during_install, update: software, free_mib: 0}",
      "{fault: link_flap, host: appB, down_ms: 1}",
      "{fault: stale_arp_client, host: client2}",
      "{fault: dns_server_down}",
      "{fault: long_ttl, ttl_s: 60}",
      "{fault: conntrack_not_flushed}"};
  std::set<std::string> seen;
  for (const auto& item : items) {
    const auto s = parse(kMinimal + "faults: [" + item + "]\n");
    ASSERT_EQ(s.faults.size(), 1u);
    seen.insert(std::string(s.faults[0].name()));
  }
  std::set<std::string> known;
  for (const auto* d : fault_registry()) known.insert(std::string(d->name));
  EXPECT_EQ(seen, known);
}

TEST(Scenario, StepNamesRoundTrip) {
  for (const auto* d : step_registry()) EXPECT_EQ(&step_def(d->name), d);
  EXPECT_EQ(step_registry().size(), 9u);
  EXPECT_EQ(step_registry()[2]->name, "break");
  EXPECT_EQ(step_registry()[5]->name, "switch");
  EXPECT_THROW(step_def("break_failover"), std::invalid_argument);
  EXPECT_EQ(parse_switch_method("nat"), SwitchMethod::nat);
  EXPECT_STREQ(to_string(SwitchMethod::shared_ip), "shared_ip");
  EXPECT_THROW(parse_switch_method("arp"), std::invalid_argument);
}

TEST(ScenarioRefused, YamlSyntaxErrorWithItsLine) {
  expect_refused("scenario: t\nswitch: dns\nsteps: [backup\nfoo: 1\n", 4, {"sequence"});
  expect_refused("scenario: t\nswitch: dns: nat\n", 2, {"map"});
}

TEST(ScenarioRefused, NotAMap) {
  expect_refused("- backup\n", 1, {"list", "expected a map"});
  expect_refused("", 1, {"the file is empty"});
  expect_refused("# only a comment\n", 1, {"the file is empty"});
}

TEST(ScenarioRefused, UnknownKeysAtEveryLevel) {
  expect_refused(kMinimal + "timescale: 5\n", 4, {"unknown key 'timescale'", "time_scale"});
  expect_refused(kMinimal + "probes:\n  clients: [client1]\n  rate: 5\n", 6,
                 {"unknown key 'rate' in probes", "rate_hz"});
  expect_refused(kMinimal + "budgets: {downtime_ms: 5}\n", 4, {"'downtime_ms'", "budgets"});
  expect_refused(kMinimal + "expect: {outcome: completed, why: x}\n", 4, {"'why'"});
  expect_refused(kMinimal + "from: {version: 1.2.3}\n", 4, {"'version'", "base, software, build"});
  expect_refused(kMinimal + "seed: {admins: 1}\n", 4, {"'admins'"});
  expect_refused(kMinimal + "load: {rate: 1}\n", 4, {"'rate'", "session_interval_ms"});
  expect_refused(kMinimal + "faults:\n  - fault: sync_fails\n    appliance: A\n", 6,
                 {"unknown key 'appliance'", "sync_fails"});
  expect_refused(kMinimal + "faults:\n  - fault: sync_fails\n    at: {step: sync, progress: 0.5}\n",
                 6, {"unknown key 'progress'"});
  expect_refused("scenario: t\nswitch: nat\nsteps:\n  - switch: {settle: 3}\n", 4,
                 {"unknown key 'settle'", "settle_timeout_s"});
}

TEST(ScenarioRefused, KeyGivenTwiceOrEmpty) {
  expect_refused(kMinimal + "time_scale: 5\ntime_scale: 6\n", 5, {"'time_scale' is given twice"});
  expect_refused(kMinimal + "probes:\n\nseed: {users: 1}\n", 4, {"'probes' has no value"});
}

TEST(ScenarioRefused, UnknownStep) {
  expect_refused("scenario: t\nswitch: dns\nsteps:\n  - backup\n  - brake\n", 5,
                 {"unknown step 'brake'; expected one of backup, sync, break, update_backup, "
                  "verify_backup, switch, verify_production, update_primary, reestablish"});
  expect_refused("scenario: t\nswitch: dns\nsteps:\n  - backup\n  - brake: {x: 1}\n", 5,
                 {"unknown step 'brake'"});
}

TEST(ScenarioRefused, BadStepShapeOrParameters) {
  expect_refused("scenario: t\nswitch: dns\nsteps:\n  - backup\n  - [sync]\n", 5,
                 {"a step is a list"});
  expect_refused("scenario: t\nswitch: dns\nsteps:\n  - {backup: {}, sync: {}}\n", 4,
                 {"one-key map"});
  expect_refused("scenario: t\nswitch: dns\nsteps:\n  - update_backup: {method: sideways}\n", 4,
                 {"'update_backup.method' is 'sideways'", "automatic or manual"});
  expect_refused("scenario: t\nswitch: dns\nsteps:\n  - backup: {method: manual}\n", 4,
                 {"step 'backup' takes no parameters"});
  expect_refused("scenario: t\nswitch: dns\nsteps:\n  - switch: {settle_timeout_s: 0}\n", 4,
                 {"settle_timeout_s", "greater than 0"});
}

TEST(ScenarioRefused, DuplicateStep) {
  expect_refused("scenario: t\nswitch: dns\nsteps:\n  - backup\n  - sync\n  - backup\n", 6,
                 {"step 'backup' appears twice", "line 4"});
}

TEST(ScenarioRefused, UnknownFault) {
  expect_refused(kMinimal + "faults:\n  - fault: install_explodes\n", 5,
                 {"unknown fault 'install_explodes'", "install_fails", "harness_stops"});
}

TEST(ScenarioRefused, WrongTypes) {
  expect_refused(kMinimal + "probes: {rate_hz: \"fast\"}\n", 4,
                 {"'probes.rate_hz' is 'fast'", "expected a number"});
  expect_refused(kMinimal + "probes:\n  deadline_ms: 1.5\n", 5,
                 {"'probes.deadline_ms' is '1.5'", "whole number"});
  expect_refused(kMinimal + "seed: {integration_client: maybe}\n", 4, {"true or false"});
  expect_refused(kMinimal + "probes: {clients: client1}\n", 4, {"'probes.clients'", "list"});
  expect_refused(kMinimal + "probes: {clients: [client1, [x]]}\n", 4, {"a list"});
  expect_refused(kMinimal + "probes: {clients: [client1, client1]}\n", 4, {"twice"});
  expect_refused(kMinimal + "probes: 5\n", 4, {"'probes' is '5'", "expected a map"});
  expect_refused("scenario: t\nswitch: dns\nsteps: backup\n", 3, {"'steps'", "non-empty list"});
  expect_refused("scenario: t\nswitch: dns\nsteps: []\n", 3, {"non-empty list"});
  expect_refused(kMinimal + "faults: {fault: sync_fails}\n", 4, {"'faults' is a map"});
  expect_refused(kMinimal + "description: [a]\n", 4, {"'description' is a list"});
}

TEST(ScenarioRefused, BadNamesAndVersions) {
  expect_refused("scenario: Big_Name\nswitch: dns\nsteps: [backup]\n", 1,
                 {"'scenario' is 'Big_Name'", "a-z, 0-9"});
  expect_refused("scenario: t\nswitch: vrrp\nsteps: [backup]\n", 2,
                 {"unknown switch method 'vrrp'", "shared_ip, dns or nat"});
  expect_refused(kMinimal + "from: {base: 3.3}\n", 4, {"'from.base' is '3.3'", "version"});
}

TEST(ScenarioRefused, MissingRequiredFields) {
  expect_refused("switch: dns\nsteps: [backup]\n", 1, {"missing 'scenario'"});
  expect_refused("scenario: t\nsteps: [backup]\n", 1, {"missing 'switch'", "shared_ip"});
  expect_refused("scenario: t\nswitch: dns\n", 1, {"missing 'steps'"});
  expect_refused(kMinimal + "faults:\n  - at: {after_s: 1}\n", 5, {"missing 'fault'"});
  expect_refused(kMinimal + "faults:\n  - fault: install_fails\n", 5,
                 {"missing 'install_fails.appliance'", "A or B"});
  expect_refused(kMinimal + "faults:\n  - fault: site_refuses\n    appliance: A\n", 5,
                 {"missing 'site_refuses.duration_ms'"});
  expect_refused(kMinimal + "faults:\n  - fault: sync_slow\n", 5, {"missing 'sync_slow.factor'"});
  expect_refused(kMinimal + "faults:\n  - fault: loss\n    percent: 5\n", 5,
                 {"missing 'loss.host'"});
  expect_refused(kMinimal + "faults:\n  - fault: partition\n", 5, {"missing 'partition.between'"});
  // outcome defaults to completed, which takes no reason.
  expect_refused(kMinimal + "expect: {reason: x}\n", 4, {"given with outcome completed"});
}

TEST(ScenarioRefused, UnknownAppliance) {
  expect_refused(kMinimal + "faults:\n  - fault: appliance_crash\n    appliance: C\n", 6,
                 {"'appliance_crash.appliance' is 'C'", "A or B"});
}

TEST(ScenarioRefused, OutOfRange) {
  expect_refused(kMinimal + "probes: {rate_hz: 0}\n", 4, {"rate_hz", "from 1 to 20000"});
  expect_refused(kMinimal + "probes: {rate_hz: 20001}\n", 4, {"from 1 to 20000"});
  expect_refused(kMinimal + "probes: {rate_hz: .nan}\n", 4, {"rate_hz"});
  expect_refused(kMinimal + "probes: {deadline_ms: 60001}\n", 4, {"from 1 to 60000"});
  expect_refused(kMinimal + "time_scale: 0.5\n", 4, {"time_scale", "from 1 to 1000000"});
  expect_refused(kMinimal + "time_scale: 2e6\n", 4, {"time_scale"});
  expect_refused(kMinimal + "budgets: {switch_downtime_ms: 0}\n", 4, {"greater than 0"});
  expect_refused(kMinimal + "budgets: {total_s: -1}\n", 4, {"budgets.total_s"});
  expect_refused(kMinimal + "seed: {users: -1}\n", 4, {"seed.users", "from 0 to 2147483647"});
  expect_refused(kMinimal + "load: {session_interval_ms: -5}\n", 4, {"from 0 to 2147483647"});
  expect_refused(
      kMinimal + "faults:\n  - fault: install_fails\n    appliance: B\n    at: {progress: 1.5}\n",
      7, {"'at.progress' is '1.5'", "from 0 to 1"});
  expect_refused(kMinimal + "faults: [{fault: loss, host: h, percent: 0}]\n", 4,
                 {"'loss.percent' is '0'", "a whole number from 1 to 100"});
  // install_hangs never used a progress: it is refused, not ignored.
  expect_refused(kMinimal + "faults: [{fault: install_hangs, appliance: A, at: {progress: 0.3}}]\n",
                 4, {"progress"});
  // A fraction was once cut to an integer (0.5 % became no loss at all).
  expect_refused(kMinimal + "faults: [{fault: loss, host: h, percent: 0.5}]\n", 4,
                 {"'loss.percent' is '0.5'", "whole number"});
  expect_refused(kMinimal + "faults: [{fault: sync_slow, factor: 0.5}]\n", 4,
                 {"sync_slow.factor", "at least 1"});
  expect_refused(kMinimal + "faults: [{fault: site_refuses, appliance: A, duration_ms: 0}]\n", 4,
                 {"from 1 to 3600000"});
  expect_refused(kMinimal + "faults: [{fault: sync_fails, at: {after_s: -1}}]\n", 4,
                 {"at.after_s"});
  expect_refused(kMinimal + "faults: [{fault: partition, between: [a, b, c]}]\n", 4,
                 {"3 hosts", "exactly two"});
}

TEST(ScenarioRefused, BadExpectation) {
  expect_refused(kMinimal + "expect: {outcome: passed}\n", 4,
                 {"'expect.outcome' is 'passed'", "completed or aborted_safely"});
  expect_refused(kMinimal + "expect:\n  outcome: aborted_safely\n", 5,
                 {"missing 'expect.reason'", "aborted_safely"});
  expect_refused(kMinimal + "expect: {outcome: completed, reason: x}\n", 4, {"expect.reason"});
}

TEST(ScenarioRefused, TriggerNamesAStepNotInTheScenario) {
  expect_refused(
      "scenario: t\nswitch: dns\nsteps: [backup, sync]\nfaults:\n"
      "  - fault: harness_stops\n    at: {step: switch}\n",
      6, {"'switch'", "not in this scenario's steps"});
  expect_refused(kMinimal + "faults: [{fault: harness_stops, at: {step: brake}}]\n", 4,
                 {"unknown step 'brake'"});
  expect_refused(kMinimal + "faults: [{fault: harness_stops, at: {when: after}}]\n", 4,
                 {"'at.when' needs 'at.step'"});
  expect_refused(kMinimal + "faults: [{fault: harness_stops, at: {step: sync, when: during}}]\n", 4,
                 {"before or after"});
}

TEST(ScenarioFile, LoadsFromDiskAndRefusesAMissingFile) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / "fhil-scenario-test";
  std::filesystem::create_directories(dir);
  const auto file = dir / "s.yaml";
  std::ofstream(file) << kMinimal;
  const auto s = load_scenario(file);
  EXPECT_EQ(s.file, file);
  EXPECT_EQ(s.lab, dir / "labs/default.yaml");
  try {
    load_scenario(dir / "absent.yaml");
    ADD_FAILURE() << "a missing file was accepted";
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("absent.yaml: cannot read"), std::string::npos)
        << e.what();
  }
  std::filesystem::remove_all(dir);
}

// The scenario suite: every file in scenarios/ loads (issue 6).
TEST(ScenarioSuite, EveryScenarioFileLoads) {
  const auto dir = std::filesystem::path(FHIL_SOURCE_DIR) / "scenarios";
  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".yaml") continue;
    SCOPED_TRACE(e.path().string());
    const auto s = load_scenario(e.path());
    EXPECT_EQ(s.name, e.path().stem().string()) << "a scenario is named after its file";
    EXPECT_TRUE(std::filesystem::exists(s.lab)) << s.lab;
    names.insert(s.name);
  }
  for (const auto* n :
       {"shared-ip-baseline", "dns-swing-baseline", "nat-swing-baseline", "base-install-fails",
        "operator-shared-ip-early", "operator-shared-ip-forced"})
    EXPECT_TRUE(names.count(n)) << n;
}

TEST(ScenarioSuite, BaselinesDifferOnlyInTheSwitchMethod) {
  const auto dir = std::filesystem::path(FHIL_SOURCE_DIR) / "scenarios";
  const auto ip = load_scenario(dir / "shared-ip-baseline.yaml");
  const auto dns = load_scenario(dir / "dns-swing-baseline.yaml");
  const auto nat = load_scenario(dir / "nat-swing-baseline.yaml");
  EXPECT_EQ(ip.switch_method, SwitchMethod::shared_ip);
  EXPECT_EQ(dns.switch_method, SwitchMethod::dns);
  EXPECT_EQ(nat.switch_method, SwitchMethod::nat);
  for (const auto* s : {&ip, &dns, &nat}) {
    ASSERT_EQ(s->steps.size(), ip.steps.size());
    for (std::size_t i = 0; i < s->steps.size(); ++i) {
      EXPECT_EQ(s->steps[i], ip.steps[i]);
    }
    EXPECT_EQ(s->time_scale, 3000);
    EXPECT_EQ(s->probes.rate_hz, 1000);
    EXPECT_EQ(s->probes.clients, (std::vector<std::string>{"client1", "client2"}));
    EXPECT_TRUE(s->faults.empty());
    EXPECT_EQ(s->expect.outcome, "completed");
  }
  EXPECT_EQ(ip.steps[3].params.text("method"), "automatic");
  EXPECT_EQ(ip.steps[7].params.text("method"), "manual");
  EXPECT_EQ(dns.steps[5].params.number("settle_timeout_s"), 30);
}

TEST(ScenarioSuite, FaultScenariosExpectWhatTheRunnerMustDo) {
  const auto dir = std::filesystem::path(FHIL_SOURCE_DIR) / "scenarios";
  const auto install = load_scenario(dir / "base-install-fails.yaml");
  ASSERT_EQ(install.faults.size(), 1u);
  EXPECT_EQ(install.faults[0].name(), "install_fails");
  EXPECT_EQ(install.faults[0].appliance(), Member::B);
  EXPECT_EQ(install.faults[0].at.step, "update_backup");
  EXPECT_EQ(install.faults[0].at.progress, 0.4);
  EXPECT_EQ(install.faults[0].params.as_text()["update"], "base");
  EXPECT_EQ(install.expect.outcome, "aborted_safely");
  EXPECT_EQ(install.expect.reason, "contact support");  // R07

  const auto early = load_scenario(dir / "operator-shared-ip-early.yaml");
  ASSERT_EQ(early.faults.size(), 1u);
  EXPECT_EQ(early.faults[0].name(), "operator_enables_shared_ip_early");
  EXPECT_EQ(early.faults[0].at.step, "switch");
  EXPECT_EQ(early.faults[0].params.as_text()["force"], "false");
  EXPECT_EQ(early.expect.outcome, "completed");

  const auto forced = load_scenario(dir / "operator-shared-ip-forced.yaml");
  ASSERT_EQ(forced.faults.size(), 1u);
  EXPECT_EQ(forced.faults[0].params.as_text()["force"], "true");
  EXPECT_EQ(forced.expect.outcome, "aborted_safely");
  EXPECT_EQ(forced.expect.reason, "IP conflict");  // R23
}

}  // namespace
}  // namespace failover_hil::hil
