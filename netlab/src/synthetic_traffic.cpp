#include "failover_hil/netlab/synthetic_traffic.hpp"

#include <algorithm>

namespace failover_hil::netlab {

namespace {

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(v >> s));
}
void set16(std::vector<std::uint8_t>& out, std::size_t at, std::uint16_t v) {
  out[at] = static_cast<std::uint8_t>(v >> 8);
  out[at + 1] = static_cast<std::uint8_t>(v);
}

std::uint32_t sum16(std::span<const std::uint8_t> b, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < b.size(); i += 2)
    sum += static_cast<std::uint32_t>(b[i] << 8 | b[i + 1]);
  if (b.size() % 2 != 0) sum += static_cast<std::uint32_t>(b.back() << 8);
  return sum;
}
std::uint16_t fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

std::size_t addr_len(const IpAddress& a) {
  return a.v6 ? 16 : 4;
}

// Ethernet + IP header around `l4`, with the transport checksum at
// `checksum_at` inside l4 computed over the pseudo header (none for ICMPv4).
std::vector<std::uint8_t> ip_frame(const WireHost& from, const WireHost& to, std::uint8_t proto,
                                   std::vector<std::uint8_t> l4, std::size_t checksum_at,
                                   bool pseudo) {
  std::uint32_t sum = 0;
  if (pseudo) {
    sum = sum16(std::span(from.ip.bytes.data(), addr_len(from.ip)));
    sum = sum16(std::span(to.ip.bytes.data(), addr_len(to.ip)), sum);
    sum += proto;
    sum += static_cast<std::uint32_t>(l4.size());
  }
  set16(l4, checksum_at, fold(sum16(l4, sum)));

  std::vector<std::uint8_t> f;
  f.insert(f.end(), to.mac.bytes.begin(), to.mac.bytes.end());
  f.insert(f.end(), from.mac.bytes.begin(), from.mac.bytes.end());
  if (from.ip.v6) {
    put16(f, 0x86dd);
    put32(f, 0x60000000);
    put16(f, static_cast<std::uint16_t>(l4.size()));
    f.push_back(proto);
    f.push_back(64);
    f.insert(f.end(), from.ip.bytes.begin(), from.ip.bytes.end());
    f.insert(f.end(), to.ip.bytes.begin(), to.ip.bytes.end());
  } else {
    put16(f, 0x0800);
    const auto ip_at = f.size();
    f.push_back(0x45);
    f.push_back(0);
    put16(f, static_cast<std::uint16_t>(20 + l4.size()));
    put16(f, 0);       // identification
    put16(f, 0x4000);  // don't fragment
    f.push_back(64);
    f.push_back(proto);
    put16(f, 0);
    f.insert(f.end(), from.ip.bytes.begin(), from.ip.bytes.begin() + 4);
    f.insert(f.end(), to.ip.bytes.begin(), to.ip.bytes.begin() + 4);
    set16(f, ip_at + 10, fold(sum16(std::span(f.data() + ip_at, 20))));
  }
  f.insert(f.end(), l4.begin(), l4.end());
  f.resize(std::max(f.size(), kMinEthernetFrame), 0);
  return f;
}

}  // namespace

std::vector<std::uint8_t> build_tcp_frame(const WireHost& from, const WireHost& to,
                                          std::uint16_t src_port, std::uint16_t dst_port,
                                          std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                                          std::uint16_t payload) {
  std::vector<std::uint8_t> tcp;
  put16(tcp, src_port);
  put16(tcp, dst_port);
  put32(tcp, seq);
  put32(tcp, ack);
  tcp.push_back(5 << 4);
  tcp.push_back(flags);
  put16(tcp, 64240);  // window
  put16(tcp, 0);      // checksum
  put16(tcp, 0);      // urgent
  tcp.resize(tcp.size() + payload, 'x');
  return ip_frame(from, to, 6, std::move(tcp), 16, true);
}

std::vector<std::uint8_t> build_unreachable_frame(const WireHost& from, const WireHost& to,
                                                  bool port_unreachable,
                                                  std::span<const std::uint8_t> original) {
  const bool v6 = from.ip.v6;
  std::vector<std::uint8_t> icmp;
  icmp.push_back(v6 ? 1 : 3);
  icmp.push_back(v6 ? (port_unreachable ? 4 : 3) : (port_unreachable ? 3 : 1));
  put16(icmp, 0);
  put32(icmp, 0);  // unused
  // The original IP header (no options here) and 8 bytes of its payload.
  const std::size_t quoted = 14 + (v6 ? 40 : 20) + 8;
  if (original.size() >= quoted)
    icmp.insert(icmp.end(), original.begin() + 14, original.begin() + quoted);
  return ip_frame(from, to, v6 ? 58 : 1, std::move(icmp), 2, v6);
}

