// reestablish (R15, R17-R20, R22): B primary with A as its backup, then a
// sync that merges every session record.
#include "step_support.hpp"

namespace failover_hil::hil {

using namespace std::chrono_literals;

namespace {

std::string run(RunContext& ctx, const StepSpec&) {
  auto a = ctx.observe(ctx.A());
  auto b = ctx.observe(ctx.B());
  if (b.role == Role::primary && a.role == Role::backup) {
    ctx.event(EventType::info, op::already_paired, "appB primary, appA backup");
  } else {
    if (a.version != b.version || a.build != b.build)
      throw AbortSafely("R17: refused: versions differ (appA " + a.version + " " + a.build +
                        ", appB " + b.version + " " + b.build + ")");
    ctx.event(EventType::invoke, op::establish, "on appB with appA as backup (R18)", {}, "appB");
    const auto& ta = ctx.target(Member::A);
    const auto& tb = ctx.target(Member::B);
    const auto warnings = ctx.B().establish(ta.ip, ta.port, tb.ip, tb.port);
    for (const auto& w : warnings) ctx.event(EventType::info, op::establish_warning, w, {}, "appB");
    if (!ctx.wait_for(
            [&] {
              return ctx.B().status().role == Role::primary &&
                     ctx.A().status().role == Role::backup;
            },
            60s))
      // appB serves production; only failover is missing: a safe stop.
      throw AbortSafely("R17: the relationship did not form within 60 s: " +
                        ctx.B().status().last_peer_error);
    ctx.event(EventType::ok, op::relationship_established, "exposure window closes (R22)");
  }
  ctx.engine->stop_load();  // every record made so far goes into this sync
  sync_and_wait(ctx, ctx.B());
  const auto la = ctx.A().session_lsids(), lb = ctx.B().session_lsids();
  ctx.event(EventType::observe, op::final_lsids, "R15", {{"appA", join(la)}, {"appB", join(lb)}});
  ctx.observe(ctx.A());
  ctx.observe(ctx.B());
  return "ok";
}

}  // namespace

extern const StepDef kReestablishStep{
    "reestablish",
    "Re-establish failover on B with A as backup, then sync",
    {"R15", "R17", "R18", "R19", "R20", "R22"},
    {},
    "both appliances run the same software and build (R17)",
    "B is primary and A its backup; a sync finished; both appliances hold every session record "
    "created in the run (R15)",
    Resume::by_state,
    run};

}  // namespace failover_hil::hil
