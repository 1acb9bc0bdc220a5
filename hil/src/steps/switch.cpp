// switch (R13, R23): B becomes primary by the scenario's switch method; the
// step ends when every client sees B, with one holder of the shared IP.
#include "step_support.hpp"

namespace failover_hil::hil {

using namespace std::chrono_literals;

namespace {

/// R23: the operator enables B's shared IP while A holds it.
void operator_enables_early(RunContext& ctx, const OperatorEnablesSharedIpEarly& m) {
  const bool a_holds = ctx.A().status().shared_ip_enabled;
  if (!m.force) {
    if (a_holds)
      ctx.event(EventType::refused, op::enable_shared_ip_on_appB,
                "R23: refused: appA still holds the shared IP; disable it there first", {},
                "operator");
    return;
  }
  auto* sim = ctx.target(Member::B).sim;
  if (!sim)
    throw HarnessError(
        "operator_enables_shared_ip_early with force: true needs a simulated appB (it bypasses "
        "the appliance's duplicate-IP check)");
  ctx.event(EventType::invoke, op::enable_shared_ip_on_appB, "forced while appA holds it", {},
            "operator");
  sim->force_shared_ip_on();
  ctx.engine->pause(200ms);  // let B's gratuitous ARPs go out
  if (const auto found = ctx.engine->conflicts(); !found.empty()) {
    ctx.B().set_shared_ip(false);  // back to one holder: A still serves
    const auto& c = found.front();
    ctx.event(EventType::fail, op::ip_conflict,
              "R23: " + c.ip + " claimed by " + c.first + " and " + c.second);
    throw AbortSafely("R23: IP conflict on " + c.ip +
                      " seen in the capture after the operator forced the shared IP on appB; "
                      "disabled it on appB again, appA still serves");
  }
}

/// Asks the DNS or NAT controller. One that does not answer (the DNS server
/// down) has moved nothing the harness knows of, and A is not updated yet:
/// the run stops safely. A shared IP switch's errors stay errors (A may have
/// given the address up already).
template <class F>
auto ask_controller(RunContext& ctx, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const AbortSafely&) {
    throw;
  } catch (const Interrupted&) {
    throw;
  } catch (const std::exception& e) {
    if (ctx.scenario.switch_method == SwitchMethod::shared_ip) throw;
    ctx.event(EventType::fail, op::switch_to_appB, e.what());
    throw AbortSafely("R13: the " + std::string(to_string(ctx.scenario.switch_method)) +
                      " controller did not answer (" + e.what() +
                      "); appA still serves and is not updated");
  }
}

std::string run(RunContext& ctx, const StepSpec& step) {
  const auto b = ctx.observe(ctx.B());
  if (b.version != ctx.scenario.to.software)
    throw AbortSafely("R16: refused: appB runs " + b.version + ", not the new " +
                      ctx.scenario.to.software);
  if (!ctx.happened(op::console_upgraded) && ctx.simulator())
    throw AbortSafely("R11: refused: appB was not verified (run verify_backup first)");
  if (ask_controller(ctx, [&] { return ctx.switcher().current(); }) == std::set{Member::B} &&
      ctx.engine->all_served_by("appB", 0)) {
    ctx.event(EventType::info, op::already_switched, "the site points at appB");
    return "done_already";
  }
  refuse_early_primary_update_if_asked(ctx);
  if (const auto* m = ctx.faults->mistake<OperatorEnablesSharedIpEarly>())
    operator_enables_early(ctx, *m);
  const auto t0 =
      ctx.event(EventType::invoke, op::switch_to_appB, to_string(ctx.scenario.switch_method));
  ask_controller(ctx, [&] { ctx.switcher().switch_to(Member::B); });
  ctx.event(EventType::ok, op::switch_to_appB, "the controller points at appB");
  const auto settle_s = step.params.number("settle_timeout_s");
  const auto limit = std::chrono::milliseconds(static_cast<long>(settle_s * 1000));
  if (!ctx.wait_for([&] { return ctx.engine->all_served_by("appB", t0); }, limit, 5ms)) {
    std::string seen;
    for (const auto& [c, s] : ctx.engine->served_by()) seen += " " + c + "=" + s.appliance;
    throw AbortSafely("R13: not every client sees appB within " + std::to_string(settle_s) +
                      " s (last answers:" + seen + ")");
  }
  const auto settle_ms = static_cast<double>(ctx.now_ns() - t0) / 1e6;
  ctx.event(EventType::ok, op::clients_see_appB, "every client's HTTPS flow is answered by appB",
            {{"settle_ms", std::to_string(settle_ms)}});
  if (!ctx.engine->site_ip().empty()) {
    if (const auto found = ctx.engine->conflicts(); !found.empty())
      throw AbortSafely("R23: IP conflict on " + found.front().ip + " after the switch");
    ctx.event(EventType::ok, op::no_ip_conflict, "ARP probes from every client: one holder");
  }
  ctx.observe(ctx.A());
  ctx.observe(ctx.B());
  return "ok";
}

}  // namespace

extern const StepDef kSwitchStep{
    "switch",
    "Make B primary by the switch method: shared IP, DNS swing or NAT swing",
    {"R13", "R23"},
    {{"settle_timeout_s",
      ParamKind::number,
      "how long every client may take to see B (a DNS swing: until caches expire), seconds",
      false,
      30.0,
      {0, 86400, true}}},
    "B runs the new software and was verified in this run (R11, R16)",
    "every client's flow is answered by B; the clients' ARP probes see one holder of the shared "
    "IP (R23)",
    Resume::by_state,
    run};

}  // namespace failover_hil::hil
