#pragma once

// libnl objects in unique_ptr with their _put/_free deleters (private to netlab).

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>

#include <memory>

namespace failover_hil::netlab {

struct NlDeleter {
  void operator()(nl_sock* p) const noexcept { nl_socket_free(p); }
  void operator()(nl_addr* p) const noexcept { nl_addr_put(p); }
  void operator()(nl_cache* p) const noexcept { nl_cache_free(p); }
  void operator()(nl_msg* p) const noexcept { nlmsg_free(p); }
  void operator()(rtnl_link* p) const noexcept { rtnl_link_put(p); }
  void operator()(rtnl_addr* p) const noexcept { rtnl_addr_put(p); }
  void operator()(rtnl_route* p) const noexcept { rtnl_route_put(p); }
  void operator()(rtnl_neigh* p) const noexcept { rtnl_neigh_put(p); }
};

template <class T>
using NlPtr = std::unique_ptr<T, NlDeleter>;

/// Wraps a freshly allocated libnl object; throws std::bad_alloc for null.
template <class T>
NlPtr<T> nl_owned(T* p) {
  if (p == nullptr) throw std::bad_alloc();
  return NlPtr<T>(p);
}

}  // namespace failover_hil::netlab
