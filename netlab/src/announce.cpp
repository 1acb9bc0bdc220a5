#include "failover_hil/netlab/announce.hpp"

#include <net/ethernet.h>

#include <thread>

#include "failover_hil/netlab/frames.hpp"
#include "packet_socket.hpp"

namespace failover_hil::netlab {

namespace {

void check(const AnnounceOptions& o) {
  if (o.count < 1 || o.count > 100)
    throw NetlabError("announce: count must be 1..100, not " + std::to_string(o.count));
  if (o.interval.count() < 0 || o.interval > std::chrono::seconds(10))
    throw NetlabError("announce: the interval must be 0..10 s");
}

template <class Round>
void rounds(const AnnounceOptions& o, Round round) {
  for (int i = 0; i < o.count; ++i) {
    // Pacing, not waiting for a condition: the rounds are meant to be spaced.
    if (i > 0) std::this_thread::sleep_for(o.interval);
    round();
  }
}

}  // namespace

void announce_ipv4(const Netns& ns, std::string_view link, Ipv4Address ip,
                   const AnnounceOptions& options) {
  require_lab_address(ip, "announced address");
  check(options);
  PacketSocket sock(ns, link, ETHERTYPE_ARP);
  const auto request = build_gratuitous_arp(ArpOp::request, sock.mac(), ip);
  const auto reply = build_gratuitous_arp(ArpOp::reply, sock.mac(), ip);
  rounds(options, [&] {
    if (options.kind != GarpKind::reply) sock.send(request);
    if (options.kind != GarpKind::request) sock.send(reply);
  });
}

void announce_ipv6(const Netns& ns, std::string_view link, const Ipv6Address& ip,
                   const AnnounceOptions& options) {
  require_lab_address(ip, "announced address");
  check(options);
  PacketSocket sock(ns, link, ETHERTYPE_IPV6);
  const auto na = build_unsolicited_na(sock.mac(), ip);
  rounds(options, [&] { sock.send(na); });
}

}  // namespace failover_hil::netlab
