#include "failover_hil/netlab/mac.hpp"

#include "failover_hil/netlab/error.hpp"

namespace failover_hil::netlab {

namespace {
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

MacAddress MacAddress::parse(std::string_view text) {
  MacAddress mac;
  if (text.size() != 17)
    throw NetlabError("'" + std::string(text) + "' is not a MAC address (aa:bb:cc:dd:ee:ff)");
  for (std::size_t i = 0; i < 6; ++i) {
    const int hi = hex_digit(text[i * 3]);
    const int lo = hex_digit(text[i * 3 + 1]);
    if (hi < 0 || lo < 0 || (i < 5 && text[i * 3 + 2] != ':'))
      throw NetlabError("'" + std::string(text) + "' is not a MAC address (aa:bb:cc:dd:ee:ff)");
    mac.bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return mac;
}

std::string MacAddress::str() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0) out += ':';
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0xf];
  }
  return out;
}

}  // namespace failover_hil::netlab
