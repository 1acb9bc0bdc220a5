#include "failover_hil/netlab/dup_check.hpp"

#include <net/ethernet.h>

#include <algorithm>

#include "failover_hil/netlab/frames.hpp"
#include "packet_socket.hpp"

namespace failover_hil::netlab {

namespace {

// RFC 5227 2.1.1: a conflict is an ARP packet from another host whose sender
// IP is the address, or another host's probe for it.
bool answers_for(const ArpPacket& p, Ipv4Address ip, const MacAddress& own) {
  if (p.sender_mac == own) return false;
  if (p.sender_ip == ip) return true;
  return p.op == ArpOp::request && p.sender_ip.value == 0 && p.target_ip == ip;
}

}  // namespace

std::optional<MacAddress> find_duplicate(const Netns& ns, std::string_view link, Ipv4Address ip,
                                         const DupCheckOptions& options) {
  require_lab_address(ip, "checked address");
  if (options.probes < 1 || options.probes > 20)
    throw NetlabError("duplicate check: probes must be 1..20");
  if (options.interval.count() < 0 || options.wait.count() < 0)
    throw NetlabError("duplicate check: interval and wait must not be negative");
  PacketSocket sock(ns, link, ETHERTYPE_ARP);
  const auto probe = build_arp_probe(sock.mac(), ip);
  using Steady = std::chrono::steady_clock;
  for (int i = 0; i < options.probes; ++i) {
    sock.send(probe);
    const bool last = i + 1 == options.probes;
    const auto until = Steady::now() + (last ? options.wait : options.interval);
    for (auto now = Steady::now(); now < until; now = Steady::now()) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - now);
      const auto frame = sock.receive(std::max(left, std::chrono::milliseconds(1)));
      if (frame.empty()) continue;
      if (const auto arp = parse_arp_frame(frame); arp && answers_for(*arp, ip, sock.mac()))
        return arp->sender_mac;
    }
  }
  return std::nullopt;
}

}  // namespace failover_hil::netlab
