#pragma once
// Checked reading of a YAML file's nodes for the scenario and inventory
// loaders: every refusal is a ScenarioError "file:line: what was found;
// what was expected", the line taken from the offending node's mark.

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "failover_hil/hil/scenario.hpp"

namespace failover_hil::hil::yaml {

/// An allowed range for a number; `text()` says it in an error message.
struct Bounds {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_exclusive = false;  ///< true: lo itself is out of range
  bool contains(double v) const;
  std::string text() const;
};

/// "a, b or c".
std::string one_of(std::span<const std::string_view> names);
/// "a, b, c".
std::string list(std::span<const std::string_view> names);
/// `s` in single quotes for a message; a long text is cut, its length given,
/// so a megabyte of input is not echoed back.
std::string quote(std::string_view s);

/// Parses a document; a syntax error becomes "file:line: <yaml-cpp's message>".
YAML::Node parse_document(const std::string& text, const std::filesystem::path& file);
/// Reads a whole file; "file: cannot read ..." when it cannot.
std::string read_text(const std::filesystem::path& file, std::string_view what);

/// Reads the nodes of one file. Keys are named by their dotted path
/// ("probes.rate_hz") in messages.
class Reader {
 public:
  explicit Reader(std::filesystem::path file) : file_(std::move(file)) {}

  const std::filesystem::path& file() const { return file_; }
  /// 1-based line of a node (0 for a node that does not exist).
  static int line(const YAML::Node& n);
  [[noreturn]] void fail(const YAML::Node& n, const std::string& message) const;
  /// "a map", "a list", "'text'", "nothing": what a message says was found.
  static std::string found(const YAML::Node& n);

  /// Refuses a node that is not a map (`expected` says what it should hold).
  void expect_map(const YAML::Node& n, const std::string& path, const std::string& expected) const;
  /// Refuses keys not in `allowed`, non-scalar keys, keys given twice and
  /// keys without a value.
  void check_keys(const YAML::Node& map, const std::string& path,
                  const std::vector<std::string_view>& allowed) const;
  /// `map[key]`, refused as missing when absent or empty.
  YAML::Node required(const YAML::Node& map, const std::string& path, const std::string& key,
                      const std::string& expected) const;

  /// A non-empty scalar.
  std::string text(const YAML::Node& n, const std::string& path) const;
  /// A non-empty scalar of at most `max_length` characters.
  std::string text(const YAML::Node& n, const std::string& path, std::size_t max_length) const;
  /// A scalar among `choices`.
  std::string choice(const YAML::Node& n, const std::string& path,
                     const std::vector<std::string_view>& choices) const;
  double number(const YAML::Node& n, const std::string& path, const Bounds& b) const;
  /// A whole number in `b` and in int's range (at most 2147483647).
  int integer(const YAML::Node& n, const std::string& path, const Bounds& b) const;
  bool boolean(const YAML::Node& n, const std::string& path) const;
  /// A non-empty list of non-empty scalars, none twice.
  std::vector<std::string> text_list(const YAML::Node& n, const std::string& path) const;

 private:
  std::filesystem::path file_;
};

}  // namespace failover_hil::hil::yaml
