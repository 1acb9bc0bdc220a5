#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "failover_hil/netlab/address.hpp"
#include "failover_hil/netlab/dns_query.hpp"
#include "failover_hil/netlab/netns.hpp"
#include "failover_hil/netlab/tsig_key.hpp"

namespace failover_hil::netlab {

/// An A record of the zone: `name` relative to the zone ("support").
struct ZoneRecord {
  std::string name;
  Ipv4Address address;
  std::chrono::seconds ttl{60};
};

/// What the lab's DNS server serves.
struct NamedConfig {
  Ipv4Address listen;  ///< the dns namespace's lab address
  std::uint16_t port = 53;
  std::string zone = "lab.example.";
  std::vector<ZoneRecord> records;
  std::string key_name = "fhil-update.";
  /// Where the run directory (config, zone, journal, key, log) is made.
  std::filesystem::path parent_dir = std::filesystem::temp_directory_path();
  /// A lab's name prefix, put in the run directory's name
  /// (`fhil-named-<prefix>XXXXXX`): whoever holds the prefix then finds the
  /// folder of a named that a killed run was still starting (sweep_named_dirs).
  std::string dir_tag;
  /// How long named may take to answer its first query.
  std::chrono::milliseconds start_timeout{10000};
};

/// named.conf for `config` with everything in `dir`: listens on the lab
/// address only, no recursion, no rndc, the zone updatable with the key.
std::string named_conf_text(const NamedConfig& config, const std::filesystem::path& dir);
/// The zone file: SOA, NS ns.<zone> (A = listen address), the records.
std::string zone_file_text(const NamedConfig& config);

/// Where named is: $PATH, then /usr/sbin; nullopt when BIND 9 is not installed.
std::optional<std::filesystem::path> find_named();

/// A BIND 9 `named` serving the lab's zone inside a namespace (rule R13,
/// DNS swing), its records changed by TSIG-signed UPDATE (dns_update).
/// The TSIG key is generated at start and written to key_file() (0600).
/// Move-only; stops named and removes the run directory when it dies.
/// named gets SIGKILL if the thread that started it dies.
class NamedServer {
 public:
  /// Writes the configuration into a fresh run directory, starts
  /// `named -g -4 -c <conf>` in `ns` and waits (bounded) until it answers
  /// a query made inside `ns` (so it brings `ns`'s loopback up).
  /// Throws NetlabError naming what to install when named is missing, and
  /// with named's log when it fails to start.
  static NamedServer start(const Netns& ns, NamedConfig config);

  NamedServer(NamedServer&&) noexcept;
  NamedServer& operator=(NamedServer&&) noexcept;
  NamedServer(const NamedServer&) = delete;
  NamedServer& operator=(const NamedServer&) = delete;
  ~NamedServer();

  /// Stops named (SIGTERM, then SIGKILL) and removes the run directory.
  void stop();
  /// named's process id (-1 once stopped).
  pid_t pid() const noexcept;
  DnsServerAddress address() const noexcept { return {config_.listen, config_.port}; }
  const std::string& zone() const noexcept { return config_.zone; }
  /// The update key. Holds the secret: never log it.
  const TsigKey& key() const noexcept { return key_; }
  const std::filesystem::path& key_file() const noexcept { return key_file_; }
  const std::filesystem::path& run_dir() const noexcept { return run_dir_; }
  /// named's output so far (for error reports).
  std::string log() const;

 private:
  struct Process;
  NamedServer() = default;
  NamedConfig config_;
  TsigKey key_;
  std::filesystem::path run_dir_;
  std::filesystem::path key_file_;
  std::unique_ptr<Process> process_;
};

}  // namespace failover_hil::netlab
