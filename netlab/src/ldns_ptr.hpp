#pragma once

// ldns objects in unique_ptr with their free functions, and the resolver
// netlab's DNS calls share (private to netlab).

#include <ldns/ldns.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "failover_hil/netlab/address.hpp"

namespace failover_hil::netlab {

struct LdnsDeleter {
  void operator()(ldns_resolver* p) const noexcept { ldns_resolver_deep_free(p); }
  void operator()(ldns_pkt* p) const noexcept { ldns_pkt_free(p); }
  void operator()(ldns_rdf* p) const noexcept { ldns_rdf_deep_free(p); }
  void operator()(ldns_rr* p) const noexcept { ldns_rr_free(p); }
  void operator()(ldns_rr_list* p) const noexcept { ldns_rr_list_deep_free(p); }
};

template <class T>
using LdnsPtr = std::unique_ptr<T, LdnsDeleter>;

/// A non-recursive stub resolver asking only `server`:`port`, one try, no
/// pause between tries. Sockets are made when a query is sent, in the
/// calling thread's namespace. Throws DnsError.
LdnsPtr<ldns_resolver> make_resolver(Ipv4Address server, std::uint16_t port,
                                     std::chrono::milliseconds timeout);

/// An absolute domain name ("support.lab.example."); throws DnsError.
LdnsPtr<ldns_rdf> make_dname(const std::string& name);

}  // namespace failover_hil::netlab
