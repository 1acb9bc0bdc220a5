#include "failover_hil/netlab/address.hpp"

#include <charconv>

namespace failover_hil::netlab {

namespace {
std::uint32_t mask(int length) {
  return length == 0 ? 0u : ~std::uint32_t{0} << (32 - length);
}
}  // namespace

Ipv4Address Ipv4Address::parse(std::string_view text) {
  std::uint32_t v = 0;
  std::string_view rest = text;
  for (int i = 0; i < 4; ++i) {
    const auto dot = rest.find('.');
    if ((i < 3) == (dot == std::string_view::npos))
      throw NetlabError("'" + std::string(text) + "' is not an IPv4 address (a.b.c.d)");
    const auto part = rest.substr(0, dot);
    unsigned octet = 256;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), octet);
    if (part.empty() || part.size() > 3 || ec != std::errc{} || end != part.data() + part.size() ||
        octet > 255)
      throw NetlabError("'" + std::string(text) + "' is not an IPv4 address (octet '" +
                        std::string(part) + "')");
    v = (v << 8) | octet;
    rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
  }
  return Ipv4Address{v};
}

std::string Ipv4Address::str() const {
  return std::to_string(value >> 24) + "." + std::to_string((value >> 16) & 0xff) + "." +
         std::to_string((value >> 8) & 0xff) + "." + std::to_string(value & 0xff);
}

Ipv4Prefix Ipv4Prefix::parse(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos)
    throw NetlabError("'" + std::string(text) + "' is not a prefix (a.b.c.d/len)");
  const auto addr = Ipv4Address::parse(text.substr(0, slash));
  const auto len_text = text.substr(slash + 1);
  int len = -1;
  auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
  if (ec != std::errc{} || end != len_text.data() + len_text.size() || len < 0 || len > 32)
    throw NetlabError("'" + std::string(text) + "': the prefix length must be 0..32");
  if ((addr.value & ~mask(len)) != 0)
    throw NetlabError("'" + std::string(text) + "' has host bits set; did you mean " +
                      Ipv4Address{addr.value & mask(len)}.str() + "/" + std::to_string(len) + "?");
  return {addr, len};
}

bool Ipv4Prefix::contains(Ipv4Address a) const {
  return (a.value & mask(length)) == network.value;
}

bool Ipv4Prefix::contains(const Ipv4Prefix& p) const {
  return p.length >= length && contains(p.network);
}

Ipv4Address Ipv4Prefix::at(std::uint32_t n) const {
  if (length < 32 && n >= (std::uint32_t{1} << (32 - length)))
    throw NetlabError("address #" + std::to_string(n) + " lies outside " + str());
  return Ipv4Address{network.value + n};
}

std::string Ipv4Prefix::str() const {
  return network.str() + "/" + std::to_string(length);
}

Ipv4Prefix lab_range() {
  return {Ipv4Address{(198u << 24) | (18u << 16)}, 15};
}

void require_lab_address(Ipv4Address a, std::string_view what) {
  if (!lab_range().contains(a))
    throw NetlabError(std::string(what) + " " + a.str() + " lies outside the lab range " +
                      lab_range().str() + "; the lab only uses addresses of that range");
}

}  // namespace failover_hil::netlab
