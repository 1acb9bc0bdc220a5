#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "failover_hil/core/clock.hpp"
#include "failover_hil/sim/model/backup.hpp"
#include "failover_hil/sim/model/clients.hpp"
#include "failover_hil/sim/model/peer.hpp"
#include "failover_hil/sim/model/roles.hpp"
#include "failover_hil/sim/model/store.hpp"
#include "failover_hil/sim/model/timing.hpp"
#include "failover_hil/sim/model/update.hpp"
#include "failover_hil/sim/model/update_server.hpp"

namespace failover_hil::sim {

/// Who an appliance is and where it is reached.
struct ApplianceIdentity {
  std::string name;       ///< e.g. "appA"
  std::string guid;       ///< 32 hex digits, as check_health's <appliance id>
  std::string unique_ip;  ///< its own address, always enabled
  std::string hostname;   ///< the site's public hostname
  std::string shared_ip;  ///< configured on both members of a pair
};

struct ApplianceConfig {
  ApplianceIdentity identity;
  Version base;
  SoftwareRelease software;
  std::vector<std::uint8_t> inter_appliance_key;  ///< R17: must match the peer's
  std::vector<std::uint8_t> vendor_public_key;    ///< verifies update files (R09)
  Timing timing;
  AtlasRole atlas = AtlasRole::none;
  std::uint64_t seed = 1;  ///< seeds the nonces of the peer channel
  /// Test-only (docs/explore.md, "Planted defects"): a sync works on the
  /// store as it was when the sync started: it sends that snapshot, and when
  /// it finishes the primary's session records go back to it (plus what the
  /// backup sent back), so records created during a sync are lost (R15
  /// broken on purpose). Not saved.
  bool defect_sync_sends_start_snapshot = false;
};

enum class OperatingState {
  running,
  installing,
  base_update_failed,  ///< R07: waiting for support; never restart
  unrecoverable,       ///< R07: restarted after a failed Base update
};
std::string_view to_string(OperatingState s);

struct InstallProgress {
  UpdateInfo update;
  TimePoint started;
  Duration duration;
  double progress = 0;  ///< 0..1 at the clock's now
};

/// Faults armed for the next install.
struct InstallFaults {
  std::optional<double> fail_at_progress;  ///< 0..1
  bool hang = false;                       ///< never finishes
  /// The disk space the install finds free: an update larger than that
  /// fails where the disk fills (its size decides the progress), with "no
  /// space left on device".
  std::optional<std::uint64_t> disk_free_bytes;
};

/// Faults armed for syncs until disarmed.
struct SyncFaults {
  double slowdown = 1.0;  ///< a sync takes this many times longer
  bool fail = false;      ///< a sync fails when it would finish
};

struct SyncStatus {
  bool in_progress = false;
  std::optional<TimePoint> last_sync;  ///< when the last sync finished
  std::string last_status;             ///< "success", "failed: ...", or empty
  std::optional<TimePoint> scheduled;  ///< the first sync after establishing (R19)
};

/// Something the appliance did, for people and for the run's timeline.
struct Event {
  TimePoint at;
  std::string text;
};

/// A rule broken by what someone did (the model records it; it does not refuse).
struct Violation {
  std::string rule;
  std::string text;
  TimePoint at;
};

/// The Failover page's fields (R18).
struct EstablishParams {
  ConnectionDetails backup;   ///< New Backup Site Connection Details
  ConnectionDetails reverse;  ///< Reverse Connection Details to this Primary Site
};

/// One B Series appliance as a deterministic state machine. Time comes from
/// the injected clock; due work (install end, syncs) happens in `tick()`,
/// which every public operation calls first. Peer messages go through an
/// outbox (`take_outbox`) and come back through `handle_peer` and
/// `on_peer_response`. Not thread-safe: one owner drives it.
class Appliance {
 public:
  Appliance(ApplianceConfig config, const Clock& clock);

