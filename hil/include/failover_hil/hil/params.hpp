#pragma once

// Parameters of steps and faults as a schema: one generic reader checks a
// scenario's values against it (docs/scenarios.md is generated from it too).

#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace failover_hil::hil {

enum class ParamKind {
  choice,     ///< one of `choices`
  number,     ///< a real number within `range`
  integer,    ///< a whole number within `range`
  boolean,    ///< true or false
  host,       ///< a lab host's name
  host_pair,  ///< a list of exactly two lab hosts
};

/// An allowed range for a number.
struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_exclusive = false;  ///< true: lo itself is out of range
};

/// A value as read: number (also integers), text (choice, host), flag, or a list of hosts.
using ParamValue = std::variant<double, std::string, bool, std::vector<std::string>>;

/// One parameter a step or fault takes.
struct ParamDef {
  std::string_view key;
  ParamKind kind = ParamKind::number;
  std::string_view doc;
  bool required = false;
  std::optional<ParamValue> fallback{};  ///< used when absent and not required
  Range range{};
  std::vector<std::string_view> choices{};
};

/// The values a scenario gave (or their fallbacks), by key.
class ParamValues {
 public:
  void set(std::string key, ParamValue value) { values_[std::move(key)] = std::move(value); }
  bool has(std::string_view key) const { return values_.find(key) != values_.end(); }
  /// Throws std::logic_error when `key` is absent or of another kind (a schema bug).
  double number(std::string_view key) const;
  const std::string& text(std::string_view key) const;
  bool flag(std::string_view key) const;
  const std::vector<std::string>& list(std::string_view key) const;
  const std::map<std::string, ParamValue, std::less<>>& all() const { return values_; }
  /// Each value as text (for the timeline's data).
  std::map<std::string, std::string> as_text() const;
  bool operator==(const ParamValues&) const = default;

 private:
  std::map<std::string, ParamValue, std::less<>> values_;
};

/// "number in (0, 86400]", "one of base, software", ...: for docs and errors.
std::string describe(const ParamDef& p);

}  // namespace failover_hil::hil
