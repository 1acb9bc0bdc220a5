#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace failover_hil::netlab {

/// What a probe puts in an ICMP echo: the identifier and the 16-bit sequence
/// in the header, and in the payload a nonce naming the probe client and the
/// full 64-bit sequence number (so wrap-around and other pingers on the host
/// are told apart).
struct IcmpEcho {
  std::uint16_t id = 0;
  std::uint64_t nonce = 0;
  std::uint64_t seq = 0;
};

/// An ICMPv4 echo request (type 8) with the checksum set: 8 bytes of header
/// and 16 of payload (nonce, seq; big-endian).
std::vector<std::uint8_t> build_icmp_echo_request(const IcmpEcho& echo);

/// Parses an ICMPv4 echo reply (type 0), with or without a leading IPv4
/// header (raw sockets deliver one, ICMP datagram sockets do not). nullopt
/// for anything else: other types, short or foreign payloads, bad checksum.
std::optional<IcmpEcho> parse_icmp_echo_reply(std::span<const std::uint8_t> bytes);

/// The Internet checksum (RFC 1071) of `bytes`.
std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes);

}  // namespace failover_hil::netlab
