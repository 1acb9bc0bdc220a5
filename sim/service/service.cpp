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

namespace {

// The Inter-Appliance key stays in its key file and out of the saved state
// (issue 16: it sat in clear in every run directory's state.sqlite); a
// restored appliance gets it from the appliance file again.
json::value without_key(json::value appliance) {
  if (auto* config = appliance.as_object().if_contains("config"))
    config->as_object().erase("inter_appliance_key");
  return appliance;
}

json::value with_key(json::value appliance, const std::vector<std::uint8_t>& key) {
  appliance.as_object()["config"].as_object()["inter_appliance_key"] = to_hex(key);
  return appliance;
}

}  // namespace

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
    app_ = Appliance::restore(with_key(v.at("appliance"), config_.appliance.inter_appliance_key),
                              *clock_);
    committed_ = json::serialize(without_key(v.at("appliance")));
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

bool Service::persist() {
  json::object o{{"saved_at_ms", clock_->now().time_since_epoch().count()},
                 {"appliance", without_key(app_->save())}};
  // Compare without the timestamp, so an idle appliance writes nothing.
  auto text = json::serialize(o["appliance"]);
  if (text == saved_) return true;
  try {
    db_.save(json::serialize(o));
  } catch (const StateDbError& e) {
    // A full disk must not end the process: reads go on being served, changes
    // are refused (507) until a save succeeds again.
    if (!unsaved_)
      log_.error(std::string(e.what()) +
                 "; serving reads, refusing changes (507) until the state can be saved");
    unsaved_ = true;
    return false;
  }
  if (unsaved_) log_.info("the state is saved again");
  unsaved_ = false;
  committed_ = text;
  saved_ = std::move(text);
  return true;
}

void Service::roll_back() {
  if (committed_)
    app_ = Appliance::restore(
        with_key(json::parse(*committed_), config_.appliance.inter_appliance_key), *clock_);
  else
    app_ = std::make_unique<Appliance>(config_.appliance, *clock_);
  saved_ = committed_.value_or("");
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

Admission Service::admit(const Request& header, const std::string&) {
  // An update file is signed and at most 1 MiB of body (sim/model/update.cpp);
  // a peer's sync message carries the whole data store.
  constexpr std::uint64_t kUploadBody = 8 * 1024 * 1024;
  constexpr std::uint64_t kPeerBody = 32 * 1024 * 1024;
  Admission a;
  const std::string_view target = header.target();
  const auto path = url_decode(target.substr(0, target.find('?')));
  if (path == "/peer/v1/message") {
    if (peer_silent_) return a;  // handle() closes without an answer
    const auto it = nonces_.find(std::string(header["X-Peer-Nonce"]));
    if (it == nonces_.end() || it->second < std::chrono::steady_clock::now()) {
      a.refuse = json_error(http::status::forbidden, "peer_auth", "unknown or expired challenge");
      finish(*a.refuse, header);
    } else {
      a.body_limit = kPeerBody;  // its MAC is checked once the body is in
    }
    return a;
  }
  if (path.starts_with("/api/") || path.starts_with("/sim/v1/")) {
    if (!bearer(header)) {
      a.refuse = unauthorized(path);
      finish(*a.refuse, header);
    } else if (path == "/sim/v1/updates/manual-install") {
      a.body_limit = kUploadBody;
    }
  }
  return a;
}

void Service::finish(Response& res, const Request& req) const {
  if (config_.identity_headers) {
    res.set("X-Served-By", app_->name());
    res.set("X-Appliance-Id", app_->identity().guid);
  }
  if (!req.target().starts_with("/probe") && !req.target().starts_with("/check_health") &&
      req.target() != "/")
    res.keep_alive(false);  // the product closes API connections after each call
  else
    res.keep_alive(req.keep_alive());
  res.prepare_payload();
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
  // A change is acknowledged only once saved: what the state was before it,
  // to tell whether this request changed anything.
  const bool change = req.method() != http::verb::get && req.method() != http::verb::head;
  const auto before = change ? json::serialize(app_->save()) : std::string();
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
  } catch (const boost::system::system_error& e) {
    // Boost.JSON's accessors on a body of the wrong shape ("not an array").
    if (e.code().category() != json::make_error_code(json::error::not_array).category()) throw;
    res = json_error(http::status::bad_request, "malformed",
                     "the JSON body has a value of the wrong type: " + e.code().message() +
                         " (docs/bseries-sim.md lists each call's fields)");
  } catch (const std::invalid_argument& e) {
    // Boost.JSON's as_object(), as_array() ... on a value of another type.
    res = json_error(http::status::bad_request, "malformed",
                     std::string("the JSON body has a value of the wrong type: ") + e.what() +
                         " (docs/bseries-sim.md lists each call's fields)");
  } catch (const std::out_of_range&) {
    // Boost.JSON's object::at on a missing field.
    res = json_error(http::status::bad_request, "malformed",
                     "the JSON body lacks a required field (docs/bseries-sim.md lists each "
                     "call's fields)");
  } catch (const std::exception& e) {
    log_.error(std::string("internal error on ") + std::string(req.target()) + ": " + e.what());
    res = json_error(http::status::internal_server_error, "internal",
                     "internal error; the simulator's log has the details");
  }
  const bool changed = change && json::serialize(app_->save()) != before;
  tick();  // acknowledge only what is committed
  if (res && changed && unsaved_ &&
      http::to_status_class(res->result()) == http::status_class::successful) {
    // Not saved, so not acknowledged: undone, and the client told why.
    roll_back();
    res = json_error(http::status::insufficient_storage, "not_saved",
                     "the change could not be saved (is the disk full?) and was undone; reads "
                     "are still served; try again once the simulator's log says the state is "
                     "saved again");
  }
  if (res) finish(*res, req);
  return res;
}

