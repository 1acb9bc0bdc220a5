#include "failover_hil/hil/http_driver.hpp"

#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "answer_read.hpp"
#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"
#include "xml_read.hpp"

namespace failover_hil::hil {

namespace json = boost::json;

namespace {

constexpr const char* kSimApi = "from the simulator API";

/// A non-2xx answer: the API's JSON refusal message if it sent one,
/// otherwise what came instead of `expected`.
[[noreturn]] void refused(const answer::Origin& o, const HttpResponse& r,
                          const std::string& expected) {
  boost::system::error_code ec;
  const auto v = answer::is_html(r) ? json::value{} : json::parse(r.body, ec);
  const auto* obj = ec ? nullptr : v.if_object();
  const auto* msg = obj ? obj->if_contains("message") : nullptr;
  if (!msg || !msg->is_string() || msg->get_string().empty()) answer::unexpected(o, expected, r);
  throw HarnessError(o.appliance + ": " + o.operation + " failed: HTTP " +
                     std::to_string(r.status) + ": " + std::string(msg->get_string()));
}

/// An ISO-8601 date and time as check_health sends it: "...T00:32:50Z",
/// "...+00:00", or "2019-10-07T00:32:50.877+0000" (a recorded appliance),
/// fractions of a second optional; no zone is read as UTC. nullopt when the
/// text is none of these.
std::optional<TimePoint> iso8601_time(std::string_view t) {
  auto digits = [&](std::size_t at, std::size_t n) -> std::optional<int> {
    if (at + n > t.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(t[i]))) return std::nullopt;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  const auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  const auto hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
  if (!year || !month || !day || !hour || !minute || !second || t[4] != '-' || t[7] != '-' ||
      (t[10] != 'T' && t[10] != ' ') || t[13] != ':' || t[16] != ':')
    return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(*year),
                                        std::chrono::month(static_cast<unsigned>(*month)),
                                        std::chrono::day(static_cast<unsigned>(*day))};
  if (!ymd.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  auto at = TimePoint{std::chrono::sys_days(ymd)} + std::chrono::hours(*hour) +
            std::chrono::minutes(*minute) + std::chrono::seconds(*second);
  std::size_t i = 19;
  if (i < t.size() && (t[i] == '.' || t[i] == ',')) {
    int ms = 0, scale = 100;
    for (++i; i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])); ++i, scale /= 10)
      ms += (t[i] - '0') * scale;
    at += Duration{ms};
  }
  if (i == t.size() || ((t[i] == 'Z' || t[i] == 'z') && i + 1 == t.size())) return at;
  if (t[i] != '+' && t[i] != '-') return std::nullopt;
  const int sign = t[i] == '-' ? -1 : 1;
  const auto oh = digits(i + 1, 2);
  const bool colon = i + 3 < t.size() && t[i + 3] == ':';
  const auto om = digits(i + (colon ? 4 : 3), 2);
  if (!oh || !om || i + (colon ? 6 : 5) != t.size()) return std::nullopt;
  return at - sign * (std::chrono::hours(*oh) + std::chrono::minutes(*om));
}

json::value client_json(const ClientSpec& c) {
  return json::object{{"id", c.id},
                      {"kind", c.jump_client ? "jump_client" : "representative_console"},
                      {"deployment", c.msi ? "msi" : "installer"},
                      {"software", json::object{{"version", c.version}, {"build", c.build}}},
                      {"state", c.state},
                      {"connected_to", c.connected_to}};
}

}  // namespace

ApiCredentials ApiCredentials::from_file(const std::filesystem::path& file) {
  YAML::Node y;
  try {
    y = YAML::LoadFile(file.string());
  } catch (const YAML::Exception& e) {
    throw HarnessError(file.string() + ": cannot read API credentials: " + e.what());
  }
  if (!y["client_id"] || !y["client_secret"])
    throw HarnessError(file.string() + ": needs client_id and client_secret");
  return {y["client_id"].as<std::string>(), y["client_secret"].as<std::string>()};
}

ApiCredentials ApiCredentials::from_env(const std::string& prefix) {
  const char* id = std::getenv((prefix + "_CLIENT_ID").c_str());
  const char* secret = std::getenv((prefix + "_CLIENT_SECRET").c_str());
  if (!id || !secret)
    throw HarnessError("set " + prefix + "_CLIENT_ID and " + prefix +
                       "_CLIENT_SECRET for the API account");
  return {id, secret};
}

