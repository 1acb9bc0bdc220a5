#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "failover_hil/netlab/decode.hpp"
#include "failover_hil/netlab/frames.hpp"
#include "failover_hil/netlab/mac.hpp"
#include "failover_hil/netlab/pcap_writer.hpp"

namespace failover_hil::netlab {

/// A host on the wire: its MAC and one address (IPv4 or IPv6).
struct WireHost {
  MacAddress mac;
  IpAddress ip;
};

/// An Ethernet frame carrying a TCP segment (no options; `payload` zero
/// bytes of data) from `from` to `to`, with valid IP and TCP checksums. IPv4
/// or IPv6 by the addresses. Pure.
std::vector<std::uint8_t> build_tcp_frame(const WireHost& from, const WireHost& to,
                                          std::uint16_t src_port, std::uint16_t dst_port,
                                          std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                                          std::uint16_t payload = 0);

/// An ICMP destination unreachable (IPv4 type 3, code 3 port or 1 host) or
/// ICMPv6 one (type 1, code 4 port or 3 address) from `from` to `to`,
/// quoting the IP header and first 8 transport bytes of `original` (an
/// Ethernet frame, as build_tcp_frame makes). Pure.
std::vector<std::uint8_t> build_unreachable_frame(const WireHost& from, const WireHost& to,
                                                  bool port_unreachable,
                                                  std::span<const std::uint8_t> original);

/// An Ethernet frame with an ICMP (IPv4) or ICMPv6 echo request or reply. Pure.
std::vector<std::uint8_t> build_echo_frame(const WireHost& from, const WireHost& to, bool request,
                                           std::uint16_t id, std::uint16_t seq);

/// The same packet as a Linux cooked (SLL v1) capture shows it: the Ethernet
/// header replaced by the 16-byte SLL header with the source MAC. Pure.
std::vector<std::uint8_t> ethernet_to_linux_sll(std::span<const std::uint8_t> frame);

/// What the site does with one probe of a ProbeScript.
struct ProbeAnswer {
  /// `none`: no answer; `not_sent`: the SYN is not in the capture either (a
  /// prober that skipped it, a capture that lost it); `*_unreachable`: an
  /// ICMP error from the site's address quoting the SYN.
  enum class Kind { syn_ack, rst, none, not_sent, port_unreachable, host_unreachable };
  Kind kind = Kind::syn_ack;
  MacAddress answerer;          ///< source MAC of the answer
  std::int64_t delay_ns = -1;   ///< answer delay; -1: the script's rtt
  int syn_retransmissions = 0;  ///< the client retransmits the SYN this often (1 s apart)
  int duplicate_answers = 0;    ///< the answer is sent this many extra times (1 ms apart)
};

/// Synthetic traffic with exactly known timestamps, for tests and benchmarks:
/// frames are collected, then written sorted by timestamp (stable).
class SyntheticTraffic {
 public:
  void add(std::int64_t ts, std::vector<std::uint8_t> frame);

  /// TCP connect probes from `client` to `site`:`port`, `count` of them
  /// `interval_ns` apart from `start_ns`; probe i uses source port
  /// 20000 + i % 40000 and ISN 1000 * i + 7, and is answered as `answer(i)`
  /// says.
  struct ProbeScript {
    WireHost client;
    WireHost site;
    std::uint16_t port = 443;
    std::int64_t start_ns = 0;
    std::int64_t interval_ns = 10'000'000;
    std::int64_t rtt_ns = 200'000;
    int count = 0;
  };
  void probes(const ProbeScript& script, const std::function<ProbeAnswer(int)>& answer);

  void gratuitous_arp(std::int64_t ts, ArpOp op, const MacAddress& mac, Ipv4Address ip);
  /// An ARP reply from `mac` claiming `ip`, to `to`.
  void arp_reply(std::int64_t ts, const MacAddress& mac, Ipv4Address ip, const WireHost& to);
  void unsolicited_na(std::int64_t ts, const MacAddress& mac, const Ipv6Address& ip);

  /// Writes the frames sorted by timestamp; LinkType::linux_sll converts each.
  void write(const std::string& path, CaptureFormat format = CaptureFormat::pcap_nanosecond,
             LinkType linktype = LinkType::ethernet);
  std::vector<std::pair<std::int64_t, std::vector<std::uint8_t>>> sorted() const;

 private:
  std::vector<std::pair<std::int64_t, std::vector<std::uint8_t>>> frames_;
};

}  // namespace failover_hil::netlab
