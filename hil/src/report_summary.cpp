#include <algorithm>
#include <sstream>

#include "failover_hil/hil/report.hpp"
#include "report_text.hpp"

namespace failover_hil::hil {

namespace {

enum class Tone { plain, good, bad, warn, dim };

struct Cell {
  std::string text;
  Tone tone = Tone::plain;
};

const char* ansi(Tone t) {
  switch (t) {
    case Tone::good:
      return "\033[32m";
    case Tone::bad:
      return "\033[1;31m";
    case Tone::warn:
      return "\033[33m";
    case Tone::dim:
      return "\033[2m";
    case Tone::plain:
      break;
  }
  return "";
}

std::string paint(const std::string& s, Tone t, bool color) {
  if (!color || t == Tone::plain || s.empty()) return s;
  return ansi(t) + s + "\033[0m";
}

// Columns padded by code points (names and messages may carry "→", "—"), with
// colour applied after padding so escape codes never shift a column.
class Table {
 public:
  Table(std::vector<std::string> headers, std::vector<std::size_t> max_widths)
      : headers_(std::move(headers)), max_(std::move(max_widths)) {}

  void add(std::vector<Cell> row) { rows_.push_back(std::move(row)); }

  void render(std::ostream& out, bool color) const {
    std::vector<std::size_t> width(headers_.size());
    auto cut = [&](const std::string& s, std::size_t i) {
      return report_text::truncate(report_text::one_line(s), max_[i]);
    };
    for (std::size_t i = 0; i < headers_.size(); ++i) {
      width[i] = report_text::display_width(headers_[i]);
      for (const auto& row : rows_)
        width[i] = std::max(width[i], report_text::display_width(cut(row[i].text, i)));
    }
    auto line = [&](const std::vector<Cell>& cells, bool header) {
      std::string text = " ";
      for (std::size_t i = 0; i < cells.size(); ++i) {
        const std::string v = cut(cells[i].text, i);
        const bool last = i + 1 == cells.size();
        const std::string pad =
            last ? "" : std::string(width[i] - report_text::display_width(v) + 2, ' ');
        text += " " + paint(v, header ? Tone::dim : cells[i].tone, color) + pad;
      }
      while (!text.empty() && text.back() == ' ') text.pop_back();
      out << text << "\n";
    };
    std::vector<Cell> head;
    for (const auto& h : headers_) head.push_back({h});
    line(head, true);
    for (const auto& row : rows_) line(row, false);
  }

 private:
  std::vector<std::string> headers_;
  std::vector<std::size_t> max_;
  std::vector<std::vector<Cell>> rows_;
};

Tone status_tone(const std::string& status) {
  if (status == "ok") return Tone::good;
  if (status == "failed") return Tone::bad;
  if (status == "refused") return Tone::warn;
  return Tone::dim;
}

// WAIVED: failed, but the scenario's expected abort explains it.
Cell verdict(bool pass, bool waived) {
  if (pass) return Cell{"PASS", Tone::good};
  return waived ? Cell{"WAIVED", Tone::warn} : Cell{"FAIL", Tone::bad};
}

std::string joined(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// "completed (as expected) — shared IP switch downtime: client1 3.2 ms — report: DIR/report.html"
std::string outcome_line(const RunRecord& r, bool color) {
  std::string lead = r.outcome.empty() ? "no outcome" : r.outcome;
  if (!r.reason.empty()) lead += ": " + r.reason;
  if (r.as_expected) {
    lead += " (as expected)";
  } else {
    lead += " (expected " + r.expected_outcome +
            (r.expected_reason.empty() ? "" : ": " + r.expected_reason) + ")";
  }
  // Cleaned before colouring: the reason comes from appliances and operators.
  std::vector<std::string> parts{
      paint(report_text::one_line(lead), r.passed() ? Tone::good : Tone::bad, color)};

  const auto failed_checks = std::count_if(r.checks.begin(), r.checks.end(),
                                           [](const auto& c) { return !c.pass && !c.waived; });
  const auto failed_limits = std::count_if(r.measurements.begin(), r.measurements.end(),
                                           [](const auto& m) { return !m.pass && !m.waived; });
  if (failed_checks + failed_limits > 0)
    parts.push_back(paint("FAIL: " + std::to_string(failed_checks) + " check(s), " +
                              std::to_string(failed_limits) + " measurement(s)",
                          Tone::bad, color));

  const std::string prefix = "switch_downtime_ms.";
  std::vector<std::string> downtimes;
  for (const auto& m : r.measurements)
    if (m.name.rfind(prefix, 0) == 0)
      downtimes.push_back(m.name.substr(prefix.size()) + " " +
                          report_text::value_with_unit(m.value, m.unit));
  if (!downtimes.empty())
    parts.push_back(report_text::one_line(report_text::switch_method_label(r.switch_method) +
                                          " switch downtime: " + joined(downtimes, ", ")));
  if (!r.run_dir.empty())
    parts.push_back(report_text::one_line("report: " + r.run_dir + "/report.html"));
  return joined(parts, " — ");
}

}  // namespace

std::string render_summary(const RunRecord& r, bool color) {
  std::ostringstream out;
  out << report_text::one_line(r.scenario) << " · "
      << report_text::switch_method_label(r.switch_method) << " · "
      << report_text::readable_utc(r.started_ns) << " · "
      << report_text::duration(r.finished_ns - r.started_ns) << "\n\n";

  Table steps({"step", "status", "start", "duration", "message"}, {24, 10, 12, 14, 60});
  for (const auto& s : r.steps) {
    const bool ran = s.start_ns != 0;
    steps.add({{s.name},
               {s.status, status_tone(s.status)},
               {ran ? "+" + report_text::offset(s.start_ns - r.started_ns) : "-"},
               {ran ? report_text::duration(s.end_ns - s.start_ns) : "-"},
               {s.status == "ok" ? "" : s.message, Tone::dim}});
  }
  steps.render(out, color);

  if (!r.measurements.empty()) {
    out << "\n";
    Table ms({"measurement", "value", "limit", "result"}, {36, 16, 18, 6});
    for (const auto& m : r.measurements)
      ms.add({{m.name},
              {report_text::value_with_unit(m.value, m.unit)},
              {m.limit ? report_text::limit_text(m) : "-"},
              m.limit ? verdict(m.pass, m.waived) : Cell{"", Tone::plain}});
    ms.render(out, color);
  }

  if (!r.checks.empty()) {
    out << "\n";
    Table cs({"check", "rules", "result", "detail"}, {36, 16, 6, 70});
    for (const auto& c : r.checks)
      cs.add(
          {{c.name}, {joined(c.rules, ",")}, verdict(c.pass, c.waived), {c.pass ? "" : c.detail}});
    cs.render(out, color);
  }

  out << "\n" << outcome_line(r, color) << "\n";
  return out.str();
}

}  // namespace failover_hil::hil
