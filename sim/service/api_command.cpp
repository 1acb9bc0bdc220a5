// The product's command API: XML (/api/command) and JSON v2 (/api/command/v2).
#include <boost/json.hpp>

#include "failover_hil/sim/model/errors.hpp"
#include "service.hpp"
#include "xml.hpp"

namespace failover_hil::sim::service {

namespace json = boost::json;

namespace {

int command_level(const Account& a) {
  return a.command == "full_access" ? 2 : a.command == "read_only" ? 1 : 0;
}

/// "1.<major>.<minor>" as get_api_info prints it (1.23.1 for 23.1.x).
std::string api_version(const SoftwareRelease& s) {
  return "1." + std::to_string(s.version.major) + "." + std::to_string(s.version.minor);
}

std::optional<FailoverRole> parse_role(std::string_view r) {
  if (r == "primary") return FailoverRole::primary;
  if (r == "backup") return FailoverRole::backup;
  return std::nullopt;
}

}  // namespace

Response Service::command_xml(const Call& c, const Account& a) {
  const auto& ns = config_.api_namespace;
  const std::string action = c.param("action");
  const bool writes = action == "set_failover_role" || action == "terminate_session";
  if (command_level(a) < (writes ? 2 : 1))
    return xml_error(ns, "The API account does not have permission to perform " + action + ".");
  const auto& id = app_->identity();

  if (action == "check_health") {
    XmlDoc d("health_check", ns);
    auto r = d.root();
    XmlDoc::leaf(r, "appliance", id.hostname).append_attribute("id") = id.guid.c_str();
    XmlDoc::leaf(r, "version", app_->software().str());
    const bool healthy = app_->state() == OperatingState::running;
    XmlDoc::leaf(r, "success", healthy ? "1" : "0");
    if (!healthy) XmlDoc::leaf(r, "error_message", std::string(to_string(app_->state())));
    XmlDoc::leaf(r, "failover_role", std::string(to_string(app_->role())));
    if (app_->role() != FailoverRole::none) {
      auto ips = r.append_child("enabled_shared_ips");
      if (app_->shared_ip_enabled()) XmlDoc::leaf(ips, "ip", id.shared_ip);
      if (const auto t = app_->sync_status().last_sync) {
        auto n = XmlDoc::leaf(r, "last_data_sync_time", format_rfc3339(*t));
        n.append_attribute("ts") = unix_seconds(*t);
      }
      XmlDoc::leaf(r, "last_data_sync_status", app_->sync_status().last_status);
    }
    return d.response();
  }
  if (action == "set_failover_role") {
    const auto role = parse_role(c.param("role"));
    if (!role) return xml_error(ns, "role must be primary or backup.");
    try {
      const auto msg = app_->set_failover_role(*role, c.param("data_sync_first") == "1",
                                               c.param("force") == "1");
      XmlDoc d("success", ns);
      d.root().text().set(msg.c_str());
      return d.response();
    } catch (const ModelError& e) {
      return xml_error(ns, e.what());
    }
  }
  if (action == "get_appliances") {
    XmlDoc d("appliances", ns);
    auto n = d.root().append_child("appliance");
    n.append_attribute("id") = id.guid.c_str();
    XmlDoc::leaf(n, "name", id.name);
    XmlDoc::leaf(n, "public_hostname", id.hostname);
    XmlDoc::leaf(n, "cluster_role", std::string(cluster_role(app_->atlas_role())));
    XmlDoc::leaf(n, "failover_role", std::string(to_string(app_->role())));
    XmlDoc::leaf(n, "accepting_connections", app_->serves_site() ? "1" : "0");
    XmlDoc::leaf(n, "timezone_offset", "0");
    return d.response();
  }
  if (action == "get_api_info") {
    XmlDoc d("api_information", ns);
    XmlDoc::leaf(d.root(), "api_version", api_version(app_->software()));
    XmlDoc::leaf(d.root(), "timestamp", std::to_string(unix_seconds(wall_.now())));
    auto perms = d.root().append_child("permissions");
    auto perm = [&](const char* name, const std::string& v) {
      XmlDoc::leaf(perms, "permission", v).append_attribute("name") = name;
    };
    perm("perm_backup", a.backup ? "1" : "0");
    perm("perm_command", a.command);
    perm("perm_reporting_support", a.reporting ? "1" : "0");
    return d.response();
  }
  if (action == "get_logged_in_reps") {
    XmlDoc d("logged_in_reps", ns);
    for (const auto& u : app_->logged_in()) {
      auto rep = d.root().append_child("rep");
      rep.append_attribute("id") = u.c_str();
      XmlDoc::leaf(rep, "display_name", app_->store().users.at(u).display_name);
    }
    return d.response();
  }
  if (action == "terminate_session") {
    try {
      app_->terminate_session(c.param("lsid"));
      XmlDoc d("success", ns);
      d.root().text().set("Session terminated.");
      return d.response();
    } catch (const ModelError& e) {
      return xml_error(ns, e.what());
    }
  }
  return xml_error(ns, "Unknown action '" + action + "'.");
}

Response Service::command_v2(const Call& c, const Account& a) {
  // Rate limit per account: 20 requests a second (docs/product-api.md).
  auto& [second, count] = rate_[a.client_id];
  const auto now_s = unix_seconds(wall_.now());
  if (second != now_s) second = now_s, count = 0;
  ++count;
  auto finish = [&](Response r) {
    r.set("X-RateLimit-Limit", "20");
    r.set("X-RateLimit-Remaining", std::to_string(std::max(0, 20 - count)));
    return r;
  };
  if (count > 20)
    return finish(
        json_error(http::status::too_many_requests, "rate_limited", "20 requests a second"));
  const std::string sub = c.path.substr(std::string("/api/command/v2").size());
  const bool writes = c.req.method() != http::verb::get;
  if (command_level(a) < (writes ? 2 : 1))
    return finish(json_response(
        http::status::forbidden,
        json::object{{"message", "permission denied: perm_command is " + a.command}}));
  const auto& id = app_->identity();
  auto opt_time = [](std::optional<TimePoint> t) {
    return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
  };

  if (sub == "/health" && !writes) {
    const bool healthy = app_->state() == OperatingState::running;
    const bool primary = app_->role() == FailoverRole::primary;
    json::object o{{"version", app_->software().version.str()},
                   {"build", app_->software().build},
                   {"appliance_hostname", id.hostname},
                   {"appliance_id", id.guid},
                   {"cluster_role", cluster_role(app_->atlas_role())},
                   {"failover_role", to_string(app_->role())},
                   {"enabled_shared_ips", app_->shared_ip_enabled()
                                              ? json::value(json::array{json::string(id.shared_ip)})
                                              : json::value(nullptr)},
                   {"last_data_sync", primary ? opt_time(app_->sync_status().last_sync) : nullptr},
                   {"last_data_sync_status", primary && !app_->sync_status().last_status.empty()
                                                 ? json::value(app_->sync_status().last_status)
                                                 : json::value(nullptr)}};
    if (!healthy) o["message"] = std::string(to_string(app_->state()));
    return finish(
        json_response(healthy ? http::status::ok : http::status::internal_server_error, o));
  }
  if (sub == "/failover-role" && c.req.method() == http::verb::post) {
    Response err;
    const auto body = json_body(c.req, err);
    if (!body) return finish(err);
    if (!body->is_object())
      return finish(json_error(http::status::bad_request, "bad_request", "expected an object"));
    for (const auto& [k, _] : body->get_object())
      if (k != "role" && k != "data_sync_first" && k != "force")
        return finish(
            json_response(http::status::bad_request,
                          json::object{{"message", "unknown field '" + std::string(k) + "'"}}));
    const auto* role_v = body->get_object().if_contains("role");
    const auto role =
        role_v && role_v->is_string() ? parse_role(role_v->get_string()) : std::nullopt;
    if (!role)
      return finish(json_response(
          http::status::unprocessable_entity,
          json::object{
              {"message", "The given data was invalid."},
              {"errors", json::object{{"role", json::array{"role must be primary or backup"}}}}}));
    auto flag = [&](const char* k) {
      const auto* v = body->get_object().if_contains(k);
      return v && v->is_bool() && v->get_bool();
    };
    try {
      const auto msg = app_->set_failover_role(*role, flag("data_sync_first"), flag("force"));
      return finish(json_response(http::status::ok, json::object{{"message", msg}}));
    } catch (const ModelError& e) {
      return finish(
          json_response(http::status::internal_server_error, json::object{{"message", e.what()}}));
    }
  }
  if (sub == "/info" && !writes) {
    return finish(json_response(
        http::status::ok, json::object{{"current_time", format_rfc3339(wall_.now())},
                                       {"api_versions", json::array{api_version(app_->software())}},
                                       {"permissions", json::object{{"backup", a.backup},
                                                                    {"command", a.command},
                                                                    {"reporting", a.reporting}}}}));
  }
  if (sub == "/appliance" && !writes) {
    return finish(json_response(http::status::ok,
                                json::object{{"id", id.guid},
                                             {"name", id.name},
                                             {"public_hostname", id.hostname},
                                             {"cluster_role", cluster_role(app_->atlas_role())},
                                             {"failover_role", to_string(app_->role())},
                                             {"accepting_connections", app_->serves_site()}}));
  }
  if (sub == "/user" && !writes) {
    json::array users;
    for (const auto& u : app_->logged_in())
      users.push_back(
          json::object{{"id", u}, {"display_name", app_->store().users.at(u).display_name}});
    return finish(json_response(http::status::ok, users));
  }
  if (sub.starts_with("/user/") && sub.ends_with("/logout") && c.req.method() == http::verb::post) {
    const auto user = sub.substr(6, sub.size() - 6 - 7);
    if (!app_->logged_in().contains(user))
      return finish(json_response(http::status::not_found,
                                  json::object{{"message", "no logged-in user " + user}}));
    app_->logout(user);
    return finish(Response{http::status::no_content, 11});
  }
  if (sub.starts_with("/session/") && c.req.method() == http::verb::delete_) {
    const auto lsid = sub.substr(9);
    if (!app_->active_sessions().contains(lsid))
      return finish(json_response(http::status::not_found,
                                  json::object{{"message", "no active session " + lsid}}));
    app_->terminate_session(lsid);
    return finish(Response{http::status::no_content, 11});
  }
  return finish(
      json_response(http::status::not_found, json::object{{"message", "no endpoint " + sub}}));
}

}  // namespace failover_hil::sim::service
