// evaluate_run() on a run directory written by the test: a timeline and
// synthetic captures with outages at known nanoseconds. The verdict comes
// from this stored history alone, as `failover-hil report` gives it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"
#include "failover_hil/hil/runner.hpp"
#include "failover_hil/hil/timeline.hpp"
#include "failover_hil/netlab/synthetic_traffic.hpp"

namespace failover_hil::hil {
namespace {

namespace fs = std::filesystem;
using netlab::IpAddress;
using netlab::MacAddress;

constexpr std::int64_t kT0 = 1'795'000'000'000'000'000;  // the run's start
constexpr std::int64_t kMs = 1'000'000;
const auto kMacA = MacAddress::parse("02:00:00:00:00:0a");
const auto kMacB = MacAddress::parse("02:00:00:00:00:0b");

class EvaluateRun : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fhil-eval-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    fs::copy_file(fs::path(FHIL_SOURCE_DIR) / "scenarios" / "shared-ip-baseline.yaml",
                  dir_ / "scenario.yaml");
    fs::copy_file(fs::path(FHIL_SOURCE_DIR) / "scenarios" / "labs" / "default.yaml",
                  dir_ / "lab.yaml");
    fs::create_directories(dir_ / "captures");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void event(std::int64_t t, std::string type, std::string step, std::string op,
             std::map<std::string, std::string> data = {}, std::string actor = "harness") {
    events_.push_back({t, parse_event_type(type), std::move(step), std::move(actor), std::move(op),
                       "", std::move(data)});
  }
  void step(const std::string& name, std::int64_t from_ms, std::int64_t to_ms) {
    event(kT0 + from_ms * kMs, "step_start", name, name);
    event(kT0 + to_ms * kMs, "step_ok", name, name, {{"status", "ok"}});
  }
  void observe(std::int64_t ms, const std::string& who, const std::string& role,
               const std::string& version) {
    event(kT0 + ms * kMs, "observe", "", "status",
          {{"role", role}, {"version", version}, {"state", "running"}, {"shared_ip", "false"}},
          who);
  }
  /// A whole completed run: every step, the switch at 1000..1100 ms.
  void completed_run() {
    event(kT0, "info", "", "run_started");
    event(kT0 + 1, "info", "", "lab_up",
          {{"appA_mac", kMacA.str()},
           {"appB_mac", kMacB.str()},
           {"site_ip", "198.18.0.10"},
           {"site_port", "443"},
           {"rate_hz", "1000"},
           {"clients", "client1"}});
    event(kT0 + 10 * kMs, "ok", "load", "session_created", {{"lsid", "x-1"}}, "appA");
    step("backup", 100, 200);
    event(kT0 + 150 * kMs, "ok", "backup", "backup_verified", {{"sha256", std::string(64, 'a')}});
    step("sync", 200, 300);
    event(kT0 + 250 * kMs, "ok", "sync", "sync_finished");
    step("break", 300, 400);
    event(kT0 + 310 * kMs, "invoke", "break", "break_relationship");
    event(kT0 + 350 * kMs, "ok", "break", "relationship_broken");
    step("update_backup", 400, 900);
    event(kT0 + 410 * kMs, "invoke", "update_backup", "install_started");
    step("verify_backup", 900, 1000);
    event(kT0 + 950 * kMs, "ok", "verify_backup", "console_upgraded");
    event(kT0 + 951 * kMs, "ok", "verify_backup", "msi_client");
    step("switch", 1000, 1100);
    step("verify_production", 1100, 1200);
    event(kT0 + 1150 * kMs, "ok", "verify_production", "integration_client");
    update_primary_to_the_end(1200);
  }
  /// A is updated from `from_ms` to 1700 ms, the relationship re-established,
  /// both end on the new version and the run completes at 1950 ms.
  void update_primary_to_the_end(std::int64_t from_ms) {
    step("update_primary", from_ms, 1700);
    step("reestablish", 1700, 1900);
    event(kT0 + 1750 * kMs, "ok", "reestablish", "relationship_established");
    event(kT0 + 1800 * kMs, "observe", "reestablish", "final_lsids",
          {{"appA", "x-1"}, {"appB", "x-1"}});
    observe(1850, "appA", "backup", "24.1.0");
    observe(1850, "appB", "primary", "24.1.0");
    event(kT0 + 1950 * kMs, "outcome", "", "completed");
  }
  /// client1's 1 kHz probes over 0..2000 ms, lost in [from, to) ms windows;
  /// appA answers before `switch_ms`, appB after.
  void capture(std::vector<std::pair<int, int>> lost, int switch_ms) {
    netlab::SyntheticTraffic t;
    netlab::SyntheticTraffic::ProbeScript s;
    s.client = {MacAddress::parse("02:00:00:00:00:01"), IpAddress::parse("198.18.0.1")};
    s.site = {kMacA, IpAddress::parse("198.18.0.10")};
    s.start_ns = kT0;
    s.interval_ns = kMs;
    s.count = 2000;
    t.probes(s, [&](int i) {
      for (const auto& [from, to] : lost)
        if (i >= from && i < to) return netlab::ProbeAnswer{netlab::ProbeAnswer::Kind::none};
      return netlab::ProbeAnswer{netlab::ProbeAnswer::Kind::syn_ack, i < switch_ms ? kMacA : kMacB};
    });
    t.write((dir_ / "captures" / "client1.pcap").string());
  }
  RunRecord evaluate() {
    std::ofstream out(dir_ / "timeline.jsonl");
    for (const auto& e : events_) out << to_json_line(e) << "\n";
    out.close();
    return evaluate_run(dir_);
  }
  static const CheckRecord& check(const RunRecord& r, const std::string& name) {
    for (const auto& c : r.checks)
      if (c.name == name) return c;
    throw std::runtime_error("no check " + name);
  }
  static const Measurement& measurement(const RunRecord& r, const std::string& name) {
    for (const auto& m : r.measurements)
      if (m.name == name) return m;
    throw std::runtime_error("no measurement " + name);
  }
  fs::path dir_;
  std::vector<TimelineEvent> events_;
};

TEST_F(EvaluateRun, R13_TheSwitchDowntimeIsMeasuredFromTheCaptureExactly) {
  completed_run();
  capture({{1040, 1047}}, 1047);  // 7 probes lost inside the switch step
  const auto r = evaluate();
  EXPECT_EQ(r.outcome, "completed");
  const auto& m = measurement(r, "switch_downtime_ms.client1");
  EXPECT_DOUBLE_EQ(m.value, 7.0) << m.detail;
  EXPECT_TRUE(m.pass);
  ASSERT_EQ(r.clients.size(), 1u);
  ASSERT_EQ(r.clients[0].outages.size(), 1u);
  const auto& o = r.clients[0].outages[0];
  EXPECT_EQ(o.step, "switch");
  EXPECT_EQ(o.before, "appA");
  EXPECT_EQ(o.after, "appB");
  EXPECT_TRUE(o.expected);
  EXPECT_TRUE(check(r, "no_unexpected_outage").pass);
  EXPECT_TRUE(r.passed()) << check(r, "no_session_record_lost").detail;
  // R22: the exposure window runs from the break to the re-established relationship.
  EXPECT_NEAR(measurement(r, "exposure_window_s").value, 1.4, 1e-9);
}

TEST_F(EvaluateRun, R16_AnOutageOutsideTheSwitchFailsTheRunAndNamesItsStep) {
  completed_run();
  capture({{1040, 1043}, {1500, 1520}}, 1043);  // the second while A is updated
  const auto r = evaluate();
  const auto& c = check(r, "no_unexpected_outage");
  EXPECT_FALSE(c.pass);
  EXPECT_NE(c.detail.find("20.0 ms in update_primary"), std::string::npos) << c.detail;
  EXPECT_DOUBLE_EQ(measurement(r, "switch_downtime_ms.client1").value, 3.0);
  EXPECT_FALSE(r.passed());
}

TEST_F(EvaluateRun, R13_ASwitchOverItsBudgetFailsItsMeasurement) {
  completed_run();
  capture({{1010, 1070}}, 1070);  // 60 ms > the scenario's 50 ms
  const auto r = evaluate();
  const auto& m = measurement(r, "switch_downtime_ms.client1");
  EXPECT_DOUBLE_EQ(m.value, 60.0);
  EXPECT_FALSE(m.pass);
  EXPECT_FALSE(r.passed());
}

TEST_F(EvaluateRun, R15_ASessionRecordMissingFromOneApplianceFailsTheRun) {
  completed_run();
  event(kT0 + 20 * kMs, "ok", "load", "session_created", {{"lsid", "x-2"}}, "appA");
  capture({}, 1000);
  const auto r = evaluate();
  const auto& c = check(r, "no_session_record_lost");
  EXPECT_FALSE(c.pass);
  EXPECT_NE(c.detail.find("2 missing"), std::string::npos) << c.detail;
}

TEST_F(EvaluateRun, R01_AnInstallBeforeTheVerifiedBackupFailsTheRun) {
  completed_run();
  for (auto& e : events_)
    if (e.op == "backup_verified") e.t_ns = kT0 + 500 * kMs;  // after the install at 410 ms
  capture({}, 1000);
  EXPECT_FALSE(check(evaluate(), "backup_before_update").pass);
}

TEST_F(EvaluateRun, AHarnessKilledMidRunIsInterruptedAndResumable) {
  completed_run();
  events_.resize(20);  // the timeline ends mid-run: no outcome
  capture({}, 1000);
  const auto r = evaluate();
  EXPECT_EQ(r.outcome, "interrupted");
  EXPECT_NE(r.reason.find("--resume"), std::string::npos);
  EXPECT_EQ(exit_status(r), 3);
}

// Shipped scenarios that ended exactly as they expect used to exit 1: the
// outage their fault causes failed no_unexpected_outage.
TEST_F(EvaluateRun, AnExpectedSafeAbortWaivesWhatClientsSawButNotSafety) {
  fs::copy_file(fs::path(FHIL_SOURCE_DIR) / "scenarios" / "partition-blocks-production.yaml",
                dir_ / "scenario.yaml", fs::copy_options::overwrite_existing);
  completed_run();
  events_.resize(events_.size() - 11);  // up to verify_production's start
  event(kT0 + 1190 * kMs, "step_end", "verify_production", "verify_production",
        {{"status", "failed"}});
  event(kT0 + 1195 * kMs, "ok", "", "a_still_serves");
  event(kT0 + 1199 * kMs, "outcome", "", "aborted_safely");
  events_.back().detail = "R16: appB is not serving every client; appA is not touched";
  capture({{1040, 1043}, {1120, 1180}}, 1043);  // the partition: 60 ms in verify_production
  auto r = evaluate();
  ASSERT_EQ(r.outcome, "aborted_safely");
  EXPECT_TRUE(r.as_expected);
  const auto& outage = check(r, "no_unexpected_outage");
  EXPECT_FALSE(outage.pass);
  EXPECT_TRUE(outage.waived);
  EXPECT_EQ(exit_status(r), 0);

  // A safety check is never waived: an install before the verified backup.
  for (auto& e : events_)
    if (e.op == "backup_verified") e.t_ns = kT0 + 500 * kMs;
  r = evaluate();
  EXPECT_FALSE(check(r, "backup_before_update").waived);
  EXPECT_EQ(exit_status(r), 1);
}

TEST_F(EvaluateRun, AnAbortForAnotherReasonWaivesNothing) {
  fs::copy_file(fs::path(FHIL_SOURCE_DIR) / "scenarios" / "partition-blocks-production.yaml",
                dir_ / "scenario.yaml", fs::copy_options::overwrite_existing);
  completed_run();
  events_.resize(events_.size() - 11);
  event(kT0 + 1199 * kMs, "outcome", "", "aborted_safely");
  events_.back().detail = "R16: appB's version is not the target";
  capture({{1040, 1043}, {1120, 1180}}, 1043);
  const auto r = evaluate();
  EXPECT_FALSE(r.as_expected);
  EXPECT_FALSE(check(r, "no_unexpected_outage").waived);
  EXPECT_EQ(exit_status(r), 1);
}

// An inventory run whose appliance could not be reached used to exit 1
// with every check PASS, although no step ran.
TEST_F(EvaluateRun, ARunThatFailsBeforeItsFirstStepChecksNothingAndExits2) {
  event(kT0, "info", "", "run_started");
  event(kT0 + 5 * kMs, "outcome", "", "failed");
  events_.back().detail = "appA (198.51.100.11:443): status failed: connect: timed out";
  const auto r = evaluate();
  EXPECT_TRUE(r.checks.empty());
  EXPECT_EQ(exit_status(r), 2);
}

TEST_F(EvaluateRun, ACorruptTimelineIsRefusedWithItsLine) {
  completed_run();
  capture({}, 1000);
  {
    std::ofstream out(dir_ / "timeline.jsonl");
    out << to_json_line(events_[0]) << "\nnot json\n" << to_json_line(events_[1]) << "\n";
  }
  try {
    evaluate_run(dir_);
    FAIL() << "accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("timeline.jsonl:2:"), std::string::npos) << e.what();
  }
}

// ---- issue 16 item 2: evidence that is gone or damaged never passes ----

/// A lab run as the harness writes it: captures started, and stopped with
/// the packets and digest of the file it wrote.
class EvaluateLabRun : public EvaluateRun {
 protected:
  void lab_run(std::vector<std::pair<int, int>> lost = {{1040, 1047}}) {
    completed_run();
    event(kT0 + 2, "ok", "", "measuring");
    events_.front().data["engine"] = "lab";
    capture(std::move(lost), 1047);
    const auto file = dir_ / "captures" / "client1.pcap";
    events_.insert(events_.end() - 1,
                   TimelineEvent{kT0 + 1940 * kMs,
                                 EventType::info,
                                 "",
                                 "client1",
                                 "capture_stopped",
                                 file.string(),
                                 {{"packets", "4000"},
                                  {"sha256", to_hex(crypto::sha256_file(file.string()))},
                                  {"kernel_drops", "0"}}});
  }
  fs::path pcap() const { return dir_ / "captures" / "client1.pcap"; }
  static void expect_evidence_fails(const RunRecord& r, const std::string& why) {
    const auto& m = measurement(r, "switch_downtime_ms.client1");
    EXPECT_FALSE(m.pass) << m.detail;
    EXPECT_NE(m.detail.find(why), std::string::npos) << m.detail;
    EXPECT_FALSE(check(r, "evidence_intact").pass);
    EXPECT_FALSE(check(r, "no_unexpected_outage").pass);
    EXPECT_FALSE(check(r, "no_ip_conflict").pass);
    EXPECT_FALSE(r.passed());
    EXPECT_EQ(exit_status(r), 1);
  }
};

TEST_F(EvaluateLabRun, IntactEvidencePasses) {
  lab_run();
  const auto r = evaluate();
  EXPECT_TRUE(check(r, "evidence_intact").pass) << check(r, "evidence_intact").detail;
  EXPECT_TRUE(r.passed());
}

TEST_F(EvaluateLabRun, R13_DeletedCapturesFailTheMeasurement) {
  lab_run();
  fs::remove(pcap());
  expect_evidence_fails(evaluate(), "no capture");
}

TEST_F(EvaluateLabRun, R13_ACaptureTruncatedAtHalfFailsTheMeasurement) {
  lab_run();
  fs::resize_file(pcap(), fs::file_size(pcap()) / 2);
  expect_evidence_fails(evaluate(), "not measured");
}

TEST_F(EvaluateLabRun, R13_ABitFlippedCaptureFailsTheMeasurement) {
  lab_run();
  {
    std::fstream f(pcap(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(fs::file_size(pcap()) / 3));
    char c = 0;
    f.read(&c, 1);
    f.seekp(static_cast<std::streamoff>(fs::file_size(pcap()) / 3));
    c = static_cast<char>(c ^ 0x10);
    f.write(&c, 1);
  }
  expect_evidence_fails(evaluate(), "changed since the run stopped it");
}

TEST_F(EvaluateLabRun, R13_ASwitchWithoutItsStartFailsTheMeasurement) {
  lab_run();
  std::erase_if(events_, [](const TimelineEvent& e) {
    return e.op == "switch" && e.type == EventType::step_start;
  });
  expect_evidence_fails(evaluate(), "no step_start");
}

// A link flap of appA's port: the bridge floods client2's unanswered probes
// to client1's port, so client1's capture holds them too. They are
// client2's outage, not a second one of client1's (a 400 ms flap read 800).
TEST_F(EvaluateLabRun, R13_AnotherClientsProbesInTheCaptureAreNotItsOutage) {
  lab_run();
  for (auto& e : events_)
    if (e.op == "lab_up") e.data["client1_ip"] = "198.18.0.1";
  netlab::SyntheticTraffic t;
  netlab::SyntheticTraffic::ProbeScript own, flooded;
  own.client = {MacAddress::parse("02:00:00:00:00:01"), IpAddress::parse("198.18.0.1")};
  flooded.client = {MacAddress::parse("02:00:00:00:00:02"), IpAddress::parse("198.18.0.2")};
  for (auto* s : {&own, &flooded}) {
    s->site = {kMacA, IpAddress::parse("198.18.0.10")};
    s->interval_ns = kMs;
  }
  own.start_ns = kT0;
  own.count = 2000;
  flooded.start_ns = kT0 + 1040 * kMs;
  flooded.count = 160;  // only while flooded: none answered
  t.probes(own, [&](int i) {
    if (i >= 1040 && i < 1047) return netlab::ProbeAnswer{netlab::ProbeAnswer::Kind::none};
    return netlab::ProbeAnswer{netlab::ProbeAnswer::Kind::syn_ack, i < 1047 ? kMacA : kMacB};
  });
  t.probes(flooded, [](int) { return netlab::ProbeAnswer{netlab::ProbeAnswer::Kind::none}; });
  t.write(pcap().string());
  for (auto& e : events_)
    if (e.op == "capture_stopped") e.data["sha256"] = to_hex(crypto::sha256_file(pcap().string()));
  const auto r = evaluate();
  EXPECT_DOUBLE_EQ(measurement(r, "switch_downtime_ms.client1").value, 7.0)
      << measurement(r, "switch_downtime_ms.client1").detail;
  // Without the lab's address for it, every client in the capture counts.
  for (auto& e : events_)
    if (e.op == "lab_up") e.data.erase("client1_ip");
  EXPECT_GT(measurement(evaluate(), "switch_downtime_ms.client1").value, 100.0);
}

TEST_F(EvaluateLabRun, R13_AClientMissingFromTheLabRecordIsStillMeasured) {
  lab_run({{1040, 1047}, {1500, 1530}});  // 30 ms while A is updated
  for (auto& e : events_)
    if (e.op == "lab_up") e.data["clients"] = "client2";
  const auto r = evaluate();
  EXPECT_DOUBLE_EQ(measurement(r, "switch_downtime_ms.client1").value, 7.0);
  EXPECT_FALSE(check(r, "no_unexpected_outage").pass);
  // client2 is named but has no capture: not silently absent either.
  EXPECT_FALSE(measurement(r, "switch_downtime_ms.client2").pass);
  EXPECT_FALSE(r.passed());
}

// ---- issue 16 item 9: resume after the switch ----

/// The first part ran up to verify_production and was interrupted; the
/// resume skips what history proves and re-runs the rest by state.
TEST_F(EvaluateLabRun, R13_AfterAResumeTheSwitchsOutageStaysInTheSwitch) {
  lab_run();
  std::vector<TimelineEvent> first_part;
  for (const auto& e : events_) {
    if (e.op == "verify_production" && e.type == EventType::step_start) break;
    first_part.push_back(e);
  }
  events_ = first_part;
  step("verify_production", 1100, 1100);
  events_.back() = {kT0 + 1120 * kMs,    EventType::step_end, "verify_production",        "harness",
                    "verify_production", "interrupted",       {{"status", "interrupted"}}};
  // The resume at 1300 ms: backup, sync, verify_backup skipped; the others again.
  // (One capture spans both parts here; a real resume starts captures-<time>/.)
  event(kT0 + 1300 * kMs, "info", "", "run_resumed", {{"engine", "lab"}});
  for (const char* s : {"backup", "sync", "verify_backup"})
    event(kT0 + 1302 * kMs, "step_end", s, s, {{"status", "skipped"}});
  step("break", 1303, 1304);
  step("update_backup", 1304, 1305);
  step("switch", 1305, 1306);
  events_.back().detail = "done_already";
  step("verify_production", 1306, 1400);
  event(kT0 + 1410 * kMs, "ok", "verify_production", "integration_client");
  update_primary_to_the_end(1400);
  const auto r = evaluate();
  const auto& m = measurement(r, "switch_downtime_ms.client1");
  EXPECT_DOUBLE_EQ(m.value, 7.0) << m.detail;
  ASSERT_EQ(r.clients.at(0).outages.size(), 1u);
  EXPECT_EQ(r.clients[0].outages[0].step, "switch");
  EXPECT_TRUE(check(r, "no_unexpected_outage").pass) << check(r, "no_unexpected_outage").detail;
  EXPECT_EQ(exit_status(r), 0);
}

TEST_F(EvaluateRun, ATimelineCutMidWriteIsToleratedAndTruncatedOnResume) {
  completed_run();
  capture({{1040, 1047}}, 1047);
  events_.pop_back();  // killed before the outcome
  evaluate();
  const auto file = dir_ / "timeline.jsonl";
  const auto whole = fs::file_size(file);
  {
    std::ofstream out(file, std::ios::app);
    out << R"({"t_ns":1795000001960000000,"type":"info","st)";  // cut by the kill
  }
  EXPECT_EQ(evaluate_run(dir_).outcome, "interrupted");
  {
    Timeline resumed(file);  // what run --resume opens
    EXPECT_EQ(fs::file_size(file), whole);
    resumed.add({kT0 + 1970 * kMs, EventType::outcome, "", "harness", "completed", "", {}});
  }
  EXPECT_EQ(evaluate_run(dir_).outcome, "completed");
}

TEST_F(EvaluateRun, ATimelineAnOlderResumeAppendedToACutLineIsRead) {
  completed_run();
  capture({{1040, 1047}}, 1047);
  events_.pop_back();
  evaluate();
  {
    std::ofstream out(dir_ / "timeline.jsonl", std::ios::app);
    out << R"({"t_ns":1795000001960000000,"type":"info","st)"
        << to_json_line({kT0 + 1970 * kMs, EventType::info, "", "harness", "run_resumed", "", {}})
        << "\n"
        << to_json_line({kT0 + 1980 * kMs, EventType::outcome, "", "harness", "completed", "", {}})
        << "\n";
  }
  std::vector<std::string> warnings;
  const auto ev = load_timeline(dir_ / "timeline.jsonl", &warnings);
  EXPECT_EQ(ev.back().op, "completed");
  EXPECT_EQ(ev[ev.size() - 2].op, "run_resumed");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(evaluate_run(dir_).outcome, "completed");
}

TEST_F(EvaluateRun, AWholeLastLineThatIsNotAnEventIsRefused) {
  completed_run();
  capture({}, 1000);
  evaluate();
  { std::ofstream(dir_ / "timeline.jsonl", std::ios::app) << "{\"t_ns\":1}\n"; }
  EXPECT_THROW(evaluate_run(dir_), std::exception);
}

}  // namespace
}  // namespace failover_hil::hil
