#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "failover_hil/core/clock.hpp"
#include "failover_hil/sim/model/appliance.hpp"

namespace failover_hil::sim {

/// Two model appliances joined in-process: carries their peer messages (or
/// drops them while partitioned) and advances a manual clock event by event.
/// The network-level counterpart is bseries-sim's TLS channel.
class Pair {
 public:
  Pair(Appliance& a, Appliance& b, ManualClock& clock);

  Appliance& a() { return a_; }
  Appliance& b() { return b_; }
  Appliance& other(const Appliance& x) { return &x == &a_ ? b_ : a_; }

  /// While false, every message is answered "unreachable".
  void set_connected(bool connected) { connected_ = connected; }
  bool connected() const { return connected_; }

  /// Delivers queued messages both ways until no appliance has anything to send.
  void pump();

  /// Moves the clock forward to `until`, stopping at each due event.
  void run_until(TimePoint until);
  void run_for(Duration d) { run_until(clock_.now() + d); }
  /// Runs until `done()` holds or `limit` has passed; returns whether it held.
  bool run_until(const std::function<bool()>& done, Duration limit);

  /// Establishes with `primary` as primary and waits for the answer; throws
  /// ModelError carrying the peer's reason when refused (R17). Returns R18 warnings.
  std::vector<std::string> establish(Appliance& primary, const EstablishParams& params);

  /// Which appliance answers at `ip`: its unique IP, or the shared IP where
  /// enabled. Throws ModelError (R23) when both have the shared IP enabled.
  Appliance* holder_of(std::string_view ip);

 private:
  Appliance& a_;
  Appliance& b_;
  ManualClock& clock_;
  bool connected_ = true;
};

}  // namespace failover_hil::sim
