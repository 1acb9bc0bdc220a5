#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "failover_hil/netlab/error.hpp"

namespace failover_hil::netlab {

/// An IPv4 address in host byte order.
struct Ipv4Address {
  std::uint32_t value = 0;
  /// Parses dotted quad; throws NetlabError naming the text otherwise.
  static Ipv4Address parse(std::string_view text);
  std::string str() const;
  auto operator<=>(const Ipv4Address&) const = default;
};

/// An IPv4 network such as 198.18.0.0/15.
struct Ipv4Prefix {
  Ipv4Address network;
  int length = 32;
  /// Parses "a.b.c.d/len"; host bits must be zero.
  static Ipv4Prefix parse(std::string_view text);
  bool contains(Ipv4Address a) const;
  bool contains(const Ipv4Prefix& p) const;
  /// The n-th address of the network (n = 0 is the network address).
  Ipv4Address at(std::uint32_t n) const;
  std::string str() const;
  bool operator==(const Ipv4Prefix&) const = default;
};

/// RFC 2544's benchmarking range: the only addresses the lab may use, inside
/// its own namespaces, routed nowhere else (docs/netlab.md).
Ipv4Prefix lab_range();

/// Throws NetlabError unless `a` lies in lab_range(); `what` names its use.
void require_lab_address(Ipv4Address a, std::string_view what);

}  // namespace failover_hil::netlab
