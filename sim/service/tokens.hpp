#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "failover_hil/core/clock.hpp"
#include "service_config.hpp"

namespace failover_hil::sim::service {

/// OAuth2 client-credentials tokens as the product issues them: an hour of
/// life, at most 30 live per account (a 31st evicts the oldest).
class TokenStore {
 public:
  static constexpr std::size_t kMaxPerAccount = 30;
  static constexpr std::chrono::seconds kLifetime{3600};

  TokenStore(std::vector<Account> accounts, const Clock& wall);
  /// A new token, or nullopt for unknown credentials.
  std::optional<std::string> issue(const std::string& client_id, const std::string& secret);
  /// The account a live token belongs to, or nullptr.
  const Account* check(const std::string& token);

 private:
  struct Live {
    std::string token;
    TimePoint expires;
  };
  std::vector<Account> accounts_;
  const Clock& wall_;
  std::map<std::string, std::deque<Live>> live_;  // client_id -> oldest first
};

}  // namespace failover_hil::sim::service
