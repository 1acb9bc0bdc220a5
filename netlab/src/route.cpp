#include "failover_hil/netlab/route.hpp"

#include <linux/rtnetlink.h>
#include <netlink/route/nexthop.h>

#include <array>
#include <iostream>

#include "nl_ptr.hpp"
#include "sys_error.hpp"

namespace failover_hil::netlab {

namespace {

NlPtr<nl_addr> v4_addr(Ipv4Address a, int prefix_length) {
  const std::array<std::uint8_t, 4> bytes{
      static_cast<std::uint8_t>(a.value >> 24), static_cast<std::uint8_t>(a.value >> 16),
      static_cast<std::uint8_t>(a.value >> 8), static_cast<std::uint8_t>(a.value)};
  auto addr = nl_owned(nl_addr_build(AF_INET, bytes.data(), bytes.size()));
  nl_addr_set_prefixlen(addr.get(), prefix_length);
  return addr;
}

std::string describe(const Ipv4Route& r) {
  return (r.destination.length == 0 ? std::string("default") : r.destination.str()) + " via " +
         r.gateway.str();
}

NlPtr<rtnl_route> make_route(const Ipv4Route& r) {
  require_lab_address(r.gateway, "gateway");
  if (r.destination.length > 0) require_lab_address(r.destination.network, "route destination");
  auto route = nl_owned(rtnl_route_alloc());
  rtnl_route_set_family(route.get(), AF_INET);
  rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
  rtnl_route_set_protocol(route.get(), RTPROT_STATIC);
  rtnl_route_set_scope(route.get(), RT_SCOPE_UNIVERSE);
  const auto dst = v4_addr(r.destination.network, r.destination.length);
  if (const int err = rtnl_route_set_dst(route.get(), dst.get()); err < 0)
    throw_nl("preparing route " + describe(r), err);
  const auto gateway = v4_addr(r.gateway, 32);
  rtnl_nexthop* nh = rtnl_route_nh_alloc();
  if (nh == nullptr) throw std::bad_alloc();
  rtnl_route_nh_set_gateway(nh, gateway.get());
  rtnl_route_add_nexthop(route.get(), nh);  // the route owns the next hop now
  return route;
}

}  // namespace

Ipv4Route default_route(Ipv4Address gateway) {
  return {Ipv4Prefix{Ipv4Address{0}, 0}, gateway};
}

void add_route(NetlinkSocket& nl, const Ipv4Route& route) {
  const auto r = make_route(route);
  if (const int err = rtnl_route_add(nl.native(), r.get(), NLM_F_CREATE | NLM_F_EXCL); err < 0)
    throw_nl("adding route " + describe(route) + " in netns " + nl.netns_name(), err);
}

void delete_route(NetlinkSocket& nl, const Ipv4Route& route) {
  const auto r = make_route(route);
  if (const int err = rtnl_route_delete(nl.native(), r.get(), 0); err < 0)
    throw_nl("deleting route " + describe(route) + " in netns " + nl.netns_name(), err);
}

ScopedRoute ScopedRoute::add(std::shared_ptr<NetlinkSocket> nl, Ipv4Route route) {
  add_route(*nl, route);
  return ScopedRoute(std::move(nl), route);
}

ScopedRoute& ScopedRoute::operator=(ScopedRoute&& other) noexcept {
  if (this != &other) {
    ScopedRoute old(std::move(*this));
    nl_ = std::move(other.nl_);
    route_ = other.route_;
  }
  return *this;
}

ScopedRoute::~ScopedRoute() {
  if (!nl_) return;
  try {
    delete_route(*nl_, route_);
  } catch (const KernelError& e) {
    // Gone with its interface or address: the kernel deletes such routes.
    if (e.code() != std::errc::no_such_process && e.code() != std::errc::no_such_file_or_directory)
      std::cerr << "netlab: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "netlab: " << e.what() << "\n";
  }
}

}  // namespace failover_hil::netlab
