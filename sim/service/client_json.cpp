#include "client_json.hpp"

#include <boost/json.hpp>

#include "failover_hil/core/byte_reader.hpp"
#include "failover_hil/sim/model/peer_json.hpp"

namespace failover_hil::sim::service {

namespace json = boost::json;

namespace {
std::string str_field(const json::object& o, const char* k) {
  const auto* v = o.if_contains(k);
  if (!v || !v->is_string())
    throw MalformedInput("client", 0, std::string("'") + k + "' must be a string");
  return std::string(v->get_string());
}
const json::object& object_of(const json::value& v) {
  if (!v.is_object()) throw MalformedInput("client", 0, "expected a JSON object");
  return v.get_object();
}
}  // namespace

json::value to_json(const Client& c) {
  return json::object{
      {"id", c.id},
      {"kind", c.kind == ClientKind::jump_client ? "jump_client" : "representative_console"},
      {"deployment", c.deployment == Deployment::msi ? "msi" : "installer"},
      {"software", sim::to_json(c.build)},
      {"state", to_string(c.state)},
      {"connected_to", c.connected_to}};
}

Client client_from(const json::value& v) {
  const auto& o = object_of(v);
  Client c;
  c.id = str_field(o, "id");
  const auto kind = str_field(o, "kind");
  if (kind != "jump_client" && kind != "representative_console")
    throw MalformedInput("client", 0, "'kind' must be representative_console or jump_client");
  c.kind = kind == "jump_client" ? ClientKind::jump_client : ClientKind::representative_console;
  const auto dep = str_field(o, "deployment");
  if (dep != "msi" && dep != "installer")
    throw MalformedInput("client", 0, "'deployment' must be installer or msi");
  c.deployment = dep == "msi" ? Deployment::msi : Deployment::installer;
  const auto* software = o.if_contains("software");
  if (!software) throw MalformedInput("client", 0, "missing 'software'");
  c.build = release_from_json(*software);
  const auto state = o.if_contains("state");
  if (state && state->is_string())
    for (auto s : {ClientState::offline, ClientState::online, ClientState::needs_redeploy,
                   ClientState::waiting_for_appliance})
      if (to_string(s) == state->get_string()) c.state = s;
  if (const auto* t = o.if_contains("connected_to"); t && t->is_string())
    c.connected_to = t->get_string();
  return c;
}

}  // namespace failover_hil::sim::service
