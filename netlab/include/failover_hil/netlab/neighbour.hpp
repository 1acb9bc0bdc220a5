#pragma once

#include <optional>
#include <string_view>

#include "failover_hil/netlab/address.hpp"
#include "failover_hil/netlab/ipv6.hpp"
#include "failover_hil/netlab/mac.hpp"
#include "failover_hil/netlab/netlink_socket.hpp"

namespace failover_hil::netlab {

/// The hardware address the neighbour table of the socket's namespace holds
/// for `ip` on `link`, or nullopt when there is no entry or it has no
/// address yet (INCOMPLETE, FAILED).
std::optional<MacAddress> neighbour_mac(NetlinkSocket& nl, std::string_view link, Ipv4Address ip);
std::optional<MacAddress> neighbour_mac(NetlinkSocket& nl, std::string_view link,
                                        const Ipv6Address& ip);

/// Deletes the neighbour entry for `ip` on `link` (nothing when there is
/// none): the next packet to it asks again, under the link's neighbour
/// parameters as they are now. Throws KernelError.
void forget_neighbour(NetlinkSocket& nl, std::string_view link, Ipv4Address ip);

}  // namespace failover_hil::netlab