std::vector<std::uint8_t> build_echo_frame(const WireHost& from, const WireHost& to, bool request,
                                           std::uint16_t id, std::uint16_t seq) {
  const bool v6 = from.ip.v6;
  std::vector<std::uint8_t> icmp;
  icmp.push_back(static_cast<std::uint8_t>(v6 ? (request ? 128 : 129) : (request ? 8 : 0)));
  icmp.push_back(0);
  put16(icmp, 0);
  put16(icmp, id);
  put16(icmp, seq);
  for (std::uint8_t i = 0; i < 8; ++i) icmp.push_back(i);
  return ip_frame(from, to, v6 ? 58 : 1, std::move(icmp), 2, v6);
}

std::vector<std::uint8_t> ethernet_to_linux_sll(std::span<const std::uint8_t> frame) {
  std::vector<std::uint8_t> out;
  if (frame.size() < 14) return out;
  put16(out, 0);  // packet type: to us
  put16(out, 1);  // ARPHRD_ETHER
  put16(out, 6);
  out.insert(out.end(), frame.begin() + 6, frame.begin() + 12);
  put16(out, 0);
  out.insert(out.end(), frame.begin() + 12, frame.end());
  return out;
}

void SyntheticTraffic::add(std::int64_t ts, std::vector<std::uint8_t> frame) {
  frames_.emplace_back(ts, std::move(frame));
}

void SyntheticTraffic::probes(const ProbeScript& s, const std::function<ProbeAnswer(int)>& answer) {
  using namespace tcp_flag;
  for (int i = 0; i < s.count; ++i) {
    const std::int64_t sent = s.start_ns + s.interval_ns * i;
    const auto sport = static_cast<std::uint16_t>(20000 + i % 40000);
    const auto isn = static_cast<std::uint32_t>(1000u * static_cast<std::uint32_t>(i) + 7u);
    const ProbeAnswer a = answer(i);
    if (a.kind == ProbeAnswer::Kind::not_sent) continue;
    const auto syn_frame = build_tcp_frame(s.client, s.site, sport, s.port, isn, 0, syn);
    add(sent, syn_frame);
    for (int r = 1; r <= a.syn_retransmissions; ++r)
      add(sent + std::int64_t{1'000'000'000} * r, syn_frame);
    if (a.kind == ProbeAnswer::Kind::none) continue;
    const WireHost from{a.answerer, s.site.ip};
    const std::int64_t at = sent + (a.delay_ns >= 0 ? a.delay_ns : s.rtt_ns);
    if (a.kind == ProbeAnswer::Kind::port_unreachable ||
        a.kind == ProbeAnswer::Kind::host_unreachable) {
      add(at, build_unreachable_frame(from, s.client, a.kind == ProbeAnswer::Kind::port_unreachable,
                                      syn_frame));
      continue;
    }
    const auto frame = a.kind == ProbeAnswer::Kind::syn_ack
                           ? build_tcp_frame(from, s.client, s.port, sport, 555, isn + 1, syn | ack)
                           : build_tcp_frame(from, s.client, s.port, sport, 0, isn + 1, rst | ack);
    add(at, frame);
    for (int d = 1; d <= a.duplicate_answers; ++d) add(at + 1'000'000 * d, frame);
  }
}

void SyntheticTraffic::gratuitous_arp(std::int64_t ts, ArpOp op, const MacAddress& mac,
                                      Ipv4Address ip) {
  add(ts, build_gratuitous_arp(op, mac, ip));
}

void SyntheticTraffic::arp_reply(std::int64_t ts, const MacAddress& mac, Ipv4Address ip,
                                 const WireHost& to) {
  std::vector<std::uint8_t> f;
  f.insert(f.end(), to.mac.bytes.begin(), to.mac.bytes.end());
  f.insert(f.end(), mac.bytes.begin(), mac.bytes.end());
  put16(f, 0x0806);
  put16(f, 1);
  put16(f, 0x0800);
  f.push_back(6);
  f.push_back(4);
  put16(f, 2);
  f.insert(f.end(), mac.bytes.begin(), mac.bytes.end());
  put32(f, ip.value);
  f.insert(f.end(), to.mac.bytes.begin(), to.mac.bytes.end());
  f.insert(f.end(), to.ip.bytes.begin(), to.ip.bytes.begin() + 4);
  f.resize(kMinEthernetFrame, 0);
  add(ts, std::move(f));
}

void SyntheticTraffic::unsolicited_na(std::int64_t ts, const MacAddress& mac,
                                      const Ipv6Address& ip) {
  add(ts, build_unsolicited_na(mac, ip));
}

std::vector<std::pair<std::int64_t, std::vector<std::uint8_t>>> SyntheticTraffic::sorted() const {
  auto out = frames_;
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

void SyntheticTraffic::write(const std::string& path, CaptureFormat format, LinkType linktype) {
  PcapWriter w(path, linktype, format);
  for (const auto& [ts, frame] : sorted()) {
    if (linktype == LinkType::linux_sll)
      w.write(ts, ethernet_to_linux_sll(frame));
    else
      w.write(ts, frame);
  }
  w.close();
}

}  // namespace failover_hil::netlab
