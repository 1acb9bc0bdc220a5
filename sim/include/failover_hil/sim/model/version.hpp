#pragma once

#include <compare>
#include <string>
#include <string_view>

namespace failover_hil::sim {

/// A dotted version such as Base "3.3.2" or software "23.1.2".
struct Version {
  int major = 0;
  int minor = 0;
  int patch = 0;

  /// Parses "A.B.C" (each 0..9999); throws ModelError naming the text otherwise.
  static Version parse(std::string_view text);
  std::string str() const;
  auto operator<=>(const Version&) const = default;
};

/// The site software an appliance runs: version and build, both of which must
/// match for a failover relationship (R17).
struct SoftwareRelease {
  Version version;
  std::string build;

  /// "23.1.2 (BUILD)", the format of check_health's <version>.
  std::string str() const;
  bool operator==(const SoftwareRelease&) const = default;
};

}  // namespace failover_hil::sim
