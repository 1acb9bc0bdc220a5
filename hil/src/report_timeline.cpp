#include "report_timeline.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <optional>
#include <sstream>

#include "report_text.hpp"

namespace failover_hil::hil {

namespace {

using report_text::escape_xml;

constexpr double svg_width = 1200;
constexpr double plot_left = 150;  // the lane names sit left of it
constexpr double plot_right = 1180;
constexpr double axis_height = 34;
constexpr double lane_gap = 14;
constexpr double label_row = 14;
constexpr double char_width = 6.3;  // 11 px sans-serif, on average

double text_width(const std::string& s) {
  return static_cast<double>(report_text::display_width(s)) * char_width;
}

// Maps the run's time onto the plot's x range.
struct Scale {
  std::int64_t t0 = 0, t1 = 1;
  double x(std::int64_t t) const {
    const double f = static_cast<double>(t - t0) / static_cast<double>(t1 - t0);
    return plot_left + std::clamp(f, 0.0, 1.0) * (plot_right - plot_left);
  }
};

Scale scale_of(const RunRecord& r) {
  Scale s{r.started_ns, r.finished_ns};
  // An interrupted run may have no finish time: draw up to its last datum.
  if (s.t1 <= s.t0) {
    for (const auto& st : r.steps) s.t1 = std::max(s.t1, st.end_ns);
    for (const auto& c : r.clients)
      for (const auto& i : c.intervals) s.t1 = std::max(s.t1, i.end_ns);
    for (const auto& e : r.events) s.t1 = std::max(s.t1, e.t_ns);
  }
  if (s.t1 <= s.t0) s.t1 = s.t0 + 1'000'000'000;
  return s;
}

// Label slots in stacked rows: a label takes the first row where its span is
// free, so short neighbours (outages, brief steps) do not overprint.
class LabelRows {
 public:
  explicit LabelRows(std::size_t max_rows) : rows_(max_rows) {}

  std::optional<std::size_t> place(double left, double right) {
    for (std::size_t i = 0; i < rows_.size(); ++i) {
      auto& row = rows_[i];
      const bool free = std::none_of(row.begin(), row.end(), [&](const auto& span) {
        return left < span.second && span.first < right;
      });
      if (free) {
        row.emplace_back(left, right);
        used_ = std::max(used_, i + 1);
        return i;
      }
    }
    return std::nullopt;
  }

  std::size_t used() const { return used_; }

