#include "failover_hil/hil/timeline.hpp"

#include <time.h>

#include <boost/json.hpp>

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

std::vector<TimelineEvent> load_timeline(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in)
    throw HarnessError(file.string() +
                       ": cannot read the run's timeline; is this a run directory?");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  std::vector<TimelineEvent> events;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    try {
      events.push_back(parse_line(lines[i]));
    } catch (const std::exception& e) {
      if (i + 1 == lines.size()) break;  // cut short by a crash mid-write
      throw HarnessError(file.string() + ":" + std::to_string(i + 1) + ": not a timeline event (" +
                         e.what() + ")");
    }
  }
  return events;
}

Timeline::Timeline(const std::filesystem::path& file) : file_(file) {
  if (std::filesystem::exists(file)) events_ = load_timeline(file);
  out_.open(file, std::ios::app);
  if (!out_) throw HarnessError(file.string() + ": cannot write the run's timeline");
}

void Timeline::add(TimelineEvent event) {
  const auto line = to_json_line(event);
  std::lock_guard lock(mutex_);
  out_ << line << '\n';
  out_.flush();  // a killed run keeps everything up to here
  events_.push_back(std::move(event));
}

std::vector<TimelineEvent> Timeline::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

}  // namespace failover_hil::hil
