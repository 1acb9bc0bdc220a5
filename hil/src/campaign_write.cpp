// A campaign's results as files: cases.json (what ran), junit.xml (a test
// case per run, per check and per compared figure), summary.txt and
// index.html (links to every run's report.html; both distributions of every
// figure compared with a baseline).
#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <pugixml.hpp>
#include <sstream>

#include "failover_hil/core/text_file.hpp"
#include "failover_hil/hil/campaign.hpp"
#include "json_text.hpp"
#include "report_text.hpp"

namespace failover_hil::hil {

namespace fs = std::filesystem;
namespace json = boost::json;
using report_text::escape_xml;
using report_text::xml_safe;

namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Three significant digits, as a person reads a figure.
std::string sig(std::optional<double> v) {
  if (!v) return "-";
  if (std::isinf(*v)) return "inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g", *v);
  return buf;
}

std::string rel(const fs::path& p, const fs::path& base) {
  return fs::weakly_canonical(p).lexically_relative(fs::weakly_canonical(base)).string();
}

std::string downtime(const CampaignCase& c) {
  std::string out;
  if (!c.record) return out;
  const std::string prefix = "switch_downtime_ms.";
  for (const auto& m : c.record->measurements)
    if (m.name.rfind(prefix, 0) == 0)
      out += (out.empty() ? "" : ", ") + m.name.substr(prefix.size()) + " " + fixed(m.value, 1) +
             " ms";
  return out;
}

std::vector<std::string> over_budget(const Campaign& c) {
  std::vector<std::string> out;
  for (const auto& k : c.cases)
    if (k.record)
      for (const auto& m : k.record->measurements)
        if (m.limit && !m.pass && !m.waived) out.push_back(k.id + " " + m.name);
  return out;
}

std::string cases_json(const fs::path& out, const Campaign& c) {
  json::object doc;
  doc["shard"] = c.meta.shard;
  doc["engine"] = c.meta.engine;
  doc["jobs"] = c.meta.jobs;
  doc["repeat"] = c.meta.repeat;
  doc["suite"] = c.meta.suite;
  doc["wall_s"] = c.meta.wall_s;
  doc["runs_per_hour"] =
      c.meta.wall_s > 0 ? static_cast<double>(c.cases.size()) / c.meta.wall_s * 3600 : 0.0;
  if (!c.meta.merged.empty()) {
    json::array m;
    for (const auto& d : c.meta.merged) m.emplace_back(d);
    doc["merged"] = std::move(m);
  }
  json::array cases;
  for (const auto& k : c.cases) {
    json::object o;
    o["id"] = k.id;
    o["key"] = k.key;
    o["scenario"] = k.scenario;
    o["switch"] = k.switch_method.empty() ? json::value(nullptr) : json::value(k.switch_method);
    o["repeat"] = k.repeat;
    o["exit"] = k.exit_status;
    o["wall_s"] = k.wall_s;
    o["run_dir"] = rel(k.run_dir, out);
    o["outcome"] = k.outcome;
    o["as_expected"] = k.as_expected;
    cases.emplace_back(std::move(o));
  }
  doc["cases"] = std::move(cases);
  return pretty_json(doc) + "\n";
}

