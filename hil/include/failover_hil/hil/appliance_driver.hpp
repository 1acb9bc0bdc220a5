#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "failover_hil/core/clock.hpp"

namespace failover_hil::hil {

/// The root of the harness's errors: names the appliance, the operation and
/// what to do.
class HarnessError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What the harness reads of an appliance (product API first).
struct ApplianceStatus {
  std::string name;
  std::string guid;
  std::string role;      ///< none | primary | backup
  std::string state;     ///< running | installing | base_update_failed | unrecoverable
  bool healthy = false;  ///< check_health's <success>
  bool serves_site = false;
  std::string base;
  std::string version;  ///< software version, e.g. 24.1.0
  std::string build;
  bool shared_ip_enabled = false;
  bool sync_in_progress = false;
  std::optional<TimePoint> last_sync;
  std::string last_sync_status;
  std::optional<double> install_progress;       ///< 0..1 while installing
  std::vector<std::string> pending_dependents;  ///< R06
  std::vector<std::string> violations;          ///< rules the appliance saw broken
  std::string last_peer_error;
};

struct AvailableUpdate {
  std::string id;
  std::string target;  ///< "Base 3.4.0" / "software 24.1.0 (b)"
};

struct DownloadedBackup {
  std::vector<std::uint8_t> bytes;
  std::string sha256_hex;  ///< computed by the harness from the bytes
};

/// A console or Jump Client as the harness emulates it (R11, R12).
struct ClientSpec {
  std::string id;
  bool jump_client = false;
  bool msi = false;
  std::string version;
  std::string build;
  std::string state = "offline";
  std::string connected_to;
};

/// Every step the procedure needs, one interface for a simulated and a
/// physical appliance. Implementations throw HarnessError.
class ApplianceDriver {
 public:
  virtual ~ApplianceDriver() = default;
  virtual const std::string& name() const = 0;
  virtual ApplianceStatus status() = 0;

  virtual DownloadedBackup download_backup(const std::string& password) = 0;  // R01
  virtual void sync_now() = 0;                                                // R02
  virtual void break_relationship() = 0;                                      // R03
  virtual std::vector<AvailableUpdate> check_for_updates() = 0;               // R08
  virtual void install_update(const std::string& id) = 0;                     // R08
  virtual std::string download_key() = 0;                                     // R09
  virtual void install_file(const std::vector<std::uint8_t>& file) = 0;       // R09
  virtual void set_shared_ip(bool enabled) = 0;                               // R13
  /// On the intended primary; returns R18 warnings. The peer answers later.
  virtual std::vector<std::string> establish(const std::string& backup_host,
                                             std::uint16_t backup_port,
                                             const std::string& reverse_host,
                                             std::uint16_t reverse_port) = 0;
  virtual std::string set_failover_role(const std::string& role, bool data_sync_first,
                                        bool force) = 0;
  /// Every session record's lsid, from the reporting API (R15).
  virtual std::set<std::string> session_lsids() = 0;

  // Verification through clients (R11, R12, R14).
  virtual ClientSpec connect_client(const ClientSpec& client) = 0;
  virtual std::string start_session(const ClientSpec& console, const ClientSpec& jump_client) = 0;
  virtual void end_session(const std::string& lsid) = 0;
};

}  // namespace failover_hil::hil
