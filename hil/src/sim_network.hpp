#pragma once
// Internal to the in-process engine: the network as the harness sees it, in
// virtual time. Who holds the shared IP and each client's ARP cache (with
// gratuitous ARP and entry timeouts), the NAT router's conntrack entries
// for the clients' flows, and what a client saw that proves an IP conflict
// (R23). No packets: each rule below is what the lab's kernel does, at the
// instants the lab measured (docs/explore.md, "The simulated network").

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "failover_hil/hil/appliance_driver.hpp"
#include "split_mix.hpp"

namespace failover_hil::hil {

/// The simulated network's timings, from lab measurements (docs/explore.md).
struct NetworkParams {
  /// From an appliance enabling the shared IP until the clients hold its
  /// gratuitous ARP: the lab's shared-IP switch downtime, 13-24 ms in the
  /// 12 lab runs of bench/run-explore-calibration on 2026-11-30, median 16.
  std::int64_t garp_delay_ns = 16'000'000;
  /// bseries-sim announces three rounds, this far apart.
  std::int64_t garp_round_ns = 100'000'000;
  int garp_rounds = 3;
  /// An ARP entry's life without news: Linux's base_reachable_time (30 s)
  /// randomised to 0.5..1.5 of it, plus DELAY (5 s) and three unicast probes
  /// (1 s apart) before a client asks the whole segment again.
  std::int64_t arp_reachable_ns = 30'000'000'000;
  std::int64_t arp_stale_ns = 8'000'000'000;
};

/// A client's view of the shared IP and the NAT. Deterministic: every
/// random draw comes from the engine's one generator, passed in.
class SimNetwork {
 public:
  /// `holds(m)`: whether member m has the shared IP enabled and is up;
  /// `cut(client, m)`: whether a partition separates them now.
  SimNetwork(NetworkParams params, std::vector<std::string> clients,
             std::function<bool(Member)> holds,
             std::function<bool(const std::string&, Member)> cut);

  /// An IP conflict as one client saw it: two appliances claiming the shared IP.
  struct Conflict {
    std::int64_t t_ns = 0;
    std::string client;
    Member first = Member::A, second = Member::B;
  };

  /// Member `m` started (`holds`) or stopped holding the shared IP at `now`.
  /// A start while the other member holds it is a conflict for every client
  /// that hears both; its gratuitous ARPs reach the clients later.
  void shared_ip_changed(Member m, bool holds, std::int64_t now);
  /// Delivers the gratuitous ARPs due by `now`.
  void advance(std::int64_t now);
  /// When the next gratuitous ARP arrives or an ARP entry that misleads its
  /// client runs out.
  std::optional<std::int64_t> next_due(std::int64_t now) const;

  /// The appliance a client's packets to the shared IP reach now (its ARP
  /// entry, resolved again when it ran out), if any; nullopt when the entry
  /// names an appliance that no longer holds the IP, or nobody answers.
  std::optional<Member> shared_ip_reaches(const std::string& client, std::int64_t now,
                                          SplitMix64& rng);
  /// The NAT: a client's flow keeps its conntrack entry; a swing flushes them.
  Member nat_reaches(const std::string& client, Member target);
  void nat_flush() { conntrack_.clear(); }

  /// Conflicts seen since the last call (for the timeline), and all of them.
  std::vector<Conflict> take_new_conflicts();
  const std::vector<Conflict>& conflicts() const { return conflicts_; }

 private:
  struct ArpEntry {
    std::optional<Member> member;
    std::int64_t expires_ns = 0;
  };
  struct Announcement {
    std::int64_t at_ns = 0;
    Member from = Member::A;
  };
  void learn(const std::string& client, Member m, std::int64_t now, SplitMix64& rng);

  NetworkParams params_;
  std::vector<std::string> clients_;
  std::function<bool(Member)> holds_;
  std::function<bool(const std::string&, Member)> cut_;
  std::map<std::string, ArpEntry> arp_;
  std::vector<Announcement> announcements_;  ///< gratuitous ARPs on their way, in time order
  std::map<std::string, Member> conntrack_;  ///< the clients' flows through the NAT
  std::vector<Conflict> conflicts_;
  std::size_t reported_ = 0;
};

}  // namespace failover_hil::hil
