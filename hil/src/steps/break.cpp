// break (R03, R22): Break Failover Relationship, only after a finished sync.
#include <sstream>

#include "step_support.hpp"

namespace failover_hil::hil {

namespace {

std::string run(RunContext& ctx, const StepSpec& step) {
  if (ctx.B().status().role == Role::none && ctx.happened(op::relationship_broken))
    return "done_already";
  if (!ctx.happened(op::sync_finished))
    throw AbortSafely("R03: refused: no finished sync in this run; run the sync step first");
  if (ctx.A().status().sync_in_progress) throw AbortSafely("R03: refused: a sync is in progress");
  ctx.event(EventType::invoke, op::break_relationship, "", {}, "appA");
  ctx.A().break_relationship();
  const auto settle_s = step.params.number("settle_timeout_s");
  if (!ctx.wait_for(
          [&] {
            return ctx.A().status().role == Role::none && ctx.B().status().role == Role::none;
          },
          std::chrono::milliseconds(static_cast<long>(settle_s * 1000)))) {
    // Nothing was updated yet: stopping here is safe, whatever the roles are.
    const auto a = ctx.observe(ctx.A()), b = ctx.observe(ctx.B());
    throw AbortSafely(
        "R03: the relationship is not broken " + (std::ostringstream() << settle_s).str() +
        " s after Break Failover Relationship (" + ctx.A().name() + " " +
        std::string(to_string(a.role)) + ", " + ctx.B().name() + " " +
        std::string(to_string(b.role)) + "); nothing is updated; break it, then resume");
  }
  ctx.observe(ctx.A());
  ctx.observe(ctx.B());
  ctx.event(EventType::ok, op::relationship_broken, "exposure window opens (R22)");
  return "ok";
}

}  // namespace

extern const StepDef kBreakStep{"break",
                                "Break Failover Relationship on A",
                                {"R03", "R22"},
                                {{"settle_timeout_s",
                                  ParamKind::number,
                                  "how long both appliances may take to show role none, seconds",
                                  false,
                                  30.0,
                                  {0, 86400, true}}},
                                "a sync of this run finished and none is in progress",
                                "both appliances have role none; the exposure window (R22) is open",
                                Resume::by_state,
                                run};

}  // namespace failover_hil::hil
