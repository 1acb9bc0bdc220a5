#pragma once

// What makes one packet the same packet in two captures (issue 15: captures
// of several hosts, mirror ports): its addresses and the transport fields a
// copy keeps (ports, sequence and acknowledgement numbers, flags, length;
// echo id and sequence; ARP and NA fields), not the link header, TTL or
// checksums a router rewrites.

#include <cstdint>
#include <optional>

#include "failover_hil/netlab/decode.hpp"

namespace failover_hil::netlab {

/// A 64-bit hash of the packet's identity, never FlatU64Map::kEmpty;
/// nullopt for frames the analyser does not decode.
std::optional<std::uint64_t> packet_fingerprint(const DecodedFrame& f);

/// The (source, destination) address pair of a decoded packet, hashed: the
/// direction a copy travelled, for the clock offset's two-way estimate.
std::uint64_t direction_of(const DecodedFrame& f);

}  // namespace failover_hil::netlab
