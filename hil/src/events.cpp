#include "failover_hil/hil/events.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace failover_hil::hil {

namespace {

// Indexed by EventType.
constexpr std::array<std::string_view, 11> kTypes{"invoke",  "ok",       "fail",    "info",
                                                  "observe", "fault",    "refused", "step_start",
                                                  "step_ok", "step_end", "outcome"};
static_assert(kTypes.size() == static_cast<std::size_t>(EventType::outcome) + 1);

}  // namespace

std::string_view to_string(EventType t) {
  return kTypes.at(static_cast<std::size_t>(t));
}

EventType parse_event_type(std::string_view text) {
  for (std::size_t i = 0; i < kTypes.size(); ++i)
    if (kTypes[i] == text) return static_cast<EventType>(i);
  std::string known;
  for (const auto t : kTypes) known += (known.empty() ? "" : ", ") + std::string(t);
  throw std::invalid_argument("unknown event type '" + std::string(text) + "'; expected one of " +
                              known);
}

}  // namespace failover_hil::hil
