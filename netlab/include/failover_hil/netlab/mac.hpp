#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace failover_hil::netlab {

/// An Ethernet (EUI-48) address.
struct MacAddress {
  std::array<std::uint8_t, 6> bytes{};
  /// Parses "aa:bb:cc:dd:ee:ff"; throws NetlabError naming the text otherwise.
  static MacAddress parse(std::string_view text);
  static MacAddress broadcast() { return {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }
  /// Lower-case, colon-separated.
  std::string str() const;
  auto operator<=>(const MacAddress&) const = default;
};

}  // namespace failover_hil::netlab
