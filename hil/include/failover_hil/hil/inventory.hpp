#pragma once

// An inventory: the physical (or externally started) appliances a scenario
// runs against instead of a lab's simulators. Format: docs/inventory.md.

#include <cstdint>
#include <filesystem>
#include <string>

#include "failover_hil/hil/scenario.hpp"

namespace failover_hil::hil {

struct InventoryAppliance {
  std::string name;  ///< "appA" / "appB": how reports name it
  std::string host;  ///< from `url: https://host:port`
  std::uint16_t port = 443;
  std::string unique_ip;  ///< its own address (hosts override, establish); default: host
  std::filesystem::path credentials_file;  ///< YAML client_id / client_secret (API account)
  std::filesystem::path ca_file;           ///< one of ca_file or fingerprint
  std::string fingerprint;                 ///< SHA-256 of the certificate, hex
  /// A bseries-sim: steps with no product API go to /sim/v1 instead of an
  /// operator prompt.
  bool simulator = false;
};

struct Inventory {
  std::filesystem::path file;
  InventoryAppliance a, b;
  /// What clients reach: the shared IP, the site hostname or the NAT VIP.
  std::string site_host;
  std::uint16_t site_port = 443;
  /// The harness host's interface that sees the site's traffic (libpcap).
  std::string capture_interface = "any";
  SwitchMethod switch_method = SwitchMethod::shared_ip;
  struct Dns {
    std::string server;  ///< the authoritative server's address
    std::uint16_t port = 53;
    std::filesystem::path tsig_key_file;  ///< BIND key file (name, algorithm, secret)
    std::string zone;
    std::string record;  ///< the site's name
    int ttl_s = 60;
  } dns;
  struct Nat {
    std::string table = "fhil_nat";  ///< an nftables table on this host
    std::string vip;
  } nat;
};

/// Reads and checks an inventory file and the files it names (credentials,
/// CA, TSIG key); paths are resolved against its folder. Throws
/// ScenarioError ("file:line: ..." or "file: 'key' names PATH: ...").
Inventory load_inventory(const std::filesystem::path& file);
/// The same from text, without looking at the files it names; `file` names
/// it in errors and resolves paths.
Inventory parse_inventory(const std::string& text, const std::filesystem::path& file);
/// The files an inventory names exist and read as what they should be.
void check_inventory_files(const Inventory& inv);

}  // namespace failover_hil::hil
