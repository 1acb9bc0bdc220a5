#include "failover_hil/netlab/netlink_socket.hpp"

#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "nl_ptr.hpp"
#include "sys_error.hpp"

namespace failover_hil::netlab {

std::shared_ptr<NetlinkSocket> NetlinkSocket::open(const Netns& ns) {
  // A netlink socket belongs to the namespace it was made in, whichever
  // thread uses it later: make it on a worker inside `ns`.
  auto sock = run_in_netns(ns, [&] {
    auto s = nl_owned(nl_socket_alloc());
    if (const int err = nl_connect(s.get(), NETLINK_ROUTE); err < 0)
      throw_nl("opening a route netlink socket in netns " + ns.name(), err);
    return s;
  });
  return std::shared_ptr<NetlinkSocket>(new NetlinkSocket(sock.release(), ns.name()));
}

NetlinkSocket::~NetlinkSocket() {
  nl_socket_free(sock_);
}

}  // namespace failover_hil::netlab
