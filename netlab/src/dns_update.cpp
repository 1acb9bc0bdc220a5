#include "failover_hil/netlab/dns_update.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdlib>
#include <memory>

#include "ldns_ptr.hpp"

namespace failover_hil::netlab {

namespace {

std::string tsig_hint(int tsig_error) {
  switch (tsig_error) {
    case 16:
      return ": the server does not accept this key's secret";
    case 17:
      return ": the server does not know this key (name or algorithm)";
    case 18:
      return ": the clocks of client and server differ by more than the fudge";
    default:
      return "";
  }
}

// The TSIG error field of a signed answer (RFC 8945 4.2), 0 when unsigned.
int tsig_error_of(const ldns_pkt* reply) {
  const ldns_rr* tsig = ldns_pkt_tsig(reply);
  if (tsig == nullptr || ldns_rr_rd_count(tsig) < 6) return 0;
  return ldns_rdf2native_int16(ldns_rr_rdf(tsig, 5));
}

}  // namespace

int dns_update(const Netns& from, DnsServerAddress server, const DnsUpdate& update,
               const TsigKey& key, std::chrono::milliseconds timeout) {
  require_lab_address(update.address, "DNS record address");
  const std::string what = "DNS UPDATE of " + update.name + " A " + update.address.str() +
                           " (zone " + update.zone + ") at " + server.ip.str() + ":" +
                           std::to_string(server.port) + " with TSIG key " + key.name;
  if (update.ttl.count() < 0 || update.ttl.count() > 0x7fffffff)
    throw DnsError(what + ": TTL out of range");
  // Build the message before entering the namespace: only sending happens there.
  auto zone = make_dname(update.zone);
  auto owner = make_dname(update.name);
  if (!ldns_dname_is_subdomain(owner.get(), zone.get()) &&
      ldns_dname_compare(owner.get(), zone.get()) != 0)
    throw DnsError(what + ": " + update.name + " is not inside the zone");

  const LdnsPtr<ldns_rr_list> changes(ldns_rr_list_new());
  // RFC 2136 2.5.2: delete an RRset: class ANY, TTL 0, no rdata.
  LdnsPtr<ldns_rr> remove(ldns_rr_new());
  ldns_rr_set_owner(remove.get(), ldns_rdf_clone(owner.get()));
  ldns_rr_set_type(remove.get(), LDNS_RR_TYPE_A);
  ldns_rr_set_class(remove.get(), LDNS_RR_CLASS_ANY);
  ldns_rr_set_ttl(remove.get(), 0);
  ldns_rr_list_push_rr(changes.get(), remove.release());
  // 2.5.1: add to an RRset.
  LdnsPtr<ldns_rr> add(ldns_rr_new());
  ldns_rr_set_owner(add.get(), owner.release());
  ldns_rr_set_type(add.get(), LDNS_RR_TYPE_A);
  ldns_rr_set_class(add.get(), LDNS_RR_CLASS_IN);
  ldns_rr_set_ttl(add.get(), static_cast<std::uint32_t>(update.ttl.count()));
  ldns_rr_push_rdf(add.get(), ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, update.address.str().c_str()));
  ldns_rr_list_push_rr(changes.get(), add.release());

  // ldns_update_pkt_new takes the zone name and copies the change list.
  LdnsPtr<ldns_pkt> message(
      ldns_update_pkt_new(zone.release(), LDNS_RR_CLASS_IN, nullptr, changes.get(), nullptr));
  if (!message) throw DnsError(what + ": cannot build the UPDATE message");
  ldns_pkt_set_rd(message.get(), false);

  const auto res = make_resolver(server.ip, server.port, timeout);
  ldns_resolver_set_tsig_keyname(res.get(), key.name.c_str());
  ldns_resolver_set_tsig_keydata(res.get(), key.secret.c_str());
  ldns_resolver_set_tsig_algorithm(res.get(), (key.algorithm + ".").c_str());
  if (const auto s = ldns_update_pkt_tsig_add(message.get(), res.get()); s != LDNS_STATUS_OK)
    throw DnsError(what + ": cannot sign: " + ldns_get_errorstr_by_id(s));
  const std::unique_ptr<ldns_buffer, void (*)(ldns_buffer*)> wire(ldns_buffer_new(LDNS_MIN_BUFLEN),
                                                                  ldns_buffer_free);
  if (!wire || ldns_pkt2buffer_wire(wire.get(), message.get()) != LDNS_STATUS_OK)
    throw DnsError(what + ": cannot encode the UPDATE message");
  sockaddr_storage to{};
  auto* to_in = reinterpret_cast<sockaddr_in*>(&to);
  to_in->sin_family = AF_INET;
  to_in->sin_port = htons(server.port);
  to_in->sin_addr.s_addr = htonl(server.ip.value);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>(timeout.count() % 1000 * 1000);

  // ldns_send() drops an answer whose TSIG does not verify, and with it the
  // RCODE and TSIG error that say why (an unsigned NOTAUTH/BADSIG): so the
  // exchange and the check are done here, still by ldns.
  std::size_t reply_size = 0;
  const std::unique_ptr<std::uint8_t, void (*)(void*)> reply_wire(
      run_in_netns(from,
                   [&] {
                     std::uint8_t* bytes = nullptr;
                     ldns_udp_send(&bytes, wire.get(), &to, sizeof(sockaddr_in), tv, &reply_size);
                     return bytes;
                   }),
      std::free);
  if (!reply_wire || reply_size == 0)
    throw DnsError(what + ": no answer within " + std::to_string(timeout.count()) + " ms");
  ldns_pkt* raw = nullptr;
  if (const auto s = ldns_wire2pkt(&raw, reply_wire.get(), reply_size); s != LDNS_STATUS_OK)
    throw DnsError(what + ": malformed answer (" + ldns_get_errorstr_by_id(s) + ")");
  const LdnsPtr<ldns_pkt> reply(raw);
  const int rc = ldns_pkt_get_rcode(reply.get());
  const int tsig_error = tsig_error_of(reply.get());
  if (rc != rcode::kNoError || tsig_error != 0) {
    std::string reason = rcode_name(rc);
    if (tsig_error != 0)
      reason += ", TSIG error " + tsig_error_name(tsig_error) + tsig_hint(tsig_error);
    throw DnsError(what + " refused: " + reason, rc, tsig_error);
  }
  // A NOERROR whose signature does not verify may come from anyone.
  const ldns_rdf* query_mac = ldns_rr_rdf(ldns_pkt_tsig(message.get()), 3);
  if (!ldns_pkt_tsig_verify(reply.get(), reply_wire.get(), reply_size, key.name.c_str(),
                            key.secret.c_str(), query_mac))
    throw DnsError(what + ": the answer's TSIG does not verify", rc);
  return rc;
}

}  // namespace failover_hil::netlab