std::string junit(const Campaign& c, const std::vector<Comparison>& comparison) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto suite = doc.append_child("testsuite");
  suite.append_attribute("name") = "failover-hil regress";
  int tests = 0, failures = 0;
  const auto add = [&](const std::string& cls, const std::string& name) {
    ++tests;
    auto t = suite.append_child("testcase");
    t.append_attribute("classname") = xml_safe(cls).c_str();
    t.append_attribute("name") = xml_safe(name).c_str();
    return t;
  };
  const auto fail = [&](pugi::xml_node t, const std::string& message) {
    ++failures;
    t.append_child("failure").append_attribute("message") =
        xml_safe(message.substr(0, 500)).c_str();
  };
  for (const auto& k : c.cases) {
    const auto run = "run #" + std::to_string(k.repeat);
    auto t = add(k.key, run);
    t.append_attribute("time") = fixed(k.wall_s, 3).c_str();
    auto props = t.append_child("properties");
    const auto property = [&](const std::string& name, const std::string& value) {
      auto p = props.append_child("property");
      p.append_attribute("name") = xml_safe(name).c_str();
      p.append_attribute("value") = xml_safe(value).c_str();
    };
    property("run_dir", k.run_dir.string());
    if (k.record)
      for (const auto& m : k.record->measurements)
        property(m.name, report_text::value_with_unit(m.value, m.unit));
    if (!k.as_expected) fail(t, k.outcome + ": " + k.reason);
    if (k.record)
      for (const auto& ch : k.record->checks) {
        auto tc = add(k.key, run + ": check " + ch.name);
        if (!ch.pass && !ch.waived) fail(tc, ch.detail);
      }
  }
  for (const auto& r : comparison) {
    auto t = add(r.key, "baseline " + r.figure);
    if (r.verdict == "REGRESSED")
      fail(t, "median " + sig(r.now_median) + " vs baseline " + sig(r.base_median) + " (" +
                  fixed(*r.ratio, 2) + "x), Mann-Whitney p = " + fixed(*r.p, 4));
  }
  suite.append_attribute("tests") = tests;
  suite.append_attribute("failures") = failures;
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
  return out.str();
}

std::string summary(const Campaign& c, const std::vector<Comparison>& comparison) {
  std::ostringstream out;
  out << "failover-hil regress: " << c.cases.size() << " runs, shard " << c.meta.shard
      << ", engine " << c.meta.engine << ", " << c.meta.jobs << " at a time, wall "
      << fixed(c.meta.wall_s, 0) << " s\n";
  std::size_t width = 4;
  for (const auto& k : c.cases) width = std::max(width, report_text::display_width(k.id));
  const auto pad = [](const std::string& s, std::size_t w) {
    const auto n = report_text::display_width(s);
    return s + std::string(n < w ? w - n : 0, ' ');
  };
  out << pad("run", width) << "  " << pad("outcome", 15) << " " << pad("as expected", 11)
      << "    wall  switch downtime\n";
  for (const auto& k : c.cases) {
    const auto wall = fixed(k.wall_s, 1) + "s";
    out << pad(report_text::one_line(k.id), width) << "  " << pad(k.outcome, 15) << " "
        << pad(k.as_expected ? "yes" : "NO", 11) << " "
        << std::string(wall.size() < 7 ? 7 - wall.size() : 0, ' ') << wall << "  " << downtime(k);
    std::string bad;
    for (const auto& name : k.failed_checks()) bad += (bad.empty() ? "" : ", ") + name;
    if (!bad.empty()) out << "  checks failed: " << bad;
    out << "\n";
  }
  if (const auto over = over_budget(c); !over.empty()) {
    out << "over budget (judged by a baseline, not here): ";
    for (std::size_t i = 0; i < over.size(); ++i) out << (i ? "; " : "") << over[i];
    out << "\n";
  }
  if (!comparison.empty()) {
    out << "baseline comparison (median, one-sided Mann-Whitney U):\n";
    for (const auto& r : comparison)
      out << "  " << pad(r.verdict, 16) << " " << r.key << " " << r.figure << ": "
          << sig(r.now_median) << " vs " << sig(r.base_median) << " ratio " << sig(r.ratio) << " p "
          << sig(r.p) << "\n";
  }
  return out.str();
}

// Both samples on one axis, baseline above, this campaign below: a glance
// shows a shift that a table of numbers hides.
std::string strip_plot(const Comparison& r) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto* v : {&r.base, &r.now})
    for (const double x : *v) lo = std::min(lo, x), hi = std::max(hi, x);
  if (!(hi > lo)) hi = lo + 1;
  const auto x_of = [&](double v) { return 8 + (v - lo) / (hi - lo) * 224; };
  std::string svg =
      "<svg width=240 height=34 role=img><line x1=8 y1=17 x2=232 y2=17 stroke=#ccc />";
  for (const double v : r.base)
    svg += "<circle cx=" + fixed(x_of(v), 1) + " cy=9 r=3 fill=#888><title>baseline " + sig(v) +
           "</title></circle>";
  for (const double v : r.now)
    svg += "<circle cx=" + fixed(x_of(v), 1) +
           " cy=25 r=3 fill=" + (r.verdict == "REGRESSED" ? "#c0392b" : "#2c7be5") +
           "><title>this campaign " + sig(v) + "</title></circle>";
  return svg + "</svg>";
}

