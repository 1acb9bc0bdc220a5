#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sstream>

#include "failover_hil/hil/report.hpp"
#include "report_text.hpp"
#include "report_timeline.hpp"

namespace failover_hil::hil {

namespace {

using report_text::escape_xml;

constexpr std::size_t events_shown = 200;

// Inline so the page is one file that opens anywhere, CI artifacts included.
constexpr const char* style = R"css(
:root{--fg:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#f8fafc;--ok:#16a34a;--bad:#dc2626}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1320px;margin:0 auto;padding:28px 32px 48px}
header{display:flex;flex-wrap:wrap;align-items:center;gap:14px 18px}
h1{font-size:26px;margin:0;letter-spacing:-.01em}
h2{font-size:17px;margin:34px 0 10px}
.desc{color:var(--muted);margin:6px 0 0;flex-basis:100%}
.badge{display:inline-block;padding:5px 14px;border-radius:999px;font-weight:650;font-size:14px;color:#fff}
.badge.pass{background:var(--ok)}.badge.fail{background:var(--bad)}
.meta{display:flex;flex-wrap:wrap;gap:12px 40px;margin:18px 0 0;padding:14px 18px;background:#fff;border:1px solid var(--line);border-radius:10px}
.meta div{min-width:0;max-width:100%}.meta dt{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.meta dd{margin:2px 0 0;font-weight:550;overflow-wrap:anywhere}
.callout{margin:16px 0 0;padding:12px 16px;border-radius:10px;background:#fef2f2;border:1px solid #fecaca;color:#7f1d1d}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px;margin:16px 0 0}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 16px}
.card .k{color:var(--muted);font-size:12px}.card .v{font-size:22px;font-weight:650;margin-top:2px}
.card .v.bad{color:var(--bad)}.card .v.ok{color:var(--ok)}.card .n{color:var(--muted);font-size:12px}
.panel{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 16px 10px}
svg.timeline{width:100%;height:auto;display:block;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
svg .lane{font-size:13px;font-weight:650;fill:#0f172a}
svg .sub{font-size:10.5px;fill:#64748b}
svg .tick{font-size:11px;fill:#475569}
svg .grid{stroke:#e2e8f0;stroke-width:1}
svg .outage-guide{stroke:#ef4444;stroke-opacity:.35;stroke-width:1;stroke-dasharray:3 3}
svg .inbar{font-size:11px;font-weight:600;fill:#fff;pointer-events:none}
svg .inbar.dark{fill:#334155}
svg .label{font-size:11px;fill:#334155;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
svg .label.outage{font-weight:650;fill:#7f1d1d}
svg .label.unexpected{fill:#dc2626}
svg .leader{stroke:#64748b;stroke-width:1}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;margin:10px 4px 4px;color:#475569;font-size:12px}
.legend span{display:inline-flex;align-items:center;gap:6px}
.sw{display:inline-block;width:14px;height:10px;border-radius:2px}
.hatch{background:repeating-linear-gradient(45deg,#0d9488 0 3px,#6cc5bd 3px 6px)}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line);border-radius:10px;overflow:hidden}
th,td{text-align:left;padding:7px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#f1f5f9;font-size:12px;color:#475569;font-weight:600;text-transform:uppercase;letter-spacing:.03em}
tr:last-child td{border-bottom:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.mono,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
td.msg{color:#334155;overflow-wrap:anywhere}
.pill{display:inline-block;padding:1px 9px;border-radius:999px;font-size:12px;font-weight:600;white-space:nowrap}
.pill.ok,.pill.pass{background:#dcfce7;color:#166534}.pill.failed,.pill.fail{background:#fee2e2;color:#991b1b}
.pill.refused{background:#ffedd5;color:#9a3412}.pill.skipped,.pill.not_run,.pill.other{background:#f1f5f9;color:#475569}
.pill.warn{background:#fef3c7;color:#92400e}
.muted{color:var(--muted)}
details{margin-top:10px}summary{cursor:pointer;font-weight:600}
ul.files{margin:0;padding-left:18px}ul.files li{margin:2px 0}
a{color:#1d4ed8}
footer{margin-top:36px;color:var(--muted);font-size:12px}
)css";

std::string pill(const std::string& cls, const std::string& text) {
  return "<span class=\"pill " + cls + "\">" + escape_xml(text) + "</span>";
}

std::string status_pill(const std::string& status) {
  static constexpr const char* known[] = {"ok", "failed", "refused", "skipped", "not_run"};
  const bool is_known = std::find(std::begin(known), std::end(known), status) != std::end(known);
  return pill(is_known ? status : "other", status);
}

// WAIVED: failed, but the scenario's expected abort explains it.
std::string pass_pill(bool pass, bool waived) {
  if (!pass && waived) return pill("refused", "WAIVED");
  return pass ? pill("pass", "PASS") : pill("fail", "FAIL");
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string offset_from(const RunRecord& r, std::int64_t t) {
  return "+" + report_text::offset(t - r.started_ns);
}

// Artifact links are relative to the run directory, so the page works
// wherever the directory is copied; bytes outside RFC 3986's unreserved set
// are percent-encoded.
std::string relative_to_run(const RunRecord& r, const std::string& path) {
  const std::string prefix = r.run_dir.empty() ? "" : r.run_dir + "/";
  if (!prefix.empty() && path.rfind(prefix, 0) == 0) return path.substr(prefix.size());
  return path;
}

std::string href_of(const std::string& rel) {
  std::string out;
  for (const char ch : rel) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += ch;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

void header(std::ostream& out, const RunRecord& r) {
  const bool passed = r.passed();
  std::string badge = r.outcome.empty() ? "no outcome" : r.outcome;
  badge += r.as_expected ? " · as expected" : " · not as expected";
  out << "<header><h1>" << escape_xml(r.scenario) << "</h1><span class=\"badge "
      << (passed ? "pass" : "fail") << "\">" << escape_xml(badge) << "</span>";
  if (!r.description.empty()) out << "<p class=\"desc\">" << escape_xml(r.description) << "</p>";
  out << "</header>\n<dl class=\"meta\">";
  auto item = [&](const std::string& k, const std::string& v) {
    out << "<div><dt>" << escape_xml(k) << "</dt><dd>" << escape_xml(v.empty() ? "—" : v)
        << "</dd></div>";
  };
  item("switch method", report_text::switch_method_label(r.switch_method));
  item("started", report_text::readable_utc(r.started_ns));
  item("finished", report_text::readable_utc(r.finished_ns));
  item("duration", report_text::duration(r.finished_ns - r.started_ns));
  item("expected",
       r.expected_outcome + (r.expected_reason.empty() ? "" : " (" + r.expected_reason + ")"));
  item("target", r.target);
  item("run directory", r.run_dir);
  out << "</dl>\n";
  if (!r.reason.empty() || !r.as_expected) {
    out << "<div class=\"callout\"><b>" << escape_xml(r.outcome) << "</b>";
    if (!r.reason.empty()) out << ": " << escape_xml(r.reason);
    if (!r.as_expected)
      out << " <span class=\"muted\">(expected " << escape_xml(r.expected_outcome) << ")</span>";
    out << "</div>\n";
  }
}

void cards(std::ostream& out, const RunRecord& r) {
  const auto ok_steps =
      std::count_if(r.steps.begin(), r.steps.end(), [](const auto& s) { return s.status == "ok"; });
  const auto ok_checks = std::count_if(r.checks.begin(), r.checks.end(),
                                       [](const auto& c) { return c.pass || c.waived; });
  std::size_t limits = 0, ok_limits = 0;
  for (const auto& m : r.measurements)
    if (m.limit) {
      ++limits;
      ok_limits += m.pass || m.waived ? 1 : 0;
    }
  out << "<div class=\"cards\">";
  auto card = [&](const std::string& k, const std::string& v, bool ok, const std::string& n) {
    out << "<div class=\"card\"><div class=\"k\">" << escape_xml(k) << "</div><div class=\"v "
        << (ok ? "ok" : "bad") << "\">" << escape_xml(v) << "</div><div class=\"n\">"
        << escape_xml(n) << "</div></div>";
  };
  card("steps ok", std::to_string(ok_steps) + " / " + std::to_string(r.steps.size()),
       static_cast<std::size_t>(ok_steps) == r.steps.size(), "");
  const auto waived =
      std::count_if(r.checks.begin(), r.checks.end(), [](const auto& c) { return c.waived; });
  card("checks passed", std::to_string(ok_checks) + " / " + std::to_string(r.checks.size()),
       static_cast<std::size_t>(ok_checks) == r.checks.size(),
       waived ? std::to_string(waived) + " waived by the expected abort" : "");
  card("measurements within limits", std::to_string(ok_limits) + " / " + std::to_string(limits),
       ok_limits == limits, "");
  // The headline figures: each client's downtime at the switch.
  for (const auto& m : r.measurements)
    if (m.name.rfind("switch_downtime", 0) == 0)
      card(m.name, report_text::value_with_unit(m.value, m.unit), m.pass,
           m.limit ? "limit " + report_text::limit_text(m) : "");
  out << "</div>\n";
}

void legend(std::ostream& out) {
  auto sw = [&](const char* style_attr, const char* text) {
    out << "<span><i class=\"sw\" style=\"" << style_attr << "\"></i>" << text << "</span>";
  };
  out << "<div class=\"legend\">";
  sw("background:#16a34a", "step ok");
  sw("background:#dc2626", "step failed");
  sw("background:#ea580c", "step refused");
  sw("background:#9ca3af", "skipped");
  sw("background:#2563eb", "primary");
  sw("background:#0d9488", "backup");
  sw("background:#cbd5e1", "no role");
  out << "<span><i class=\"sw hatch\"></i>installing</span>";
  sw("background:#7f1d1d", "failed / unrecoverable");
  sw("background:#f59e0b;height:5px", "holds the shared IP");
  sw("background:#22c55e", "client up");
  sw("background:#ef4444", "client down");
  sw("background:#b91c1c;width:4px", "outage (length above)");
  out << "</div>\n";
}

void steps_table(std::ostream& out, const RunRecord& r) {
  out << "<h2>Steps</h2>\n<table><thead><tr><th>#</th><th>step</th><th>status</th>"
         "<th class=\"num\">start</th><th class=\"num\">duration</th><th>rules</th>"
         "<th>message</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < r.steps.size(); ++i) {
    const auto& s = r.steps[i];
    const bool ran = s.start_ns != 0;
    out << "<tr><td class=\"num\">" << i + 1 << "</td><td class=\"mono\">" << escape_xml(s.name)
        << "</td><td>" << status_pill(s.status) << "</td><td class=\"num\">"
        << (ran ? escape_xml(offset_from(r, s.start_ns)) : "—") << "</td><td class=\"num\">"
        << (ran ? escape_xml(report_text::duration(s.end_ns - s.start_ns)) : "—")
        << "</td><td class=\"mono\">" << escape_xml(joined(s.rules)) << "</td><td class=\"msg\">"
        << escape_xml(s.message) << "</td></tr>\n";
  }
  out << "</tbody></table>\n";
}

void measurements_table(std::ostream& out, const RunRecord& r) {
  out << "<h2>Measurements</h2>\n<table><thead><tr><th>measurement</th><th class=\"num\">value"
         "</th><th class=\"num\">limit</th><th>result</th><th>detail</th></tr></thead><tbody>\n";
  for (const auto& m : r.measurements)
    out << "<tr><td class=\"mono\">" << escape_xml(m.name) << "</td><td class=\"num\">"
        << escape_xml(report_text::value_with_unit(m.value, m.unit)) << "</td><td class=\"num\">"
        << escape_xml(m.limit ? report_text::limit_text(m) : "—") << "</td><td>"
        << (m.limit ? pass_pill(m.pass, m.waived) : pill("other", "info"))
        << "</td><td class=\"msg\">" << escape_xml(m.detail) << "</td></tr>\n";
  out << "</tbody></table>\n";
}

void checks_table(std::ostream& out, const RunRecord& r) {
  out << "<h2>Checks</h2>\n<table><thead><tr><th>check</th><th>result</th><th>rules</th>"
         "<th>detail</th></tr></thead><tbody>\n";
  for (const auto& c : r.checks)
    out << "<tr><td class=\"mono\">" << escape_xml(c.name) << "</td><td>"
        << pass_pill(c.pass, c.waived) << "</td><td class=\"mono\">" << escape_xml(joined(c.rules))
        << "</td><td class=\"msg\">" << escape_xml(c.detail) << "</td></tr>\n";
  out << "</tbody></table>\n";
}

void outages_table(std::ostream& out, const RunRecord& r) {
  out << "<h2>Outages per client</h2>\n<table><thead><tr><th>client</th><th class=\"num\">#"
         "</th><th class=\"num\">start</th><th class=\"num\">length</th><th>step</th>"
         "<th>answered before → after</th><th>kind</th><th>method</th></tr></thead><tbody>\n";
  for (const auto& c : r.clients) {
    char avail[64];
    std::snprintf(avail, sizeof avail, "%.4f %% available, %llu probes", c.availability * 100,
                  static_cast<unsigned long long>(c.probes));
    if (c.outages.empty())
      out << "<tr><td class=\"mono\">" << escape_xml(c.client)
          << "</td><td class=\"num\">—</td><td colspan=\"6\" class=\"muted\">no outage (" << avail
          << ")</td></tr>\n";
    for (std::size_t i = 0; i < c.outages.size(); ++i) {
      const auto& o = c.outages[i];
      std::string kind = o.expected ? pill("ok", "expected") : pill("warn", "unexpected");
      if (o.open_end) kind += " " + pill("fail", "never recovered");
      out << "<tr><td class=\"mono\">" << escape_xml(c.client)
          << (i == 0 ? "<br><span class=\"muted\">" + std::string(avail) + "</span>" : "")
          << "</td><td class=\"num\">" << i + 1 << "</td><td class=\"num\">"
          << escape_xml(offset_from(r, o.start_ns)) << "</td><td class=\"num\"><b>"
          << escape_xml(report_text::outage_length(o.length_ns)) << "</b></td><td class=\"mono\">"
          << escape_xml(o.step.empty() ? "—" : o.step) << "</td><td class=\"mono\">"
          << escape_xml((o.before.empty() ? "—" : o.before) + " → " +
                        (o.after.empty() ? "—" : o.after))
          << "</td><td>" << kind << "</td><td class=\"mono\">" << escape_xml(o.method)
          << "</td></tr>\n";
    }
  }
  out << "</tbody></table>\n";
}

void artifacts_list(std::ostream& out, const RunRecord& r) {
  out << "<h2>Artifacts</h2>\n<table><thead><tr><th>kind</th><th>files (relative to the run "
         "directory)</th></tr></thead><tbody>\n";
  for (const auto& [role, files] : r.artifacts) {
    out << "<tr><td class=\"mono\">" << escape_xml(role) << "</td><td><ul class=\"files\">";
    for (const auto& f : files) {
      const std::string rel = relative_to_run(r, f);
      out << "<li><a class=\"mono\" href=\"" << escape_xml(href_of(rel)) << "\">" << escape_xml(rel)
          << "</a></li>";
    }
    out << "</ul></td></tr>\n";
  }
  out << "</tbody></table>\n";
}

void events_table(std::ostream& out, const RunRecord& r) {
  const std::size_t first = r.events.size() > events_shown ? r.events.size() - events_shown : 0;
  out << "<details><summary>Timeline events (the last " << r.events.size() - first << " of "
      << r.events.size()
      << ")</summary>\n<table><thead><tr><th class=\"num\">t</th><th>type</th>"
         "<th>step</th><th>actor</th><th>op</th><th>detail</th></tr></thead><tbody>\n";
  for (std::size_t i = first; i < r.events.size(); ++i) {
    const auto& e = r.events[i];
    std::string data;
    for (const auto& [k, v] : e.data) data += (data.empty() ? "" : ", ") + k + "=" + v;
    out << "<tr><td class=\"num mono\">" << escape_xml(offset_from(r, e.t_ns)) << "</td><td>"
        << escape_xml(std::string(to_string(e.type))) << "</td><td class=\"mono\">"
        << escape_xml(e.step) << "</td><td class=\"mono\">" << escape_xml(e.actor)
        << "</td><td class=\"mono\">" << escape_xml(e.op) << "</td><td class=\"msg\">"
        << escape_xml(e.detail);
    if (!data.empty()) out << "<br><span class=\"muted mono\">" << escape_xml(data) << "</span>";
    out << "</td></tr>\n";
  }
  out << "</tbody></table></details>\n";
}

}  // namespace

std::string report_html(const RunRecord& r) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>" << escape_xml(r.scenario + " — failover-hil report") << "</title>\n<style>"
      << style << "</style></head>\n<body><main>\n";
  header(out, r);
  cards(out, r);
  out << "<h2>Timeline</h2>\n<div class=\"panel\">\n" << timeline_svg(r);
  legend(out);
  out << "</div>\n";
  steps_table(out, r);
  measurements_table(out, r);
  checks_table(out, r);
  outages_table(out, r);
  artifacts_list(out, r);
  events_table(out, r);
  out << "<footer>failover-hil · " << escape_xml(r.schema) << " · "
      << escape_xml(r.run_dir.empty() ? "" : r.run_dir + "/report.json") << "</footer>\n"
      << "</main></body></html>\n";
  return out.str();
}

}  // namespace failover_hil::hil
