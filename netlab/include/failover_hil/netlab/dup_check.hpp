#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "failover_hil/netlab/address.hpp"
#include "failover_hil/netlab/mac.hpp"
#include "failover_hil/netlab/netns.hpp"

namespace failover_hil::netlab {

/// How hard the duplicate-IP pre-check looks.
struct DupCheckOptions {
  int probes = 2;                           ///< ARP probes sent
  std::chrono::milliseconds interval{100};  ///< between probes
  std::chrono::milliseconds wait{300};      ///< listening after the last probe
};

/// The duplicate-IP pre-check (RFC 5227 probing): before `ip` is enabled on
/// `link` in `ns`, sends ARP probes (sender IP 0.0.0.0) and listens. Returns
/// the MAC of a host that answers for `ip` (a reply or request with `ip` as
/// sender, or another host's probe for it), or nullopt when none did within
/// (probes - 1) * interval + wait. Throws KernelError for socket errors.
std::optional<MacAddress> find_duplicate(const Netns& ns, std::string_view link, Ipv4Address ip,
                                         const DupCheckOptions& options = {});

}  // namespace failover_hil::netlab