std::string values(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::string out;
  for (const double x : v) out += (out.empty() ? "" : ", ") + sig(x);
  return out;
}

std::string index_html(const fs::path& out, const Campaign& c,
                       const std::vector<Comparison>& comparison, const CompareRule& rule,
                       const std::string& text) {
  std::string rows;
  for (const auto& k : c.cases) {
    const auto report = fs::path(rel(k.run_dir, out)) / "report.html";
    const auto link = fs::exists(out / report) ? "<a href=\"" + escape_xml(report.string()) +
                                                     "\">" + escape_xml(k.id) + "</a>"
                                               : escape_xml(k.id);
    rows += std::string("<tr class=") + (k.as_expected ? "ok" : "bad") + "><td>" + link +
            "</td><td>" + escape_xml(k.outcome) + "</td><td>" + (k.as_expected ? "yes" : "NO") +
            "</td><td>" + escape_xml(k.reason) + "</td><td>" + escape_xml(downtime(k)) +
            "</td><td>" + fixed(k.wall_s, 1) + " s</td></tr>";
  }
  std::string comp;
  if (!comparison.empty()) {
    comp =
        "<h2>Against the baseline</h2><p>Median ratio and a one-sided Mann-Whitney U test; "
        "regressed when the ratio exceeds " +
        sig(rule.factor) + " and p &lt; " + sig(rule.alpha) +
        ". Grey: the baseline's runs; blue (red when regressed): this campaign's.</p><table>"
        "<tr><th>scenario</th><th>figure</th><th>verdict</th><th>distributions</th>"
        "<th>baseline</th><th>this campaign</th><th>ratio</th><th>p</th></tr>";
    for (const auto& r : comparison)
      comp += std::string("<tr class=") + (r.verdict == "REGRESSED" ? "bad" : "ok") + "><td>" +
              escape_xml(r.key) + "</td><td>" + escape_xml(r.figure) + "</td><td>" +
              escape_xml(r.verdict) + "</td><td>" + strip_plot(r) + "</td><td>" + values(r.base) +
              "</td><td>" + values(r.now) + "</td><td>" + sig(r.ratio) + "</td><td>" + sig(r.p) +
              "</td></tr>";
    comp += "</table>";
  }
  return "<!doctype html><meta charset=utf-8><title>failover-hil regress</title><style>"
         "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
         "td,th{padding:.3em .6em;border-bottom:1px solid #ddd;text-align:left}"
         "tr.bad td{background:#fde2e2}tr.ok td:nth-child(3){color:#176f2c}</style>"
         "<h1>failover-hil regress</h1><pre>" +
         escape_xml(text) +
         "</pre><table><tr><th>run</th><th>outcome</th><th>as expected</th><th>reason</th>"
         "<th>switch downtime</th><th>wall</th></tr>" +
         rows + "</table>" + comp + "\n";
}

}  // namespace

std::string write_campaign(const fs::path& out, const Campaign& c,
                           const std::vector<Comparison>& comparison, const CompareRule& rule) {
  fs::create_directories(out);
  const auto text = summary(c, comparison);
  write_text(out / "cases.json", cases_json(out, c));
  write_text(out / "junit.xml", junit(c, comparison));
  write_text(out / "summary.txt", text);
  write_text(out / "index.html", index_html(out, c, comparison, rule, text));
  return text;
}

int campaign_status(const Campaign& c, const std::vector<Comparison>& comparison) {
  if (c.cases.empty()) return 2;
  for (const auto& k : c.cases)
    if (!k.as_expected || !k.failed_checks().empty()) return 1;
  for (const auto& r : comparison)
    if (r.verdict == "REGRESSED") return 1;
  return 0;
}

}  // namespace failover_hil::hil
