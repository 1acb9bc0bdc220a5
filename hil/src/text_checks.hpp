#pragma once
// Linear checks of user-given text. std::regex is not used on input: the
// libstdc++ matcher recurses once per character and overflows the stack on
// a long string (issue 16: a 30,000-character scenario name crashed).

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace failover_hil::hil::text {

inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline bool is_lower_or_digit(char c) {
  return (c >= 'a' && c <= 'z') || is_digit(c);
}
inline bool is_alnum(char c) {
  return is_lower_or_digit(c) || (c >= 'A' && c <= 'Z');
}
inline bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/// Non-empty and every character satisfies `ok`.
template <class Pred>
bool consists_of(std::string_view s, Pred ok) {
  return !s.empty() && std::all_of(s.begin(), s.end(), ok);
}

/// [a-z0-9-]+ : scenario names (they become parts of run directory names).
inline bool is_plain_name(std::string_view s) {
  return consists_of(s, [](char c) { return is_lower_or_digit(c) || c == '-'; });
}
/// [A-Za-z0-9._-]+ : build identifiers.
inline bool is_build_id(std::string_view s) {
  return consists_of(s, [](char c) { return is_alnum(c) || c == '.' || c == '_' || c == '-'; });
}
/// [A-Za-z0-9_-]+ : nftables table names.
inline bool is_table_name(std::string_view s) {
  return consists_of(s, [](char c) { return is_alnum(c) || c == '_' || c == '-'; });
}

}  // namespace failover_hil::hil::text
