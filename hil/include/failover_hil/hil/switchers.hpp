#pragma once

// The three ways of making B primary (R13), each one switch_to(appliance).
// The runner then waits until the clients see it (site_watch.hpp).

#include <map>
#include <memory>
#include <set>
#include <string>

#include "failover_hil/hil/appliance_driver.hpp"
#include "failover_hil/hil/scenario.hpp"
#include "failover_hil/netlab/address.hpp"
#include "failover_hil/netlab/dns_query.hpp"
#include "failover_hil/netlab/nat_swing.hpp"
#include "failover_hil/netlab/netns.hpp"
#include "failover_hil/netlab/tsig_key.hpp"

namespace failover_hil::hil {

class Switcher {
 public:
  virtual ~Switcher() = default;
  virtual SwitchMethod method() const = 0;
  /// Points the site at `m`.
  virtual void switch_to(Member m) = 0;
  /// Where the site points now, as its controller says: one member, none
  /// (unknown or neither), or both (the shared IP enabled on both, R23).
  virtual std::set<Member> current() = 0;
};

/// Disable the shared IP on A, then at once enable it on B (R13, R23).
class SharedIpSwitch final : public Switcher {
 public:
  SharedIpSwitch(ApplianceDriver& a, ApplianceDriver& b) : a_(a), b_(b) {}
  SwitchMethod method() const override { return SwitchMethod::shared_ip; }
  void switch_to(Member m) override;
  std::set<Member> current() override;
  /// Test-only (PlantedDefect::shared_ip_enabled_before_release): enable on
  /// the new holder first, then disable on the old one (R23 broken on purpose).
  void plant_enable_before_release() { enable_first_ = true; }

 private:
  ApplianceDriver& a_;
  ApplianceDriver& b_;
  bool enable_first_ = false;
};

/// Where a DNS swing sends its signed update.
struct DnsController {
  std::shared_ptr<netlab::Netns> from;  ///< the namespace that reaches the server
  netlab::DnsServerAddress server;
  netlab::TsigKey key;
  std::string zone;    ///< "lab.example."
  std::string record;  ///< "support.lab.example."
  int ttl_s = 5;
};

/// Points the site's A record at the appliance (RFC 2136 with TSIG);
/// effective as resolvers' caches expire.
class DnsSwing final : public Switcher {
 public:
  DnsSwing(DnsController controller, std::map<Member, netlab::Ipv4Address> addresses)
      : c_(std::move(controller)), addresses_(std::move(addresses)) {}
  SwitchMethod method() const override { return SwitchMethod::dns; }
  void switch_to(Member m) override;
  std::set<Member> current() override;
  /// The record's TTL from now on (and at once for the address it holds).
  void set_ttl(int ttl_s);

 private:
  DnsController c_;
  std::map<Member, netlab::Ipv4Address> addresses_;
};

/// Points the router's DNAT of the VIP at the appliance, then flushes the
/// VIP's conntrack entries; effective at once.
class NatSwitch final : public Switcher {
 public:
  NatSwitch(netlab::NatSwing& nat, std::map<Member, netlab::Ipv4Address> addresses)
      : nat_(nat), addresses_(std::move(addresses)) {}
  SwitchMethod method() const override { return SwitchMethod::nat; }
  void switch_to(Member m) override;
  std::set<Member> current() override;
  /// false: later switches leave the VIP's conntrack entries in place.
  void flush_conntrack(bool flush) { flush_ = flush; }

 private:
  netlab::NatSwing& nat_;
  bool flush_ = true;
  std::map<Member, netlab::Ipv4Address> addresses_;
};

}  // namespace failover_hil::hil
