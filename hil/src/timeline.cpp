#include "failover_hil/hil/timeline.hpp"

#include <time.h>

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>

#include "failover_hil/hil/appliance_driver.hpp"

namespace json = boost::json;

namespace failover_hil::hil {

std::int64_t realtime_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::string to_json_line(const TimelineEvent& e) {
  json::object data;
  for (const auto& [k, v] : e.data) data[k] = v;
  return json::serialize(json::object{{"t_ns", e.t_ns},
                                      {"type", to_string(e.type)},
                                      {"step", e.step},
                                      {"actor", e.actor},
                                      {"op", e.op},
                                      {"detail", e.detail},
                                      {"data", data}});
}

namespace {

TimelineEvent parse_line(const std::string& line) {
  const auto v = json::parse(line);
  const auto& o = v.as_object();
  TimelineEvent e;
  e.t_ns = o.at("t_ns").to_number<std::int64_t>();
  e.type = parse_event_type(o.at("type").as_string());
  e.step = o.at("step").as_string();
  e.actor = o.at("actor").as_string();
  e.op = o.at("op").as_string();
  e.detail = o.at("detail").as_string();
  for (const auto& [k, val] : o.at("data").as_object()) e.data[k] = val.as_string();
  return e;
}

}  // namespace

namespace {

struct TimelineText {
  std::vector<TimelineEvent> events;
  std::uintmax_t good_bytes = 0;  ///< up to the end of the last whole line
  bool cut_tail = false;          ///< the file ends in a line cut short
  bool unterminated = false;      ///< the last event lacks its newline
};

TimelineText read_timeline(const std::filesystem::path& file, std::vector<std::string>* warnings) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw HarnessError(file.string() +
                       ": cannot read the run's timeline; is this a run directory?");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  TimelineText out;
  std::size_t pos = 0, number = 0;
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    const bool whole = nl != std::string::npos;
    const auto line = text.substr(pos, whole ? nl - pos : std::string::npos);
    ++number;
    const auto where = file.string() + ":" + std::to_string(number);
    if (!whole) {
      // Written up to here when the run was killed: never a whole event.
      try {
        out.events.push_back(parse_line(line));
        out.good_bytes = text.size();
        out.unterminated = true;
        break;
      } catch (const std::exception&) {
        out.cut_tail = true;
        if (warnings)
          warnings->push_back(where +
                              ": the last line is cut short (the run was killed while "
                              "writing it); ignored");
        break;
      }
    }
    pos = nl + 1;
    if (line.empty()) {
      out.good_bytes = pos;
      continue;
    }
    try {
      out.events.push_back(parse_line(line));
    } catch (const std::exception& e) {
      // A cut line that a resume appended a whole event to: keep the event.
      const auto at = line.rfind("{\"t_ns\":");
      std::optional<TimelineEvent> tail;
      if (at != std::string::npos && at > 0) try {
          tail = parse_line(line.substr(at));
        } catch (const std::exception&) {
        }
      if (!tail)
        throw HarnessError(where + ": not a timeline event (" + std::string(e.what()) + ")");
      if (warnings)
        warnings->push_back(where + ": " + std::to_string(at) +
                            " bytes of a line cut short by a killed run, then a whole event; the "
                            "cut part is ignored");
      out.events.push_back(std::move(*tail));
    }
    out.good_bytes = pos;
  }
  return out;
}

}  // namespace

std::vector<TimelineEvent> load_timeline(const std::filesystem::path& file,
                                         std::vector<std::string>* warnings) {
  return read_timeline(file, warnings).events;
}

Timeline::Timeline(const std::filesystem::path& file, bool flush_each)
    : file_(file), flush_each_(flush_each) {
  if (std::filesystem::exists(file)) {
    std::vector<std::string> warnings;
    auto text = read_timeline(file, &warnings);
    if (text.cut_tail) {
      // Appending after a cut line would glue the next event to it.
      std::filesystem::resize_file(file, text.good_bytes);
      warnings.back() = file.string() + ": removed a last line cut short by a killed run";
    }
    for (const auto& w : warnings) std::cerr << "warning: " << w << "\n";
    events_ = std::move(text.events);
  }
  out_.open(file, std::ios::app);
  if (!out_) throw HarnessError(file.string() + ": cannot write the run's timeline");
  if (std::filesystem::exists(file) && read_timeline(file, nullptr).unterminated) out_ << '\n';
}

void Timeline::add(TimelineEvent event) {
  const auto line = to_json_line(event);
  std::lock_guard lock(mutex_);
  out_ << line << '\n';
  if (flush_each_) out_.flush();  // a killed run keeps everything up to here
  events_.push_back(std::move(event));
}

void Timeline::flush() {
  std::lock_guard lock(mutex_);
  out_.flush();
}

std::vector<TimelineEvent> Timeline::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

std::size_t Timeline::count(const std::function<bool(const TimelineEvent&)>& pred) const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(events_.begin(), events_.end(), pred));
}

}  // namespace failover_hil::hil
