#pragma once

#include <chrono>
#include <map>
#include <string>

#include "failover_hil/core/clock.hpp"

namespace failover_hil::sim::service {

/// Slows down guessing of client secrets at /oauth2/token: after
/// kFreeFailures wrong secrets in a row for one client id, that id is refused
/// (429) for 1 s, then 2 s, 4 s ... up to kMaxBackoff after each further
/// failure; a right secret resets it. Ids are tracked whether or not they
/// exist, so the answer does not tell which ids exist.
class SecretThrottle {
 public:
  static constexpr int kFreeFailures = 5;
  static constexpr std::chrono::seconds kMaxBackoff{60};
  static constexpr std::size_t kMaxTracked = 4096;  ///< ids remembered at most

  explicit SecretThrottle(const Clock& clock) : clock_(clock) {}
  /// Seconds the id must wait before it may try again; 0: it may try now.
  long long wait_s(const std::string& client_id) const;
  void failed(const std::string& client_id);
  void succeeded(const std::string& client_id) { failures_.erase(client_id); }

 private:
  struct Failures {
    int count = 0;
    TimePoint blocked_until{};
  };
  const Clock& clock_;
  std::map<std::string, Failures> failures_;
};

}  // namespace failover_hil::sim::service
