// verify_production (R14, R16): B serves production before A is touched.
#include "step_support.hpp"

namespace failover_hil::hil {

using namespace std::chrono_literals;

namespace {

/// R14: an Integration Client configured by IP extracts data from B.
void integration_client(RunContext& ctx) {
  if (!ctx.simulator() || ctx.engine->clients().empty() || !ctx.scenario.seed.integration_client)
    return;
  // By the shared IP it follows a shared IP switch; by A's IP (DNS, NAT) it
  // must be reconfigured to B's, which the operator does here.
  std::string ip = ctx.engine->site_ip().empty() ? ctx.target(Member::B).ip : ctx.engine->site_ip();
  if (ctx.scenario.switch_method != SwitchMethod::shared_ip) {
    ip = ctx.target(Member::B).ip;
    ctx.event(EventType::info, op::integration_client_reconfigured,
              "R14: configured by IP: now " + ip, {}, "operator");
  }
  const auto lsids = ctx.engine->integration_extract(ip, Member::B);
  ctx.event(
      EventType::ok, op::integration_client,
      "R14: extracted " + std::to_string(lsids.size()) + " session records from appB at " + ip,
      {{"records", std::to_string(lsids.size())}}, "integration-client");
}

std::string run(RunContext& ctx, const StepSpec&) {
  // Answers from B received after 500 ms into this step, by every client: an
  // answer from before (a client cut off since) does not count.
  const auto since = ctx.now_ns() + 500'000'000;
  if (!ctx.wait_for(
          [&] { return ctx.now_ns() > since && ctx.engine->all_served_by("appB", since); }, 10s))
    throw AbortSafely("R16: appB is not serving every client; appA is not touched");
  integration_client(ctx);
  const auto b = ctx.observe(ctx.B());
  if (!b.serves_site) throw AbortSafely("R16: appB does not serve the site");
  ctx.event(EventType::ok, op::production_confirmed, "R16: appB serves production");
  return "ok";
}

}  // namespace

extern const StepDef kVerifyProductionStep{
    "verify_production",
    "Confirm B serves production (every client, and an Integration Client by IP)",
    {"R14", "R16"},
    {},
    "the switch ran",
    "every client was answered by B during this step; an Integration Client configured by IP "
    "extracted session records from B (R14)",
    Resume::by_history,
    run};

}  // namespace failover_hil::hil
