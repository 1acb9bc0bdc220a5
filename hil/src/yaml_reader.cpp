#include "yaml_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace failover_hil::hil::yaml {

namespace {

// "%g" with enough digits: 1e6 prints as 1000000, 0.5 as 0.5.
std::string show(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

std::string join_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

}  // namespace

bool Bounds::contains(double v) const {
  // Written so that NaN is out of every range.
  const bool above_lo = lo_exclusive ? v > lo : v >= lo;
  return above_lo && v <= hi;
}

std::string Bounds::text() const {
  const bool has_lo = std::isfinite(lo), has_hi = std::isfinite(hi);
  if (has_lo && has_hi)
    return lo_exclusive ? " greater than " + show(lo) + " and at most " + show(hi)
                        : " from " + show(lo) + " to " + show(hi);
  if (has_lo) return (lo_exclusive ? " greater than " : " of at least ") + show(lo);
  if (has_hi) return " of at most " + show(hi);
  return "";
}

std::string one_of(std::span<const std::string_view> names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

YAML::Node parse_document(const std::string& text, const std::filesystem::path& file) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw ScenarioError(file.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

std::string read_text(const std::filesystem::path& file, std::string_view what) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec))
    throw ScenarioError(file.string() + ": is a directory, not a " + std::string(what));
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw ScenarioError(file.string() + ": cannot read the " + std::string(what) + ": " +
                        std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string quote(std::string_view s) {
  constexpr std::size_t kShown = 60;
  if (s.size() <= kShown) return "'" + std::string(s) + "'";
  return "'" + std::string(s.substr(0, kShown)) + "...' (" + std::to_string(s.size()) +
         " characters)";
}

std::string list(std::span<const std::string_view> names) {
  std::string out;
  for (const auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

int Reader::line(const YAML::Node& n) {
  // An empty document's node has no mark (line -1): name the first line.
  return n.IsDefined() ? std::max(n.Mark().line + 1, 1) : 0;
}

void Reader::fail(const YAML::Node& n, const std::string& message) const {
  throw ScenarioError(file_.string() + ":" + std::to_string(line(n)) + ": " + message);
}

std::string Reader::found(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a map";
  return quote(n.Scalar());
}

void Reader::expect_map(const YAML::Node& n, const std::string& path,
                        const std::string& expected) const {
  if (n.IsMap()) return;
  if (path.empty() && n.IsNull()) fail(n, "the file is empty; expected a map " + expected);
  fail(n, (path.empty() ? std::string("the file") : "'" + path + "'") + " is " + found(n) +
              "; expected a map " + expected);
}

void Reader::check_keys(const YAML::Node& map, const std::string& path,
                        const std::vector<std::string_view>& allowed) const {
  std::set<std::string> seen;
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) fail(kv.first, "a key is " + found(kv.first) + "; expected a name");
    const auto key = kv.first.Scalar();
    bool known = false;
    for (const auto a : allowed) known = known || a == key;
    if (!known) {
      fail(kv.first, "unknown key " + quote(key) + (path.empty() ? "" : " in " + path) +
                         "; expected one of " + list(allowed));
    }
    if (!seen.insert(key).second) fail(kv.first, "'" + join_path(path, key) + "' is given twice");
    // An empty value's mark points at the next token, so name the key's line.
    if (kv.second.IsNull())
      fail(kv.first, "'" + join_path(path, key) + "' has no value; give one or leave the key out");
  }
}

YAML::Node Reader::required(const YAML::Node& map, const std::string& path, const std::string& key,
                            const std::string& expected) const {
  for (const auto& kv : map)
    if (kv.first.IsScalar() && kv.first.Scalar() == key) {
      if (kv.second.IsNull())  // its mark is the next token's: name the key's line
        fail(kv.first, "'" + join_path(path, key) + "' has no value; expected " + expected);
      return kv.second;
    }
  fail(map, "missing '" + join_path(path, key) + "'; expected " + expected);
}

std::string Reader::text(const YAML::Node& n, const std::string& path) const {
  if (!n.IsScalar() || n.Scalar().empty())
    fail(n, "'" + path + "' is " + found(n) + "; expected a non-empty text");
  return n.Scalar();
}

std::string Reader::text(const YAML::Node& n, const std::string& path,
                         std::size_t max_length) const {
  auto s = text(n, path);
  if (s.size() > max_length)
    fail(n, "'" + path + "' is " + std::to_string(s.size()) +
                " characters long; expected at most " + std::to_string(max_length));
  return s;
}

std::string Reader::choice(const YAML::Node& n, const std::string& path,
                           const std::vector<std::string_view>& choices) const {
  if (n.IsScalar())
    for (const auto c : choices)
      if (n.Scalar() == c) return n.Scalar();
  fail(n, "'" + path + "' is " + found(n) + "; expected " + one_of(choices));
}

double Reader::number(const YAML::Node& n, const std::string& path, const Bounds& b) const {
  double v = 0;
  bool ok = n.IsScalar();
  if (ok) {
    try {
      v = n.as<double>();
    } catch (const YAML::Exception&) {
      ok = false;
    }
  }
  if (!ok || !b.contains(v))
    fail(n, "'" + path + "' is " + found(n) + "; expected a number" + b.text());
  return v;
}

int Reader::integer(const YAML::Node& n, const std::string& path, const Bounds& b) const {
  // Read wide, then check against the bounds narrowed to int's range, so the
  // message names the limit that refused the value (2147483648 used to be
  // refused as "expected a whole number of at least 0").
  const Bounds in_int{std::max(b.lo, double(std::numeric_limits<int>::min())),
                      std::min(b.hi, double(std::numeric_limits<int>::max())), b.lo_exclusive};
  long long v = 0;
  bool ok = n.IsScalar();
  if (ok) {
    try {
      v = n.as<long long>();
    } catch (const YAML::Exception&) {
      ok = false;
    }
  }
  if (!ok || !in_int.contains(static_cast<double>(v)))
    fail(n, "'" + path + "' is " + found(n) + "; expected a whole number" + in_int.text());
  return static_cast<int>(v);
}

bool Reader::boolean(const YAML::Node& n, const std::string& path) const {
  if (n.IsScalar()) {
    try {
      return n.as<bool>();
    } catch (const YAML::Exception&) {
    }
  }
  fail(n, "'" + path + "' is " + found(n) + "; expected true or false");
}

std::vector<std::string> Reader::text_list(const YAML::Node& n, const std::string& path) const {
  if (!n.IsSequence() || n.size() == 0)
    fail(n, "'" + path + "' is " + found(n) + "; expected a non-empty list of names");
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& item : n) {
    out.push_back(text(item, path + " item"));
    if (!seen.insert(out.back()).second)
      fail(item, "'" + path + "' names " + quote(out.back()) + " twice");
  }
  return out;
}

}  // namespace failover_hil::hil::yaml