HttpDriver::HttpDriver(HttpDriverConfig config, std::shared_ptr<OperatorPrompt> prompt)
    : config_(std::move(config)),
      prompt_(std::move(prompt)),
      client_(config_.host, config_.port, config_.trust, config_.call_timeout, config_.netns),
      backup_client_(config_.host, config_.port, config_.trust, config_.backup_timeout,
                     config_.netns) {
  if (!config_.simulator && !prompt_)
    throw HarnessError(config_.name +
                       ": a physical appliance needs an operator prompt for the steps "
                       "the product has no API for");
}

std::string HttpDriver::who() const {
  return config_.name + " (" + config_.host + ":" + std::to_string(config_.port) + ")";
}

void HttpDriver::fail(const std::string& op, const std::string& why,
                      const std::string& todo) const {
  throw HarnessError(who() + ": " + op + " failed: " + why + (todo.empty() ? "" : "; " + todo));
}

std::string HttpDriver::token(const std::string& operation) {
  if (!token_.empty()) return token_;
  // base64 of the raw "client_id:client_secret", as the vendor's API test
  // scenario builds it: secrets hold '+', '/' and '=', and an appliance
  // compares them as they are (docs/product-api.md, "Authentication").
  const auto basic = crypto::base64_encode(
      crypto::as_bytes(config_.credentials.client_id + ":" + config_.credentials.client_secret));
  HttpResponse r;
  try {
    r = client_.request({"POST",
                         "/oauth2/token",
                         "grant_type=client_credentials",
                         {{"Authorization", "Basic " + basic},
                          {"Content-Type", "application/x-www-form-urlencoded"}}});
  } catch (const HttpsError& e) {
    fail(operation, std::string("authentication: ") + e.what(),
         "check the address, port and certificate trust; is the appliance up? (deadline: "
         "HttpDriverConfig::call_timeout = " +
             std::to_string(config_.call_timeout.count()) + " ms)");
  }
  if (r.status == 401)
    fail(operation, "authentication: the API account's credentials were refused",
         "check the credentials file");
  const auto answer =
      answer::Json::parse({who(), operation}, r, "a JSON access token from /oauth2/token");
  token_ = answer.str("access_token");
  if (token_.empty()) fail(operation, "authentication: the access_token is empty");
  return token_;
}

HttpResponse HttpDriver::call(const std::string& operation, const std::string& method,
                              const std::string& target, const std::string& body,
                              const std::string& content_type) {
  return call_with(client_, operation, method, target, body, content_type);
}

HttpResponse HttpDriver::call_with(const HttpsClient& client, const std::string& operation,
                                   const std::string& method, const std::string& target,
                                   const std::string& body, const std::string& content_type) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    HttpRequest req{method, target, body, {{"Authorization", "Bearer " + token(operation)}}};
    if (!content_type.empty()) req.headers.emplace_back("Content-Type", content_type);
    HttpResponse r;
    try {
      r = client.request(req);
    } catch (const HttpsError& e) {
      fail(operation, e.what(),
           "is the appliance up and reachable? (deadline: HttpDriverConfig::" +
               std::string(&client == &backup_client_ ? "backup_timeout" : "call_timeout") + " = " +
               std::to_string(client.timeout().count()) + " ms)");
    }
    if (r.status == 401 && attempt == 0) {
      token_.clear();  // expired or evicted: get a new one once
      continue;
    }
    return r;
  }
  fail(operation, "the token was refused twice", "check the API account's permissions");
}

pugi::xml_document HttpDriver::command(const std::string& operation, const std::string& action,
                                       const std::string& query, const std::string& root) {
  const auto r = call(operation, "GET", "/api/command?action=" + action + query);
  auto doc = answer::xml({who(), operation}, r, root,
                         "XML <" + root + "> from the command API (" + action + ")");
  if (const auto e = xml::error_of(doc))
    fail(operation, "the appliance answered: " + *e +
                        (r.status / 100 == 2 ? "" : " (HTTP " + std::to_string(r.status) + ")"));
  return doc;
}

