#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <string>

#include "failover_hil/netlab/address.hpp"
#include "failover_hil/netlab/ipv6.hpp"
#include "failover_hil/netlab/mac.hpp"

namespace failover_hil::netlab {

/// An IPv4 or IPv6 address as one comparable, hashable value (IPv4 in the
/// first four bytes, the rest zero).
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};
  bool v6 = false;

  static IpAddress from(Ipv4Address a);
  static IpAddress from(const Ipv6Address& a);
  /// Parses IPv4 dotted quad or IPv6 text; throws NetlabError otherwise.
  static IpAddress parse(std::string_view text);
  std::string str() const;
  auto operator<=>(const IpAddress&) const = default;
};

/// TCP flag bits (RFC 9293).
namespace tcp_flag {
inline constexpr std::uint8_t fin = 0x01;
inline constexpr std::uint8_t syn = 0x02;
inline constexpr std::uint8_t rst = 0x04;
inline constexpr std::uint8_t psh = 0x08;
inline constexpr std::uint8_t ack = 0x10;
}  // namespace tcp_flag

/// What the analyser needs from one frame. Decoding never throws: a frame
/// that is cut short or of another protocol leaves `kind` at `other`.
struct DecodedFrame {
  /// `icmp_unreachable`: an ICMP/ICMPv6 port or host unreachable; src, dst,
  /// ports and seq (TCP) or echo id and seq (echo request) are those of the
  /// packet it quotes, `unreachable_inner` says which.
  enum class Kind : std::uint8_t {
    other,
    arp,
    tcp,
    icmp_echo_request,
    icmp_echo_reply,
    ndp_na,
    icmp_unreachable
  };
  Kind kind = Kind::other;

  /// The sender's link-layer address (Ethernet source; cooked captures' sll_addr
  /// when it is 6 bytes long).
  MacAddress src_mac;
  bool has_mac = false;

  IpAddress src;
  IpAddress dst;

  // TCP
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t tcp_flags = 0;
  std::uint32_t payload_length = 0;

  // ICMP / ICMPv6 echo
  std::uint16_t echo_id = 0;
  std::uint16_t echo_seq = 0;

  // ICMP unreachable: what the quoted packet was.
  enum class Inner : std::uint8_t { none, tcp, echo_request };
  Inner unreachable_inner = Inner::none;

  // ARP (src/dst hold sender/target IP)
  std::uint16_t arp_op = 0;
  MacAddress arp_sender_mac;
  MacAddress arp_target_mac;

  // Neighbour advertisement: target address in `dst`, flags; the target
  // link-layer address option in na_mac when present.
  bool na_solicited = false;
  bool na_override = false;
  MacAddress na_mac;
  bool na_has_mac = false;
};

/// Decodes Ethernet (with 802.1Q/802.1ad tags), Linux cooked v1/v2 and raw IP
/// frames: ARP, IPv4, IPv6 (hop-by-hop, routing, destination options
/// extension headers skipped), TCP, ICMP/ICMPv6 echo, port and host
/// unreachable (with the quoted packet) and neighbour advertisements. Bounds-checked; IPv4
/// fragments after the first are `other`.
DecodedFrame decode_frame(std::uint32_t linktype, std::span<const std::uint8_t> frame);

}  // namespace failover_hil::netlab
