#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "failover_hil/netlab/address.hpp"
#include "failover_hil/netlab/error.hpp"
#include "failover_hil/netlab/netns.hpp"

namespace failover_hil::netlab {

/// A DNS exchange failed: no answer, a refusal, or an answer that does not
/// hold what was asked. rcode() is the answer's RCODE (-1 when there was no
/// answer), tsig_error() the TSIG error of the answer (0 when none).
class DnsError : public NetlabError {
 public:
  explicit DnsError(const std::string& what, int rcode = -1, int tsig_error = 0)
      : NetlabError(what), rcode_(rcode), tsig_error_(tsig_error) {}
  int rcode() const noexcept { return rcode_; }
  int tsig_error() const noexcept { return tsig_error_; }

 private:
  int rcode_;
  int tsig_error_;
};

/// RCODE values a caller reacts to (RFC 1035, RFC 2136).
namespace rcode {
inline constexpr int kNoError = 0;
inline constexpr int kNxDomain = 3;
inline constexpr int kRefused = 5;
inline constexpr int kNotAuth = 9;
}  // namespace rcode

/// "NOERROR", "NOTAUTH", ... ("RCODE 42" for others).
std::string rcode_name(int rcode);
/// TSIG errors (RFC 8945): "BADSIG", "BADKEY", "BADTIME", "BADTRUNC".
std::string tsig_error_name(int error);

/// One A record as an authoritative server answered it.
struct DnsAnswer {
  Ipv4Address address;
  std::chrono::seconds ttl{0};
};

/// Where DNS queries go: the server and its port, asked from a namespace.
struct DnsServerAddress {
  Ipv4Address ip;
  std::uint16_t port = 53;
};

/// Asks `server` (no recursion) for the A record of `name` ("support.
/// lab.example.", absolute) from namespace `from`, through ldns; returns the
/// first A record of the answer with its TTL. Throws DnsError (timeout,
/// NXDOMAIN, no A record).
DnsAnswer query_a(const Netns& from, DnsServerAddress server, std::string_view name,
                  std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));

}  // namespace failover_hil::netlab
