#pragma once

#include <chrono>
#include <string_view>

#include "failover_hil/netlab/address.hpp"
#include "failover_hil/netlab/ipv6.hpp"
#include "failover_hil/netlab/netns.hpp"

namespace failover_hil::netlab {

/// Which gratuitous ARP to send: some switches and hosts honour only one kind.
enum class GarpKind { request, reply, both };

/// How an address is announced.
struct AnnounceOptions {
  GarpKind kind = GarpKind::both;           ///< IPv4 only
  int count = 3;                            ///< rounds; each round sends one frame per kind
  std::chrono::milliseconds interval{100};  ///< between rounds (none after the last)
};

/// Announces that `ip` is now on `link` in `ns`: gratuitous ARP from the
/// link's MAC through an AF_PACKET socket. Blocks for (count - 1) * interval.
/// Throws KernelError for socket errors, NetlabError for a non-lab address
/// or bad options.
void announce_ipv4(const Netns& ns, std::string_view link, Ipv4Address ip,
                   const AnnounceOptions& options = {});

/// Announces `ip` on `link` in `ns` with unsolicited neighbour advertisements
/// (Override flag) to ff02::1 through an AF_PACKET socket; `kind` is ignored.
void announce_ipv6(const Netns& ns, std::string_view link, const Ipv6Address& ip,
                   const AnnounceOptions& options = {});

}  // namespace failover_hil::netlab
