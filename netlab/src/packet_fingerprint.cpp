#include "packet_fingerprint.hpp"

#include <cstring>

namespace failover_hil::netlab {

namespace {

struct FingerprintMixer {
  std::uint64_t h = 0x243f6a8885a308d3ull;
  void add(std::uint64_t x) { h = (h ^ x) * 0xff51afd7ed558ccdull; }
  void add(const IpAddress& ip) {
    std::uint64_t w[2];
    std::memcpy(w, ip.bytes.data(), 16);
    add(w[0]);
    add(w[1]);
  }
  void add(const MacAddress& m) {
    std::uint64_t w = 0;
    std::memcpy(&w, m.bytes.data(), 6);
    add(w);
  }
  std::uint64_t done() const {
    const auto x = h ^ (h >> 31);
    return x == ~std::uint64_t{0} ? x - 1 : x;  // never FlatU64Map::kEmpty
  }
};

}  // namespace

std::optional<std::uint64_t> packet_fingerprint(const DecodedFrame& f) {
  FingerprintMixer m;
  m.add(static_cast<std::uint64_t>(f.kind));
  switch (f.kind) {
    case DecodedFrame::Kind::other:
      return std::nullopt;
    case DecodedFrame::Kind::tcp:
      m.add(f.src);
      m.add(f.dst);
      m.add(std::uint64_t{f.src_port} << 16 | f.dst_port);
      m.add(std::uint64_t{f.seq} << 32 | f.ack);
      m.add(std::uint64_t{f.tcp_flags} << 32 | f.payload_length);
      break;
    case DecodedFrame::Kind::icmp_echo_request:
    case DecodedFrame::Kind::icmp_echo_reply:
      m.add(f.src);
      m.add(f.dst);
      m.add(std::uint64_t{f.echo_id} << 16 | f.echo_seq);
      break;
    case DecodedFrame::Kind::icmp_unreachable:
      m.add(f.src);
      m.add(f.dst);
      m.add(std::uint64_t{f.src_port} << 16 | f.dst_port);
      m.add(std::uint64_t{f.seq} << 32 | std::uint64_t{f.echo_id} << 16 | f.echo_seq);
      break;
    case DecodedFrame::Kind::arp:
      m.add(f.src);
      m.add(f.dst);
      m.add(f.arp_sender_mac);
      m.add(f.arp_op);
      break;
    case DecodedFrame::Kind::ndp_na:
      m.add(f.src);
      m.add(f.dst);
      m.add(f.na_has_mac ? f.na_mac : f.src_mac);
      m.add(std::uint64_t{f.na_solicited} << 1 | f.na_override);
      break;
  }
  return m.done();
}

std::uint64_t direction_of(const DecodedFrame& f) {
  FingerprintMixer m;
  m.add(f.src);
  m.add(f.dst);
  return m.done();
}

}  // namespace failover_hil::netlab
