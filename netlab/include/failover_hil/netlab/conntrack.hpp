#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "failover_hil/netlab/address.hpp"
#include "failover_hil/netlab/netns.hpp"

namespace failover_hil::netlab {

/// One IPv4 connection-tracking entry: the original direction (as the first
/// packet came in) and the reply direction (after NAT, the reply's source is
/// the real server).
struct ConntrackEntry {
  std::uint8_t protocol = 0;  ///< IPPROTO_TCP, IPPROTO_UDP, ...
  Ipv4Address orig_src;
  Ipv4Address orig_dst;
  std::uint16_t orig_src_port = 0;
  std::uint16_t orig_dst_port = 0;
  Ipv4Address reply_src;
  std::uint16_t reply_src_port = 0;
};

/// The IPv4 conntrack table of `ns`, dumped through libnl-nf (ctnetlink).
/// Throws KernelError.
std::vector<ConntrackEntry> list_conntrack(const Netns& ns);

/// Deletes every IPv4 entry of `ns` whose original destination is
/// `orig_dst` (e.g. a NAT VIP, so the next packet of an old flow is NATed
/// afresh). Returns how many it deleted; an entry that expired meanwhile
/// is not an error. Throws KernelError.
std::size_t flush_conntrack_to(const Netns& ns, Ipv4Address orig_dst);

}  // namespace failover_hil::netlab