  // ---- status
  const ApplianceIdentity& identity() const { return config_.identity; }
  const std::string& name() const { return config_.identity.name; }
  const Version& base() const { return config_.base; }
  const SoftwareRelease& software() const { return config_.software; }
  FailoverRole role() const { return role_; }
  AtlasRole atlas_role() const { return config_.atlas; }
  OperatingState state() const { return state_; }
  /// Whether the site answers clients: running and not a backup.
  bool serves_site() const;
  /// R19: a backup's management is restricted (extraneous tabs removed).
  bool management_restricted() const { return role_ == FailoverRole::backup; }
  bool shared_ip_enabled() const { return shared_ip_enabled_; }
  std::optional<InstallProgress> install() const;
  const SyncStatus& sync_status() const { return sync_; }
  const std::optional<ConnectionDetails>& peer() const { return peer_; }
  /// The last failure of an operation with the peer (establish, role change).
  const std::string& last_peer_error() const { return last_peer_error_; }
  const std::set<std::string>& installed_updates() const { return installed_; }
  /// Software updates a Base update made due at once (R06); empty otherwise.
  const std::vector<std::string>& pending_dependents() const { return pending_dependents_; }
  const DataStore& store() const { return store_; }
  const std::vector<Event>& events() const { return events_; }
  const std::vector<Violation>& violations() const { return violations_; }
  const Timing& timing() const { return config_.timing; }

  // ---- time
  /// Applies everything due by now (installs, syncs). Idempotent.
  void tick();
  /// When the next due work falls, if any.
  std::optional<TimePoint> next_due() const;

  // ---- data (refused on a backup, R19)
  void add_user(const User& user);
  void set_setting(const std::string& key, const std::string& value);
  void add_file(const StoredFile& file);
  void add_recording(const Recording& recording);
  void append_log(const std::string& text);

  // ---- users, clients and sessions
  void login(const std::string& user_id);
  void logout(const std::string& user_id);
  const std::set<std::string>& logged_in() const { return logged_in_; }
  /// Connects a console or Jump Client: upgrades it unless MSI-deployed (R11, R12).
  ClientState connect_client(Client& client);
  /// Starts a support session from a console through a Jump Client; returns the lsid.
  std::string start_session(const Client& console, const Client& jump_client);
  void end_session(const std::string& lsid);
  /// The API's terminate_session.
  void terminate_session(const std::string& lsid);
  const std::set<std::string>& active_sessions() const { return active_; }
  /// R14: what an Integration Client extracts (session records); throws when the site does not
  /// serve.
  std::vector<SessionRecord> integration_extract() const;

  // ---- backup (R01)
  BackupFile export_backup(const BackupSecret& secret, const SealParams& params = {});
  /// Replaces the store by the backup's; on any error nothing changes.
  void import_backup(const std::vector<std::uint8_t>& bytes, const BackupSecret& secret);

  // ---- updates (R05-R10)
  /// R08: "Check for updates"; refused in a failover relationship or Atlas deployment.
  UpdateCheck check_for_updates();
  /// What the update server answered: the Available Updates list.
  void set_available_updates(std::vector<UpdateInfo> updates);
  const std::vector<UpdateInfo>& available_updates() const { return available_; }
  /// "Install This Update": takes it off the list (R10) and returns its id to download.
  std::string take_update_for_install(const std::string& update_id);
  /// R09: the Appliance Download Key; needs Base 3.3.2 or later.
  std::string download_key() const;
  /// Verifies a file (signature, appliance, dependencies) and starts installing it.
  void install_file(const std::vector<std::uint8_t>& file);
  void arm_install_faults(InstallFaults faults) { install_faults_ = faults; }
  void arm_sync_faults(SyncFaults faults) { sync_faults_ = faults; }
  /// R07: a restart after a failed Base update leaves the appliance unrecoverable.
  void restart();
  /// Support repairs a failed Base update; the appliance runs its old Base again.
  void support_recover();

