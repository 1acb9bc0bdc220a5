#pragma once

#include <memory>

#include "failover_hil/netlab/address.hpp"
#include "failover_hil/netlab/netlink_socket.hpp"

namespace failover_hil::netlab {

/// An IPv4 route in the main table: `destination` via `gateway`.
struct Ipv4Route {
  Ipv4Prefix destination;  ///< 0.0.0.0/0 for the default route
  Ipv4Address gateway;
};

/// The default route via `gateway` (a lab address).
Ipv4Route default_route(Ipv4Address gateway);

/// Adds the route; the gateway must be reachable on a connected network.
/// Throws KernelError naming the route and the namespace.
void add_route(NetlinkSocket& nl, const Ipv4Route& route);
/// Deletes the route. Throws KernelError.
void delete_route(NetlinkSocket& nl, const Ipv4Route& route);

/// A route added for the handle's lifetime, deleted on destruction. Move-only.
class ScopedRoute {
 public:
  static ScopedRoute add(std::shared_ptr<NetlinkSocket> nl, Ipv4Route route);
  ScopedRoute(ScopedRoute&&) noexcept = default;
  ScopedRoute& operator=(ScopedRoute&& other) noexcept;
  ~ScopedRoute();
  const Ipv4Route& route() const noexcept { return route_; }

 private:
  ScopedRoute(std::shared_ptr<NetlinkSocket> nl, Ipv4Route route)
      : nl_(std::move(nl)), route_(route) {}
  std::shared_ptr<NetlinkSocket> nl_;
  Ipv4Route route_;
};

}  // namespace failover_hil::netlab
