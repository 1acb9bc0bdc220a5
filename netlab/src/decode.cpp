#include "failover_hil/netlab/decode.hpp"

#include <algorithm>

#include "failover_hil/netlab/error.hpp"
#include "failover_hil/netlab/packet_source.hpp"

namespace failover_hil::netlab {

IpAddress IpAddress::from(Ipv4Address a) {
  IpAddress ip;
  for (int i = 0; i < 4; ++i)
    ip.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(a.value >> (24 - 8 * i));
  return ip;
}

IpAddress IpAddress::from(const Ipv6Address& a) {
  IpAddress ip;
  ip.bytes = a.bytes;
  ip.v6 = true;
  return ip;
}

IpAddress IpAddress::parse(std::string_view text) {
  if (text.find(':') != std::string_view::npos) return from(Ipv6Address::parse(text));
  return from(Ipv4Address::parse(text));
}

std::string IpAddress::str() const {
  if (v6) return Ipv6Address{bytes}.str();
  return Ipv4Address{std::uint32_t{bytes[0]} << 24 | std::uint32_t{bytes[1]} << 16 |
                     std::uint32_t{bytes[2]} << 8 | bytes[3]}
      .str();
}

namespace {

constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::uint16_t kEtherArp = 0x0806;
constexpr std::uint16_t kEtherIpv6 = 0x86dd;
constexpr std::uint16_t kEtherVlan = 0x8100;
constexpr std::uint16_t kEtherQinQ = 0x88a8;
constexpr std::uint16_t kEtherVlanOld = 0x9100;
constexpr std::uint8_t kProtoIcmp = 1;
constexpr std::uint8_t kProtoTcp = 6;
constexpr std::uint8_t kProtoIcmpv6 = 58;

// Frames are routinely cut short by the snap length, so decoding reports
// "not ours" instead of throwing: a cheap bounds-checked cursor rather than
// ByteReader (whose failures are exceptions, right for files, too costly per
// packet).
struct Cursor {
  const std::uint8_t* p;
  std::size_t n;
  bool has(std::size_t k) const { return n >= k; }
  std::uint8_t u8(std::size_t at) const { return p[at]; }
  std::uint16_t u16(std::size_t at) const {
    return static_cast<std::uint16_t>(p[at] << 8 | p[at + 1]);
  }
  std::uint32_t u32(std::size_t at) const {
    return std::uint32_t{p[at]} << 24 | std::uint32_t{p[at + 1]} << 16 |
           std::uint32_t{p[at + 2]} << 8 | p[at + 3];
  }
  Cursor skip(std::size_t k) const { return {p + k, n - k}; }
  MacAddress mac(std::size_t at) const {
    MacAddress m;
    std::copy_n(p + at, 6, m.bytes.begin());
    return m;
  }
};

void decode_arp(Cursor c, DecodedFrame& f) {
  if (!c.has(28) || c.u16(0) != 1 || c.u16(2) != kEtherIpv4 || c.u8(4) != 6 || c.u8(5) != 4) return;
  f.kind = DecodedFrame::Kind::arp;
  f.arp_op = c.u16(6);
  f.arp_sender_mac = c.mac(8);
  std::copy_n(c.p + 14, 4, f.src.bytes.begin());
  f.arp_target_mac = c.mac(18);
  std::copy_n(c.p + 24, 4, f.dst.bytes.begin());
}

void decode_tcp(Cursor c, DecodedFrame& f) {
  if (!c.has(20)) return;
  const std::size_t header = static_cast<std::size_t>(c.u8(12) >> 4) * 4;
  if (header < 20) return;
  f.kind = DecodedFrame::Kind::tcp;
  f.src_port = c.u16(0);
  f.dst_port = c.u16(2);
  f.seq = c.u32(4);
  f.ack = c.u32(8);
  f.tcp_flags = c.u8(13);
  f.payload_length = c.n > header ? static_cast<std::uint32_t>(c.n - header) : 0;
}

// The packet an ICMP error quotes (RFC 792: the IP header and the first 8
// bytes of its payload; RFC 4443: as much as fits): its addresses, and the
// TCP ports and sequence number or the echo id and sequence that tie the
// error to a probe.
void decode_quoted(Cursor c, DecodedFrame& f, bool v6) {
  std::size_t header = 0;
  std::uint8_t proto = 0;
  if (!v6) {
    if (!c.has(20) || c.u8(0) >> 4 != 4) return;
    header = std::size_t{c.u8(0) & 0x0fu} * 4;
    if (header < 20 || (c.u16(6) & 0x1fff) != 0) return;
    proto = c.u8(9);
    std::copy_n(c.p + 12, 4, f.src.bytes.begin());
    std::copy_n(c.p + 16, 4, f.dst.bytes.begin());
  } else {
    if (!c.has(40) || c.u8(0) >> 4 != 6) return;
    header = 40;
    proto = c.u8(6);
    std::copy_n(c.p + 8, 16, f.src.bytes.begin());
    std::copy_n(c.p + 24, 16, f.dst.bytes.begin());
    f.src.v6 = f.dst.v6 = true;
  }
  if (!c.has(header + 8)) return;
  const Cursor t = c.skip(header);
  if (proto == kProtoTcp) {
    f.src_port = t.u16(0);
    f.dst_port = t.u16(2);
    f.seq = t.u32(4);
    f.unreachable_inner = DecodedFrame::Inner::tcp;
  } else if (proto == (v6 ? kProtoIcmpv6 : kProtoIcmp) && t.u8(0) == (v6 ? 128 : 8)) {
    f.echo_id = t.u16(4);
    f.echo_seq = t.u16(6);
    f.unreachable_inner = DecodedFrame::Inner::echo_request;
  } else {
    return;
  }
  f.kind = DecodedFrame::Kind::icmp_unreachable;
}

void decode_icmp(Cursor c, DecodedFrame& f, bool v6) {
  if (!c.has(8)) return;
  const auto type = c.u8(0);
  // Port or host unreachable: a refusal of the probe it quotes.
  const auto code = c.u8(1);
  constexpr std::uint8_t kV4Unreachable = 3, kV4Host = 1, kV4Port = 3;
  constexpr std::uint8_t kV6Unreachable = 1, kV6Address = 3, kV6Port = 4;
  if (v6 ? type == kV6Unreachable && (code == kV6Address || code == kV6Port)
         : type == kV4Unreachable && (code == kV4Host || code == kV4Port)) {
    DecodedFrame inner;
    decode_quoted(c.skip(8), inner, v6);
    if (inner.kind != DecodedFrame::Kind::icmp_unreachable) return;
    f.kind = inner.kind;
    f.unreachable_inner = inner.unreachable_inner;
    f.src = inner.src;
    f.dst = inner.dst;
    f.src_port = inner.src_port;
    f.dst_port = inner.dst_port;
    f.seq = inner.seq;
    f.echo_id = inner.echo_id;
    f.echo_seq = inner.echo_seq;
    return;
  }
  const std::uint8_t request = v6 ? 128 : 8;
  const std::uint8_t reply = v6 ? 129 : 0;
  if (type == request || type == reply) {
    f.kind = type == request ? DecodedFrame::Kind::icmp_echo_request
                             : DecodedFrame::Kind::icmp_echo_reply;
    f.echo_id = c.u16(4);
    f.echo_seq = c.u16(6);
    return;
  }
  constexpr std::uint8_t kNeighbourAdvert = 136;
  if (!v6 || type != kNeighbourAdvert || !c.has(24)) return;
  f.kind = DecodedFrame::Kind::ndp_na;
  f.na_solicited = (c.u8(4) & 0x40) != 0;
  f.na_override = (c.u8(4) & 0x20) != 0;
  std::copy_n(c.p + 8, 16, f.dst.bytes.begin());
  f.dst.v6 = true;
  // Options: type, length in units of 8 bytes (RFC 4861 4.6).
  for (auto o = c.skip(24); o.has(2);) {
    const std::size_t len = std::size_t{o.u8(1)} * 8;
    if (len == 0 || !o.has(len)) break;
    constexpr std::uint8_t kTargetLinkLayer = 2;
    if (o.u8(0) == kTargetLinkLayer && len >= 8) {
      f.na_mac = o.mac(2);
      f.na_has_mac = true;
    }
    o = o.skip(len);
  }
}

void decode_ipv4(Cursor c, DecodedFrame& f) {
  if (!c.has(20) || c.u8(0) >> 4 != 4) return;
  const std::size_t header = std::size_t{c.u8(0) & 0x0fu} * 4;
  const std::size_t total = c.u16(2);
  if (header < 20 || !c.has(header) || total < header) return;
  if ((c.u16(6) & 0x1fff) != 0) return;  // a later fragment: no transport header
  std::copy_n(c.p + 12, 4, f.src.bytes.begin());
  std::copy_n(c.p + 16, 4, f.dst.bytes.begin());
  // Ethernet pads short frames: the IP total length bounds the payload.
  Cursor payload{c.p + header, std::min(c.n, total) - header};
  const auto proto = c.u8(9);
  if (proto == kProtoTcp) decode_tcp(payload, f);
  if (proto == kProtoIcmp) decode_icmp(payload, f, false);
}

void decode_ipv6(Cursor c, DecodedFrame& f) {
  if (!c.has(40) || c.u8(0) >> 4 != 6) return;
  std::copy_n(c.p + 8, 16, f.src.bytes.begin());
  std::copy_n(c.p + 24, 16, f.dst.bytes.begin());
  f.src.v6 = f.dst.v6 = true;
  auto next = c.u8(6);
  Cursor payload{c.p + 40, std::min<std::size_t>(c.n - 40, c.u16(4))};
  for (int hops = 0; hops < 8; ++hops) {
    constexpr std::uint8_t kHopByHop = 0, kRouting = 43, kFragment = 44, kDestOptions = 60;
    if (next == kHopByHop || next == kRouting || next == kDestOptions) {
      if (!payload.has(2)) return;
      const std::size_t len = (std::size_t{payload.u8(1)} + 1) * 8;
      if (!payload.has(len)) return;
      next = payload.u8(0);
      payload = payload.skip(len);
    } else if (next == kFragment) {
      if (!payload.has(8) || (payload.u16(2) & 0xfff8) != 0) return;
      next = payload.u8(0);
      payload = payload.skip(8);
    } else {
      break;
    }
  }
  if (next == kProtoTcp) decode_tcp(payload, f);
  if (next == kProtoIcmpv6) {
    // The NA decoder overwrites dst with the target address.
    decode_icmp(payload, f, true);
  }
}

void decode_l3(std::uint16_t ethertype, Cursor c, DecodedFrame& f) {
  switch (ethertype) {
    case kEtherIpv4:
      decode_ipv4(c, f);
      break;
    case kEtherIpv6:
      decode_ipv6(c, f);
      break;
    case kEtherArp:
      decode_arp(c, f);
      break;
    default:
      break;
  }
}

}  // namespace

DecodedFrame decode_frame(std::uint32_t linktype, std::span<const std::uint8_t> frame) {
  DecodedFrame f;
  Cursor c{frame.data(), frame.size()};
  switch (static_cast<LinkType>(linktype)) {
    case LinkType::ethernet: {
      if (!c.has(14)) return f;
      f.src_mac = c.mac(6);
      f.has_mac = true;
      std::size_t at = 12;
      auto type = c.u16(at);
      while (type == kEtherVlan || type == kEtherQinQ || type == kEtherVlanOld) {
        at += 4;
        if (!c.has(at + 2)) return f;
        type = c.u16(at);
      }
      decode_l3(type, c.skip(at + 2), f);
      break;
    }
    case LinkType::linux_sll: {
      if (!c.has(16)) return f;
      constexpr std::uint16_t kArphrdEther = 1;
      if (c.u16(2) == kArphrdEther && c.u16(4) == 6) {
        f.src_mac = c.mac(6);
        f.has_mac = true;
      }
      decode_l3(c.u16(14), c.skip(16), f);
      break;
    }
    case LinkType::linux_sll2: {
      if (!c.has(20)) return f;
      constexpr std::uint16_t kArphrdEther = 1;
      if (c.u16(8) == kArphrdEther && c.u8(11) == 6) {
        f.src_mac = c.mac(12);
        f.has_mac = true;
      }
      decode_l3(c.u16(0), c.skip(20), f);
      break;
    }
    case LinkType::raw:
      if (!c.has(1)) return f;
      decode_l3(c.u8(0) >> 4 == 6 ? kEtherIpv6 : kEtherIpv4, c, f);
      break;
  }
  return f;
}

}  // namespace failover_hil::netlab
