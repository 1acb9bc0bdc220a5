#include "secret_throttle.hpp"

#include <algorithm>

namespace failover_hil::sim::service {

long long SecretThrottle::wait_s(const std::string& client_id) const {
  const auto it = failures_.find(client_id);
  if (it == failures_.end()) return 0;
  const auto left = it->second.blocked_until - clock_.now();
  if (left <= Duration::zero()) return 0;
  // Rounded up: "Retry-After: 0" would invite an immediate retry.
  return std::chrono::ceil<std::chrono::seconds>(left).count();
}

void SecretThrottle::failed(const std::string& client_id) {
  const auto now = clock_.now();
  if (failures_.size() >= kMaxTracked && !failures_.contains(client_id)) {
    // Many ids guessed at once: forget those no longer blocked, else the oldest.
    std::erase_if(failures_, [&](const auto& f) { return f.second.blocked_until <= now; });
    if (failures_.size() >= kMaxTracked) failures_.erase(failures_.begin());
  }
  auto& f = failures_[client_id];
  ++f.count;
  if (f.count < kFreeFailures) return;
  const auto doublings = std::min(f.count - kFreeFailures, 6);  // 2^6 s > kMaxBackoff
  const auto backoff =
      std::min<std::chrono::seconds>(std::chrono::seconds(1LL << doublings), kMaxBackoff);
  f.blocked_until = now + std::chrono::duration_cast<Duration>(backoff);
}

}  // namespace failover_hil::sim::service
