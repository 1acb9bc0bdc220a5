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

/// get_api_info's <api_version> for a software version: the vendor's
/// "API version reference" table (docs/product-api.md). Versions after the
/// table answer its last row; versions before 17.1 are not modelled.
std::string api_version(const Version& v) {
  const auto at_least = [&](int major, int minor) { return v >= Version{major, minor, 0}; };
  if (at_least(24, 0)) return "1.24.1";
  if (at_least(23, 0)) return "1.23.1";
  if (at_least(22, 2)) return "1.22.2";
  if (at_least(22, 0)) return "1.22.1";
  if (at_least(21, 3)) return "1.21.1";
  if (at_least(21, 0)) return "1.21.0";
  if (at_least(19, 2)) return "1.19.2";
  if (at_least(19, 0)) return "1.19.0";
  if (at_least(18, 0)) return "1.18.0";
  return "1.16.0";
}

/// The documented perm_* names in get_api_info order, with the account's
/// value (1/0, and deny|read_only|full_access for perm_command). The
/// simulator's accounts have only backup, command and reporting; the rest
/// are 0.
std::vector<std::pair<const char*, std::string>> permissions(const Account& a) {
  return {{"perm_backup", a.backup ? "1" : "0"},
          {"perm_command", a.command},
          {"perm_configuration", "0"},
          {"perm_configuration_vault_account", "0"},
          {"perm_ecm", "0"},
          {"perm_real_time_state", "0"},
          {"perm_reporting_archive", "0"},
          {"perm_reporting_license", "0"},
          {"perm_reporting_presentation", "0"},
          {"perm_reporting_support", a.reporting ? "1" : "0"},
          {"perm_scim", "0"}};
}

/// "2019-10-07T00:32:50.877+0000": the form a recorded appliance sent.
std::string recorded_time(TimePoint t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03lld", static_cast<long long>(ms.count() % 1000));
  auto text = format_rfc3339(t);  // ...T00:32:50+00:00
  return text.substr(0, 19) + frac + "+0000";
}

std::optional<FailoverRole> parse_role(std::string_view r) {
  if (r == "primary") return FailoverRole::primary;
  if (r == "backup") return FailoverRole::backup;
  return std::nullopt;
}

}  // namespace

Response Service::command_xml(const Call& c, const Account& a) {
  const auto& ns = config_.command_namespace;
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
      // Omitted when no shared IP is enabled (the check_health page).
      if (app_->shared_ip_enabled())
        XmlDoc::leaf(r.append_child("enabled_shared_ips"), "ip", id.shared_ip);
      if (const auto t = app_->sync_status().last_sync) {
        if (config_.sync_time_form == ServiceConfig::SyncTimeForm::recorded) {
          XmlDoc::leaf(r, "last_data_sync_time", recorded_time(*t));
        } else {
          auto n = XmlDoc::leaf(r, "last_data_sync_time", format_rfc3339(*t));
          n.append_attribute("ts") = unix_seconds(*t);
        }
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
    XmlDoc::leaf(d.root(), "api_version", api_version(app_->software().version));
    // 24.3 removed <company_name> (the API change log).
    if (app_->software().version < Version{24, 3, 0})
      XmlDoc::leaf(d.root(), "company_name", config_.company_name);
    XmlDoc::leaf(d.root(), "timestamp", std::to_string(unix_seconds(wall_.now())));
    auto perms = d.root().append_child("permissions");
    for (const auto& [name, value] : permissions(a))
      XmlDoc::leaf(perms, "permission", value).append_attribute("name") = name;
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
      d.root().text().set("Successfully terminated");
      return d.response();
    } catch (const ModelError& e) {
      return xml_error(ns, e.what());
    }
  }
  return xml_error(ns, "Unknown action '" + action + "'.");
}

