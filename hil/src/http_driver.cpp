#include "failover_hil/hil/http_driver.hpp"

#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <cstdlib>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"
#include "xml_read.hpp"

namespace failover_hil::hil {

namespace json = boost::json;

namespace {

std::string json_str(const json::value& v, const char* k) {
  const auto* o = v.if_object();
  const auto* f = o ? o->if_contains(k) : nullptr;
  return f && f->is_string() ? std::string(f->get_string()) : std::string{};
}

std::string form_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
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
      client_(config_.host, config_.port, config_.trust, std::chrono::seconds(10), config_.netns) {
  if (!config_.simulator && !prompt_)
    throw HarnessError(config_.name +
                       ": a physical appliance needs an operator prompt for the steps "
                       "the product has no API for");
}

void HttpDriver::fail(const std::string& op, const std::string& why,
                      const std::string& todo) const {
  throw HarnessError(config_.name + " (" + config_.host + ":" + std::to_string(config_.port) +
                     "): " + op + " failed: " + why + (todo.empty() ? "" : "; " + todo));
}

std::string HttpDriver::token() {
  if (!token_.empty()) return token_;
  const auto basic =
      crypto::base64_encode(crypto::as_bytes(form_escape(config_.credentials.client_id) + ":" +
                                             form_escape(config_.credentials.client_secret)));
  HttpResponse r;
  try {
    r = client_.request({"POST",
                         "/oauth2/token",
                         "grant_type=client_credentials",
                         {{"Authorization", "Basic " + basic},
                          {"Content-Type", "application/x-www-form-urlencoded"}}});
  } catch (const HttpsError& e) {
    fail("authentication", e.what(), "check the address, port and certificate trust");
  }
  if (r.status == 401)
    fail("authentication", "the API account's credentials were refused",
         "check the credentials file");
  if (r.status != 200) fail("authentication", "HTTP " + std::to_string(r.status));
  token_ = json_str(json::parse(r.body), "access_token");
  if (token_.empty()) fail("authentication", "no access_token in the answer");
  return token_;
}

HttpResponse HttpDriver::call(const std::string& method, const std::string& target,
                              const std::string& body, const std::string& content_type) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    HttpRequest req{method, target, body, {{"Authorization", "Bearer " + token()}}};
    if (!content_type.empty()) req.headers.emplace_back("Content-Type", content_type);
    HttpResponse r;
    try {
      r = client_.request(req);
    } catch (const HttpsError& e) {
      fail(method + " " + target.substr(0, target.find('?')), e.what(),
           "is the appliance up and reachable?");
    }
    if (r.status == 401 && attempt == 0) {
      token_.clear();  // expired or evicted: get a new one once
      continue;
    }
    return r;
  }
  fail(target, "the token was refused twice");
}

std::string HttpDriver::command(const std::string& action, const std::string& query) {
  const auto r = call("GET", "/api/command?action=" + action + query);
  pugi::xml_document doc;
  if (!doc.load_string(r.body.c_str()))
    fail(action, "the answer is not XML (HTTP " + std::to_string(r.status) + ")");
  if (const auto e = xml::error_of(doc)) fail(action, *e);
  return r.body;
}

