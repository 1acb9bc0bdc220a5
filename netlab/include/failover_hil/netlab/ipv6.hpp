#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace failover_hil::netlab {

/// An IPv6 address in network byte order.
struct Ipv6Address {
  std::array<std::uint8_t, 16> bytes{};
  /// Parses RFC 4291 text ("fd00:198:18::10"); throws NetlabError otherwise.
  static Ipv6Address parse(std::string_view text);
  /// RFC 5952 text.
  std::string str() const;
  auto operator<=>(const Ipv6Address&) const = default;
};

/// The lab's IPv6 prefix, fd00:198:18::/64: a unique local address range
/// used inside the lab's namespaces only.
inline constexpr int kLabIpv6PrefixLength = 64;
Ipv6Address lab_ipv6_network();

/// Throws NetlabError unless `a` lies in fd00:198:18::/64; `what` names its use.
void require_lab_address(const Ipv6Address& a, std::string_view what);

}  // namespace failover_hil::netlab
