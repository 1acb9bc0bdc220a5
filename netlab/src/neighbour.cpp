#include "failover_hil/netlab/neighbour.hpp"

#include <linux/neighbour.h>
#include <netlink/errno.h>

#include <array>
#include <cstring>

#include "failover_hil/netlab/link.hpp"
#include "nl_ptr.hpp"
#include "sys_error.hpp"

namespace failover_hil::netlab {

namespace {

std::optional<MacAddress> lookup(NetlinkSocket& nl, std::string_view link, nl_addr* ip,
                                 const std::string& ip_text) {
  const int ifindex = link_index(nl, link);
  nl_cache* raw = nullptr;
  if (const int err = rtnl_neigh_alloc_cache(nl.native(), &raw); err < 0)
    throw_nl("reading the neighbour table for " + ip_text + " in netns " + nl.netns_name(), err);
  const NlPtr<nl_cache> cache(raw);
  const NlPtr<rtnl_neigh> neigh(rtnl_neigh_get(cache.get(), ifindex, ip));
  if (!neigh) return std::nullopt;
  if ((rtnl_neigh_get_state(neigh.get()) & (NUD_INCOMPLETE | NUD_FAILED)) != 0) return std::nullopt;
  const nl_addr* ll = rtnl_neigh_get_lladdr(neigh.get());
  MacAddress mac;
  if (ll == nullptr || nl_addr_get_len(ll) != mac.bytes.size()) return std::nullopt;
  std::memcpy(mac.bytes.data(), nl_addr_get_binary_addr(ll), mac.bytes.size());
  return mac;
}

}  // namespace

std::optional<MacAddress> neighbour_mac(NetlinkSocket& nl, std::string_view link, Ipv4Address ip) {
  const std::array<std::uint8_t, 4> bytes{
      static_cast<std::uint8_t>(ip.value >> 24), static_cast<std::uint8_t>(ip.value >> 16),
      static_cast<std::uint8_t>(ip.value >> 8), static_cast<std::uint8_t>(ip.value)};
  const auto addr = nl_owned(nl_addr_build(AF_INET, bytes.data(), bytes.size()));
  return lookup(nl, link, addr.get(), ip.str());
}

void forget_neighbour(NetlinkSocket& nl, std::string_view link, Ipv4Address ip) {
  const std::array<std::uint8_t, 4> bytes{
      static_cast<std::uint8_t>(ip.value >> 24), static_cast<std::uint8_t>(ip.value >> 16),
      static_cast<std::uint8_t>(ip.value >> 8), static_cast<std::uint8_t>(ip.value)};
  const auto addr = nl_owned(nl_addr_build(AF_INET, bytes.data(), bytes.size()));
  const NlPtr<rtnl_neigh> neigh(rtnl_neigh_alloc());
  rtnl_neigh_set_ifindex(neigh.get(), link_index(nl, link));
  if (const int err = rtnl_neigh_set_dst(neigh.get(), addr.get()); err < 0)
    throw_nl("the neighbour entry for " + ip.str(), err);
  if (const int err = rtnl_neigh_delete(nl.native(), neigh.get(), 0);
      err < 0 && err != -NLE_OBJ_NOTFOUND)
    throw_nl("deleting the neighbour entry for " + ip.str() + " on " + std::string(link) +
                 " in netns " + nl.netns_name(),
             err);
}

std::optional<MacAddress> neighbour_mac(NetlinkSocket& nl, std::string_view link,
                                        const Ipv6Address& ip) {
  const auto addr = nl_owned(nl_addr_build(AF_INET6, ip.bytes.data(), ip.bytes.size()));
  return lookup(nl, link, addr.get(), ip.str());
}

}  // namespace failover_hil::netlab
