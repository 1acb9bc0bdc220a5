#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "failover_hil/sim/model/appliance.hpp"

namespace failover_hil::sim::service {

/// A configuration file that cannot be used; the message names file:line.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An API account (docs/product-api.md, "Authentication": permissions).
struct Account {
  std::string client_id;
  std::string client_secret;
  bool backup = false;
  std::string command = "deny";  ///< deny | read_only | full_access
  bool reporting = false;
};

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
  std::string fingerprint;  ///< pinned SHA-256 of its certificate
};

struct ServiceConfig {
  ApplianceConfig appliance;
  std::vector<Account> accounts;
  std::optional<Endpoint> update_server;
  /// Default XML namespaces of the command and reporting answers, as the
  /// vendor's API guide prints them (19.x appliances sent
  /// http://www.bomgar.com/namespaces/API/...; docs/product-api.md).
  std::string command_namespace = "https://www.beyondtrust.com/namespaces/API/command";
  std::string reporting_namespace = "https://www.beyondtrust.com/namespaces/API/reporting";
  /// check_health's <last_data_sync_time>: with the documented `ts`
  /// attribute, or only the text with a "+0000" offset as one recorded
  /// appliance sent it.
  enum class SyncTimeForm { documented, recorded } sync_time_form = SyncTimeForm::documented;
  /// get_api_info's <company_name> (the Company API Name; sent before 24.3).
  std::string company_name = "example";
  /// X-Served-By and X-Appliance-Id on every answer: the simulator's own
  /// headers, which lab runs read. false: name no appliance, as the product
  /// does (a rehearsal of the physical path).
  bool identity_headers = true;
};

/// Reads an appliance file (docs/bseries-sim.md). Key and credential files are
/// resolved relative to it.
ServiceConfig load_service_config(const std::filesystem::path& file);
std::vector<Account> load_accounts(const std::filesystem::path& file);

/// The update server's catalogue file: a list of UpdateInfo.
std::vector<UpdateInfo> load_catalogue(const std::filesystem::path& file);

/// A file holding hex bytes (keys); whitespace around them is ignored.
std::vector<std::uint8_t> read_hex_file(const std::filesystem::path& file, std::size_t min_bytes);

}  // namespace failover_hil::sim::service
