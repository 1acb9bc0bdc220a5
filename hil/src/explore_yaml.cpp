// A schedule as a scenario file: the base scenario's text with its name,
// lab, faults and expectation replaced, so any engine runs it and
// `failover-hil validate` checks it like a hand-written one.
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>

#include "explore_base.hpp"
#include "failover_hil/core/text_file.hpp"
#include "failover_hil/hil/explore.hpp"

namespace fs = std::filesystem;

namespace failover_hil::hil {

namespace {

std::string yaml_number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.12g", v);
  return buf;
}

std::string yaml_value(const ParamValue& v) {
  if (const auto* d = std::get_if<double>(&v)) return yaml_number(*d);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  std::string out = "[";
  for (const auto& x : std::get<std::vector<std::string>>(v))
    out += (out.size() > 1 ? ", " : "") + x;
  return out + "]";
}

/// The base file without the top-level keys explore writes itself (each key
/// with the lines that belong to it: indented ones, comments and blanks).
std::string base_without(const std::string& text, const std::set<std::string>& keys) {
  std::istringstream in(text);
  std::string out, line;
  bool dropping = false;
  while (std::getline(in, line)) {
    const bool top = !line.empty() && line[0] != ' ' && line[0] != '#' && line[0] != '-';
    if (top) {
      const auto colon = line.find(':');
      dropping = colon != std::string::npos && keys.contains(line.substr(0, colon));
    }
    if (line.rfind("---", 0) == 0) continue;
    if (!dropping) out += line + "\n";
  }
  return out;
}

/// A YAML double-quoted string.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += (c == '\n' ? ' ' : c);
  }
  return out + "\"";
}

}  // namespace

const ExploreBase& explore_base(const fs::path& file) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, fs::file_time_type>, std::unique_ptr<ExploreBase>> cache;
  const auto key = std::make_pair(fs::absolute(file).string(), fs::last_write_time(file));
  std::lock_guard lock(mutex);
  auto& entry = cache[key];
  if (!entry)
    entry = std::make_unique<ExploreBase>(ExploreBase{load_scenario(file), read_text(file)});
  return *entry;
}

std::string scenario_yaml(const fs::path& base_file, const std::string& name,
                          const std::string& description, const Schedule& schedule,
                          const Expectation& expect, const fs::path& lab_dir,
                          std::optional<SwitchMethod> switch_method) {
  const auto& base = explore_base(base_file).scenario;
  const auto lab = fs::absolute(base.lab).lexically_normal();
  const auto lab_text =
      lab_dir.empty()
          ? lab
          : fs::absolute(lab).lexically_relative(fs::absolute(lab_dir).lexically_normal());
  std::ostringstream y;
  y << "# Written by failover-hil explore (docs/explore.md) from " << base_file.filename().string()
    << ".\n"
    << "scenario: " << name << "\n"
    << "description: " << quoted(description) << "\n"
    << "lab: " << lab_text.string() << "\n"
    << "switch: " << to_string(switch_method.value_or(base.switch_method)) << "\n"
    << base_without(explore_base(base_file).text,
                    {"scenario", "description", "lab", "switch", "faults", "expect"});
  if (!schedule.empty()) y << "faults:\n";
  for (const auto& f : schedule) {
    y << "  - fault: " << f.fault << "\n";
    if (f.appliance) y << "    appliance: " << letter(*f.appliance) << "\n";
    for (const auto& [k, v] : f.params.all()) y << "    " << k << ": " << yaml_value(v) << "\n";
    std::vector<std::string> at;
    if (!f.at.step.empty()) at.push_back("step: " + f.at.step);
    if (f.at.after_step) at.push_back("when: after");
    if (f.at.after_s > 0) at.push_back("after_s: " + yaml_number(f.at.after_s));
    if (f.at.progress) at.push_back("progress: " + yaml_number(*f.at.progress));
    if (!at.empty()) {
      y << "    at: {";
      for (std::size_t i = 0; i < at.size(); ++i) y << (i ? ", " : "") << at[i];
      y << "}\n";
    }
  }
  y << "expect: {outcome: " << expect.outcome;
  if (!expect.reason.empty()) y << ", reason: " << quoted(expect.reason);
  y << "}\n";
  return y.str();
}

}  // namespace failover_hil::hil
