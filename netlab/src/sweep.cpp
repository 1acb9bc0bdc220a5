#include "failover_hil/netlab/sweep.hpp"

#include "failover_hil/netlab/link.hpp"
#include "failover_hil/netlab/netlink_socket.hpp"
#include "failover_hil/netlab/netns.hpp"

namespace failover_hil::netlab {

SweepResult sweep_prefix(const NamePrefix& prefix) {
  SweepResult result;
  for (const auto& name : list_netns()) {
    if (!prefix.owns(name)) continue;
    delete_netns(name);
    result.namespaces.push_back(name);
  }
  const auto nl = NetlinkSocket::open(Netns::current());
  for (const auto& name : link_names(*nl)) {
    if (!prefix.owns(name)) continue;
    try {
      delete_link(*nl, name);
    } catch (const KernelError& e) {
      // Its veth peer, deleted a moment ago, took it along.
      if (e.code() != std::errc::no_such_device && e.code() != std::errc::no_such_file_or_directory)
        throw;
    }
    result.links.push_back(name);
  }
  result.nft_tables = sweep_nft_tables(Netns::current(), prefix);
  return result;
}

}  // namespace failover_hil::netlab
