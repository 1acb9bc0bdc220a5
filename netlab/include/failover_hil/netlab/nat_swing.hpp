#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "failover_hil/netlab/address.hpp"
#include "failover_hil/netlab/names.hpp"
#include "failover_hil/netlab/netns.hpp"
#include "failover_hil/netlab/nft.hpp"

namespace failover_hil::netlab {

/// What the router's DNAT does: traffic to `vip` (on `ports`, TCP and UDP;
/// every port when empty) goes to the target.
struct NatSwingConfig {
  Ipv4Address vip;
  std::vector<std::uint16_t> ports;
  /// Also DNAT this host's own connections to the VIP (an output chain):
  /// the harness host that is both the NAT and a client of the site.
  bool local_output = false;
  /// Addresses outside the lab's range are allowed: an inventory's own
  /// network, named by the operator (the lab's guard stays for labs).
  bool any_address = false;
};

/// The nft commands NatSwing runs, built apart from running them so they can
/// be checked without privileges. `table` is the table's name.
std::string nat_create_commands(const std::string& table, const NatSwingConfig& config,
                                Ipv4Address target);
/// One transaction: flush the prerouting chain, add the rule for `target`.
std::string nat_switch_commands(const std::string& table, const NatSwingConfig& config,
                                Ipv4Address target);

/// The router's NAT of the site VIP (rule R13, NAT swing): `table ip
/// <prefix>nat` with a prerouting DNAT rule VIP -> target. switch_to() points
/// it at another target in one nft transaction and then flushes the VIP's
/// conntrack entries, so established flows are NATed afresh (to the new
/// target) at their next packet. Move-only; the table is deleted when the
/// handle dies. Not thread-safe.
class NatSwing {
 public:
  /// Creates the table in `router` (which must forward). Throws NftError
  /// (e.g. when a leftover table exists: sweep_nft_tables removes it) or
  /// NetlabError for addresses outside the lab range.
  static NatSwing create(const Netns& router, const NamePrefix& prefix, NatSwingConfig config,
                         Ipv4Address target);
  /// The same with the table's name given (an inventory's `nat.table`). A
  /// table of that name left by a killed run is replaced.
  static NatSwing create_table(const Netns& router, std::string table, NatSwingConfig config,
                               Ipv4Address target);

  NatSwing(NatSwing&& other) noexcept;
  NatSwing& operator=(NatSwing&&) noexcept;
  NatSwing(const NatSwing&) = delete;
  NatSwing& operator=(const NatSwing&) = delete;
  /// Deletes the table; failures are reported on stderr.
  ~NatSwing();

  /// Points the DNAT at `target` (one transaction), then deletes the
  /// conntrack entries to the VIP; returns how many it deleted. With
  /// `flush_conntrack` false the entries stay (a controller that forgets
  /// to flush): established flows keep the old target, new ones get the new.
  std::size_t switch_to(Ipv4Address target, bool flush_conntrack = true);
  Ipv4Address target() const noexcept { return target_; }
  const std::string& table() const noexcept { return table_; }
  /// Deletes the table now; throws NftError.
  void remove();

 private:
  NatSwing(Nft nft, Netns router, std::string table, NatSwingConfig config,
           Ipv4Address target) noexcept;
  void remove_quietly() noexcept;
  Nft nft_;
  Netns router_;
  std::string table_;
  NatSwingConfig config_;
  Ipv4Address target_;
  bool owned_ = true;
};

}  // namespace failover_hil::netlab
