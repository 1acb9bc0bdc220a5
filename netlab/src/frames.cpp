#include "failover_hil/netlab/frames.hpp"

#include <algorithm>

namespace failover_hil::netlab {

namespace {

constexpr std::uint16_t kEtherTypeArp = 0x0806;
constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint16_t kEtherTypeIpv6 = 0x86dd;

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

void put_ip(std::vector<std::uint8_t>& out, Ipv4Address a) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<std::uint8_t>(a.value >> shift));
}

template <std::size_t N>
void put(std::vector<std::uint8_t>& out, const std::array<std::uint8_t, N>& bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

std::vector<std::uint8_t> arp_frame(const MacAddress& eth_dst, const ArpPacket& p) {
  std::vector<std::uint8_t> f;
  f.reserve(kMinEthernetFrame);
  put(f, eth_dst.bytes);
  put(f, p.sender_mac.bytes);
  put16(f, kEtherTypeArp);
  put16(f, 1);  // hardware type: Ethernet
  put16(f, kEtherTypeIpv4);
  f.push_back(6);  // hardware address length
  f.push_back(4);  // protocol address length
  put16(f, static_cast<std::uint16_t>(p.op));
  put(f, p.sender_mac.bytes);
  put_ip(f, p.sender_ip);
  put(f, p.target_mac.bytes);
  put_ip(f, p.target_ip);
  f.resize(std::max(f.size(), kMinEthernetFrame), 0);
  return f;
}

std::uint16_t get16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

MacAddress get_mac(std::span<const std::uint8_t> b, std::size_t at) {
  MacAddress m;
  std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(at), 6, m.bytes.begin());
  return m;
}

Ipv4Address get_ip(std::span<const std::uint8_t> b, std::size_t at) {
  return Ipv4Address{(std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
                     (std::uint32_t{b[at + 2]} << 8) | b[at + 3]};
}

}  // namespace

std::vector<std::uint8_t> build_gratuitous_arp(ArpOp op, const MacAddress& mac, Ipv4Address ip) {
  // Linux treats a reply as gratuitous only when its target MAC equals its
  // sender MAC (net/ipv4/arp.c, arp_is_garp), a request whatever it holds.
  const MacAddress target = op == ArpOp::reply ? mac : MacAddress{};
  return arp_frame(MacAddress::broadcast(), {op, mac, ip, target, ip});
}

std::vector<std::uint8_t> build_arp_probe(const MacAddress& mac, Ipv4Address ip) {
  return arp_frame(MacAddress::broadcast(), {ArpOp::request, mac, Ipv4Address{0}, {}, ip});
}

std::optional<ArpPacket> parse_arp_frame(std::span<const std::uint8_t> frame) {
  constexpr std::size_t kEth = 14;
  if (frame.size() < kEth + 28 || get16(frame, 12) != kEtherTypeArp) return std::nullopt;
  const auto arp = frame.subspan(kEth);
  if (get16(arp, 0) != 1 || get16(arp, 2) != kEtherTypeIpv4 || arp[4] != 6 || arp[5] != 4)
    return std::nullopt;
  const auto op = get16(arp, 6);
  if (op != 1 && op != 2) return std::nullopt;
  return ArpPacket{static_cast<ArpOp>(op), get_mac(arp, 8), get_ip(arp, 14), get_mac(arp, 18),
                   get_ip(arp, 24)};
}

std::uint16_t icmpv6_checksum(const Ipv6Address& src, const Ipv6Address& dst,
                              std::span<const std::uint8_t> message) {
  std::uint32_t sum = 0;
  const auto add_bytes = [&](std::span<const std::uint8_t> b) {
    for (std::size_t i = 0; i < b.size(); i += 2)
      sum += static_cast<std::uint32_t>(b[i] << 8) | (i + 1 < b.size() ? b[i + 1] : 0u);
  };
  add_bytes(src.bytes);
  add_bytes(dst.bytes);
  const auto length = static_cast<std::uint32_t>(message.size());
  sum += length >> 16;
  sum += length & 0xffff;
  sum += 58;  // next header: ICMPv6
  add_bytes(message);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

std::vector<std::uint8_t> build_unsolicited_na(const MacAddress& mac, const Ipv6Address& ip) {
  const auto all_nodes = Ipv6Address::parse("ff02::1");
  // ICMPv6 neighbour advertisement (RFC 4861 4.4) with a target link-layer
  // address option: unsolicited, so Solicited = 0; Override = 1 replaces the
  // cached address; Router = 0.
  std::vector<std::uint8_t> icmp;
  icmp.push_back(136);   // type
  icmp.push_back(0);     // code
  put16(icmp, 0);        // checksum, filled in below
  icmp.push_back(0x20);  // R=0 S=0 O=1
  icmp.insert(icmp.end(), 3, 0);
  put(icmp, ip.bytes);
  icmp.push_back(2);  // option: target link-layer address
  icmp.push_back(1);  // length in units of 8 bytes
  put(icmp, mac.bytes);
  const auto checksum = icmpv6_checksum(ip, all_nodes, icmp);
  icmp[2] = static_cast<std::uint8_t>(checksum >> 8);
  icmp[3] = static_cast<std::uint8_t>(checksum);

  std::vector<std::uint8_t> f;
  put(f, MacAddress{{0x33, 0x33, 0x00, 0x00, 0x00, 0x01}}.bytes);  // ff02::1 (RFC 2464 7)
  put(f, mac.bytes);
  put16(f, kEtherTypeIpv6);
  f.push_back(0x60);  // version 6, traffic class 0, flow label 0
  f.insert(f.end(), 3, 0);
  put16(f, static_cast<std::uint16_t>(icmp.size()));
  f.push_back(58);   // next header: ICMPv6
  f.push_back(255);  // hop limit: receivers drop ND messages with any other
  put(f, ip.bytes);
  put(f, all_nodes.bytes);
  f.insert(f.end(), icmp.begin(), icmp.end());
  return f;
}

}  // namespace failover_hil::netlab
