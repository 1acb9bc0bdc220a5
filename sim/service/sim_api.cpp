// The simulator's own API (/sim/v1/...): what the product offers no public API
// for (operator steps on a physical appliance), seeding, and faults.
#include <boost/json.hpp>
#include <charconv>
#include <cstdlib>

#include "client_json.hpp"
#include "failover_hil/core/byte_reader.hpp"
#include "failover_hil/core/https_client.hpp"
#include "failover_hil/sim/model/errors.hpp"
#include "failover_hil/sim/model/peer_json.hpp"
#include "service.hpp"

namespace failover_hil::sim::service {

namespace json = boost::json;

namespace {

const json::object& object_of(const json::value& v) {
  if (!v.is_object()) throw MalformedInput("request body", 0, "expected a JSON object");
  return v.get_object();
}

std::string str_field(const json::object& o, const char* k) {
  const auto* v = o.if_contains(k);
  if (!v || !v->is_string())
    throw MalformedInput("request body", 0, std::string("'") + k + "' must be a string");
  return std::string(v->get_string());
}

std::int64_t int_field(const json::object& o, const char* k,
                       std::optional<std::int64_t> dflt = {}) {
  const auto* v = o.if_contains(k);
  if (!v && dflt) return *dflt;
  if (!v || !(v->is_int64() || v->is_uint64()))
    throw MalformedInput("request body", 0, std::string("'") + k + "' must be an integer");
  return v->to_number<std::int64_t>();
}

bool bool_field(const json::object& o, const char* k, std::optional<bool> dflt = {}) {
  const auto* v = o.if_contains(k);
  if (!v && dflt) return *dflt;
  if (!v || !v->is_bool())
    throw MalformedInput("request body", 0, std::string("'") + k + "' must be true or false");
  return v->get_bool();
}

const json::array& array_field(const json::object& o, const char* k) {
  const auto* v = o.if_contains(k);
  if (!v || !v->is_array())
    throw MalformedInput("request body", 0, std::string("'") + k + "' must be a list");
  return v->get_array();
}

const json::value& value_field(const json::object& o, const char* k) {
  const auto* v = o.if_contains(k);
  if (!v) throw MalformedInput("request body", 0, std::string("missing '") + k + "'");
  return *v;
}

// A file store path as the appliance stores it ("/files/logo.png"): rooted
// in the store, no '..', '.' or empty part, no backslash or NUL, so it cannot
// name a place outside the store wherever it is written out.
constexpr std::size_t kMaxStorePath = 1024;

std::string store_path_field(const json::object& o, const char* k) {
  auto p = str_field(o, k);
  auto refuse = [&](const std::string& why) {
    throw MalformedInput("request body", 0,
                         std::string("'") + k + "' is " + quoted_short(p) + ": " + why);
  };
  if (p.empty() || p.size() > kMaxStorePath)
    refuse("expected 1 to " + std::to_string(kMaxStorePath) + " characters");
  if (p.find('\\') != std::string::npos || p.find('\0') != std::string::npos)
    refuse("expected no backslash or NUL");
  std::string_view rest = p;
  if (rest.starts_with('/')) rest.remove_prefix(1);
  for (;;) {
    const auto slash = rest.find('/');
    const auto part = rest.substr(0, slash);
    if (part.empty() || part == "." || part == "..") refuse("expected no empty, '.' or '..' part");
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return p;
}

std::uint64_t size_field(const json::object& o, const char* k) {
  const auto n = int_field(o, k);
  if (n < 0) throw MalformedInput("request body", 0, std::string("'") + k + "' must be >= 0");
  return static_cast<std::uint64_t>(n);
}

std::uint16_t port_field(const json::object& o, const char* k) {
  const auto p = int_field(o, k, 443);
  if (p < 1 || p > 65535)
    throw MalformedInput("request body", 0, std::string("'") + k + "' must be a TCP port");
  return static_cast<std::uint16_t>(p);
}

json::value status_json(const Appliance& a) {
  json::object o{{"name", a.name()},
                 {"guid", a.identity().guid},
                 {"unique_ip", a.identity().unique_ip},
                 {"shared_ip", a.identity().shared_ip},
                 {"role", to_string(a.role())},
                 {"state", to_string(a.state())},
                 {"serves_site", a.serves_site()},
                 {"base", a.base().str()},
                 {"software", sim::to_json(a.software())},
                 {"shared_ip_enabled", a.shared_ip_enabled()},
                 {"atlas_role", to_string(a.atlas_role())},
                 {"management_restricted", a.management_restricted()},
                 {"last_peer_error", a.last_peer_error()},
                 {"stored_bytes", a.store().stored_bytes()},
                 {"users", a.store().users.size()},
                 {"session_records", a.store().sessions.size()},
                 {"events", a.events().size()}};
  const auto& s = a.sync_status();
  o["sync"] = json::object{
      {"in_progress", s.in_progress},
      {"last_sync", s.last_sync ? json::value(format_rfc3339(*s.last_sync)) : nullptr},
      {"last_sync_ms",
       s.last_sync ? json::value(s.last_sync->time_since_epoch().count()) : nullptr},
      {"last_status", s.last_status},
      {"scheduled", s.scheduled ? json::value(format_rfc3339(*s.scheduled)) : nullptr}};
  if (const auto in = a.install())
    o["install"] = json::object{{"update", in->update.id},
                                {"target", in->update.target()},
                                {"progress", in->progress},
                                {"duration_ms", in->duration.count()}};
  json::array pending, available, violations, installed;
  for (const auto& d : a.pending_dependents()) pending.push_back(json::string(d));
  for (const auto& u : a.available_updates())
    available.push_back(json::object{{"id", u.id}, {"target", u.target()}});
  for (const auto& v : a.violations())
    violations.push_back(
        json::object{{"rule", v.rule}, {"text", v.text}, {"at", format_rfc3339(v.at)}});
  for (const auto& i : a.installed_updates()) installed.push_back(json::string(i));
  o["pending_dependents"] = pending;
  o["available_updates"] = available;
  o["violations"] = violations;
  o["installed_updates"] = installed;
  return o;
}

}  // namespace

Response Service::sim_api(const Call& c, const Account& a) {
  if (a.command != "full_access")
    return json_error(http::status::forbidden, "access_denied",
                      "the simulator API needs command=full_access");
  const std::string op = c.path.substr(std::string("/sim/v1/").size());
  const bool get = c.req.method() == http::verb::get;
  auto ok = [](json::object extra = {}) {
    extra["ok"] = true;
    return json_response(http::status::ok, extra);
  };
  if (get && op == "status") return json_response(http::status::ok, status_json(*app_));
  if (get && op == "events") {
    json::array ev;
    std::size_t since = 0;
    if (const auto text = c.opt_param("since")) {
      const auto* end = text->data() + text->size();
      const auto [p, ec] = std::from_chars(text->data(), end, since);
      if (ec != std::errc() || p != end || text->empty())
        throw MalformedInput("query", 0,
                             "'since' is " + quoted_short(*text) +
                                 "; expected an event index, a whole number from 0");
    }
    for (auto i = since; i < app_->events().size(); ++i)
      ev.push_back(json::object{{"index", i},
                                {"at", format_rfc3339(app_->events()[i].at)},
                                {"text", app_->events()[i].text}});
    return json_response(http::status::ok, ev);
  }
  if (get && op == "updates/download-key") return ok({{"key", app_->download_key()}});
  if (get) return json_error(http::status::not_found, "not_found", "no GET /sim/v1/" + op);

  if (op == "updates/manual-install") {  // body: the update file's bytes
    app_->install_file({c.req.body().begin(), c.req.body().end()});
    return ok({{"installing", app_->install() ? app_->install()->update.target() : ""}});
  }
  Response err;
  const auto body_v = json_body(c.req, err);
  if (!body_v) return err;
  const auto& body = object_of(*body_v);

  if (op == "sync-now") return app_->sync_now(), ok();
  if (op == "break") return app_->break_relationship(), ok();
  if (op == "restart") return app_->restart(), ok();
  if (op == "support-recover") return app_->support_recover(), ok();
  if (op == "establish") {
    const auto warnings =
        app_->establish({{str_field(body, "backup_host"), port_field(body, "backup_port")},
                         {str_field(body, "reverse_host"), port_field(body, "reverse_port")}});
    json::array w;
    for (const auto& s : warnings) w.push_back(json::string(s));
    auto r = ok({{"warnings", w}});
    r.result(http::status::accepted);  // the peer answers later: poll /sim/v1/status
    return r;
  }
  if (op == "shared-ip") {
    const bool enabled = bool_field(body, "enabled");
    if (enabled && hooks_.shared_ip) {
      if (auto e = hooks_.shared_ip(true, bool_field(body, "skip_duplicate_check", false));
          !e.empty())
        return json_error(
            http::status::conflict, "R23",
            "R23: cannot enable the shared IP (does the other appliance hold it?): " + e);
    }
    app_->set_shared_ip(enabled);
    if (!enabled && hooks_.shared_ip) hooks_.shared_ip(false, false);
    return ok();
  }
  if (op == "updates/check" || op == "updates/install") {
    if (!config_.update_server)
      return json_error(http::status::conflict, "R08",
                        "no update server configured for " + app_->name());
    const auto& u = *config_.update_server;
    // Within the harness's own deadline (10 s): an unreachable update server
    // is an answer (502, the reason), not a call that never returns.
    HttpsClient server(u.host, u.port, TlsTrust{{}, u.fingerprint, false}, std::chrono::seconds(4));
    const auto unreachable = [&](const std::exception& e) {
      return json_error(http::status::bad_gateway, "update_server",
                        "cannot reach the update server at " + u.host + ":" +
                            std::to_string(u.port) + ": " + e.what());
    };
    const auto guid = app_->identity().guid;
    if (op == "updates/check") {
      const auto check = app_->check_for_updates();
      const json::object q{{"appliance_guid", check.appliance_guid},
                           {"base", check.base.str()},
                           {"software", sim::to_json(check.software)}};
      HttpResponse res;
      try {
        res = server.request({"POST",
                              "/updates/v1/available",
                              json::serialize(q),
                              {{"Content-Type", "application/json"}}});
      } catch (const HttpsError& e) {
        return unreachable(e);
      }
      if (res.status != 200)
        return json_error(http::status::bad_gateway, "update_server", res.body);
      std::vector<UpdateInfo> list;
      const auto offered = json::parse(res.body);
      for (const auto& e : offered.as_array()) {
        const auto& o = e.as_object();
        UpdateInfo info;
        info.id = str_field(o, "id");
        info.kind = str_field(o, "kind") == "base" ? UpdateKind::base : UpdateKind::software;
        info.base = Version::parse(str_field(o, "base"));
        info.software = release_from_json(o.at("software"));
        list.push_back(info);
      }
      app_->set_available_updates(list);
      json::array ids;
      for (const auto& i : list) ids.push_back(json::object{{"id", i.id}, {"target", i.target()}});
      return ok({{"available", ids}});
    }
    const auto id = app_->take_update_for_install(str_field(body, "id"));
    HttpResponse res;
    try {
      res = server.get("/updates/v1/download?guid=" + guid + "&id=" + id);
    } catch (const HttpsError& e) {
      return unreachable(e);
    }
    if (res.status != 200) return json_error(http::status::bad_gateway, "update_server", res.body);
    app_->install_file({res.body.begin(), res.body.end()});
    return ok({{"installing", app_->install()->update.target()}});
  }
  if (op == "seed") {
    // Everything is read before anything is applied: a refused item leaves no half seed.
    std::vector<User> users;
    std::vector<std::pair<std::string, std::string>> settings;
    std::vector<StoredFile> files;
    if (body.contains("users"))
      for (const auto& u : array_field(body, "users"))
        users.push_back({str_field(object_of(u), "id"), str_field(object_of(u), "display_name")});
    if (const auto* v = body.if_contains("settings"))
      for (const auto& [k, val] : object_of(*v))
        settings.emplace_back(std::string(k), json::serialize(val));
    if (body.contains("files"))
      for (const auto& f : array_field(body, "files"))
        files.push_back(
            {store_path_field(object_of(f), "path"), size_field(object_of(f), "size_bytes")});
    for (auto& u : users) app_->add_user(std::move(u));
    for (auto& [k, v] : settings) app_->set_setting(k, v);
    for (auto& f : files) app_->add_file(std::move(f));
    return ok();
  }
  if (op == "login") return app_->login(str_field(body, "user_id")), ok();
  if (op == "clients/connect") {
    auto client = client_from(*body_v);
    app_->connect_client(client);
    return json_response(http::status::ok, to_json(client));
  }
  if (op == "sessions/start") {
    auto console = client_from(value_field(body, "console"));
    const auto lsid = app_->start_session(console, client_from(value_field(body, "jump_client")));
    if (const auto rec = int_field(body, "recording_bytes", 0); rec > 0)
      app_->add_recording({lsid, static_cast<std::uint64_t>(rec)});
    return ok({{"lsid", lsid}});
  }
  if (op == "sessions/end") return app_->end_session(str_field(body, "lsid")), ok();
  if (op == "faults/install") {
    InstallFaults f;
    if (const auto* p = body.if_contains("fail_at_progress")) {
      if (!p->is_number() || p->to_number<double>() < 0 || p->to_number<double>() > 1)
        throw MalformedInput("request body", 0, "'fail_at_progress' must be a number in 0..1");
      f.fail_at_progress = p->to_number<double>();
    }
    f.hang = bool_field(body, "hang", false);
    if (body.contains("disk_free_bytes")) f.disk_free_bytes = size_field(body, "disk_free_bytes");
    app_->arm_install_faults(f);
    return ok();
  }
  if (op == "faults/sync") {
    SyncFaults f;
    if (const auto* sl = body.if_contains("slowdown")) {
      if (!sl->is_number() || sl->to_number<double>() < 1 || sl->to_number<double>() > 10000)
        throw MalformedInput("request body", 0, "'slowdown' must be a number in 1..10000");
      f.slowdown = sl->to_number<double>();
    }
    f.fail = bool_field(body, "fail", false);
    app_->arm_sync_faults(f);
    return ok();
  }
  if (op == "faults/crash") {
    log_.warn("fault: crashing now (as kill -9 would)");
    std::_Exit(137);
  }
  if (op == "faults/refuse-site") {
    const auto ms = int_field(body, "duration_ms");
    if (ms < 0 || ms > 3'600'000)
      throw MalformedInput("request body", 0, "'duration_ms' must be 0..3600000");
    if (hooks_.refuse_site) hooks_.refuse_site(std::chrono::milliseconds(ms));
    return ok();
  }
  if (op == "faults/peer-silence") {
    peer_silent_ = bool_field(body, "enabled");
    log_.warn(std::string("fault: peer channel ") +
              (peer_silent_ ? "silenced" : "answering again"));
    return ok();
  }
  return json_error(http::status::not_found, "not_found", "no POST /sim/v1/" + op);
}

}  // namespace failover_hil::sim::service