ApplianceStatus HttpDriver::status() {
  const std::string op = "status (check_health)";
  ApplianceStatus s;
  s.name = config_.name;
  const auto doc = command(op, "check_health", {}, "health_check");
  const auto root = xml::root(doc);
  s.guid = xml::child(root, "appliance").attribute("id").as_string();
  const std::string version = xml::child(root, "version").text().get();  // "23.1.2 (BUILD)"
  s.version = version.substr(0, version.find(' '));
  if (const auto open = version.find('('); open != std::string::npos)
    s.build = version.substr(open + 1, version.find(')') - open - 1);
  const auto success = xml::child(root, "success");
  if (!success)
    fail(op, "the <health_check> answer has no <success>",
         "is this a B Series Appliance's command API?");
  s.healthy = std::string(success.text().get()) == "1";
  // No <failover_role>: the appliance is in no failover relationship.
  if (const auto role = xml::child(root, "failover_role")) {
    try {
      s.role = parse_role(role.text().get());
    } catch (const std::invalid_argument& e) {
      fail(op, std::string("the appliance answered an ") + e.what());
    }
  }
  if (const auto ips = xml::child(root, "enabled_shared_ips"))
    s.shared_ip_enabled = bool(xml::child(ips, "ip"));
  // The documented `ts` attribute (UNIX seconds), else the text: a recorded
  // appliance sent only "2019-10-07T00:32:50.877+0000".
  if (const auto t = xml::child(root, "last_data_sync_time")) {
    if (const auto ts = t.attribute("ts"); !ts.empty()) {
      s.last_sync = TimePoint{std::chrono::seconds(ts.as_llong())};
    } else {
      s.last_sync = iso8601_time(t.text().get());
      if (!s.last_sync)
        fail(op, std::string("the <last_data_sync_time> '") + t.text().get() +
                     "' has no ts attribute and is not an ISO-8601 time");
    }
  }
  s.last_sync_status = xml::child(root, "last_data_sync_status").text().get();
  if (!s.healthy) {
    // error_message names a state the harness knows (installing, ...) or
    // says what else is wrong.
    const std::string text = xml::child(root, "error_message").text().get();
    try {
      s.state = parse_operating_state(text);
    } catch (const std::invalid_argument&) {
      s.state = OperatingState::unhealthy;
    }
    if (s.state == OperatingState::running) s.state = OperatingState::unhealthy;
    if (s.state == OperatingState::unhealthy)
      s.error = text.empty() ? "check_health failed without an error_message" : text;
  }
  if (!config_.simulator) {
    s.serves_site = s.healthy && s.role != Role::backup;
    return s;
  }
  // The simulator tells more than the product API: progress, R06, violations.
  const std::string sim_op = "status (/sim/v1/status)";
  const auto v = answer::Json::parse({who(), sim_op}, call(sim_op, "GET", "/sim/v1/status"),
                                     std::string("a JSON status ") + kSimApi);
  const auto state = v.str("state");
  try {
    s.state = parse_operating_state(state);
  } catch (const std::invalid_argument& e) {
    fail(sim_op, std::string("the simulator answered an ") + e.what());
  }
  if (s.state != OperatingState::unhealthy) s.error.clear();
  s.serves_site = v.boolean("serves_site");
  s.base = v.opt_str("base");
  s.shared_ip_enabled = v.boolean("shared_ip_enabled");
  const auto sync = v.object("sync");
  s.sync_in_progress = sync.boolean("in_progress");
  if (const auto ms = sync.opt_int("last_sync_ms")) s.last_sync = TimePoint{Duration{*ms}};
  s.last_sync_status = sync.opt_str("last_status");
  if (const auto in = v.opt_object("install")) s.install_progress = in->number("progress");
  s.pending_dependents = v.strings("pending_dependents");
  for (const auto& x : v.objects("violations"))
    s.violations.push_back(x.opt_str("rule") + ": " + x.opt_str("text"));
  s.last_peer_error = v.opt_str("last_peer_error");
  return s;
}

