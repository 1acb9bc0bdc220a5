#pragma once

// The timeline's vocabulary, shared by whoever writes an event (steps,
// faults, the runner) and whoever reads one back (checks, resume, reports):
// a typo is a compile error, not a check that silently stops matching.

#include <string_view>

namespace failover_hil::hil {

/// What kind of line a timeline event is.
enum class EventType {
  invoke,      ///< an action was asked of an appliance, controller or operator
  ok,          ///< an action or condition succeeded
  fail,        ///< an action or condition failed
  info,        ///< progress and context
  observe,     ///< a reading of an appliance's status
  fault,       ///< a fault was armed, fired or disarmed
  refused,     ///< an operator mistake refused before it happened
  step_start,  ///< op: the step's name
  step_ok,     ///< op: the step's name
  step_end,    ///< op: the step's name; data.status: failed | interrupted | skipped
  outcome,     ///< op: completed | aborted_safely | failed | interrupted
};
std::string_view to_string(EventType t);
/// Throws std::invalid_argument naming the text.
EventType parse_event_type(std::string_view text);

/// The ops the harness writes and reads back (docs/reports.md lists them).
namespace op {
// the run
inline constexpr std::string_view run_started = "run_started";
inline constexpr std::string_view run_resumed = "run_resumed";
inline constexpr std::string_view lab_up = "lab_up";
inline constexpr std::string_view lab_down = "lab_down";
inline constexpr std::string_view seeded = "seeded";
inline constexpr std::string_view client_deployed = "client_deployed";
inline constexpr std::string_view measuring = "measuring";
inline constexpr std::string_view capture_stopped = "capture_stopped";
inline constexpr std::string_view status = "status";
inline constexpr std::string_view a_still_serves = "a_still_serves";
inline constexpr std::string_view availability =
    "availability";  ///< in-process: a client's site up/down
// backup (R01)
inline constexpr std::string_view download_backup = "download_backup";
inline constexpr std::string_view backup_verified = "backup_verified";
inline constexpr std::string_view install_without_backup = "install_without_backup";
// sync and break (R02, R03)
inline constexpr std::string_view sync_now = "sync_now";
inline constexpr std::string_view sync_progress = "sync_progress";
inline constexpr std::string_view sync_finished = "sync_finished";
inline constexpr std::string_view break_relationship = "break_relationship";
inline constexpr std::string_view relationship_broken = "relationship_broken";
// updates (R05-R10)
inline constexpr std::string_view already_updated = "already_updated";
inline constexpr std::string_view check_for_updates = "check_for_updates";
inline constexpr std::string_view download_key = "download_key";
inline constexpr std::string_view update_files = "update_files";
inline constexpr std::string_view fresh_backup = "fresh_backup";
inline constexpr std::string_view install_started = "install_started";
inline constexpr std::string_view install_progress = "install_progress";
inline constexpr std::string_view install_under_way = "install_under_way";
inline constexpr std::string_view install_finished = "install_finished";
inline constexpr std::string_view restart = "restart";
inline constexpr std::string_view update_file_tampered = "update_file_tampered";
inline constexpr std::string_view update_file_refused = "update_file_refused";
inline constexpr std::string_view fail_over_between_updates = "fail_over_between_updates";
inline constexpr std::string_view update_primary_early = "update_primary_early";
inline constexpr std::string_view appliance_restarted = "appliance_restarted";
// verification (R11, R12, R14)
inline constexpr std::string_view hosts_override = "hosts_override";
inline constexpr std::string_view console_upgraded = "console_upgraded";
inline constexpr std::string_view session_created = "session_created";
inline constexpr std::string_view msi_client = "msi_client";
inline constexpr std::string_view integration_client = "integration_client";
inline constexpr std::string_view integration_client_reconfigured =
    "integration_client_reconfigured";
// the switch (R13, R23) and production (R16)
inline constexpr std::string_view already_switched = "already_switched";
inline constexpr std::string_view enable_shared_ip_on_appB = "enable_shared_ip_on_appB";
inline constexpr std::string_view switch_to_appB = "switch_to_appB";
inline constexpr std::string_view clients_see_appB = "clients_see_appB";
inline constexpr std::string_view ip_conflict = "ip_conflict";
inline constexpr std::string_view no_ip_conflict = "no_ip_conflict";
inline constexpr std::string_view production_confirmed = "production_confirmed";
// re-establishing (R15, R17-R19)
inline constexpr std::string_view already_paired = "already_paired";
inline constexpr std::string_view establish = "establish";
inline constexpr std::string_view establish_warning = "establish_warning";
inline constexpr std::string_view relationship_established = "relationship_established";
inline constexpr std::string_view final_lsids = "final_lsids";
}  // namespace op

}  // namespace failover_hil::hil
