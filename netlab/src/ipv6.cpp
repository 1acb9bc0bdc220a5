#include "failover_hil/netlab/ipv6.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "failover_hil/netlab/error.hpp"

namespace failover_hil::netlab {

Ipv6Address Ipv6Address::parse(std::string_view text) {
  Ipv6Address a;
  const std::string s(text);
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1)
    throw NetlabError("'" + s + "' is not an IPv6 address");
  return a;
}

std::string Ipv6Address::str() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

Ipv6Address lab_ipv6_network() {
  return Ipv6Address::parse("fd00:198:18::");
}

void require_lab_address(const Ipv6Address& a, std::string_view what) {
  const auto net = lab_ipv6_network();
  if (!std::equal(a.bytes.begin(), a.bytes.begin() + kLabIpv6PrefixLength / 8, net.bytes.begin()))
    throw NetlabError(std::string(what) + " " + a.str() + " lies outside the lab's IPv6 range " +
                      net.str() + "/" + std::to_string(kLabIpv6PrefixLength) +
                      "; the lab only uses addresses of that range");
}

}  // namespace failover_hil::netlab
