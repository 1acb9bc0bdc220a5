#include "tokens.hpp"

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"

namespace failover_hil::sim::service {

TokenStore::TokenStore(std::vector<Account> accounts, const Clock& wall)
    : accounts_(std::move(accounts)), wall_(wall) {}

std::optional<std::string> TokenStore::issue(const std::string& id, const std::string& secret) {
  for (const auto& a : accounts_) {
    if (a.client_id != id) continue;
    if (!crypto::equal_ct(crypto::as_bytes(a.client_secret), crypto::as_bytes(secret)))
      return std::nullopt;
    auto& q = live_[id];
    if (q.size() == kMaxPerAccount) q.pop_front();
    q.push_back({to_hex(crypto::random_bytes(24)), wall_.now() + kLifetime});
    return q.back().token;
  }
  return std::nullopt;
}

const Account* TokenStore::check(const std::string& token) {
  const auto now = wall_.now();
  for (auto& [id, q] : live_) {
    std::erase_if(q, [&](const Live& l) { return l.expires <= now; });
    for (const auto& l : q) {
      if (crypto::equal_ct(crypto::as_bytes(l.token), crypto::as_bytes(token))) {
        for (const auto& a : accounts_)
          if (a.client_id == id) return &a;
      }
    }
  }
  return nullptr;
}

}  // namespace failover_hil::sim::service
