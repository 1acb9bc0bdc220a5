#include "failover_hil/hil/appliance_driver.hpp"

#include <array>
#include <string>

namespace failover_hil::hil {

namespace {

template <class E, std::size_t N>
E parse_enum(std::string_view text, const std::array<std::string_view, N>& names,
             const char* what) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == text) return static_cast<E>(i);
  std::string expected;
  for (const auto n : names) expected += (expected.empty() ? "" : ", ") + std::string(n);
  throw std::invalid_argument("unknown " + std::string(what) + " '" + std::string(text) +
                              "'; expected one of " + expected);
}

// Indexed by the enums' values.
constexpr std::array<std::string_view, 3> kRoles{"none", "primary", "backup"};
constexpr std::array<std::string_view, 5> kStates{"running", "installing", "base_update_failed",
                                                  "unrecoverable", "unhealthy"};

}  // namespace

std::string_view letter(Member m) {
  return m == Member::A ? "A" : "B";
}

std::string_view name(Member m) {
  return m == Member::A ? "appA" : "appB";
}

Member parse_member(std::string_view text) {
  if (text == "A" || text == "appA") return Member::A;
  if (text == "B" || text == "appB") return Member::B;
  throw std::invalid_argument("unknown appliance '" + std::string(text) +
                              "'; expected A or B (appA or appB)");
}

std::string_view to_string(Role r) {
  return kRoles.at(static_cast<std::size_t>(r));
}

Role parse_role(std::string_view text) {
  return parse_enum<Role>(text, kRoles, "failover role");
}

std::string_view to_string(OperatingState s) {
  return kStates.at(static_cast<std::size_t>(s));
}

OperatingState parse_operating_state(std::string_view text) {
  return parse_enum<OperatingState>(text, kStates, "operating state");
}

}  // namespace failover_hil::hil
