#include "shared_ip.hpp"

#include "failover_hil/netlab/address_ops.hpp"
#include "failover_hil/netlab/announce.hpp"
#include "failover_hil/netlab/dup_check.hpp"

namespace failover_hil::sim::service {

SharedIpAddress::SharedIpAddress(std::string interface, netlab::Ipv4Address ip, int prefix_length,
                                 std::chrono::milliseconds dup_check_wait, Log& log)
    : interface_(std::move(interface)),
      ip_(ip),
      prefix_length_(prefix_length),
      dup_check_wait_(dup_check_wait),
      log_(log),
      ns_(netlab::Netns::current()),
      nl_(netlab::NetlinkSocket::open(ns_)) {
  netlab::require_lab_address(ip_, "the shared IP");
  // A previous run of this appliance may have died holding the address.
  for (const auto& a : netlab::link_addresses(*nl_, interface_))
    if (a == netlab::InterfaceAddress{ip_, prefix_length_})
      netlab::remove_address(*nl_, interface_, a);
}

SharedIpAddress::~SharedIpAddress() {
  try {
    disable();
  } catch (const std::exception& e) {
    log_.error(std::string("removing the shared IP: ") + e.what());
  }
}

std::string SharedIpAddress::enable(bool skip_duplicate_check, bool announce_now) {
  if (enabled_) return {};
  if (dup_check_wait_.count() > 0 && !skip_duplicate_check) {
    const auto other = netlab::find_duplicate(ns_, interface_, ip_,
                                              {1, std::chrono::milliseconds(0), dup_check_wait_});
    if (other)
      return "R23: " + ip_.str() + " is already answered by " + other->str() +
             " (is it enabled on the other appliance?); disable it there first";
  }
  netlab::add_address(*nl_, interface_, {ip_, prefix_length_});
  enabled_ = true;
  if (announce_now) announce();
  log_.info("shared IP " + ip_.str() + " added to " + interface_ +
            (announce_now ? " and announced" : ", announced later"));
  return {};
}

void SharedIpAddress::announce() {
  if (enabled_)
    netlab::announce_ipv4(ns_, interface_, ip_,
                          {netlab::GarpKind::both, 1, std::chrono::milliseconds(0)});
}

void SharedIpAddress::disable() {
  if (!enabled_) return;
  enabled_ = false;
  netlab::remove_address(*nl_, interface_, {ip_, prefix_length_});
  log_.info("shared IP " + ip_.str() + " removed from " + interface_);
}

}  // namespace failover_hil::sim::service
