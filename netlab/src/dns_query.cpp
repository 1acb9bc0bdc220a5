#include "failover_hil/netlab/dns_query.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "ldns_ptr.hpp"

namespace failover_hil::netlab {

std::string rcode_name(int rcode) {
  static constexpr const char* kNames[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                           "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                           "NXRRSET", "NOTAUTH", "NOTZONE"};
  if (rcode >= 0 && rcode < static_cast<int>(std::size(kNames)))
    return kNames[static_cast<std::size_t>(rcode)];
  return "RCODE " + std::to_string(rcode);
}

std::string tsig_error_name(int error) {
  switch (error) {
    case 0:
      return "NOERROR";
    case 16:
      return "BADSIG";
    case 17:
      return "BADKEY";
    case 18:
      return "BADTIME";
    case 22:
      return "BADTRUNC";
    default:
      return "TSIG error " + std::to_string(error);
  }
}

LdnsPtr<ldns_resolver> make_resolver(Ipv4Address server, std::uint16_t port,
                                     std::chrono::milliseconds timeout) {
  LdnsPtr<ldns_resolver> res(ldns_resolver_new());
  if (!res) throw DnsError("cannot allocate an ldns resolver");
  const LdnsPtr<ldns_rdf> ns(ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, server.str().c_str()));
  if (!ns || ldns_resolver_push_nameserver(res.get(), ns.get()) != LDNS_STATUS_OK)
    throw DnsError("cannot use " + server.str() + " as a DNS server");
  ldns_resolver_set_port(res.get(), port);
  ldns_resolver_set_recursive(res.get(), false);
  ldns_resolver_set_retry(res.get(), 1);
  // ldns sleeps `retrans` seconds after a server that did not answer.
  ldns_resolver_set_retrans(res.get(), 0);
  ldns_resolver_set_fail(res.get(), true);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>(timeout.count() % 1000 * 1000);
  ldns_resolver_set_timeout(res.get(), tv);
  return res;
}

LdnsPtr<ldns_rdf> make_dname(const std::string& name) {
  if (name.empty() || name.back() != '.')
    throw DnsError("\"" + name + "\" is not an absolute domain name (it must end with '.')");
  LdnsPtr<ldns_rdf> dname(ldns_dname_new_frm_str(name.c_str()));
  if (!dname) throw DnsError("\"" + name + "\" is not a domain name");
  return dname;
}

DnsAnswer query_a(const Netns& from, DnsServerAddress server, std::string_view name,
                  std::chrono::milliseconds timeout) {
  const std::string qname(name);
  const std::string what =
      "DNS query A " + qname + " to " + server.ip.str() + ":" + std::to_string(server.port);
  const auto dname = make_dname(qname);
  return run_in_netns(from, [&] {
    const auto res = make_resolver(server.ip, server.port, timeout);
    ldns_pkt* raw = nullptr;
    const ldns_status status = ldns_resolver_query_status(&raw, res.get(), dname.get(),
                                                          LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, 0);
    const LdnsPtr<ldns_pkt> reply(raw);
    if (status != LDNS_STATUS_OK || !reply)
      throw DnsError(what + ": no answer within " + std::to_string(timeout.count()) + " ms (" +
                     ldns_get_errorstr_by_id(status) + ")");
    const int rc = ldns_pkt_get_rcode(reply.get());
    if (rc != rcode::kNoError) throw DnsError(what + ": " + rcode_name(rc), rc);
    const LdnsPtr<ldns_rr_list> records(
        ldns_pkt_rr_list_by_type(reply.get(), LDNS_RR_TYPE_A, LDNS_SECTION_ANSWER));
    if (!records || ldns_rr_list_rr_count(records.get()) == 0)
      throw DnsError(what + ": the answer holds no A record", rc);
    const ldns_rr* rr = ldns_rr_list_rr(records.get(), 0);
    const ldns_rdf* rdata = ldns_rr_rdf(rr, 0);
    if (rdata == nullptr || ldns_rdf_size(rdata) != 4)
      throw DnsError(what + ": malformed A record in the answer", rc);
    std::uint32_t be = 0;
    std::memcpy(&be, ldns_rdf_data(rdata), sizeof be);
    return DnsAnswer{Ipv4Address{ntohl(be)}, std::chrono::seconds(ldns_rr_ttl(rr))};
  });
}

}  // namespace failover_hil::netlab
