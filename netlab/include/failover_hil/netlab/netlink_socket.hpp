#pragma once

#include <memory>
#include <string>

#include "failover_hil/netlab/netns.hpp"

struct nl_sock;

namespace failover_hil::netlab {

/// A route-netlink (libnl-route-3) socket bound to one namespace: every link,
/// address, route and neighbour call on it targets that namespace, whichever
/// thread makes it (the socket is opened by a worker inside the namespace).
/// Not thread-safe: use one socket per thread. Held by shared_ptr because
/// the handles it created (VethPair, Bridge, ScopedAddress, ScopedRoute) use
/// it to delete what they own. An open socket keeps its namespace alive.
class NetlinkSocket {
 public:
  /// Opens and connects a NETLINK_ROUTE socket inside `ns`. Throws KernelError.
  static std::shared_ptr<NetlinkSocket> open(const Netns& ns);
  ~NetlinkSocket();
  NetlinkSocket(const NetlinkSocket&) = delete;
  NetlinkSocket& operator=(const NetlinkSocket&) = delete;

  /// The libnl socket, for netlab's own sources.
  nl_sock* native() const noexcept { return sock_; }
  /// The namespace's name, for error messages ("netns fhil-t1-appA").
  const std::string& netns_name() const noexcept { return netns_name_; }

 private:
  NetlinkSocket(nl_sock* sock, std::string netns_name) noexcept
      : sock_(sock), netns_name_(std::move(netns_name)) {}
  nl_sock* sock_;
  std::string netns_name_;
};

}  // namespace failover_hil::netlab
