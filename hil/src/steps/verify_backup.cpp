// verify_backup (R11, R12): B answers the site by hosts override on two
// clients, a console upgrades itself and reports the new build, a session
// runs through it, and an MSI-deployed client stays on its old build.
#include "step_support.hpp"

namespace failover_hil::hil {

namespace {

const ClientSpec kConsole{"verify-console", false, false, "", "", "offline", ""};

/// A physical appliance: the operator verifies through clients, the API checks the build.
void verify_by_operator(RunContext& ctx, Member m) {
  auto& d = ctx.driver(m);
  const auto& t = ctx.target(m);
  ctx.hooks->prompt->ask(
      {d.name(),
       "verify_clients",
       "on two client machines point " + ctx.engine->site_hostname() + " at " + t.ip +
           " (hosts file); connect a representative console, let it upgrade, check Help > About "
           "shows build " +
           ctx.scenario.to.build + ", and run a session to a remote computer through it (R11)",
       "check_health reports " + d.name() + " healthy on build " + ctx.scenario.to.build,
       {{"host", ctx.engine->site_hostname()}, {"ip", t.ip}}});
  const auto s = ctx.observe(d);
  if (!s.healthy || s.build != ctx.scenario.to.build)
    throw AbortSafely("R11: " + d.name() + " is not healthy on build " + ctx.scenario.to.build);
  ctx.event(EventType::ok, op::console_upgraded, "confirmed by the operator, build checked by API",
            {{"build", s.build}}, d.name());
}

std::string run(RunContext& ctx, const StepSpec&) {
  refuse_early_primary_update_if_asked(ctx);
  const Member m = Member::B;
  auto& d = ctx.driver(m);
  const auto& t = ctx.target(m);
  const auto clients = ctx.engine->clients();
  int checked = 0;
  for (const auto& c : clients) {
    if (checked == 2) break;
    const auto r = ctx.engine->reach_by_hosts_override(c, m);
    if (r.status != 200 || r.served_by != d.name())
      throw AbortSafely("R11: " + c + " reaching " + ctx.engine->site_hostname() + " at " + t.ip +
                        " got HTTP " + std::to_string(r.status) + " from '" + r.served_by + "'");
    ctx.event(EventType::ok, op::hosts_override, c + " reaches " + d.name() + " at " + t.ip, {}, c);
    ++checked;
  }
  if (checked < 2 && !clients.empty() && ctx.engine->kind() != EngineKind::inventory)
    throw AbortSafely("R11: needs two client machines, the scenario has " +
                      std::to_string(clients.size()));
  if (!ctx.simulator()) {
    verify_by_operator(ctx, m);
    return "ok";
  }
  const auto& from = ctx.scenario.from;
  ClientSpec console = kConsole;
  console.version = from.software;
  console.build = from.build;
  console = d.connect_client(console);
  if (console.state != "online" || console.build != ctx.scenario.to.build)
    throw AbortSafely("R11: the console is " + console.state + " with build " + console.build +
                      ", expected online with " + ctx.scenario.to.build);
  ctx.event(EventType::ok, op::console_upgraded,
            "Help > About: " + console.version + " (" + console.build + ")",
            {{"build", console.build}}, d.name());
  ClientSpec jump{"verify-jump", true, false, from.software, from.build, "offline", ""};
  jump = d.connect_client(jump);
  const auto lsid = d.start_session(console, jump);
  d.end_session(lsid);
  ctx.event(EventType::ok, op::session_created, "verification session", {{"lsid", lsid}}, d.name());
  ClientSpec msi{"verify-msi", true, true, from.software, from.build, "offline", ""};
  msi = d.connect_client(msi);
  ctx.event(msi.build == from.build ? EventType::ok : EventType::fail, op::msi_client,
            "R12: an MSI-deployed Jump Client stays " + msi.state + " on " + msi.build +
                " (redeploy it with the new MSI)",
            {{"state", msi.state}, {"build", msi.build}}, d.name());
  return "ok";
}

}  // namespace

extern const StepDef kVerifyBackupStep{
    "verify_backup",
    "Verify B through clients: hosts override on two machines, console upgrade, a session",
    {"R11", "R12"},
    {},
    "B runs its update",
    "two clients reached B by its own IP; a console upgraded on connect and reports the new build; "
    "a session ran through B; an MSI-deployed client stayed on its old build (R12)",
    Resume::by_history,
    run};

}  // namespace failover_hil::hil
