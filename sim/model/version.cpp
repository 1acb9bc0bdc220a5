#include "failover_hil/sim/model/version.hpp"

#include <charconv>

#include "failover_hil/sim/model/errors.hpp"

namespace failover_hil::sim {

Version Version::parse(std::string_view text) {
  Version v;
  int* parts[] = {&v.major, &v.minor, &v.patch};
  std::string_view rest = text;
  for (int i = 0; i < 3; ++i) {
    const auto dot = rest.find('.');
    const std::string_view part = i < 2 ? rest.substr(0, dot) : rest;
    int value = -1;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || ec != std::errc{} || end != part.data() + part.size() || value < 0 ||
        value > 9999 || (i < 2 && dot == std::string_view::npos)) {
      throw ModelError(
          "", "'" + std::string(text) + "' is not a version: expected three numbers as in 3.3.2");
    }
    *parts[i] = value;
    if (i < 2) rest = rest.substr(dot + 1);
  }
  return v;
}

std::string Version::str() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

std::string SoftwareRelease::str() const {
  return version.str() + " (" + build + ")";
}

}  // namespace failover_hil::sim