  // ---- failover (R02, R03, R13, R15-R21)
  void set_shared_ip(bool enabled);
  /// On the intended primary; returns R18 warnings. The outcome arrives from
  /// the peer: role() becomes primary, or last_peer_error() says why not.
  std::vector<std::string> establish(const EstablishParams& params);
  /// Starts a sync now (on the primary); it finishes after Timing::sync.
  void sync_now();
  /// R03: refused while a sync runs.
  void break_relationship();
  /// The API's set_failover_role; returns the product's success message.
  std::string set_failover_role(FailoverRole role, bool data_sync_first, bool force);

  // ---- persistence
  /// Everything the appliance knows, as JSON (what bseries-sim commits to SQLite).
  boost::json::value save() const;
  /// Rebuilds an appliance from `save()`. Requests that were in flight to the
  /// peer are settled as "unreachable" (the process died while waiting).
  /// Throws MalformedInput naming the field when `state` is not a saved appliance.
  static std::unique_ptr<Appliance> restore(const boost::json::value& state, const Clock& clock);

  // ---- the inter-appliance channel
  std::vector<Outbound> take_outbox();
  PeerResponse handle_peer(const PeerRequest& request);
  void on_peer_response(std::uint64_t id, const PeerResponse& response);
  void on_peer_unreachable(std::uint64_t id);

 private:
  struct Install {
    UpdateInfo update;
    TimePoint started;
    Duration duration;
    InstallFaults faults;
  };
  enum class Pending { establish, sync, role_change, break_notice };
  struct RoleSwap {
    FailoverRole target;
    bool force;
    bool after_sync;
  };

  TimePoint now() const { return clock_.now(); }
  void event(const std::string& text);
  void violate(const std::string& rule, const std::string& text);
  void require_running(const std::string& what) const;
  void require_manageable(const std::string& what) const;
  void require_no_swap(const std::string& what) const;
  void note_action(const std::string& what);
  void terminate_everyone(const std::string& why);
  /// Queues a request to `to`, by default the peer (or the backup being established).
  void send(Pending kind, PeerRequest request, std::optional<ConnectionDetails> to = {});
  void settle_install();
  void finish_install();
  void fail_install(double at_progress);
  void start_sync();
  void finish_sync(const SyncAck& ack);
  void fail_sync(const std::string& why);
  void set_role(FailoverRole role, const std::string& why);
  std::string key_proof(std::string_view label, std::string_view nonce_hex,
                        std::string_view guid) const;
  PeerResponse on_hello(const EstablishHello& hello);
  void on_accept(const EstablishAccept& accept);

  ApplianceConfig config_;
  const Clock& clock_;
  std::mt19937_64 rng_;
  OperatingState state_ = OperatingState::running;
  FailoverRole role_ = FailoverRole::none;
  bool shared_ip_enabled_ = false;
  DataStore store_;
  std::set<std::string> logged_in_;
  std::set<std::string> active_;
  std::set<std::string> installed_;
  std::vector<UpdateInfo> available_;
  std::optional<Install> install_;
  InstallFaults install_faults_;
  SyncFaults sync_faults_;
  std::vector<std::string> pending_dependents_;
  bool fresh_backup_since_base_ = false;
  SyncStatus sync_;
  std::optional<TimePoint> sync_due_;
  std::optional<DataStore> sync_snapshot_;  ///< the planted defect's copy at the sync's start
  std::optional<ConnectionDetails> peer_;
  std::optional<EstablishParams> establishing_;
  std::string establish_nonce_;
  std::optional<RoleSwap> swap_;
  std::string last_peer_error_;
  std::uint64_t next_message_id_ = 1;
  std::vector<Outbound> outbox_;
  std::map<std::uint64_t, Pending> pending_;
  std::vector<Event> events_;
  std::vector<Violation> violations_;
};

}  // namespace failover_hil::sim
