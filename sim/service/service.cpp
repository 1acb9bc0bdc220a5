// bseries-sim's request handling: dispatch, authentication, the site, the
// peer channel, persistence. The product API lives in api_*.cpp, the
// simulator's own API in sim_api.cpp.
#include "service.hpp"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "client_json.hpp"
#include "failover_hil/core/byte_reader.hpp"
#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"
#include "failover_hil/sim/model/errors.hpp"
#include "failover_hil/sim/model/peer_json.hpp"
#include "peer_auth.hpp"
#include "xml.hpp"

namespace failover_hil::sim::service {

namespace json = boost::json;
using namespace std::chrono_literals;

Service::Service(ServiceConfig config, const std::filesystem::path& data_dir, double time_scale,
                 boost::asio::io_context& io, Log& log, ServiceHooks hooks)
    : config_(std::move(config)),
      io_(io),
      log_(log),
      hooks_(std::move(hooks)),
      db_(data_dir / "state.sqlite"),
      tokens_(config_.accounts, wall_),
      courier_(config_.appliance.inter_appliance_key, log,
               [&io](std::function<void()> f) { boost::asio::post(io, std::move(f)); }) {
  if (auto saved = db_.load()) {
    // Simulated time resumes where it stopped: a dead process does not install.
    json::value v;
    try {
      v = json::parse(*saved);
    } catch (const std::exception& e) {
      throw StateDbError((data_dir / "state.sqlite").string() +
                         ": the saved state is not JSON; move the data directory away to start "
                         "afresh (" +
                         e.what() + ")");
    }
    const auto at = TimePoint{Duration{v.at("saved_at_ms").to_number<std::int64_t>()}};
    clock_ = std::make_unique<ScaledClock>(at, time_scale);
    app_ = Appliance::restore(v.at("appliance"), *clock_);
    log_.info("restored " + app_->name() + " from " + (data_dir / "state.sqlite").string() +
              " (role " + std::string(to_string(app_->role())) + ", " + app_->software().str() +
              ")");
  } else {
    clock_ = std::make_unique<ScaledClock>(wall_.now(), time_scale);
    app_ = std::make_unique<Appliance>(config_.appliance, *clock_);
    log_.info("new appliance " + app_->name() + " in " + data_dir.string());
  }
  persist();
}

void Service::persist() {
  json::object o{{"saved_at_ms", clock_->now().time_since_epoch().count()},
                 {"appliance", app_->save()}};
  // Compare without the timestamp, so an idle appliance writes nothing.
  auto text = json::serialize(o["appliance"]);
  if (text == saved_) return;
  db_.save(json::serialize(o));
  saved_ = std::move(text);
}

void Service::tick() {
  const auto before = app_->events().size();
  app_->tick();
  for (auto& out : app_->take_outbox()) deliver(std::move(out));
  for (auto i = before; i < app_->events().size(); ++i) log_.info(app_->events()[i].text);
  persist();
}

void Service::deliver(Outbound out) {
  courier_.send(std::move(out), [this](std::uint64_t id, std::optional<PeerResponse> r) {
    const auto before = app_->events().size();
    if (r) {
      app_->on_peer_response(id, *r);
    } else {
      app_->on_peer_unreachable(id);
    }
    for (auto i = before; i < app_->events().size(); ++i) log_.info(app_->events()[i].text);
    tick();
  });
}

std::optional<Response> Service::handle(const Request& req, const std::string& remote) {
  if (req.method() == http::verb::head) {
    // Every GET also answers HEAD: the GET's status and headers, no body.
    Request get = req;
    get.method(http::verb::get);
    auto res = handle(get, remote);
    if (res) {
      const auto length = res->body().size();
      res->body().clear();
      res->content_length(length);
    }
    return res;
  }
  std::optional<Response> res;
  try {
    const Call c = make_call(req, remote);
    if (c.path.starts_with("/peer/v1/")) {
      res = peer(c);
    } else {
      res = route(c);
    }
  } catch (const ModelError& e) {
    res = json_error(http::status::conflict, e.rule().empty() ? "refused" : e.rule(), e.what());
  } catch (const MalformedInput& e) {
    res = json_error(http::status::bad_request, "malformed", e.what());
  } catch (const std::exception& e) {
    log_.error(std::string("internal error: ") + e.what());
    res = json_error(http::status::internal_server_error, "internal", e.what());
  }
  tick();  // acknowledge only what is committed
  if (res) {
    if (config_.identity_headers) {
      res->set("X-Served-By", app_->name());
      res->set("X-Appliance-Id", app_->identity().guid);
    }
    if (!req.target().starts_with("/probe") && !req.target().starts_with("/check_health") &&
        req.target() != "/")
      res->keep_alive(false);  // the product closes API connections after each call
    else
      res->keep_alive(req.keep_alive());
    res->prepare_payload();
  }
  return res;
}

const Account* Service::bearer(const Call& c) const {
  const auto auth = c.req[http::field::authorization];
  if (!auth.starts_with("Bearer ")) return nullptr;
  return tokens_.check(std::string(auth.substr(7)));
}

Response Service::route(const Call& c) {
  if (c.path == "/" || c.path == "/probe" || c.path == "/check_health") return site(c);
  if (c.path == "/oauth2/token") return oauth_token(c);
  if (c.path.starts_with("/client/v1/")) return client_endpoint(c);
  const bool api = c.path.starts_with("/api/") || c.path.starts_with("/sim/v1/");
  if (!api) return text(http::status::not_found, "not found\n");
  const Account* a = bearer(c);
  if (!a) {
    if (c.path == "/api/command")
      return xml_error(config_.command_namespace, "Invalid or expired access token.",
                       http::status::unauthorized);
    if (c.path == "/api/reporting")
      return xml_error(config_.reporting_namespace, "Invalid or expired access token.",
                       http::status::unauthorized);
    // The product's words (docs/product-api.md, "Authentication").
    return json_error(http::status::unauthorized, "access_denied",
                      "The resource owner or authorization server denied the request.");
  }
  if (c.path == "/api/command") return command_xml(c, *a);
  if (c.path.starts_with("/api/command/v2/")) return command_v2(c, *a);
  if (c.path == "/api/reporting") return reporting(c, *a);
  if (c.path == "/api/backup") return backup(c, *a);
  if (c.path.starts_with("/sim/v1/")) return sim_api(c, *a);
  return json_error(http::status::not_found, "not_found", "no API at " + c.path);
}

Response Service::oauth_token(const Call& c) {
  if (c.req.method() != http::verb::post)
    return json_error(http::status::method_not_allowed, "invalid_request", "POST /oauth2/token");
  if (c.param("grant_type") != "client_credentials")
    return json_error(http::status::bad_request, "unsupported_grant_type",
                      "grant_type must be client_credentials (form-encoded body)");
  std::string id = c.param("client_id"), secret = c.param("client_secret");
  const auto auth = c.req[http::field::authorization];
  if (auth.starts_with("Basic ")) {
    // base64 of the raw "client_id:client_secret", as the vendor's example
    // builds it: no form-encoding (secrets hold '+', '/' and '='), and the
    // id holds no ':' (RFC 7617: the secret may).
    std::string decoded;
    try {
      decoded = crypto::base64_decode(std::string(auth.substr(6)));
    } catch (const crypto::CryptoError&) {
      decoded.clear();  // not base64: refused below like a missing ':'
    }
    const auto colon = decoded.find(':');
    if (colon == std::string::npos)
      return json_error(http::status::unauthorized, "invalid_client",
                        "malformed Basic credentials");
    id = decoded.substr(0, colon);
    secret = decoded.substr(colon + 1);
  }
  const auto token = tokens_.issue(id, secret);
  if (!token) {
    log_.warn("token refused for client id '" + id + "' from " + c.remote);
    return json_error(http::status::unauthorized, "invalid_client", "unknown client id or secret");
  }
  return json_response(http::status::ok,
                       json::object{{"access_token", *token},
                                    {"token_type", "Bearer"},
                                    {"expires_in", TokenStore::kLifetime.count()}});
}

Response Service::site(const Call& c) {
  const bool ok = app_->serves_site();
  if (c.path == "/check_health") {
    // The product: 200 with a short text when healthy, 500 when not; a
    // backup does not accept client connections (status unconfirmed: 500).
    return text(ok ? http::status::ok : http::status::internal_server_error,
                ok ? "OK\n" : "Not accepting client connections\n");
  }
  if (!ok) {
    const std::string why = app_->state() != OperatingState::running
                                ? std::string(to_string(app_->state()))
                                : "backup appliance";
    return text(http::status::service_unavailable, "site unavailable: " + why + "\n");
  }
  return text(http::status::ok,
              c.path == "/" ? "BeyondTrust site on " + app_->name() + "\n" : "ok\n");
}

std::optional<Response> Service::peer(const Call& c) {
  if (peer_silent_) return std::nullopt;  // fault: the peer channel does not answer
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(nonces_, [&](const auto& n) { return n.second < now; });
  if (c.path == "/peer/v1/challenge") {
    const auto nonce = to_hex(crypto::random_bytes(16));
    nonces_[nonce] = now + 30s;
    return json_response(http::status::ok, json::object{{"nonce", nonce}});
  }
  if (c.path != "/peer/v1/message" || c.req.method() != http::verb::post)
    return json_error(http::status::not_found, "not_found", "no peer endpoint " + c.path);
  const std::string nonce(c.req["X-Peer-Nonce"]);
  const auto it = nonces_.find(nonce);
  if (it == nonces_.end())
    return json_error(http::status::forbidden, "peer_auth", "unknown or expired challenge");
  nonces_.erase(it);  // single use
  const auto& key = config_.appliance.inter_appliance_key;
  if (!peer_mac_ok(key, "request", nonce, c.req.body(), c.req["X-Peer-Mac"])) {
    const std::string why = "R17: a peer at " + c.remote +
                            " is not using our Inter-Appliance key (the keys differ); copy one key "
                            "to the other (/login > Management > Security)";
    log_.error(why);
    return json_error(http::status::forbidden, "peer_auth", why);
  }
  const auto request = request_from_json(json::parse(c.req.body()));
  const auto before = app_->events().size();
  const auto answer = app_->handle_peer(request);
  for (auto i = before; i < app_->events().size(); ++i) log_.info(app_->events()[i].text);
  auto res = json_response(http::status::ok, to_json(answer));
  res.set("X-Peer-Mac", peer_mac(key, "response", nonce, res.body()));
  return res;
}

Response Service::client_endpoint(const Call& c) {
  // What a representative console or Jump Client speaks to the site: no API
  // account, the client's own identity. Unavailable like the site itself.
  if (c.req.method() != http::verb::post)
    return json_error(http::status::method_not_allowed, "invalid_request", "POST " + c.path);
  if (!app_->serves_site())
    return json_error(http::status::service_unavailable, "unavailable",
                      "site unavailable on " + app_->name());
  Response err;
  const auto body = json_body(c.req, err);
  if (!body) return err;
  if (c.path == "/client/v1/connect") {
    auto client = client_from(*body);
    app_->connect_client(client);
    return json_response(http::status::ok, to_json(client));
  }
  if (c.path == "/client/v1/session") {
    // A support session to a remote computer through a Jump Client, start to end.
    const auto& o = body->as_object();
    const auto lsid =
        app_->start_session(client_from(o.at("console")), client_from(o.at("jump_client")));
    app_->end_session(lsid);
    return json_response(http::status::ok, json::object{{"lsid", lsid}});
  }
  return json_error(http::status::not_found, "not_found", "no client endpoint " + c.path);
}

}  // namespace failover_hil::sim::service
