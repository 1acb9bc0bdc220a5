#include "service_config.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "failover_hil/core/hex.hpp"
#include "failover_hil/sim/model/errors.hpp"

namespace failover_hil::sim::service {

namespace fs = std::filesystem;

namespace {

std::string where(const fs::path& file, const YAML::Node& n) {
  return file.string() + ":" + std::to_string(n.Mark().line + 1);
}

YAML::Node load(const fs::path& file) {
  try {
    return YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    throw ConfigError(file.string() + ": cannot read the file");
  } catch (const YAML::ParserException& e) {
    throw ConfigError(file.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

template <class T>
T get(const fs::path& file, const YAML::Node& map, const char* key,
      std::optional<T> fallback = {}) {
  const auto n = map[key];
  if (!n) {
    if (fallback) return *fallback;
    throw ConfigError(where(file, map) + ": missing '" + key + "'");
  }
  try {
    return n.as<T>();
  } catch (const YAML::Exception&) {
    throw ConfigError(where(file, n) + ": '" + key + "' has the wrong type");
  }
}

Version version(const fs::path& file, const YAML::Node& map, const char* key) {
  try {
    return Version::parse(get<std::string>(file, map, key));
  } catch (const ModelError& e) {
    throw ConfigError(where(file, map[key]) + ": " + e.what());
  }
}

fs::path beside(const fs::path& file, const std::string& name) {
  const fs::path p(name);
  return p.is_absolute() ? p : file.parent_path() / p;
}

Duration seconds(const fs::path& f, const YAML::Node& m, const char* k, double d) {
  return Duration{static_cast<Duration::rep>(get<double>(f, m, k, d) * 1000.0)};
}

}  // namespace

std::vector<std::uint8_t> read_hex_file(const fs::path& file, std::size_t min_bytes) {
  std::ifstream in(file);
  if (!in) throw ConfigError(file.string() + ": cannot read the key file");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  std::erase_if(text, [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
  auto bytes = from_hex(text);
  if (!bytes || bytes->size() < min_bytes)
    throw ConfigError(file.string() + ": expected at least " + std::to_string(min_bytes) +
                      " bytes written as hex");
  return *bytes;
}

std::vector<Account> load_accounts(const fs::path& file) {
  const auto root = load(file);
  const auto list = root["accounts"];
  if (!list || !list.IsSequence())
    throw ConfigError(file.string() + ": expected a list under 'accounts'");
  std::vector<Account> out;
  for (const auto& a : list) {
    Account acc{get<std::string>(file, a, "client_id"), get<std::string>(file, a, "client_secret"),
                get<bool>(file, a, "backup", false),
                get<std::string>(file, a, "command", std::string("deny")),
                get<bool>(file, a, "reporting", false)};
    if (acc.command != "deny" && acc.command != "read_only" && acc.command != "full_access")
      throw ConfigError(where(file, a["command"]) +
                        ": command must be deny, read_only or full_access");
    out.push_back(acc);
  }
  return out;
}

ServiceConfig load_service_config(const fs::path& file) {
  const auto y = load(file);
  if (!y.IsMap()) throw ConfigError(file.string() + ": expected a map of settings");
  ServiceConfig c;
  auto& a = c.appliance;
  a.identity = {get<std::string>(file, y, "name"), get<std::string>(file, y, "guid"),
                get<std::string>(file, y, "unique_ip"), get<std::string>(file, y, "hostname"),
                get<std::string>(file, y, "shared_ip")};
  a.base = version(file, y, "base");
  a.software = {version(file, y, "software"), get<std::string>(file, y, "build")};
  a.inter_appliance_key =
      read_hex_file(beside(file, get<std::string>(file, y, "inter_appliance_key_file")), 16);
  a.vendor_public_key =
      read_hex_file(beside(file, get<std::string>(file, y, "vendor_public_key_file")), 32);
  a.seed = get<std::uint64_t>(file, y, "seed", std::uint64_t{1});
  const auto atlas = get<std::string>(file, y, "atlas", std::string("none"));
  bool found = false;
  for (auto r : {AtlasRole::none, AtlasRole::primary_node, AtlasRole::traffic_node})
    if (to_string(r) == atlas) a.atlas = r, found = true;
  if (!found)
    throw ConfigError(where(file, y["atlas"]) +
                      ": atlas must be none, primary_node or traffic_node");
  if (const auto t = y["timing"]) {
    a.timing.install = {seconds(file, t, "install_base_s", 900),
                        seconds(file, t, "install_per_gib_s", 180)};
    a.timing.sync = {seconds(file, t, "sync_base_s", 5), seconds(file, t, "sync_per_gib_s", 90)};
    a.timing.first_sync_delay = seconds(file, t, "first_sync_delay_s", 60);
  }
  if (const auto u = y["update_server"]) {
    c.update_server =
        Endpoint{get<std::string>(file, u, "host"), get<std::uint16_t>(file, u, "port"),
                 get<std::string>(file, u, "fingerprint")};
  }
  c.command_namespace = get<std::string>(file, y, "command_namespace", c.command_namespace);
  c.reporting_namespace = get<std::string>(file, y, "reporting_namespace", c.reporting_namespace);
  const auto form = get<std::string>(file, y, "last_data_sync_time", std::string("documented"));
  if (form != "documented" && form != "recorded")
    throw ConfigError(where(file, y["last_data_sync_time"]) +
                      ": last_data_sync_time must be documented or recorded");
  c.sync_time_form = form == "documented" ? ServiceConfig::SyncTimeForm::documented
                                          : ServiceConfig::SyncTimeForm::recorded;
  c.company_name = get<std::string>(file, y, "company_name", c.company_name);
  c.identity_headers = get<bool>(file, y, "identity_headers", c.identity_headers);
  c.accounts = load_accounts(beside(file, get<std::string>(file, y, "credentials_file")));
  return c;
}

std::vector<UpdateInfo> load_catalogue(const fs::path& file) {
  const auto y = load(file);
  const auto list = y["updates"];
  if (!list || !list.IsSequence())
    throw ConfigError(file.string() + ": expected a list under 'updates'");
  std::vector<UpdateInfo> out;
  for (const auto& u : list) {
    UpdateInfo info;
    info.id = get<std::string>(file, u, "id");
    const auto kind = get<std::string>(file, u, "kind");
    if (kind != "base" && kind != "software")
      throw ConfigError(where(file, u["kind"]) + ": kind must be base or software");
    info.kind = kind == "base" ? UpdateKind::base : UpdateKind::software;
    if (info.kind == UpdateKind::base) {
      info.base = version(file, u, "version");
    } else {
      info.software = {version(file, u, "version"), get<std::string>(file, u, "build")};
    }
    info.requires_ids =
        get<std::vector<std::string>>(file, u, "requires", std::vector<std::string>{});
    info.dependents =
        get<std::vector<std::string>>(file, u, "dependents", std::vector<std::string>{});
    info.size_bytes = get<std::uint64_t>(file, u, "size_bytes", std::uint64_t{0});
    out.push_back(info);
  }
  return out;
}

}  // namespace failover_hil::sim::service
