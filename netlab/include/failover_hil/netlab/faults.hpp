#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "failover_hil/netlab/address.hpp"
#include "failover_hil/netlab/names.hpp"
#include "failover_hil/netlab/netns.hpp"
#include "failover_hil/netlab/nft.hpp"

namespace failover_hil::netlab {

/// Every packet between `a` and `b` is dropped, both directions.
struct Partition {
  Ipv4Address a;
  Ipv4Address b;
};

/// `percent` of the packets between `a` and `b` (each direction, each
/// packet drawn independently by nft's `numgen random`) are dropped.
struct Loss {
  Ipv4Address a;
  Ipv4Address b;
  int percent = 0;  ///< 0..100
};

enum class L4Proto { tcp, udp };

/// Every `proto` packet to ip:port is dropped (from anywhere).
struct DropPort {
  Ipv4Address ip;
  std::uint16_t port = 0;
  L4Proto proto = L4Proto::tcp;
};

using FaultSpec = std::variant<Partition, Loss, DropPort>;

/// Where the fault rules sit in the namespace the traffic passes.
enum class FaultHook {
  /// `table bridge`, forward hook: hosts on one bridge of the namespace
  /// (bridged packets reach `ip`/`inet` tables only through br_netfilter,
  /// which need not be there).
  bridge,
  /// `table inet`, forward hook: traffic the namespace routes.
  routed,
};

/// The rule bodies (what follows `add rule <family> <table> forward`) that
/// arm `spec`, tagged with a comment naming the fault. Throws NetlabError
/// for a bad spec (address outside the lab range, percent outside 0..100,
/// port 0).
std::vector<std::string> fault_rules(const std::string& name, const FaultSpec& spec);

/// The one transaction that makes the kernel hold exactly `armed`: create
/// the table when `table_exists` is false, flush and refill the chain, or
/// delete the table when nothing is armed.
std::string faults_commands(FaultHook hook, const std::string& table,
                            const std::map<std::string, FaultSpec>& armed, bool table_exists);

/// Named network faults in one namespace, armed and disarmed by name. The
/// table (`<prefix>faults`) exists only while a fault is armed: disarming
/// the last fault deletes it, so nothing remains. Every change is one nft
/// transaction. Move-only; the destructor disarms everything. Not
/// thread-safe.
class Faults {
 public:
  /// Faults for the traffic through `ns`; creates nothing in the kernel yet.
  static Faults create(const Netns& ns, const NamePrefix& prefix,
                       FaultHook hook = FaultHook::bridge);

  Faults(Faults&& other) noexcept;
  Faults& operator=(Faults&& other) noexcept;
  Faults(const Faults&) = delete;
  Faults& operator=(const Faults&) = delete;
  ~Faults();

  /// Arms `spec` as `name` ([A-Za-z][A-Za-z0-9_-]*). Throws NetlabError
  /// when the name is armed already, NftError when nft refuses.
  void arm(const std::string& name, FaultSpec spec);
  /// Disarms `name`; throws NetlabError naming the armed faults when it is
  /// not armed.
  void disarm(const std::string& name);
  /// Disarms everything (deletes the table).
  void disarm_all();
  /// The armed faults' names, sorted.
  std::vector<std::string> armed() const;
  const std::string& table() const noexcept { return table_; }

 private:
  Faults(Nft nft, std::string table, FaultHook hook) noexcept;
  void apply(const std::map<std::string, FaultSpec>& wanted);
  Nft nft_;
  std::string table_;
  FaultHook hook_;
  std::map<std::string, FaultSpec> armed_;
  bool table_exists_ = false;
};

}  // namespace failover_hil::netlab
