#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "failover_hil/netlab/address.hpp"
#include "failover_hil/netlab/ipv6.hpp"
#include "failover_hil/netlab/mac.hpp"

namespace failover_hil::netlab {

/// ARP operation codes (RFC 826).
enum class ArpOp : std::uint16_t { request = 1, reply = 2 };

/// An Ethernet/IPv4 ARP packet.
struct ArpPacket {
  ArpOp op = ArpOp::request;
  MacAddress sender_mac;
  Ipv4Address sender_ip;
  MacAddress target_mac;
  Ipv4Address target_ip;
  bool operator==(const ArpPacket&) const = default;
};

/// Minimum Ethernet frame without FCS; short frames are zero-padded to it.
inline constexpr std::size_t kMinEthernetFrame = 60;

/// A gratuitous ARP announcing that `ip` is at `mac`, broadcast. A request
/// carries target MAC 00:..:00, a reply carries target MAC = `mac` (what
/// Linux requires to treat a reply as gratuitous); both have sender IP =
/// target IP = `ip`. Pure; padded to 60 bytes.
std::vector<std::uint8_t> build_gratuitous_arp(ArpOp op, const MacAddress& mac, Ipv4Address ip);

/// An RFC 5227 ARP probe for `ip`: a broadcast request with sender IP
/// 0.0.0.0 and target MAC 00:..:00, so no host updates its cache. Pure.
std::vector<std::uint8_t> build_arp_probe(const MacAddress& mac, Ipv4Address ip);

/// Parses an Ethernet frame holding an Ethernet/IPv4 ARP packet; nullopt for
/// any other frame.
std::optional<ArpPacket> parse_arp_frame(std::span<const std::uint8_t> frame);

/// An unsolicited neighbour advertisement (RFC 4861 7.2.6) for `ip` at `mac`:
/// Ethernet to 33:33:00:00:00:01, IPv6 from `ip` to ff02::1 with hop limit
/// 255, ICMPv6 type 136 with only the Override flag and a target link-layer
/// address option; checksum filled in. Pure.
std::vector<std::uint8_t> build_unsolicited_na(const MacAddress& mac, const Ipv6Address& ip);

/// The ICMPv6 checksum (RFC 4443 2.3) of `message` between `src` and `dst`.
std::uint16_t icmpv6_checksum(const Ipv6Address& src, const Ipv6Address& dst,
                              std::span<const std::uint8_t> message);

}  // namespace failover_hil::netlab
