#include "failover_hil/hil/report.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <pugixml.hpp>
#include <sstream>

namespace failover_hil::hil {
namespace {

// 2024-05-01T12:00:00.123456789Z
constexpr std::int64_t t0 = 1'714'564'800'123'456'789;

std::int64_t at(double seconds) {
  return t0 + std::llround(seconds * 1e9);
}

ApplianceSample sample(double s, std::string app, std::string role, std::string version,
                       std::string state, bool ip) {
  return {at(s), std::move(app), std::move(role), std::move(version), std::move(state), ip};
}

OutageMark outage(double s, std::int64_t length_ns, std::string step, bool expected) {
  return {at(s),  at(s) + length_ns, length_ns, "time-based-loss", std::move(step), "appA",
          "appB", expected,          false};
}

ClientLane lane(std::string client, const std::vector<OutageMark>& outages, double end) {
  ClientLane c;
  c.client = std::move(client);
  c.outages = outages;
  std::int64_t from = t0;
  for (const auto& o : outages) {
    c.intervals.push_back({true, from, o.start_ns});
    c.intervals.push_back({false, o.start_ns, o.end_ns});
    from = o.end_ns;
  }
  c.intervals.push_back({true, from, at(end)});
  c.probes = 241'000;
  c.availability = 0.99998;
  return c;
}

// A whole shared-IP run as the runner would record it: the seed procedure,
// both appliances' roles and versions, two clients with their switch outages.
RunRecord sample_run() {
  RunRecord r;
  r.scenario = "shared-ip-baseline";
  r.description = "The vendor's asynchronous upgrade, B first, switching by the shared IP.";
  r.switch_method = "shared_ip";
  r.run_dir = "runs/20240501T120000Z-shared-ip-baseline";
  r.target = "lab default";
  r.started_ns = t0;
  r.finished_ns = at(241.3);
  r.outcome = "completed";
  r.expected_outcome = "completed";
  r.as_expected = true;
  const std::vector<std::tuple<const char*, double, double, std::vector<std::string>>> steps{
      {"preflight", 0, 2.1, {"R17"}},
      {"backup", 2.1, 14.5, {"R01"}},
      {"sync", 14.5, 22, {"R02"}},
      {"break", 22, 23.2, {"R03"}},
      {"update_b", 23.2, 95, {"R04", "R06"}},
      {"verify_b", 95, 110, {"R11"}},
      {"switch", 110, 110.8, {"R13", "R23"}},
      {"update_a", 110.8, 190, {"R04", "R16"}},
      {"verify_a", 190, 205, {"R11"}},
      {"establish", 205, 212, {"R17", "R18"}},
      {"verify_sync", 212, 240, {"R15"}}};
  for (const auto& [name, a, b, rules] : steps)
    r.steps.push_back({name, "ok", at(a), at(b), "", rules});
  r.steps[1].message = "backup 41.2 MiB, sha256 9f2c…e1, encrypted";
  r.measurements = {
      {"switch_downtime_ms.client1", 3.2, "ms", 50.0, "<=", true, "time-based-loss, ±1 ms"},
      {"switch_downtime_ms.client2", 3.4, "ms", 50.0, "<=", true, "time-based-loss, ±1 ms"},
      {"exposure_window_s", 189.8, "s", 3600.0, "<=", true, "break → establish"},
      {"total_s", 241.3, "s", 300.0, "<=", true, ""},
      {"session_records_merged", 37, "count", std::nullopt, "<=", true, "A 21 + B 16"}};
  r.checks = {{"backup_before_update", {"R01"}, true, "backup at +0:02.100, verified"},
              {"sync_before_break", {"R02", "R03"}, true, "sync finished at +0:21.870"},
              {"no_ip_conflict", {"R23"}, true, "no ARP conflict in 2 captures"},
              {"versions_match", {"R17"}, true, "both 24.1.0 (c9e2d4)"},
              {"data_merged", {"R15"}, true, "37 of 37 session records on both"}};
  r.samples = {sample(0, "appA", "primary", "23.1.2", "running", true),
               sample(0, "appB", "backup", "23.1.2", "running", false),
               sample(23.1, "appA", "none", "23.1.2", "running", true),
               sample(23.1, "appB", "none", "23.1.2", "running", false),
               sample(23.2, "appB", "none", "23.1.2", "installing", false),
               sample(95, "appB", "none", "24.1.0", "running", false),
               sample(110.41, "appA", "none", "23.1.2", "running", false),
               sample(110.41, "appB", "none", "24.1.0", "running", true),
               sample(110.8, "appA", "none", "23.1.2", "installing", false),
               sample(190, "appA", "none", "24.1.0", "running", false),
               sample(211.5, "appB", "primary", "24.1.0", "running", true),
               sample(211.5, "appA", "backup", "24.1.0", "running", false)};
  r.clients = {lane("client1", {outage(110.41, 3'200'000, "switch", true)}, 241.3),
               lane("client2", {outage(110.4102, 3'400'000, "switch", true)}, 241.3)};
  for (int i = 0; i < 260; ++i) {
    TimelineEvent e;
    e.t_ns = at(i * 0.9);
    e.type = i % 3 == 0 ? EventType::invoke : (i % 3 == 1 ? EventType::ok : EventType::observe);
    e.step = r.steps[static_cast<std::size_t>(i) % r.steps.size()].name;
    e.actor = i % 2 ? "appA" : "harness";
    e.op = "status";
    e.detail = "poll " + std::to_string(i);
    e.data = {{"role", "primary"}, {"seq", std::to_string(i)}};
    r.events.push_back(e);
  }
  r.artifacts = {{"captures", {r.run_dir + "/captures/client1.pcap", "captures/client2.pcap"}},
                 {"probes", {"probes/client1-tcp.csv", "probes/client2-tcp.csv"}},
                 {"logs", {"logs/appA.log", "logs/appB.log"}},
                 {"scenario", {"scenario.yaml"}}};
  return r;
}

// The same run gone wrong in every way a report must show.
RunRecord failed_run() {
  RunRecord r = sample_run();
  r.outcome = "aborted_safely";
  r.reason = "base update failed on appB: contact support";
  r.as_expected = false;
  r.steps[4].status = "failed";
  r.steps[4].message = "install <script>alert(1)</script> & \"quoted\"";
  r.steps[5].status = "refused";
  r.steps[5].message = "appB is not running";
  r.steps[6].status = "skipped";
  r.steps[7].status = "not_run";
  r.steps[7].start_ns = r.steps[7].end_ns = 0;
  r.measurements[0].value = 62.1;
  r.measurements[0].pass = false;
  r.checks[2].pass = false;
  r.checks[2].detail = "appA and appB both claimed 10.10.0.50 at +1:50.410";
  r.clients[1].outages.push_back(outage(150, 12'700'000, "update_a", false));
  return r;
}

// The same run thirty times slower (two hours), its outages as short as before.
RunRecord long_run() {
  RunRecord r = sample_run();
  auto stretch = [](std::int64_t& t) { t = t0 + (t - t0) * 30; };
  stretch(r.finished_ns);
  for (auto& s : r.steps) stretch(s.start_ns), stretch(s.end_ns);
  for (auto& x : r.samples) stretch(x.t_ns);
  for (auto& e : r.events) stretch(e.t_ns);
  for (auto& c : r.clients) {
    for (auto& o : c.outages) {
      stretch(o.start_ns);
      o.end_ns = o.start_ns + o.length_ns;
    }
    c = lane(c.client, c.outages, static_cast<double>(r.finished_ns - t0) / 1e9);
  }
  return r;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

// ---- report.json ----

TEST(ReportJson, RoundTripsEveryField) {
  RunRecord r = failed_run();
  r.description = "ünïcode — \"quotes\", back\\slash, new\nline, tab\t, <b>";
  r.events[3].data["empty"] = "";
  r.measurements[1].limit = std::nullopt;
  r.measurements[2].op = ">=";
  r.measurements[3].value = 1.0 / 3;  // numbers round-trip exactly
  r.measurements[4].value = 1e20;
  r.artifacts["empty"] = {};
  const RunRecord back = parse_report_json(report_json(r));
  EXPECT_EQ(back.schema, r.schema);
  EXPECT_EQ(back.description, r.description);
  EXPECT_EQ(back.started_ns, r.started_ns);
  EXPECT_EQ(back.steps, r.steps);
  EXPECT_EQ(back.measurements, r.measurements);
  EXPECT_EQ(back.checks, r.checks);
  EXPECT_EQ(back.samples, r.samples);
  EXPECT_EQ(back.clients, r.clients);
  EXPECT_EQ(back.events, r.events);
  EXPECT_EQ(back.artifacts, r.artifacts);
  EXPECT_TRUE(back == r) << "a field differs after the round trip";
}

TEST(ReportJson, WritesTimestampsAsNanosecondsAndRfc3339) {
  const std::string text = report_json(sample_run());
  EXPECT_NE(text.find("\"started_ns\": 1714564800123456789"), std::string::npos) << text;
  EXPECT_NE(text.find("\"started\": \"2024-05-01T12:00:00.123456789Z\""), std::string::npos);
  EXPECT_NE(text.find("\"schema\": \"failover-hil/report/1\""), std::string::npos);
  EXPECT_NE(text.find("\"t\":\"2024-05-01T12:01:50.533456789Z\""), std::string::npos)
      << "a sample at +110.41 s";
}

TEST(ReportJson, NamesTheBadField) {
  std::string text = report_json(sample_run());
  auto error_of = [](const std::string& t) {
    try {
      parse_report_json(t);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string bad = text;
  const auto p = bad.find("\"start_ns\":", bad.find("\"name\":\"backup\""));
  ASSERT_NE(p, std::string::npos);
  bad.replace(p, 11, "\"start_ns\":\"x\",\"was\":");
  EXPECT_NE(error_of(bad).find("steps[1].start_ns: expected an integer"), std::string::npos)
      << error_of(bad);

  bad = text;
  bad.replace(bad.find("\"outcome\""), 9, "\"outcomX\"");
  EXPECT_NE(error_of(bad).find("outcome: missing"), std::string::npos) << error_of(bad);

  bad = text;
  bad.replace(bad.find("report/1"), 8, "report/9");
  EXPECT_NE(error_of(bad).find("schema"), std::string::npos) << error_of(bad);

  EXPECT_NE(error_of(text.substr(0, 40)).find("not valid JSON"), std::string::npos);
}

TEST(RunRecord, PassedNeedsOutcomeChecksAndMeasurements) {
  EXPECT_TRUE(sample_run().passed());
  auto r = sample_run();
  r.as_expected = false;
  EXPECT_FALSE(r.passed());
  r = sample_run();
  r.checks.back().pass = false;
  EXPECT_FALSE(r.passed());
  r = sample_run();
  r.measurements.front().pass = false;
  EXPECT_FALSE(r.passed());
}

// ---- junit.xml ----

TEST(JunitXml, CountsStepsChecksLimitsAndOutcome) {
  const RunRecord r = failed_run();
  pugi::xml_document doc;
  const std::string xml = junit_xml(r);
  ASSERT_TRUE(doc.load_string(xml.c_str())) << xml;
  const auto suite = doc.child("testsuites").child("testsuite");
  ASSERT_TRUE(suite);
  EXPECT_STREQ(suite.attribute("name").value(), "shared-ip-baseline");
  // 11 steps + 5 checks + 4 measurements with a limit + outcome.
  EXPECT_EQ(suite.attribute("tests").as_int(), 21);
  // Steps failed and refused, check no_ip_conflict, client1's downtime, the outcome.
  EXPECT_EQ(suite.attribute("failures").as_int(), 5);
  EXPECT_EQ(suite.attribute("skipped").as_int(), 2);
  EXPECT_STREQ(suite.attribute("time").value(), "241.300");
  int cases = 0, failures = 0, skipped = 0;
  for (const auto c : suite.children("testcase")) {
    ++cases;
    failures += c.child("failure") ? 1 : 0;
    skipped += c.child("skipped") ? 1 : 0;
  }
  EXPECT_EQ(cases, 21);
  EXPECT_EQ(failures, 5);
  EXPECT_EQ(skipped, 2);

  const auto downtime =
      suite.find_child_by_attribute("testcase", "name", "switch_downtime_ms.client1");
  EXPECT_STREQ(downtime.attribute("classname").value(), "shared-ip-baseline.checks");
  EXPECT_STREQ(downtime.child("failure").attribute("message").value(),
               "switch_downtime_ms.client1 = 62.1 ms > 50 ms");
  const auto update = suite.find_child_by_attribute("testcase", "name", "update_b");
  EXPECT_STREQ(update.attribute("classname").value(), "shared-ip-baseline.steps");
  EXPECT_STREQ(update.child("failure").attribute("message").value(),
               "failed: install <script>alert(1)</script> & \"quoted\"");
  EXPECT_EQ(xml.find("<script>"), std::string::npos) << "escaped in the raw XML";
  const auto check = suite.find_child_by_attribute("testcase", "name", "no_ip_conflict");
  EXPECT_NE(std::string(check.child("failure").attribute("message").value()).find("10.10.0.50"),
            std::string::npos);
  const auto outcome = suite.find_child_by_attribute("testcase", "name", "outcome");
  EXPECT_STREQ(outcome.child("failure").attribute("message").value(),
               "expected completed, got aborted_safely: base update failed on appB: contact "
               "support");
}

TEST(JunitXml, AllPassWithoutFailures) {
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(junit_xml(sample_run()).c_str()));
  const auto suite = doc.child("testsuites").child("testsuite");
  EXPECT_EQ(suite.attribute("tests").as_int(), 21);
  EXPECT_EQ(suite.attribute("failures").as_int(), 0);
  EXPECT_EQ(suite.attribute("skipped").as_int(), 0);
  EXPECT_STREQ(
      suite.find_child_by_attribute("testcase", "name", "backup").attribute("time").value(),
      "12.400");
}

// ---- report.html ----

TEST(ReportHtml, DrawsEveryLaneAndLabelsOutages) {
  const std::string html = report_html(failed_run());
  EXPECT_EQ(count(html, "<svg"), 1u);
  EXPECT_EQ(count(html, "</svg>"), 1u);
  EXPECT_EQ(count(html, "<table"), count(html, "</table>"));
  // The steps lane, appA, appB, client1, client2.
  EXPECT_EQ(count(html, "<text class=\"lane\""), 5u);
  for (const char* lane : {">appA</text>", ">appB</text>", ">client1</text>", ">client2</text>"})
    EXPECT_NE(html.find(lane), std::string::npos) << lane;
  // Outages a few ms long in a four-minute run, labelled with their length.
  EXPECT_NE(html.find(">3.2 ms</text>"), std::string::npos);
  EXPECT_NE(html.find(">3.4 ms</text>"), std::string::npos);
  EXPECT_NE(html.find("label outage unexpected\""), std::string::npos) << "the 12.7 ms one";
  EXPECT_NE(html.find("switch_downtime_ms.client1"), std::string::npos);
}

TEST(ReportHtml, ShortOutageInALongRunStaysVisible) {
  const std::string html = report_html(long_run());
  EXPECT_NE(html.find(">3.2 ms</text>"), std::string::npos);
  // 3.2 ms of two hours is a thousandth of a pixel: the marker keeps a minimum width.
  const auto title = html.find("client1: outage of 3.2 ms");
  ASSERT_NE(title, std::string::npos);
  const auto rect = html.find("<rect", title);
  EXPECT_NE(html.substr(rect, html.find("/>", rect) - rect).find("width=\"3.0\""),
            std::string::npos)
      << html.substr(rect, 120);
  EXPECT_NE(html.find(">0:30</text>"), std::string::npos) << "ticks every 15 or 30 min";
}

TEST(ReportHtml, EscapesTextAndLoadsNothing) {
  const std::string html = report_html(failed_run());
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("install &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;"),
            std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_NE(html.find("href=\"captures/client1.pcap\""), std::string::npos) << "relative link";
  EXPECT_NE(html.find("badge fail"), std::string::npos);
  EXPECT_NE(report_html(sample_run()).find("badge pass"), std::string::npos);
}

TEST(ReportHtml, KeepsTheLastEventsOnly) {
  const std::string html = report_html(sample_run());
  EXPECT_NE(html.find("the last 200 of 260"), std::string::npos);
  EXPECT_EQ(html.find(">poll 59<"), std::string::npos);
  EXPECT_NE(html.find(">poll 60<"), std::string::npos);
}

// ---- terminal summary ----

TEST(Summary, ShowsStepsFiguresAndTheOutcome) {
  const std::string text = render_summary(sample_run(), false);
  EXPECT_EQ(text.find('\033'), std::string::npos);
  EXPECT_NE(text.find("update_b"), std::string::npos);
  EXPECT_NE(text.find("completed (as expected) — shared IP switch downtime: client1 3.2 ms, "
                      "client2 3.4 ms — report: runs/20240501T120000Z-shared-ip-baseline/"
                      "report.html"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("FAIL"), std::string::npos) << text;
}

TEST(Summary, ShowsFailForAFailedCheck) {
  const std::string text = render_summary(failed_run(), false);
  std::istringstream lines(text);
  std::string line, conflict_line, downtime_line;
  while (std::getline(lines, line)) {
    if (line.find("no_ip_conflict") != std::string::npos) conflict_line = line;
    if (line.find("switch_downtime_ms.client1") != std::string::npos) downtime_line = line;
  }
  EXPECT_NE(conflict_line.find("FAIL"), std::string::npos) << text;
  EXPECT_NE(conflict_line.find("10.10.0.50"), std::string::npos) << text;
  EXPECT_NE(downtime_line.find("FAIL"), std::string::npos) << text;
  EXPECT_NE(text.find("aborted_safely: base update failed on appB: contact support (expected "
                      "completed)"),
            std::string::npos)
      << text;
  EXPECT_NE(render_summary(failed_run(), true).find("\033[1;31mFAIL"), std::string::npos);
}

TEST(Summary, KeepsUntrustedTextOnOneLineWithoutEscapes) {
  RunRecord r = failed_run();
  r.steps[4].message = "line one\nline two \033[2J";
  r.reason = "bad\nreason";
  const std::string text = render_summary(r, false);
  EXPECT_EQ(text.find('\033'), std::string::npos) << text;
  EXPECT_NE(text.find("line one line two"), std::string::npos) << text;
  EXPECT_NE(text.find("aborted_safely: bad reason"), std::string::npos) << text;
}

// ---- the run directory ----

TEST(WriteReports, WritesTheThreeFilesAndNoTemporaries) {
  const auto dir = std::filesystem::path(testing::TempDir()) / "fhil-report-test";
  std::filesystem::remove_all(dir);
  const RunRecord r = sample_run();
  write_reports(r, dir / "run");
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir / "run"))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"junit.xml", "report.html", "report.json"}));
  std::ifstream in(dir / "run" / "report.json");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(parse_report_json(text) == r);
  std::filesystem::remove_all(dir);

  // For looking at the page: FHIL_SAMPLE_REPORTS=DIR writes both samples there.
  if (const char* out = std::getenv("FHIL_SAMPLE_REPORTS")) {
    write_reports(sample_run(), std::filesystem::path(out) / "passed");
    write_reports(failed_run(), std::filesystem::path(out) / "failed");
    write_reports(long_run(), std::filesystem::path(out) / "long");
    std::ofstream(std::filesystem::path(out) / "failed" / "summary.txt")
        << render_summary(failed_run(), true);
    std::ofstream(std::filesystem::path(out) / "passed" / "summary.txt")
        << render_summary(sample_run(), false);
  }
}

}  // namespace
}  // namespace failover_hil::hil
