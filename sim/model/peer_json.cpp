#include "failover_hil/sim/model/peer_json.hpp"

#include <boost/json.hpp>

#include "json_fields.hpp"
#include "overload.hpp"

namespace json = boost::json;

namespace failover_hil::sim {

using detail::Fields;
using detail::ms;
using detail::Overload;

namespace {
FailoverRole role_from(const std::string& s, const Fields& f) {
  if (s == "none") return FailoverRole::none;
  if (s == "primary") return FailoverRole::primary;
  if (s == "backup") return FailoverRole::backup;
  f.bad("role", "expected none, primary or backup");
}

AtlasRole atlas_from(const std::string& s, const Fields& f) {
  for (auto r : {AtlasRole::none, AtlasRole::primary_node, AtlasRole::backup_primary_node,
                 AtlasRole::traffic_node})
    if (to_string(r) == s) return r;
  f.bad("atlas", "unknown Atlas role");
}
}  // namespace

json::value to_json(const SoftwareRelease& r) {
  return json::object{{"version", r.version.str()}, {"build", r.build}};
}

SoftwareRelease release_from_json(const json::value& v) {
  const Fields f(v, "software release");
  return {Version::parse(f.str("version")), f.str("build")};
}

json::value to_json(const PeerRequest& request) {
  return std::visit(
      Overload{[](const EstablishHello& h) -> json::value {
                 return json::object{{"type", "establish_hello"},
                                     {"primary_guid", h.primary_guid},
                                     {"primary_name", h.primary_name},
                                     {"software", to_json(h.software)},
                                     {"nonce", h.nonce_hex},
                                     {"proof", h.proof_hex},
                                     {"reverse_host", h.reverse.host},
                                     {"reverse_port", h.reverse.port},
                                     {"atlas", to_string(h.primary_atlas)}};
               },
               [](const SyncData& d) -> json::value {
                 return json::object{
                     {"type", "sync_data"}, {"store", to_json(d.store)}, {"at_ms", ms(d.at)}};
               },
               [](const RoleChange& c) -> json::value {
                 return json::object{{"type", "role_change"}, {"role", to_string(c.role)}};
               },
               [](const BreakNotice&) -> json::value {
                 return json::object{{"type", "break"}};
               }},
      request);
}

PeerRequest request_from_json(const json::value& v) {
  const Fields f(v, "peer request");
  const auto type = f.str("type");
  if (type == "establish_hello") {
    const auto port = f.u64("reverse_port");
    if (port == 0 || port > 65535) f.bad("reverse_port", "expected 1..65535");
    return EstablishHello{f.str("primary_guid"),
                          f.str("primary_name"),
                          release_from_json(f.get("software")),
                          f.str("nonce"),
                          f.str("proof"),
                          {f.str("reverse_host"), static_cast<std::uint16_t>(port)},
                          atlas_from(f.str("atlas"), f)};
  }
  if (type == "sync_data") return SyncData{store_from_json(f.get("store")), f.time("at_ms")};
  if (type == "role_change") return RoleChange{role_from(f.str("role"), f)};
  if (type == "break") return BreakNotice{};
  f.bad("type", "unknown peer request '" + type + "'");
}

json::value to_json(const PeerResponse& response) {
  return std::visit(Overload{[](const EstablishAccept& a) -> json::value {
                               return json::object{{"type", "establish_accept"},
                                                   {"backup_guid", a.backup_guid},
                                                   {"backup_name", a.backup_name},
                                                   {"software", to_json(a.software)},
                                                   {"proof", a.proof_hex}};
                             },
                             [](const SyncAck& a) -> json::value {
                               json::array lacks;
                               for (const auto& r : a.primary_lacks) lacks.push_back(to_json(r));
                               return json::object{{"type", "sync_ack"}, {"primary_lacks", lacks}};
                             },
                             [](const PeerOk&) -> json::value {
                               return json::object{{"type", "ok"}};
                             },
                             [](const PeerError& e) -> json::value {
                               return json::object{{"type", "error"}, {"message", e.message}};
                             }},
                    response);
}

PeerResponse response_from_json(const json::value& v) {
  const Fields f(v, "peer response");
  const auto type = f.str("type");
  if (type == "establish_accept")
    return EstablishAccept{f.str("backup_guid"), f.str("backup_name"),
                           release_from_json(f.get("software")), f.str("proof")};
  if (type == "sync_ack") {
    SyncAck ack;
    for (const auto& r : f.arr("primary_lacks")) ack.primary_lacks.push_back(session_from_json(r));
    return ack;
  }
  if (type == "ok") return PeerOk{};
  if (type == "error") return PeerError{f.str("message")};
  f.bad("type", "unknown peer response '" + type + "'");
}

}  // namespace failover_hil::sim
