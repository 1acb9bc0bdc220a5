#pragma once

// Defects planted on purpose, for the tests of `failover-hil explore` only
// (docs/explore.md, "Planted defects"): each breaks one rule the way a real
// bug would, so a test can prove that explore finds it and shrinks its
// schedule. A run has none unless a test (RunOptions::defect) or the hidden,
// test-only `--plant-defect` flag asks for one.

#include <string_view>
#include <vector>

namespace failover_hil::hil {

enum class PlantedDefect {
  none,
  /// The model's sync works on a snapshot of the primary's store taken when
  /// it started: the backup gets the snapshot, and the primary's session
  /// records go back to it when the sync finishes, so records created during
  /// a sync are lost (R15). In the appliance model only (in-process);
  /// bseries-sim has no knob.
  sync_sends_start_snapshot,
  /// The shared IP switch enables the shared IP on the new holder before the
  /// old holder let go of it (R23). In the harness: both engines.
  shared_ip_enabled_before_release,
  /// A failed Base update is retried by restarting the appliance (R07). In
  /// the harness: both engines.
  base_failure_restarted,
};

std::string_view to_string(PlantedDefect d);
/// "none", "sync_sends_start_snapshot", ...; throws std::invalid_argument otherwise.
PlantedDefect parse_planted_defect(std::string_view text);
/// Every defect but `none`.
const std::vector<PlantedDefect>& planted_defects();

}  // namespace failover_hil::hil