const Account* Service::bearer(const Request& req) const {
  const auto auth = req[http::field::authorization];
  if (!auth.starts_with("Bearer ")) return nullptr;
  return tokens_.check(std::string(auth.substr(7)));
}

Response Service::unauthorized(const std::string& path) const {
  if (path == "/api/command")
    return xml_error(config_.command_namespace, "Invalid or expired access token.",
                     http::status::unauthorized);
  if (path == "/api/reporting")
    return xml_error(config_.reporting_namespace, "Invalid or expired access token.",
                     http::status::unauthorized);
  // The product's words (docs/product-api.md, "Authentication").
  return json_error(http::status::unauthorized, "access_denied",
                    "The resource owner or authorization server denied the request.");
}

Response Service::route(const Call& c) {
  if (c.path == "/" || c.path == "/probe" || c.path == "/check_health") return site(c);
  if (c.path == "/oauth2/token") return oauth_token(c);
  if (c.path.starts_with("/client/v1/")) return client_endpoint(c);
  const bool api = c.path.starts_with("/api/") || c.path.starts_with("/sim/v1/");
  if (!api) return text(http::status::not_found, "not found\n");
  const Account* a = bearer(c.req);
  if (!a) return unauthorized(c.path);
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
  if (const auto wait = throttle_.wait_s(id); wait > 0) {
    auto res = json_error(
        http::status::too_many_requests, "slow_down",
        "too many wrong secrets for this client id; try again in " + std::to_string(wait) + " s");
    res.set(http::field::retry_after, std::to_string(wait));
    return res;
  }
  const auto token = tokens_.issue(id, secret);
  if (!token) {
    throttle_.failed(id);
    log_.warn("token refused for client id " + quoted_short(id) + " from " + c.remote);
    return json_error(http::status::unauthorized, "invalid_client", "unknown client id or secret");
  }
  throttle_.succeeded(id);
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
    if (!body->is_object())
      throw MalformedInput("request body", 0, "expected {console, jump_client}");
    const auto& o = body->get_object();
    const auto* console = o.if_contains("console");
    const auto* jump = o.if_contains("jump_client");
    if (!console || !jump)
      throw MalformedInput("request body", 0, "expected {console, jump_client}");
    const auto lsid = app_->start_session(client_from(*console), client_from(*jump));
    app_->end_session(lsid);
    return json_response(http::status::ok, json::object{{"lsid", lsid}});
  }
  return json_error(http::status::not_found, "not_found", "no client endpoint " + c.path);
}

}  // namespace failover_hil::sim::service
