#include <cstdio>
#include <pugixml.hpp>
#include <sstream>

#include "failover_hil/hil/report.hpp"
#include "report_text.hpp"

namespace failover_hil::hil {

namespace {

using report_text::xml_safe;

std::string seconds(std::int64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ns > 0 ? ns : 0) / 1e9);
  return buf;
}

// Counts as the testsuite's attributes want them.
struct Tally {
  int tests = 0, failures = 0, skipped = 0;
};

class Suite {
 public:
  Suite(pugi::xml_node suite, Tally& tally) : suite_(suite), tally_(tally) {}

  pugi::xml_node add(const std::string& classname, const std::string& name, std::int64_t ns) {
    ++tally_.tests;
    auto c = suite_.append_child("testcase");
    c.append_attribute("classname") = xml_safe(classname).c_str();
    c.append_attribute("name") = xml_safe(name).c_str();
    c.append_attribute("time") = seconds(ns).c_str();
    return c;
  }

  void fail(pugi::xml_node c, const std::string& type, const std::string& message,
            const std::string& text) {
    ++tally_.failures;
    auto f = c.append_child("failure");
    f.append_attribute("type") = xml_safe(type).c_str();
    f.append_attribute("message") = xml_safe(message).c_str();
    if (!text.empty()) f.text() = xml_safe(text).c_str();
  }

  void skip(pugi::xml_node c, const std::string& message) {
    ++tally_.skipped;
    auto s = c.append_child("skipped");
    if (!message.empty()) s.append_attribute("message") = xml_safe(message).c_str();
  }

 private:
  pugi::xml_node suite_;
  Tally& tally_;
};

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

void property(pugi::xml_node props, const char* name, const std::string& value) {
  auto p = props.append_child("property");
  p.append_attribute("name") = name;
  p.append_attribute("value") = xml_safe(value).c_str();
}

}  // namespace

std::string junit_xml(const RunRecord& r) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto suites = doc.append_child("testsuites");
  suites.append_attribute("name") = "failover-hil";
  auto suite = suites.append_child("testsuite");
  suite.append_attribute("name") = xml_safe(r.scenario).c_str();
  // The JUnit schema's timestamp has no fraction and no zone (it is UTC here).
  suite.append_attribute("timestamp") =
      report_text::rfc3339_utc(r.started_ns).substr(0, 19).c_str();

  auto props = suite.append_child("properties");
  property(props, "switch_method", r.switch_method);
  property(props, "target", r.target);
  property(props, "run_dir", r.run_dir);
  property(props, "outcome", r.outcome);
  property(props, "reason", r.reason);
  property(props, "expected_outcome", r.expected_outcome);

  Tally tally;
  Suite s(suite, tally);
  const std::string steps_class = r.scenario + ".steps";
  for (const auto& step : r.steps) {
    auto c = s.add(steps_class, step.name, step.end_ns - step.start_ns);
    const std::string rules = step.rules.empty() ? "" : " [" + joined(step.rules) + "]";
    if (step.status == "skipped" || step.status == "not_run")
      s.skip(c, step.status + (step.message.empty() ? "" : ": " + step.message));
    else if (step.status != "ok")
      s.fail(c, step.status, step.status + (step.message.empty() ? "" : ": " + step.message),
             step.message + rules);
  }

  const std::string checks_class = r.scenario + ".checks";
  for (const auto& check : r.checks) {
    auto c = s.add(checks_class, check.name, 0);
    if (!check.pass && check.waived)
      s.skip(c, "waived: the expected abort explains it: " + check.detail);
    else if (!check.pass)
      s.fail(c, "check", check.detail.empty() ? check.name + " failed" : check.detail,
             "rules: " + joined(check.rules) + "\n" + check.detail);
  }
  for (const auto& m : r.measurements) {
    if (!m.limit) continue;  // a figure without a limit cannot fail
    auto c = s.add(checks_class, m.name, 0);
    if (!m.pass && m.waived)
      s.skip(c, "waived: the expected abort explains it: " + report_text::measurement_failure(m));
    else if (!m.pass)
      s.fail(c, "limit", report_text::measurement_failure(m), m.detail);
  }

  auto outcome = s.add(r.scenario, "outcome", r.finished_ns - r.started_ns);
  if (!r.as_expected) {
    std::string expected = r.expected_outcome;
    if (!r.expected_reason.empty()) expected += " (" + r.expected_reason + ")";
    std::string got = r.outcome;
    if (!r.reason.empty()) got += ": " + r.reason;
    s.fail(outcome, "outcome", "expected " + expected + ", got " + got, got);
  }

  for (auto node : {suites, suite}) {
    node.append_attribute("tests") = tally.tests;
    node.append_attribute("failures") = tally.failures;
    node.append_attribute("errors") = 0;
    node.append_attribute("skipped") = tally.skipped;
    node.append_attribute("time") = seconds(r.finished_ns - r.started_ns).c_str();
  }

  std::ostringstream out;
  doc.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
  return out.str();
}

}  // namespace failover_hil::hil
