// sync (R02, R19): Sync Now on A, then wait until that sync finished.
#include "step_support.hpp"

namespace failover_hil::hil {

using namespace std::chrono_literals;

void sync_and_wait(RunContext& ctx, ApplianceDriver& primary) {
  const auto first = ctx.observe(primary);
  const auto before = first.last_sync;
  const auto status_before = first.last_sync_status;
  ctx.event(EventType::invoke, op::sync_now, "", {}, primary.name());
  primary.sync_now();
  if (ctx.faults && ctx.faults->mistake<OperatorBreaksBeforeSync>()) {
    // R03: the operator wants to break now; the sync has not finished.
    const auto s = primary.status();
    if (s.sync_in_progress || s.last_sync == before)
      ctx.event(EventType::refused, op::break_relationship,
                "R03: refused: the sync started by Sync Now has not finished", {}, "operator");
    else
      ctx.event(EventType::info, op::break_relationship,
                "the operator's early break waited: sync finished");
  }
  // A physical appliance's API shows no sync under way: the operator says
  // done once the page shows it finished, so its new time must come soon.
  const auto limit = ctx.simulator() ? std::chrono::seconds(600) : std::chrono::seconds(60);
  int polls = 0;
  bool seen_running = false;
  ApplianceStatus s;
  // Finished: a new last sync, or a sync seen running has stopped, or the
  // last sync's status changed (a failed sync leaves the last successful one
  // in place, and one that fails at once, as with a silent peer, may never
  // be seen running: waiting for a new one would wait out the whole limit).
  const bool done = ctx.wait_for(
      [&] {
        s = primary.status();
        seen_running = seen_running || s.sync_in_progress;
        if (++polls % 25 == 0)
          ctx.event(EventType::info, op::sync_progress, "syncing", {}, primary.name());
        return !s.sync_in_progress && ((s.last_sync && s.last_sync != before) || seen_running ||
                                       s.last_sync_status != status_before);
      },
      limit, 50ms);
  if (!done && !ctx.simulator())
    throw AbortSafely("R02: the operator confirmed Sync Now, but " + primary.name() +
                      "'s last_data_sync_time has not moved within " +
                      std::to_string(limit.count()) +
                      " s of it: not breaking (was the sync done? resume once it has finished)");
  if (!done) throw AbortSafely("R02: the sync did not finish within 10 min; not breaking");
  if (s.last_sync_status != "success")
    throw AbortSafely("R02: the sync ended with '" + s.last_sync_status +
                      "'; the relationship is kept (fix the sync, then resume)");
  ctx.event(EventType::ok, op::sync_finished, s.last_sync_status, {}, primary.name());
}

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ",") + x;
  return out;
}

namespace {

std::string run(RunContext& ctx, const StepSpec&) {
  const auto a = ctx.observe(ctx.A());
  const auto b = ctx.observe(ctx.B());
  if (a.role != Role::primary || b.role != Role::backup)
    throw AbortSafely("R02: expected appA primary and appB backup, found " +
                      std::string(to_string(a.role)) + " and " + std::string(to_string(b.role)));
  sync_and_wait(ctx, ctx.A());
  return "ok";
}

}  // namespace

extern const StepDef kSyncStep{"sync",
                               "Sync Now on A, then wait until that sync has finished",
                               {"R02", "R19"},
                               {},
                               "A is primary and B its backup",
                               "a sync started by this step finished with success",
                               Resume::by_history,
                               run};

}  // namespace failover_hil::hil