 private:
  std::vector<std::vector<std::pair<double, double>>> rows_;
  std::size_t used_ = 0;
};

// A label left edge that keeps the label under its anchor and inside the plot.
double label_left(double anchor, double width) {
  return std::clamp(anchor - width / 2, plot_left, plot_right - width);
}

struct Tick {
  double x;
  std::string label;
};

std::string tick_label(double seconds, double step, double span) {
  char buf[32];
  if (span < 120) {
    if (step < 1) return report_text::number(seconds) + " s";
    std::snprintf(buf, sizeof buf, "%.0f s", seconds);
    return buf;
  }
  // Runs of an hour or more tick on whole 10 minutes at least: h:mm.
  const auto whole = static_cast<long long>(std::llround(seconds));
  if (span >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld", whole / 3600, whole / 60 % 60);
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld", whole / 60, whole % 60);
  return buf;
}

// At most ten ticks on steps people count in: 1-2-5 below a minute, then
// whole minutes and hours.
std::vector<Tick> ticks_of(const Scale& s, std::string& unit) {
  static constexpr double steps[] = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1,  0.2,
                                     0.5,   1,     2,     5,    10,   15,   30,   60,
                                     120,   300,   600,   900,  1800, 3600, 7200, 21600};
  const double span = static_cast<double>(s.t1 - s.t0) / 1e9;
  double step = steps[std::size(steps) - 1];
  for (const double c : steps)
    if (span / c <= 10) {
      step = c;
      break;
    }
  unit = span < 120    ? "seconds since start"
         : span < 3600 ? "since start (m:ss)"
                       : "since start (h:mm)";
  std::vector<Tick> ticks;
  for (int i = 0;; ++i) {
    const double t = step * i;
    if (t > span + 1e-9) break;
    ticks.push_back(
        {s.x(s.t0 + static_cast<std::int64_t>(std::llround(t * 1e9))), tick_label(t, step, span)});
  }
  return ticks;
}

const char* step_colour(const std::string& status) {
  if (status == "ok") return "#16a34a";
  if (status == "failed") return "#dc2626";
  if (status == "refused") return "#ea580c";
  if (status == "skipped") return "#9ca3af";
  if (status == "not_run") return "#d1d5db";
  return "#64748b";
}

const char* role_colour(const std::string& role, const std::string& state) {
  if (state == "base_update_failed" || state == "unrecoverable") return "#7f1d1d";
  if (role == "primary") return "#2563eb";
  if (role == "backup") return "#0d9488";
  return "#cbd5e1";
}

void lane_name(std::ostream& out, double centre, const std::string& name, const std::string& sub) {
  const double y = sub.empty() ? centre + 4 : centre - 1;
  out << "<text class=\"lane\" x=\"12\" y=\"" << y << "\">" << escape_xml(name) << "</text>\n";
  if (!sub.empty())
    out << "<text class=\"sub\" x=\"12\" y=\"" << y + 13 << "\">" << escape_xml(sub) << "</text>\n";
}

void lane_background(std::ostream& out, double y, double h) {
  out << "<rect x=\"" << plot_left << "\" y=\"" << y << "\" width=\"" << plot_right - plot_left
      << "\" height=\"" << h << "\" rx=\"3\" fill=\"#f1f5f9\"/>\n";
}

// A label with a white halo, and a leader line from its anchor on a bar.
void leader_label(std::ostream& out, double anchor_x, double anchor_y, double left, double baseline,
                  bool above, const std::string& text, const char* cls) {
  const double line_end = above ? baseline + 3 : baseline - 10;
  out << "<line class=\"leader\" x1=\"" << anchor_x << "\" y1=\"" << anchor_y << "\" x2=\""
      << anchor_x << "\" y2=\"" << line_end << "\"/>\n";
  out << "<text class=\"" << cls << "\" x=\"" << left << "\" y=\"" << baseline << "\">"
      << escape_xml(text) << "</text>\n";
}

// Steps as bars coloured by status; names that do not fit go below with a leader.
double steps_lane(std::ostream& out, double y, const RunRecord& r, const Scale& s) {
  constexpr double bar = 22;
  lane_name(out, y + bar / 2, "steps", std::to_string(r.steps.size()) + " in all");
  lane_background(out, y, bar);
  struct Below {
    double anchor, left;
    std::size_t row;
    std::string text;
  };
  std::vector<Below> below;
  LabelRows rows(3);
  for (const auto& st : r.steps) {
    if (st.start_ns == 0 || st.end_ns < st.start_ns) continue;  // never started
    const double a = s.x(st.start_ns);
    const double b = std::max(s.x(st.end_ns), a + 2);
    out << "<g><title>"
        << escape_xml(st.name + " — " + st.status + " — " +
                      report_text::duration(st.end_ns - st.start_ns) +
                      (st.message.empty() ? "" : "\n" + st.message))
        << "</title><rect x=\"" << a << "\" y=\"" << y << "\" width=\"" << b - a << "\" height=\""
        << bar << "\" rx=\"3\" fill=\"" << step_colour(st.status)
        << "\" stroke=\"#fff\" stroke-width=\"1\"/></g>\n";
    const double w = text_width(st.name);
    if (b - a >= w + 10) {
      out << "<text class=\"inbar\" x=\"" << (a + b) / 2 << "\" y=\"" << y + 15
          << "\" text-anchor=\"middle\">" << escape_xml(st.name) << "</text>\n";
      continue;
    }
    const double left = label_left((a + b) / 2, w);
    if (const auto row = rows.place(left - 4, left + w + 4))
      below.push_back({(a + b) / 2, left, *row, st.name});
  }
  for (const auto& l : below)
    leader_label(out, l.anchor, y + bar, l.left,
                 y + bar + 12 + static_cast<double>(l.row) * label_row, false, l.text, "label");
  return bar + static_cast<double>(rows.used()) * label_row + (rows.used() ? 4 : 0);
}

struct Segment {
  std::int64_t start, end;
  ApplianceSample sample;
};

// Consecutive samples that change nothing drawn merge into one segment.
std::vector<Segment> segments_of(std::vector<ApplianceSample> samples, std::int64_t end) {
  std::stable_sort(samples.begin(), samples.end(),
                   [](const auto& a, const auto& b) { return a.t_ns < b.t_ns; });
  std::vector<Segment> out;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const auto& x = samples[i];
    const std::int64_t until = i + 1 < samples.size() ? samples[i + 1].t_ns : std::max(end, x.t_ns);
    if (!out.empty()) {
      auto& last = out.back().sample;
      if (last.role == x.role && last.version == x.version && last.state == x.state &&
          last.shared_ip == x.shared_ip) {
        out.back().end = until;
        continue;
      }
    }
    out.push_back({x.t_ns, until, x});
  }
  return out;
}

// One appliance: role by colour, version as text, installing hatched, the
// shared IP as an amber strip above with a marker where it was taken.
double appliance_lane(std::ostream& out, double y, const std::string& name,
                      const std::vector<ApplianceSample>& samples, const Scale& s) {
  constexpr double strip = 5, gap = 2, bar = 22;
  const double bar_y = y + strip + gap;
  const auto segments = segments_of(samples, s.t1);
  std::string versions;
  for (const auto& seg : segments)
    if (!seg.sample.version.empty() && versions.find(seg.sample.version) == std::string::npos)
      versions += (versions.empty() ? "" : " → ") + seg.sample.version;
  lane_name(out, bar_y + bar / 2, name, report_text::truncate(versions, 22));
  lane_background(out, bar_y, bar);
  bool had_ip = false;
  for (const auto& seg : segments) {
    const auto& x = seg.sample;
    const double a = s.x(seg.start);
    const double b = std::max(s.x(seg.end), a + 1);
    const bool light = x.role != "primary" && x.role != "backup" &&
                       x.state != "base_update_failed" && x.state != "unrecoverable";
    out << "<g><title>"
        << escape_xml(name + ": " + x.role + ", " + x.version + ", " + x.state +
                      (x.shared_ip ? ", holds the shared IP" : "") + " (from +" +
                      report_text::offset(seg.start - s.t0) + " for " +
                      report_text::duration(seg.end - seg.start) + ")")
        << "</title><rect x=\"" << a << "\" y=\"" << bar_y << "\" width=\"" << b - a
        << "\" height=\"" << bar << "\" fill=\"" << role_colour(x.role, x.state) << "\"/>";
    if (x.state == "installing")
      out << "<rect x=\"" << a << "\" y=\"" << bar_y << "\" width=\"" << b - a << "\" height=\""
          << bar << "\" fill=\"url(#fh-hatch)\"/>";
    out << "</g>\n";
    if (x.shared_ip) {
      out << "<rect x=\"" << a << "\" y=\"" << y << "\" width=\"" << b - a << "\" height=\""
          << strip << "\" fill=\"#f59e0b\"/>\n";
      if (!had_ip)
        out << "<path d=\"M" << a - 4 << "," << y - 5 << " L" << a + 4 << "," << y - 5 << " L" << a
            << "," << y + 1 << " Z\" fill=\"#b45309\"><title>" << escape_xml(name)
            << " takes the shared IP at +" << report_text::offset(seg.start - s.t0)
            << "</title></path>\n";
    }
    had_ip = x.shared_ip;
    // The longest text that fits: state and role with the version, the version, nothing.
    const std::string lead = x.state == "running" || x.state.empty() ? x.role : x.state;
    for (const auto& text : {lead + " · " + x.version, x.version}) {
      if (text.empty() || text_width(text) + 10 > b - a) continue;
      out << "<text class=\"" << (light ? "inbar dark" : "inbar") << "\" x=\"" << (a + b) / 2
          << "\" y=\"" << bar_y + 15 << "\" text-anchor=\"middle\">" << escape_xml(text)
          << "</text>\n";
      break;
    }
  }
  return strip + gap + bar;
}

// One client: up green, down red; each outage marked at least a few pixels
// wide and labelled with its length above the lane, so a 3 ms outage in an
// hour-long run is still seen.
double client_lane(std::ostream& out, double y, const ClientLane& c, const Scale& s) {
  constexpr double bar = 16, min_marker = 3, overhang = 3;
  struct Label {
    double anchor, left;
    std::size_t row;
    std::string text;
    bool expected;
  };
  std::vector<Label> labels;
  LabelRows rows(3);
  for (const auto& o : c.outages) {
    const double a = s.x(o.start_ns), b = s.x(o.end_ns);
    const std::string text = report_text::outage_length(o.length_ns) + (o.open_end ? "+" : "");
    const double w = text_width(text);
    const double left = label_left((a + b) / 2, w);
    if (const auto row = rows.place(left - 5, left + w + 5))
      labels.push_back({(a + b) / 2, left, *row, text, o.expected});
  }
  const double band = static_cast<double>(rows.used()) * label_row + (rows.used() ? 6 : 0);
  const double bar_y = y + band;
  char avail[48];
  std::snprintf(avail, sizeof avail, "%.3f %% up", c.availability * 100);
  lane_name(out, bar_y + bar / 2, c.client, avail);
  lane_background(out, bar_y, bar);
  for (const auto& i : c.intervals) {
    const double a = s.x(i.start_ns);
    const double b = std::max(s.x(i.end_ns), a + (i.up ? 0.0 : 1.0));
    out << "<rect x=\"" << a << "\" y=\"" << bar_y << "\" width=\"" << b - a << "\" height=\""
        << bar << "\" fill=\"" << (i.up ? "#22c55e" : "#ef4444") << "\"/>\n";
  }
  for (const auto& o : c.outages) {
    const double a = s.x(o.start_ns), b = s.x(o.end_ns);
    const double w = std::max(b - a, min_marker);
    out << "<g><title>"
        << escape_xml(
               c.client + ": outage of " + report_text::outage_length(o.length_ns) +
               (o.open_end ? " (never recovered)" : "") + " at +" +
               report_text::offset(o.start_ns - s.t0) +
               (o.step.empty() ? "" : " in step " + o.step) +
               (o.before.empty() && o.after.empty() ? "" : ", " + o.before + " → " + o.after) +
               (o.expected ? "" : " (unexpected)") + (o.method.empty() ? "" : ", by " + o.method))
        << "</title><rect x=\"" << (a + b) / 2 - w / 2 << "\" y=\"" << bar_y - overhang
        << "\" width=\"" << w << "\" height=\"" << bar + 2 * overhang
        << "\" fill=\"#b91c1c\"/></g>\n";
  }
  for (const auto& l : labels)
    leader_label(out, l.anchor, bar_y - overhang, l.left,
                 bar_y - 6 - static_cast<double>(l.row) * label_row, true, l.text,
                 l.expected ? "label outage" : "label outage unexpected");
  return band + bar;
}

std::vector<std::string> appliances_of(const RunRecord& r) {
  std::vector<std::string> names;
  for (const auto& x : r.samples)
    if (std::find(names.begin(), names.end(), x.appliance) == names.end())
      names.push_back(x.appliance);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

std::string timeline_svg(const RunRecord& r) {
  const Scale s = scale_of(r);
  std::ostringstream lanes;
  lanes << std::fixed << std::setprecision(1);
  double y = axis_height + 8;
  y += steps_lane(lanes, y, r, s) + lane_gap;
  for (const auto& name : appliances_of(r)) {
    std::vector<ApplianceSample> mine;
    for (const auto& x : r.samples)
      if (x.appliance == name) mine.push_back(x);
    y += appliance_lane(lanes, y, name, mine, s) + lane_gap;
  }
  for (const auto& c : r.clients) y += client_lane(lanes, y, c, s) + lane_gap;
  const double height = y;

  std::ostringstream out;
  out << std::fixed << std::setprecision(1);
  out << "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << svg_width
      << " " << height << "\" role=\"img\" aria-label=\"timeline of the run\">\n"
      << "<defs><pattern id=\"fh-hatch\" width=\"7\" height=\"7\" patternUnits=\"userSpaceOnUse\" "
         "patternTransform=\"rotate(45)\"><rect width=\"3\" height=\"7\" fill=\"#fff\" "
         "fill-opacity=\"0.5\"/></pattern></defs>\n";
  std::string unit;
  const auto ticks = ticks_of(s, unit);
  for (const auto& t : ticks) {
    out << "<line class=\"grid\" x1=\"" << t.x << "\" y1=\"" << axis_height - 6 << "\" x2=\"" << t.x
        << "\" y2=\"" << height - lane_gap / 2 << "\"/>\n";
    const char* anchor =
        t.x > plot_right - 20 ? "end" : (t.x < plot_left + 20 ? "start" : "middle");
    out << "<text class=\"tick\" x=\"" << t.x << "\" y=\"" << axis_height - 12
        << "\" text-anchor=\"" << anchor << "\">" << escape_xml(t.label) << "</text>\n";
  }
  out << "<text class=\"sub\" x=\"12\" y=\"" << axis_height - 12 << "\">" << escape_xml(unit)
      << "</text>\n";
  // Each outage as a faint line through every lane, to read off the step and roles.
  for (const auto& c : r.clients)
    for (const auto& o : c.outages)
      out << "<line class=\"outage-guide\" x1=\"" << s.x(o.start_ns) << "\" y1=\""
          << axis_height - 6 << "\" x2=\"" << s.x(o.start_ns) << "\" y2=\"" << height - lane_gap / 2
          << "\"/>\n";
  out << lanes.str() << "</svg>\n";
  return out.str();
}

}  // namespace failover_hil::hil
