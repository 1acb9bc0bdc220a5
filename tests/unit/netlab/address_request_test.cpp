#include <gtest/gtest.h>

#include <cstring>

#include "failover_hil/netlab/address_ops.hpp"

namespace failover_hil::netlab {
namespace {

// Netlink is host byte order.
template <class T>
T read_at(const std::vector<std::uint8_t>& b, std::size_t at) {
  T v{};
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}

constexpr std::uint16_t kNewAddr = 20;  // RTM_NEWADDR
constexpr std::uint16_t kDelAddr = 21;  // RTM_DELADDR
constexpr std::uint16_t kCreateExcl = 0x400 | 0x200;
constexpr std::uint16_t kIfaLocal = 2;
constexpr std::uint8_t kNoDad = 0x02;  // IFA_F_NODAD

// The payload of the first attribute of `type` after the ifaddrmsg, or empty.
std::vector<std::uint8_t> attribute(const std::vector<std::uint8_t>& m, std::uint16_t type) {
  for (std::size_t at = 16 + 8; at + 4 <= m.size();) {
    const auto len = read_at<std::uint16_t>(m, at);
    if (len < 4) break;
    if (read_at<std::uint16_t>(m, at + 2) == type)
      return {m.begin() + static_cast<std::ptrdiff_t>(at + 4),
              m.begin() + static_cast<std::ptrdiff_t>(at + len)};
    at += (len + 3u) & ~3u;
  }
  return {};
}

TEST(AddressRequest, Ipv4AddIsNewAddrCreateExclusive) {
  const InterfaceAddress a{Ipv4Address::parse("198.18.0.10"), 24};
  const auto m = build_address_request(7, a, true);
  ASSERT_GE(m.size(), 24u);
  EXPECT_EQ(read_at<std::uint32_t>(m, 0), m.size()) << "nlmsg_len";
  EXPECT_EQ(read_at<std::uint16_t>(m, 4), kNewAddr);
  EXPECT_EQ(read_at<std::uint16_t>(m, 6) & kCreateExcl, kCreateExcl);
  EXPECT_EQ(m[16], 2) << "AF_INET";
  EXPECT_EQ(m[17], 24) << "prefix length";
  EXPECT_EQ(m[18] & kNoDad, 0) << "DAD flags are IPv6's";
  EXPECT_EQ(read_at<std::int32_t>(m, 20), 7) << "ifindex";
  EXPECT_EQ(attribute(m, kIfaLocal), (std::vector<std::uint8_t>{198, 18, 0, 10}));
}

TEST(AddressRequest, Ipv6AddCarriesNoDad) {
  const InterfaceAddress a{Ipv6Address::parse("fd00:198:18::10"), 64};
  const auto m = build_address_request(3, a, true);
  ASSERT_GE(m.size(), 24u);
  EXPECT_EQ(read_at<std::uint16_t>(m, 4), kNewAddr);
  EXPECT_EQ(m[16], 10) << "AF_INET6";
  EXPECT_EQ(m[17], 64);
  EXPECT_EQ(m[18] & kNoDad, kNoDad) << "no duplicate address detection delay";
  const auto ip = Ipv6Address::parse("fd00:198:18::10");
  EXPECT_EQ(attribute(m, kIfaLocal), std::vector<std::uint8_t>(ip.bytes.begin(), ip.bytes.end()));
}

TEST(AddressRequest, RemoveIsDelAddr) {
  const InterfaceAddress a{Ipv4Address::parse("198.18.0.10"), 24};
  const auto m = build_address_request(7, a, false);
  EXPECT_EQ(read_at<std::uint16_t>(m, 4), kDelAddr);
}

TEST(AddressRequest, OnlyLabAddressesAndSanePrefixes) {
  EXPECT_THROW(build_address_request(1, {Ipv4Address::parse("10.0.0.1"), 24}, true), NetlabError);
  EXPECT_THROW(build_address_request(1, {Ipv6Address::parse("2001:db8::1"), 64}, true),
               NetlabError);
  EXPECT_THROW(build_address_request(1, {Ipv4Address::parse("198.18.0.1"), 33}, true), NetlabError);
  EXPECT_EQ((InterfaceAddress{Ipv4Address::parse("198.18.0.1"), 15}.str()), "198.18.0.1/15");
}

}  // namespace
}  // namespace failover_hil::netlab
