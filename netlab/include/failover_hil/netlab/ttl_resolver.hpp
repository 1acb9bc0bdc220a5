#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "failover_hil/core/clock.hpp"
#include "failover_hil/netlab/address.hpp"
#include "failover_hil/netlab/dns_query.hpp"
#include "failover_hil/netlab/netns.hpp"

namespace failover_hil::netlab {

/// Asks the network for the A record of a name; throws DnsError.
using DnsQueryFn = std::function<DnsAnswer(const std::string& name)>;

/// A DnsQueryFn asking `server` from namespace `from` with query_a(). It
/// keeps the namespace alive (Netns::share).
DnsQueryFn ldns_query_fn(const Netns& from, DnsServerAddress server,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));

/// A probe's resolver that honours TTLs as a client's cache does: an answer
/// is reused until its TTL has passed on the injected clock, then asked for
/// again (rule R13, DNS swing: "effective as caches expire"). A TTL of 0
/// is never cached. Thread-safe.
class TtlResolver {
 public:
  /// `clock` must outlive the resolver.
  TtlResolver(const Clock& clock, DnsQueryFn query);

  /// The cached address of `name` while its TTL lasts, else a fresh answer.
  /// Throws DnsError when a query fails (nothing is cached then).
  Ipv4Address resolve(const std::string& name);
  /// When the cached answer for `name` expires; nullopt when none is cached
  /// (or it has expired).
  std::optional<TimePoint> expires_at(const std::string& name) const;
  /// How many network queries were made (cache misses).
  std::size_t queries() const;
  /// Drops every cached answer.
  void clear();

 private:
  struct Entry {
    Ipv4Address address;
    TimePoint expires;
  };
  const Clock& clock_;
  DnsQueryFn query_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> cache_;
  std::size_t queries_ = 0;
};

}  // namespace failover_hil::netlab
