#include "failover_hil/netlab/icmp_echo.hpp"

namespace failover_hil::netlab {

namespace {

constexpr std::size_t kHeader = 8;
constexpr std::size_t kPayload = 16;

void put_be(std::vector<std::uint8_t>& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint64_t get_be(std::span<const std::uint8_t> b, std::size_t at, std::size_t bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < bytes; ++i) v = (v << 8) | b[at + i];
  return v;
}

}  // namespace

std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2)
    sum += static_cast<std::uint32_t>(bytes[i] << 8 | bytes[i + 1]);
  if (bytes.size() % 2 != 0) sum += static_cast<std::uint32_t>(bytes.back() << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::vector<std::uint8_t> build_icmp_echo_request(const IcmpEcho& echo) {
  std::vector<std::uint8_t> out;
  out.reserve(kHeader + kPayload);
  out.push_back(8);  // echo request
  out.push_back(0);
  put_be(out, 0, 2);  // checksum, set below
  put_be(out, echo.id, 2);
  put_be(out, echo.seq & 0xffff, 2);
  put_be(out, echo.nonce, 8);
  put_be(out, echo.seq, 8);
  const auto sum = internet_checksum(out);
  out[2] = static_cast<std::uint8_t>(sum >> 8);
  out[3] = static_cast<std::uint8_t>(sum & 0xff);
  return out;
}

std::optional<IcmpEcho> parse_icmp_echo_reply(std::span<const std::uint8_t> bytes) {
  // A raw socket hands over the IPv4 header too (version 4, protocol 1).
  if (!bytes.empty() && (bytes[0] >> 4) == 4) {
    const std::size_t ihl = std::size_t{bytes[0] & 0x0fu} * 4;
    if (ihl < 20 || bytes.size() < ihl || bytes[9] != 1) return std::nullopt;
    bytes = bytes.subspan(ihl);
  }
  if (bytes.size() < kHeader + kPayload) return std::nullopt;
  if (bytes[0] != 0 || bytes[1] != 0) return std::nullopt;
  if (internet_checksum(bytes) != 0) return std::nullopt;
  IcmpEcho e;
  e.id = static_cast<std::uint16_t>(get_be(bytes, 4, 2));
  e.nonce = get_be(bytes, kHeader, 8);
  e.seq = get_be(bytes, kHeader + 8, 8);
  if ((e.seq & 0xffff) != get_be(bytes, 6, 2)) return std::nullopt;
  return e;
}

}  // namespace failover_hil::netlab
