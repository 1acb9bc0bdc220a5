#include "failover_hil/netlab/ttl_resolver.hpp"

#include <memory>
#include <utility>

namespace failover_hil::netlab {

DnsQueryFn ldns_query_fn(const Netns& from, DnsServerAddress server,
                         std::chrono::milliseconds timeout) {
  auto ns = std::make_shared<Netns>(from.share());
  return [ns, server, timeout](const std::string& name) {
    return query_a(*ns, server, name, timeout);
  };
}

TtlResolver::TtlResolver(const Clock& clock, DnsQueryFn query)
    : clock_(clock), query_(std::move(query)) {}

Ipv4Address TtlResolver::resolve(const std::string& name) {
  std::unique_lock lock(mutex_);
  if (const auto it = cache_.find(name); it != cache_.end()) {
    if (clock_.now() < it->second.expires) return it->second.address;
    cache_.erase(it);
  }
  ++queries_;
  // The query may take a while: other names stay usable meanwhile.
  lock.unlock();
  const DnsAnswer answer = query_(name);
  const TimePoint asked = clock_.now();
  lock.lock();
  if (answer.ttl.count() > 0)
    cache_.insert_or_assign(name, Entry{answer.address, asked + answer.ttl});
  return answer.address;
}

std::optional<TimePoint> TtlResolver::expires_at(const std::string& name) const {
  std::lock_guard lock(mutex_);
  const auto it = cache_.find(name);
  if (it == cache_.end() || clock_.now() >= it->second.expires) return std::nullopt;
  return it->second.expires;
}

std::size_t TtlResolver::queries() const {
  std::lock_guard lock(mutex_);
  return queries_;
}

void TtlResolver::clear() {
  std::lock_guard lock(mutex_);
  cache_.clear();
}

}  // namespace failover_hil::netlab
