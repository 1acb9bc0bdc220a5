#include "failover_hil/hil/planted_defect.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace failover_hil::hil {

namespace {
constexpr std::array<std::string_view, 4> kDefectNames{"none", "sync_sends_start_snapshot",
                                                       "shared_ip_enabled_before_release",
                                                       "base_failure_restarted"};
}  // namespace

std::string_view to_string(PlantedDefect d) {
  return kDefectNames.at(static_cast<std::size_t>(d));
}

PlantedDefect parse_planted_defect(std::string_view text) {
  for (std::size_t i = 0; i < kDefectNames.size(); ++i)
    if (kDefectNames[i] == text) return static_cast<PlantedDefect>(i);
  std::string known;
  for (const auto n : kDefectNames) known += (known.empty() ? "" : ", ") + std::string(n);
  throw std::invalid_argument("unknown planted defect '" + std::string(text) + "'; expected " +
                              known);
}

const std::vector<PlantedDefect>& planted_defects() {
  static const std::vector<PlantedDefect> all{PlantedDefect::sync_sends_start_snapshot,
                                              PlantedDefect::shared_ip_enabled_before_release,
                                              PlantedDefect::base_failure_restarted};
  return all;
}

}  // namespace failover_hil::hil
