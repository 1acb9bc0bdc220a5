#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "failover_hil/netlab/address.hpp"
#include "failover_hil/netlab/netlink_socket.hpp"
#include "failover_hil/netlab/netns.hpp"
#include "log.hpp"

namespace failover_hil::sim::service {

/// The shared IP on this appliance's own interface, as a real appliance
/// handles it: a duplicate-IP pre-check (R23), the address added by netlink,
/// then gratuitous ARP. Works in whatever network namespace the process runs.
class SharedIpAddress {
 public:
  SharedIpAddress(std::string interface, netlab::Ipv4Address ip, int prefix_length,
                  std::chrono::milliseconds dup_check_wait, Log& log);
  ~SharedIpAddress();

  /// Adds the address and sends the first announcement round; empty on
  /// success, otherwise why not (another host answers for it: R23).
  /// `announce`: send the gratuitous ARP now (false: the caller sends it later).
  std::string enable(bool skip_duplicate_check = false, bool announce = true);
  /// One more gratuitous ARP round (the caller paces the rounds).
  void announce();
  void disable();
  bool enabled() const { return enabled_; }

 private:
  std::string interface_;
  netlab::Ipv4Address ip_;
  int prefix_length_;
  std::chrono::milliseconds dup_check_wait_;
  Log& log_;
  netlab::Netns ns_;
  std::shared_ptr<netlab::NetlinkSocket> nl_;
  bool enabled_ = false;
};

}  // namespace failover_hil::sim::service