ApplianceStatus HttpDriver::status() {
  ApplianceStatus s;
  s.name = config_.name;
  pugi::xml_document doc;
  doc.load_string(command("check_health").c_str());
  const auto root = xml::root(doc);
  s.guid = xml::child(root, "appliance").attribute("id").as_string();
  const std::string version = xml::child(root, "version").text().get();  // "23.1.2 (BUILD)"
  s.version = version.substr(0, version.find(' '));
  if (const auto open = version.find('('); open != std::string::npos)
    s.build = version.substr(open + 1, version.find(')') - open - 1);
  s.healthy = std::string(xml::child(root, "success").text().get()) == "1";
  s.role = xml::child(root, "failover_role").text().get();
  if (const auto ips = xml::child(root, "enabled_shared_ips"))
    s.shared_ip_enabled = bool(xml::child(ips, "ip"));
  if (const auto t = xml::child(root, "last_data_sync_time"))
    s.last_sync = TimePoint{std::chrono::seconds(t.attribute("ts").as_llong())};
  s.last_sync_status = xml::child(root, "last_data_sync_status").text().get();
  s.state = s.healthy ? "running" : xml::child(root, "error_message").text().get();
  if (!config_.simulator) {
    s.serves_site = s.healthy && s.role != "backup";
    return s;
  }
  // The simulator tells more than the product API: progress, R06, violations.
  const auto r = call("GET", "/sim/v1/status");
  if (r.status != 200) fail("status", "HTTP " + std::to_string(r.status) + ": " + r.body);
  const auto v = json::parse(r.body).as_object();
  s.state = json_str(v, "state");
  s.serves_site = v.at("serves_site").as_bool();
  s.base = json_str(v, "base");
  s.shared_ip_enabled = v.at("shared_ip_enabled").as_bool();
  const auto& sync = v.at("sync").as_object();
  s.sync_in_progress = sync.at("in_progress").as_bool();
  if (sync.at("last_sync_ms").is_int64())
    s.last_sync = TimePoint{Duration{sync.at("last_sync_ms").as_int64()}};
  s.last_sync_status = json_str(sync, "last_status");
  if (const auto* in = v.if_contains("install"))
    s.install_progress = in->at("progress").to_number<double>();
  for (const auto& d : v.at("pending_dependents").as_array())
    s.pending_dependents.emplace_back(d.as_string());
  for (const auto& x : v.at("violations").as_array())
    s.violations.push_back(json_str(x, "rule") + ": " + json_str(x, "text"));
  s.last_peer_error = json_str(v, "last_peer_error");
  return s;
}

DownloadedBackup HttpDriver::download_backup(const std::string& password) {
  const auto r = call("POST", "/api/backup", json::serialize(json::object{{"password", password}}),
                      "application/json");
  if (r.status != 200) fail("Download Backup", "HTTP " + std::to_string(r.status) + ": " + r.body);
  DownloadedBackup b{{r.body.begin(), r.body.end()}, {}};
  b.sha256_hex = to_hex(crypto::sha256(b.bytes));
  if (const auto claimed = r.header("x-backup-sha256"); !claimed.empty() && claimed != b.sha256_hex)
    fail("Download Backup",
         "the file's SHA-256 differs from the one the appliance sent (truncated?)",
         "download it again");
  return b;
}

std::string HttpDriver::sim_or_prompt(const std::string& op, const std::string& body,
                                      const std::string& instructions) {
  if (!config_.simulator) {
    prompt_->ask(config_.name, instructions);
    return {};
  }
  return sim_post(op, body);
}

std::string HttpDriver::sim_post(const std::string& op, const std::string& body) {
  if (!config_.simulator) fail(op, "a physical appliance has no simulator API");
  const auto r = call("POST", "/sim/v1/" + op, body, "application/json");
  if (r.status / 100 != 2) {
    std::string msg = r.body;
    try {
      msg = json_str(json::parse(r.body), "message");
    } catch (const std::exception&) {
    }
    fail(op, msg);
  }
  return r.body;
}

void HttpDriver::sync_now() {
  sim_or_prompt("sync-now", "{}", "go to /login > Management > Failover and click Sync Now");
}

void HttpDriver::break_relationship() {
  sim_or_prompt("break", "{}",
                "go to /login > Management > Failover and click Break Failover Relationship");
}

std::vector<AvailableUpdate> HttpDriver::check_for_updates() {
  const auto body = sim_or_prompt("updates/check", "{}",
                                  "go to /appliance > Updates and click Check for updates");
  std::vector<AvailableUpdate> out;
  if (body.empty()) return out;
  const auto answer = json::parse(body);
  for (const auto& u : answer.at("available").as_array())
    out.push_back({json_str(u, "id"), json_str(u, "target")});
  return out;
}

void HttpDriver::install_update(const std::string& id) {
  sim_or_prompt("updates/install", json::serialize(json::object{{"id", id}}),
                "under Available Updates, click Install This Update for '" + id + "'");
}

std::string HttpDriver::download_key() {
  if (!config_.simulator)
    fail("Appliance Download Key", "the product has no API for it",
         "copy the key from /appliance > Updates and fetch the files yourself");
  const auto r = call("GET", "/sim/v1/updates/download-key");
  if (r.status != 200) fail("Appliance Download Key", json_str(json::parse(r.body), "message"));
  return json_str(json::parse(r.body), "key");
}