DownloadedBackup HttpDriver::download_backup(const std::string& password) {
  const std::string op = "download_backup";
  const auto r =
      call_with(backup_client_, op, "POST", "/api/backup",
                json::serialize(json::object{{"password", password}}), "application/json");
  if (r.status / 100 != 2) refused({who(), op}, r, "the backup file from /api/backup");
  if (answer::is_html(r)) answer::unexpected({who(), op}, "the backup file from /api/backup", r);
  DownloadedBackup b{{r.body.begin(), r.body.end()}, {}};
  b.sha256_hex = to_hex(crypto::sha256(b.bytes));
  if (const auto claimed = r.header("x-backup-sha256"); !claimed.empty() && claimed != b.sha256_hex)
    fail(op, "the file's SHA-256 differs from the one the appliance sent (truncated?)",
         "download it again");
  return b;
}

void HttpDriver::ask(OperatorTask task) {
  task.appliance = config_.name;
  prompt_->ask(task);
}

std::optional<HttpResponse> HttpDriver::sim_or_prompt(const std::string& operation,
                                                      const std::string& op,
                                                      const std::string& body, OperatorTask task) {
  if (!config_.simulator) {
    ask(std::move(task));
    return std::nullopt;
  }
  return sim_call(operation, op, body, "application/json");
}

HttpResponse HttpDriver::sim_call(const std::string& operation, const std::string& op,
                                  const std::string& body, const std::string& content_type) {
  if (!config_.simulator) fail(operation, "a physical appliance has no simulator API");
  auto r = call(operation, "POST", "/sim/v1/" + op, body, content_type);
  if (r.status / 100 != 2) refused({who(), operation}, r, std::string("a JSON answer ") + kSimApi);
  return r;
}

std::string HttpDriver::sim_post(const std::string& op, const std::string& body) {
  return sim_call("/sim/v1/" + op, op, body, "application/json").body;
}

void HttpDriver::sync_now() {
  sim_or_prompt(
      "sync_now", "sync-now", "{}",
      {{},
       "sync_now",
       "go to /login > Management > Failover, click Sync Now and wait until the page shows "
       "the sync finished",
       "check_health's last_data_sync_time moves past the moment of this prompt, with "
       "last_data_sync_status success (R02)",
       {}});
}

void HttpDriver::break_relationship() {
  sim_or_prompt("break_relationship", "break", "{}",
                {{},
                 "break_relationship",
                 "go to /login > Management > Failover and click Break Failover Relationship",
                 "check_health on both appliances reports no failover_role (R03)",
                 {}});
}

std::vector<AvailableUpdate> HttpDriver::check_for_updates() {
  const std::string op = "check_for_updates";
  const auto r = sim_or_prompt(
      op, "updates/check", "{}",
      {{}, "check_for_updates", "go to /appliance > Updates and click Check for updates", "", {}});
  std::vector<AvailableUpdate> out;
  if (!r) return out;
  const auto answer =
      answer::Json::parse({who(), op}, *r, std::string("a JSON list of updates ") + kSimApi);
  for (const auto& u : answer.objects("available")) out.push_back({u.str("id"), u.str("target")});
  return out;
}

void HttpDriver::install_update(const std::string& id) {
  sim_or_prompt("install_update", "updates/install", json::serialize(json::object{{"id", id}}),
                {{},
                 "install_update",
                 "under Available Updates, click Install This Update for '" + id + "'",
                 "check_health reports the new version once the install ends",
                 {{"id", id}}});
}

std::string HttpDriver::download_key() {
  const std::string op = "download_key";
  if (!config_.simulator)
    fail(op, "the product has no API for the Appliance Download Key",
         "copy the key from /appliance > Updates and fetch the files yourself");
  const auto r = call(op, "GET", "/sim/v1/updates/download-key");
  const auto expected = std::string("a JSON download key ") + kSimApi;
  if (r.status / 100 != 2) refused({who(), op}, r, expected);
  return answer::Json::parse({who(), op}, r, expected).str("key");
}

void HttpDriver::install_file(const std::vector<std::uint8_t>& file) {
  if (!config_.simulator) {
    ask({{},
         "install_file",
         "under /appliance > Updates > Manual Installation, browse to the update file and "
         "click Update Software",
         "check_health reports the new version once the install ends",
         {}});
    return;
  }
  sim_call("install_file", "updates/manual-install", std::string(file.begin(), file.end()),
           "application/octet-stream");
}

