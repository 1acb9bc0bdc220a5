#pragma once

#include <chrono>
#include <string>

#include "failover_hil/netlab/address.hpp"
#include "failover_hil/netlab/dns_query.hpp"
#include "failover_hil/netlab/netns.hpp"
#include "failover_hil/netlab/tsig_key.hpp"

namespace failover_hil::netlab {

/// One RFC 2136 UPDATE: in `zone`, replace the A RRset of `name` by
/// `address` with `ttl`.
struct DnsUpdate {
  std::string zone;  ///< "lab.example."
  std::string name;  ///< "support.lab.example." (absolute, inside the zone)
  Ipv4Address address;
  std::chrono::seconds ttl{60};
};

/// Sends `update` (delete the A RRset, add the new A, one message) to
/// `server` from namespace `from`, signed with TSIG (`key`, hmac-sha256)
/// through ldns, and checks the answer's TSIG. Returns the answer's RCODE,
/// which is NOERROR: any other RCODE throws DnsError naming it and the TSIG
/// error (e.g. "NOTAUTH, TSIG error BADSIG: the server does not accept this
/// key's secret"), as does no answer. Never puts the secret in a message.
int dns_update(const Netns& from, DnsServerAddress server, const DnsUpdate& update,
               const TsigKey& key,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

}  // namespace failover_hil::netlab