void HttpDriver::install_file(const std::vector<std::uint8_t>& file) {
  if (!config_.simulator) {
    prompt_->ask(config_.name,
                 "under /appliance > Updates > Manual Installation, browse to the update file "
                 "and click Update Software");
    return;
  }
  const auto r = call("POST", "/sim/v1/updates/manual-install",
                      std::string(file.begin(), file.end()), "application/octet-stream");
  if (r.status / 100 != 2) fail("Update Software", json_str(json::parse(r.body), "message"));
}

void HttpDriver::set_shared_ip(bool enabled) {
  sim_or_prompt(
      "shared-ip", json::serialize(json::object{{"enabled", enabled}}),
      std::string("go to /appliance > Networking > IP Configuration, click the shared IP, ") +
          (enabled ? "check" : "uncheck") + " Enabled and click Save Changes");
}

std::vector<std::string> HttpDriver::establish(const std::string& backup_host,
                                               std::uint16_t backup_port,
                                               const std::string& reverse_host,
                                               std::uint16_t reverse_port) {
  const auto body = sim_or_prompt(
      "establish",
      json::serialize(json::object{{"backup_host", backup_host},
                                   {"backup_port", backup_port},
                                   {"reverse_host", reverse_host},
                                   {"reverse_port", reverse_port}}),
      "go to /login > Management > Failover; New Backup Site Connection Details: " + backup_host +
          ":" + std::to_string(backup_port) + "; Reverse Connection Details: " + reverse_host +
          ":" + std::to_string(reverse_port) + "; click Establish Relationship");
  std::vector<std::string> warnings;
  if (!body.empty()) {
    const auto answer = json::parse(body);
    for (const auto& w : answer.at("warnings").as_array()) warnings.emplace_back(w.as_string());
  }
  return warnings;
}

std::string HttpDriver::set_failover_role(const std::string& role, bool data_sync_first,
                                          bool force) {
  pugi::xml_document doc;
  doc.load_string(command("set_failover_role", "&role=" + role +
                                                   (data_sync_first ? "&data_sync_first=1" : "") +
                                                   (force ? "&force=1" : ""))
                      .c_str());
  return xml::child(doc, "success") ? xml::child(doc, "success").text().get()
                                    : xml::root(doc).text().get();
}

std::set<std::string> HttpDriver::session_lsids() {
  const auto r =
      call("GET", "/api/reporting?generate_report=SupportSessionListing&start_time=0&duration=0");
  pugi::xml_document doc;
  if (!doc.load_string(r.body.c_str())) fail("SupportSessionListing", "the answer is not XML");
  std::set<std::string> out;
  if (const auto e = xml::error_of(doc)) {
    if (*e == "No results.") return out;  // the product's "nothing" is an error element
    fail("SupportSessionListing", *e);
  }
  for (auto s : xml::root(doc).children())
    if (xml::local_name(s) == "session_summary") out.insert(s.attribute("lsid").as_string());
  return out;
}

ClientSpec HttpDriver::connect_client(const ClientSpec& client) {
  const auto v = json::parse(sim_post("clients/connect", json::serialize(client_json(client))));
  ClientSpec out = client;
  out.state = json_str(v, "state");
  out.connected_to = json_str(v, "connected_to");
  out.version = json_str(v.at("software"), "version");
  out.build = json_str(v.at("software"), "build");
  return out;
}

std::string HttpDriver::start_session(const ClientSpec& console, const ClientSpec& jump_client) {
  return start_session(console, jump_client, 0);
}

std::string HttpDriver::start_session(const ClientSpec& console, const ClientSpec& jump_client,
                                      std::uint64_t recording_bytes) {
  const auto v = json::parse(sim_post(
      "sessions/start", json::serialize(json::object{{"console", client_json(console)},
                                                     {"jump_client", client_json(jump_client)},
                                                     {"recording_bytes", recording_bytes}})));
  return json_str(v, "lsid");
}

void HttpDriver::end_session(const std::string& lsid) {
  sim_post("sessions/end", json::serialize(json::object{{"lsid", lsid}}));
}

}  // namespace failover_hil::hil