void HttpDriver::set_shared_ip(bool enabled) {
  sim_or_prompt(
      "set_shared_ip", "shared-ip", json::serialize(json::object{{"enabled", enabled}}),
      {{},
       "set_shared_ip",
       std::string("go to /appliance > Networking > IP Configuration, click the shared IP, ") +
           (enabled ? "check" : "uncheck") + " Enabled and click Save Changes",
       std::string("check_health's enabled_shared_ips ") +
           (enabled ? "lists the shared IP, and clients reach the site on it"
                    : "no longer lists it"),
       {{"enabled", enabled ? "true" : "false"}}});
}

std::vector<std::string> HttpDriver::establish(const std::string& backup_host,
                                               std::uint16_t backup_port,
                                               const std::string& reverse_host,
                                               std::uint16_t reverse_port) {
  const std::string op = "establish";
  const auto r = sim_or_prompt(
      op, "establish",
      json::serialize(json::object{{"backup_host", backup_host},
                                   {"backup_port", backup_port},
                                   {"reverse_host", reverse_host},
                                   {"reverse_port", reverse_port}}),
      {{},
       "establish",
       "go to /login > Management > Failover; New Backup Site Connection Details: " + backup_host +
           ":" + std::to_string(backup_port) + "; Reverse Connection Details: " + reverse_host +
           ":" + std::to_string(reverse_port) + "; click Establish Relationship",
       "check_health reports this appliance primary and the other backup, on one version (R17)",
       {{"backup_host", backup_host},
        {"backup_port", std::to_string(backup_port)},
        {"reverse_host", reverse_host},
        {"reverse_port", std::to_string(reverse_port)}}});
  if (!r) return {};
  return answer::Json::parse({who(), op}, *r, std::string("a JSON list of warnings ") + kSimApi)
      .strings("warnings");
}

std::string HttpDriver::set_failover_role(Role role, bool data_sync_first, bool force) {
  const std::string op = "set_failover_role (" + std::string(to_string(role)) + ")";
  const auto doc =
      command(op, "set_failover_role",
              "&role=" + std::string(to_string(role)) +
                  (data_sync_first ? "&data_sync_first=1" : "") + (force ? "&force=1" : ""),
              "success");
  return xml::root(doc).text().get();
}

std::set<std::string> HttpDriver::session_lsids() {
  const std::string op = "session_lsids (SupportSessionListing)";
  const auto r = call(
      op, "GET", "/api/reporting?generate_report=SupportSessionListing&start_time=0&duration=0");
  const auto doc = answer::xml({who(), op}, r, "session_summary_list",
                               "XML <session_summary_list> from the reporting API");
  // No sessions: the list without children (the reporting pages).
  std::set<std::string> out;
  if (const auto e = xml::error_of(doc)) fail(op, "the appliance answered: " + *e);
  for (auto s : xml::root(doc).children())
    if (xml::local_name(s) == "session_summary") out.insert(s.attribute("lsid").as_string());
  return out;
}

ClientSpec HttpDriver::connect_client(const ClientSpec& client) {
  const std::string op = "connect_client";
  const auto v = answer::Json::parse(
      {who(), op},
      sim_call(op, "clients/connect", json::serialize(client_json(client)), "application/json"),
      std::string("a JSON client ") + kSimApi);
  ClientSpec out = client;
  out.state = v.str("state");
  out.connected_to = v.opt_str("connected_to");
  const auto software = v.object("software");
  out.version = software.str("version");
  out.build = software.opt_str("build");
  return out;
}

std::string HttpDriver::start_session(const ClientSpec& console, const ClientSpec& jump_client) {
  return start_session(console, jump_client, 0);
}

std::string HttpDriver::start_session(const ClientSpec& console, const ClientSpec& jump_client,
                                      std::uint64_t recording_bytes) {
  const std::string op = "start_session";
  return answer::Json::parse(
             {who(), op},
             sim_call(op, "sessions/start",
                      json::serialize(json::object{{"console", client_json(console)},
                                                   {"jump_client", client_json(jump_client)},
                                                   {"recording_bytes", recording_bytes}}),
                      "application/json"),
             std::string("a JSON session ") + kSimApi)
      .str("lsid");
}

void HttpDriver::end_session(const std::string& lsid) {
  sim_call("end_session", "sessions/end", json::serialize(json::object{{"lsid", lsid}}),
           "application/json");
}

}  // namespace failover_hil::hil
