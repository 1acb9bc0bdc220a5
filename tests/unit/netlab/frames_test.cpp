#include "failover_hil/netlab/frames.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace failover_hil::netlab {
namespace {

const MacAddress kMac = MacAddress::parse("02:00:5e:12:34:56");
const Ipv4Address kShared = Ipv4Address::parse("198.18.0.10");

std::vector<std::uint8_t> bytes(std::initializer_list<int> list) {
  std::vector<std::uint8_t> out;
  for (int b : list) out.push_back(static_cast<std::uint8_t>(b));
  return out;
}

std::vector<std::uint8_t> slice(const std::vector<std::uint8_t>& f, std::size_t at, std::size_t n) {
  return {f.begin() + static_cast<std::ptrdiff_t>(at),
          f.begin() + static_cast<std::ptrdiff_t>(at + n)};
}

TEST(Frames, GratuitousArpRequestBytes) {
  const auto f = build_gratuitous_arp(ArpOp::request, kMac, kShared);
  ASSERT_EQ(f.size(), kMinEthernetFrame);
  EXPECT_EQ(slice(f, 0, 6), bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff})) << "broadcast";
  EXPECT_EQ(slice(f, 6, 6), bytes({0x02, 0x00, 0x5e, 0x12, 0x34, 0x56}));
  EXPECT_EQ(slice(f, 12, 2), bytes({0x08, 0x06})) << "ethertype ARP";
  EXPECT_EQ(slice(f, 14, 6), bytes({0x00, 0x01, 0x08, 0x00, 6, 4})) << "Ethernet/IPv4";
  EXPECT_EQ(slice(f, 20, 2), bytes({0x00, 0x01})) << "opcode request";
  EXPECT_EQ(slice(f, 22, 6), slice(f, 6, 6)) << "sender MAC";
  EXPECT_EQ(slice(f, 28, 4), bytes({198, 18, 0, 10})) << "sender IP";
  EXPECT_EQ(slice(f, 32, 6), bytes({0, 0, 0, 0, 0, 0})) << "target MAC";
  EXPECT_EQ(slice(f, 38, 4), bytes({198, 18, 0, 10})) << "target IP = sender IP";
  EXPECT_EQ(slice(f, 42, 18), std::vector<std::uint8_t>(18, 0)) << "zero padding";
}

TEST(Frames, GratuitousArpReplyCarriesOwnMacAsTarget) {
  const auto f = build_gratuitous_arp(ArpOp::reply, kMac, kShared);
  EXPECT_EQ(slice(f, 20, 2), bytes({0x00, 0x02})) << "opcode reply";
  EXPECT_EQ(slice(f, 32, 6), slice(f, 22, 6)) << "Linux needs tha == sha for a gratuitous reply";
  const auto parsed = parse_arp_frame(f);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, (ArpPacket{ArpOp::reply, kMac, kShared, kMac, kShared}));
}

TEST(Frames, ArpProbeHasZeroSenderIp) {
  const auto f = build_arp_probe(kMac, kShared);
  EXPECT_EQ(slice(f, 0, 6), bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  const auto parsed = parse_arp_frame(f);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->op, ArpOp::request);
  EXPECT_EQ(parsed->sender_mac, kMac);
  EXPECT_EQ(parsed->sender_ip.value, 0u) << "RFC 5227 probe";
  EXPECT_EQ(parsed->target_mac, MacAddress{});
  EXPECT_EQ(parsed->target_ip, kShared);
}

TEST(Frames, ParseRejectsOtherFramesAndTruncation) {
  auto f = build_gratuitous_arp(ArpOp::request, kMac, kShared);
  EXPECT_FALSE(parse_arp_frame(std::span(f).first(41))) << "truncated";
  auto other = f;
  other[12] = 0x86;
  other[13] = 0xdd;
  EXPECT_FALSE(parse_arp_frame(other)) << "not ARP";
  auto bad_op = f;
  bad_op[21] = 9;
  EXPECT_FALSE(parse_arp_frame(bad_op));
  EXPECT_FALSE(parse_arp_frame({}));
}

TEST(Frames, UnsolicitedNeighbourAdvertisementBytes) {
  const auto ip = Ipv6Address::parse("fd00:198:18::10");
  const auto f = build_unsolicited_na(kMac, ip);
  ASSERT_EQ(f.size(), 14u + 40u + 32u);
  EXPECT_EQ(slice(f, 0, 6), bytes({0x33, 0x33, 0, 0, 0, 1})) << "all-nodes multicast MAC";
  EXPECT_EQ(slice(f, 6, 6), bytes({0x02, 0x00, 0x5e, 0x12, 0x34, 0x56}));
  EXPECT_EQ(slice(f, 12, 2), bytes({0x86, 0xdd})) << "ethertype IPv6";
  EXPECT_EQ(f[14] >> 4, 6) << "IP version";
  EXPECT_EQ(slice(f, 18, 2), bytes({0, 32})) << "payload length";
  EXPECT_EQ(f[20], 58) << "next header ICMPv6";
  EXPECT_EQ(f[21], 255) << "hop limit";
  EXPECT_EQ(slice(f, 22, 16), std::vector<std::uint8_t>(ip.bytes.begin(), ip.bytes.end()));
  const auto all_nodes = Ipv6Address::parse("ff02::1");
  EXPECT_EQ(slice(f, 38, 16),
            std::vector<std::uint8_t>(all_nodes.bytes.begin(), all_nodes.bytes.end()));
  const std::size_t icmp = 54;
  EXPECT_EQ(f[icmp], 136) << "neighbour advertisement";
  EXPECT_EQ(f[icmp + 1], 0) << "code";
  EXPECT_EQ(f[icmp + 4], 0x20) << "Override only: not Router, not Solicited";
  EXPECT_EQ(slice(f, icmp + 8, 16), slice(f, 22, 16)) << "target = announced address";
  EXPECT_EQ(slice(f, icmp + 24, 2), bytes({2, 1})) << "target link-layer address option";
  EXPECT_EQ(slice(f, icmp + 26, 6), bytes({0x02, 0x00, 0x5e, 0x12, 0x34, 0x56}));
  // A correct checksum makes the sum over pseudo-header and message zero.
  const std::vector<std::uint8_t> message(f.begin() + icmp, f.end());
  EXPECT_EQ(icmpv6_checksum(ip, all_nodes, message), 0);
}

TEST(Frames, Icmpv6ChecksumMatchesAKnownValue) {
  // RFC 1071's example words, summed as a message with zero addresses:
  // 0x0001 + 0xf203 + 0xf4f5 + 0xf6f7 + length 8 + next header 58.
  const Ipv6Address zero{};
  const auto message = bytes({0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7});
  std::uint32_t sum = 0x0001 + 0xf203 + 0xf4f5 + 0xf6f7 + 8 + 58;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  EXPECT_EQ(icmpv6_checksum(zero, zero, message), static_cast<std::uint16_t>(~sum & 0xffff));
}

}  // namespace
}  // namespace failover_hil::netlab
