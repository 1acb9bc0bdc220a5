#pragma once

// How the harness reaches an appliance: ApplianceDriver for what the product
// offers (its public API, or an operator prompt), SimulatorControl for what
// only a simulator has (faults, seeding). An engine hands out both; steps
// never ask which kind of appliance they drive.

#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "failover_hil/core/clock.hpp"

namespace failover_hil::hil {

/// The root of the harness's errors: names the appliance, the operation and
/// what to do.
class HarnessError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The two members of the pair, as scenarios (A, B), timelines and reports
/// (appA, appB) name them. A is primary at the start, B its backup.
enum class Member { A, B };
/// "A" / "B".
std::string_view letter(Member m);
/// "appA" / "appB": the timeline's actor, the report's name, the driver's name().
std::string_view name(Member m);
/// Accepts "A", "B", "appA", "appB"; throws std::invalid_argument otherwise.
Member parse_member(std::string_view text);
/// The other member of the pair.
constexpr Member other(Member m) {
  return m == Member::A ? Member::B : Member::A;
}

/// An appliance's failover role (the API's failover_role).
enum class Role { none, primary, backup };
std::string_view to_string(Role r);
/// Throws std::invalid_argument naming the text.
Role parse_role(std::string_view text);

/// What an appliance is doing.
enum class OperatingState {
  running,
  installing,
  base_update_failed,  ///< R07: waits for support; never restart it
  unrecoverable,       ///< R07: restarted after a failed Base update
  unhealthy,           ///< check_health failed for another reason (see status().error)
};
std::string_view to_string(OperatingState s);
/// Throws std::invalid_argument naming the text.
OperatingState parse_operating_state(std::string_view text);

/// What the harness reads of an appliance (product API first).
struct ApplianceStatus {
  std::string name;
  std::string guid;
  Role role = Role::none;
  OperatingState state = OperatingState::running;
  std::string error;     ///< check_health's error_message when unhealthy
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
/// physical appliance. Implementations throw HarnessError naming the
/// appliance and the operation.
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
  virtual std::string set_failover_role(Role role, bool data_sync_first, bool force) = 0;
  /// Every session record's lsid, from the reporting API (R15).
  virtual std::set<std::string> session_lsids() = 0;

  // Verification through clients (R11, R12, R14).
  virtual ClientSpec connect_client(const ClientSpec& client) = 0;
  virtual std::string start_session(const ClientSpec& console, const ClientSpec& jump_client) = 0;
  virtual void end_session(const std::string& lsid) = 0;
};

/// Install faults, armed for the appliance's next install.
struct InstallFault {
  std::optional<double> fail_at_progress;  ///< 0..1: a Base update fails there
  bool hang = false;                       ///< the install never finishes
  /// The disk space the install finds free: a larger update fails where the disk fills.
  std::optional<std::uint64_t> disk_free_bytes;
};

/// Sync faults, armed until the appliance restarts.
struct SyncFault {
  double slowdown = 1;  ///< a sync takes this many times longer
  bool fail = false;    ///< a sync fails when it would finish
};

/// Data put on an appliance before a run (R11, R12, R15, R20).
struct SeedData {
  struct User {
    std::string id, display_name;
  };
  struct File {
    std::string path;
    std::uint64_t size_bytes = 0;
  };
  std::vector<User> users;
  std::vector<File> files;
  std::vector<std::pair<std::string, std::string>> settings;
};

/// What only a simulated appliance offers: faults and seeding. An engine
/// hands one out for each simulated member (none for a physical one), so no
/// step needs to know which driver it holds. Throws HarnessError.
class SimulatorControl {
 public:
  virtual ~SimulatorControl() = default;
  virtual void arm_install_fault(const InstallFault& fault) = 0;
  virtual void arm_sync_fault(const SyncFault& fault) = 0;
  /// The site refuses connections for `duration_ms` from now.
  virtual void refuse_site(std::int64_t duration_ms) = 0;
  /// The peer channel stops answering (both ways) until the appliance restarts.
  virtual void silence_peer() = 0;
  /// The process dies at once (kill -9 of the appliance); `power_on` starts
  /// it again from its stored state, as an operator would.
  virtual void crash() = 0;
  virtual void power_on() = 0;
  /// The operator enables the shared IP without the duplicate-IP pre-check.
  virtual void force_shared_ip_on() = 0;
  /// Restarts the appliance as its admin page does. After a failed Base
  /// update that makes it unrecoverable (R07): only a planted defect
  /// (planted_defect.hpp) ever calls it during a run.
  virtual void restart() = 0;
  virtual void seed(const SeedData& data) = 0;
  /// A completed session that leaves a recording of `recording_bytes` (R05's data).
  virtual std::string start_session(const ClientSpec& console, const ClientSpec& jump_client,
                                    std::uint64_t recording_bytes) = 0;
};

}  // namespace failover_hil::hil
