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
  std::string api_namespace = "http://www.beyondtrust.com/namespaces/API/command";
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
