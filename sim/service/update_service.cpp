#include "update_service.hpp"

#include <boost/json.hpp>

#include "failover_hil/core/byte_reader.hpp"
#include "failover_hil/core/crypto.hpp"
#include "failover_hil/sim/model/errors.hpp"
#include "failover_hil/sim/model/peer_json.hpp"

namespace failover_hil::sim::service {

namespace json = boost::json;

namespace {
json::value info_json(const UpdateInfo& u) {
  json::array req, dep;
  for (const auto& r : u.requires_ids) req.push_back(json::string(r));
  for (const auto& d : u.dependents) dep.push_back(json::string(d));
  return json::object{{"id", u.id},           {"kind", to_string(u.kind)},
                      {"base", u.base.str()}, {"software", to_json(u.software)},
                      {"target", u.target()}, {"requires", req},
                      {"dependents", dep},    {"size_bytes", u.size_bytes}};
}

std::string field(const json::value& v, const char* k) {
  const auto* o = v.if_object();
  const auto* f = o ? o->if_contains(k) : nullptr;
  if (!f || !f->is_string())
    throw MalformedInput("request body", 0, std::string("'") + k + "' must be a string");
  return std::string(f->get_string());
}
}  // namespace

std::optional<Response> UpdateService::handle(const Request& req, const std::string& remote) {
  Response res;
  try {
    const Call c = make_call(req, remote);
    const bool post = req.method() == http::verb::post;
    if (c.path == "/updates/v1/download" && !post) {
      const auto file = server_.download(c.param("guid"), c.param("id"));
      log_.info("served " + c.param("id") + " to appliance " + c.param("guid"));
      res = Response{http::status::ok, 11};
      res.set(http::field::content_type, "application/octet-stream");
      res.body().assign(file.begin(), file.end());
    } else if (post && (c.path == "/updates/v1/available" || c.path == "/updates/v1/key-files" ||
                        c.path == "/updates/v1/support/allow-redownload")) {
      Response err;
      const auto body = json_body(req, err);
      if (!body) return err;
      if (c.path == "/updates/v1/support/allow-redownload") {
        server_.support_allow_redownload(field(*body, "guid"), field(*body, "id"));
        res = json_response(http::status::ok, json::object{{"ok", true}});
      } else {
        const auto base = Version::parse(field(*body, "base"));
        const auto sw = release_from_json(body->at("software"));
        if (c.path == "/updates/v1/available") {
          json::array list;
          for (const auto& u : server_.available({field(*body, "appliance_guid"), base, sw}))
            list.push_back(info_json(u));
          res = json_response(http::status::ok, list);
        } else {
          json::array files;
          for (const auto& f : server_.files_for_key(field(*body, "key"), base, sw))
            files.push_back(json::string(crypto::base64_encode(f)));
          res = json_response(http::status::ok, json::object{{"files", files}});
        }
      }
    } else {
      res = json_error(http::status::not_found, "not_found", "no endpoint " + c.path);
    }
  } catch (const ModelError& e) {
    res = json_error(http::status::conflict, e.rule().empty() ? "refused" : e.rule(), e.what());
  } catch (const std::exception& e) {
    res = json_error(http::status::bad_request, "bad_request", e.what());
  }
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

}  // namespace failover_hil::sim::service