Response Service::command_v2(const Call& c, const Account& a) {
  // Per account: 20 requests a second and 15 000 an hour (the JSON command
  // API page). The headers count the hourly budget; beyond either, 429.
  constexpr int kPerSecond = 20, kPerHour = 15000;
  auto& rate = rate_[a.client_id];
  const auto now_s = unix_seconds(wall_.now());
  if (rate.second != now_s) rate.second = now_s, rate.in_second = 0;
  if (rate.hour != now_s / 3600) rate.hour = now_s / 3600, rate.in_hour = 0;
  ++rate.in_second, ++rate.in_hour;
  auto finish = [&](Response r) {
    r.set("X-RateLimit-Limit", std::to_string(kPerHour));
    r.set("X-RateLimit-Remaining", std::to_string(std::max(0, kPerHour - rate.in_hour)));
    return r;
  };
  if (rate.in_second > kPerSecond || rate.in_hour > kPerHour) {
    auto r = json_response(
        http::status::too_many_requests,
        json::object{{"message", rate.in_hour > kPerHour ? "more than 15000 requests this hour"
                                                         : "more than 20 requests this second"}});
    r.set(http::field::retry_after, rate.in_hour > kPerHour ? "3600" : "1");
    return finish(std::move(r));
  }
  const std::string sub = c.path.substr(std::string("/api/command/v2").size());
  const auto method = c.req.method();
  if (method == http::verb::options) {
    // Allow: what the endpoint answers (HEAD wherever GET is).
    std::string allow;
    if (sub == "/health" || sub == "/info" || sub == "/appliance" || sub == "/user")
      allow = "GET, HEAD, OPTIONS";
    else if (sub == "/failover-role" || (sub.starts_with("/user/") && sub.ends_with("/logout")))
      allow = "POST, OPTIONS";
    else if (sub.starts_with("/session/"))
      allow = "DELETE, OPTIONS";
    if (allow.empty())
      return finish(
          json_response(http::status::not_found, json::object{{"message", "no endpoint " + sub}}));
    Response r{http::status::no_content, 11};
    r.set(http::field::allow, allow);
    return finish(std::move(r));
  }
  const bool writes = method != http::verb::get;
  if (command_level(a) < (writes ? 2 : 1))
    return finish(json_response(
        http::status::forbidden,
        json::object{{"message", "permission denied: perm_command is " + a.command}}));
  const auto& id = app_->identity();
  auto opt_time = [](std::optional<TimePoint> t) {
    return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
  };
  // Users by integer id: their 1-based place in the store, stable while the
  // store's users do not change (the product numbers its users).
  auto user_number = [&](const std::string& user) {
    const auto& users = app_->store().users;
    return std::distance(users.begin(), users.find(user)) + 1;
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
  if (sub == "/failover-role" && method == http::verb::post) {
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
    // The version fields are not in the vendor's table: the simulator sends
    // get_api_info's api_version in each.
    const auto v = api_version(app_->software().version);
    json::object perms;
    for (const auto& [name, value] : permissions(a))
      perms[name] =
          name == std::string_view("perm_command") ? json::value(value) : json::value(value == "1");
    return finish(
        json_response(http::status::ok, json::object{{"current_time", format_rfc3339(wall_.now())},
                                                     {"command_api_version", v},
                                                     {"config_api_version", v},
                                                     {"reporting_api_version", v},
                                                     {"backup_api_version", v},
                                                     {"product", "Remote Support"},
                                                     {"permissions", perms}}));
  }
  if (sub == "/appliance" && !writes) {
    // An array: every appliance of the site (one here; Atlas lists its nodes).
    return finish(
        json_response(http::status::ok,
                      json::array{json::object{{"id", id.guid},
                                               {"name", id.name},
                                               {"public_hostname", id.hostname},
                                               {"cluster_role", cluster_role(app_->atlas_role())},
                                               {"failover_role", to_string(app_->role())},
                                               {"accepting_connections", app_->serves_site()},
                                               {"timezone_offset", 0}}}));
  }
  if (sub == "/user" && !writes) {
    json::array users;
    for (const auto& u : app_->logged_in())
      users.push_back(json::object{{"id", user_number(u)},
                                   {"username", u},
                                   {"display_name", app_->store().users.at(u).display_name}});
    return finish(json_response(http::status::ok, users));
  }
  if (sub.starts_with("/user/") && sub.ends_with("/logout") && method == http::verb::post) {
    const auto number = sub.substr(6, sub.size() - 6 - 7);
    const std::string* user = nullptr;
    for (const auto& u : app_->logged_in())
      if (std::to_string(user_number(u)) == number) user = &u;
    if (!user)
      return finish(json_response(http::status::not_found,
                                  json::object{{"message", "no logged-in user " + number}}));
    app_->logout(std::string(*user));
    return finish(Response{http::status::no_content, 11});
  }
  if (sub.starts_with("/session/") && method == http::verb::delete_) {
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
