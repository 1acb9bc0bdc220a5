#include "procedure.hpp"

#include <fstream>

#include "failover_hil/core/hex.hpp"
#include "failover_hil/hil/http_driver.hpp"
#include "failover_hil/netlab/analysis.hpp"
#include "failover_hil/netlab/dup_check.hpp"
#include "failover_hil/sim/model/backup.hpp"

namespace failover_hil::hil {

using namespace std::chrono_literals;

namespace {

const ClientSpec kConsole{"verify-console", false, false, "", "", "offline", ""};

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ",") + x;
  return out;
}

/// R01: a backup of A, stored encrypted, its SHA-256 recorded and checked.
void backup(RunContext& ctx) {
  const auto status = ctx.observe(ctx.A());
  if (!status.healthy)
    throw AbortSafely("R01: appA is not healthy (" + status.state + "); no backup taken");
  ctx.event("invoke", "download_backup", "", {}, "appA");
  const auto b = ctx.A().download_backup(ctx.backup_password);
  std::filesystem::create_directories(ctx.dir / "backups");
  const auto file = ctx.dir / "backups" / ("appA-" + std::to_string(realtime_ns()) + ".bak");
  std::ofstream(file, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.bytes.data()),
             static_cast<std::streamsize>(b.bytes.size()));
  std::filesystem::permissions(
      file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::string verified = "sha256 recorded";
  if (ctx.simulator) {
    // The simulator's format is known: open it with the password, as a restore would.
    const auto opened = sim::open_backup(b.bytes, sim::BackupSecret::password(ctx.backup_password));
    if (opened.appliance_name != ctx.A().name())
      throw AbortSafely("R01: the backup names " + opened.appliance_name + ", not appA");
    verified = "opened with its password: " + std::to_string(opened.store.sessions.size()) +
               " session records";
  }
  ctx.event("ok", "backup_verified", verified,
            {{"sha256", b.sha256_hex},
             {"bytes", std::to_string(b.bytes.size())},
             {"file", std::filesystem::relative(file, ctx.dir).string()}});
}

/// Sync Now on `primary` and wait until a sync finished after it (R02, R19).
void sync_and_wait(RunContext& ctx, FaultPlan& faults, ApplianceDriver& primary) {
  const auto before = ctx.observe(primary).last_sync;
  ctx.event("invoke", "sync_now", "", {}, primary.name());
  primary.sync_now();
  if (faults.mistake("operator_breaks_before_sync")) {
    // R03: the operator wants to break now; the sync has not finished.
    const auto s = primary.status();
    if (s.sync_in_progress || s.last_sync == before)
      ctx.event("refused", "break_relationship",
                "R03: refused: the sync started by Sync Now has not finished", {}, "operator");
    else
      ctx.event("info", "break_relationship", "the operator's early break waited: sync finished");
  }
  int polls = 0;
  ApplianceStatus s;
  const bool done = ctx.wait_for(
      [&] {
        s = primary.status();
        if (++polls % 25 == 0) ctx.event("info", "sync_progress", "syncing", {}, primary.name());
        return !s.sync_in_progress && s.last_sync && s.last_sync != before;
      },
      std::chrono::minutes(10), 50ms);
  if (!done) throw AbortSafely("R02: the sync did not finish within 10 min; not breaking");
  if (s.last_sync_status != "success")
    throw AbortSafely("R02: the sync ended with '" + s.last_sync_status +
                      "'; the relationship is kept (fix the sync, then resume)");
  ctx.event("ok", "sync_finished", s.last_sync_status, {}, primary.name());
}

void sync(RunContext& ctx, FaultPlan& faults) {
  const auto a = ctx.observe(ctx.A());
  const auto b = ctx.observe(ctx.B());
  if (a.role != "primary" || b.role != "backup")
    throw AbortSafely("R02: expected appA primary and appB backup, found " + a.role + " and " +
                      b.role);
  sync_and_wait(ctx, faults, ctx.A());
}

void break_failover(RunContext& ctx) {
  if (!ctx.happened("sync_finished"))
    throw AbortSafely("R03: refused: no finished sync in this run; run the sync step first");
  if (ctx.A().status().sync_in_progress) throw AbortSafely("R03: refused: a sync is in progress");
  ctx.event("invoke", "break_relationship", "", {}, "appA");
  ctx.A().break_relationship();
  if (!ctx.wait_for(
          [&] { return ctx.A().status().role == "none" && ctx.B().status().role == "none"; }, 30s))
    throw HarnessError("break: the roles did not become none within 30 s");
  ctx.observe(ctx.A());
  ctx.observe(ctx.B());
  ctx.event("ok", "relationship_broken", "exposure window opens (R22)");
}

void wait_install(RunContext& ctx, ApplianceDriver& d, const std::string& what) {
  int polls = 0;
  double last_reported = -1;
  const bool done = ctx.wait_for(
      [&] {
        const auto s = d.status();
        if (s.state != "installing") return true;
        const double p = s.install_progress.value_or(0);
        if (p - last_reported >= 0.1 || ++polls % 100 == 0) {
          if (last_reported < 0) ctx.observe(d);  // the report draws the install from here
          last_reported = p;
          ctx.event("info", "install_progress", what,
                    {{"progress", std::to_string(static_cast<int>(p * 100))}}, d.name());
        }
        return false;
      },
      std::chrono::minutes(30), 50ms);
  const auto s = ctx.observe(d);
  if (!done)
    throw AbortSafely(what + " on " + d.name() +
                      " did not finish within 30 min: contact support; do not restart it (R07)");
  if (s.state == "base_update_failed")
    throw AbortSafely("R07: " + what + " failed on " + d.name() +
                      ": contact support; it was not restarted, and the other appliance still "
                      "serves");
  if (s.state != "running")
    throw AbortSafely(what + " left " + d.name() + " " + s.state + ": contact support");
  ctx.event("ok", "install_finished", what, {{"version", s.version}, {"base", s.base}}, d.name());
}

/// Before an install: an R07 operator mistake is refused.
void refuse_restart_if_asked(RunContext& ctx, FaultPlan& faults, ApplianceDriver& d) {
  if (faults.mistake("operator_restarts_after_failed_base")) {
    const auto s = d.status();
    ctx.event("refused", "restart",
              "R07: refused: " + d.name() + " is " + s.state +
                  (s.state == "base_update_failed" ? " after a failed Base update" : "") +
                  "; an appliance is never restarted during an update",
              {}, "operator");
  }
}

void install(RunContext& ctx, FaultPlan& faults, const std::string& letter, const std::string& kind,
             const std::function<void()>& start, const std::string& what) {
  auto& d = *ctx.target(letter).driver;
  faults.before_install(letter, kind);
  ctx.event("invoke", "install_started", what, {{"kind", kind}}, d.name());
  start();
  try {
    wait_install(ctx, d, what);
  } catch (const AbortSafely&) {
    refuse_restart_if_asked(ctx, faults, d);
    throw;
  }
}

/// R05-R10: Base first, then a fresh backup and the dependent software at once (R06).
void update(RunContext& ctx, FaultPlan& faults, const std::string& letter, UpdateMethod method) {
  auto& d = *ctx.target(letter).driver;
  const auto& to = ctx.scenario.to;
  const auto s = ctx.observe(d);
  if (s.version == to.software && s.build == to.build) {
    ctx.event("info", "already_updated", d.name() + " runs " + s.version);
    return;
  }
  // R01: no update without a verified backup of this run.
  if (faults.mistake("operator_skips_backup") || !ctx.happened("backup_verified")) {
    if (!ctx.happened("backup_verified"))
      throw AbortSafely("R01: refused: no verified backup of appA in this run");
    ctx.event("refused", "install_without_backup",
              "R01: refused: every update needs the verified backup first (it exists: proceeding "
              "with it)",
              {}, "operator");
  }
  if (s.role != "none")
    throw AbortSafely("R08: refused: " + d.name() + " is still " + s.role +
                      " in a failover relationship; break it first");
  if (!ctx.simulator) {
    // A physical appliance: the operator installs, the API verifies.
    ctx.event("invoke", "install_started", "by the operator", {{"kind", "base"}}, d.name());
    ctx.hooks->prompt->ask(
        d.name(), "under /appliance > Updates install Base " + to.base +
                      ", download a fresh backup, then at once install software " + to.software +
                      " (" + to.build +
                      ") (R06). If an update fails, do NOT restart the "
                      "appliance: answer 'abort' and contact support (R07)");
    if (!ctx.wait_for([&] { return d.status().version == to.software; }, 120s, 500ms))
      throw AbortSafely(d.name() + " does not report " + to.software +
                        " after the operator's update: contact support");
    ctx.event("ok", "install_finished", "verified through the API", {}, d.name());
    return;
  }
  if (method == UpdateMethod::automatic) {
    ctx.event("invoke", "check_for_updates", "", {}, d.name());
    const auto offers = d.check_for_updates();
    std::string ids;
    for (const auto& o : offers) ids += o.id + " ";
    ctx.event("ok", "check_for_updates", ids, {}, d.name());
    for (const auto& o : offers) {
      const bool base = o.id.rfind("base-", 0) == 0;
      if (!base && !d.status().pending_dependents.empty()) {
        // R06: a fresh backup between the Base and its dependent software.
        ctx.event("info", "fresh_backup", "R06", {}, d.name());
        d.download_backup(ctx.backup_password);
      }
      install(
          ctx, faults, letter, base ? "base" : "software", [&] { d.install_update(o.id); },
          o.target);
    }
  } else {
    ctx.event("invoke", "download_key", "", {}, d.name());
    const auto key = d.download_key();
    const auto files = ctx.update_files(key, d.status());
    ctx.event("ok", "update_files", std::to_string(files.size()) + " files for the key", {},
              d.name());
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (i > 0 && !d.status().pending_dependents.empty()) {
        ctx.event("info", "fresh_backup", "R06", {}, d.name());
        d.download_backup(ctx.backup_password);
      }
      install(
          ctx, faults, letter, i == 0 ? "base" : "software", [&] { d.install_file(files[i]); },
          "manual file " + std::to_string(i + 1));
    }
  }
  const auto after = ctx.observe(d);
  if (after.version != to.software || after.build != to.build)
    throw AbortSafely(d.name() + " runs " + after.version + " (" + after.build + ") after the " +
                      "update, not " + to.software + " (" + to.build + ")");
  if (!after.pending_dependents.empty())
    throw AbortSafely("R06: " + d.name() + " still has pending dependents");
}

/// R11, R12: B answers the site by hosts override on two clients, a console
/// upgrades itself and reports the new build, a session runs through it.
void verify(RunContext& ctx, const std::string& letter) {
  auto& t = ctx.target(letter);
  auto& d = *t.driver;
  int checked = 0;
  for (const auto& c : ctx.clients) {
    if (checked == 2) break;
    HttpsClient site(ctx.site_hostname, t.site_port, t.trust, std::chrono::seconds(5),
                     c.netns ? c.netns->name() : std::string());
    site.connect_to(t.ip);  // the hosts-file override
    const auto r = site.get("/");
    if (r.status != 200 || r.header("x-served-by") != d.name())
      throw AbortSafely("R11: " + c.name + " reaching " + ctx.site_hostname + " at " + t.ip +
                        " got HTTP " + std::to_string(r.status) + " from '" +
                        r.header("x-served-by") + "'");
    ctx.event("ok", "hosts_override", c.name + " reaches " + d.name() + " at " + t.ip, {}, c.name);
    ++checked;
  }
  if (checked < 2 && !ctx.clients.empty() && ctx.sims)
    throw AbortSafely("R11: needs two client machines, the scenario has " +
                      std::to_string(ctx.clients.size()));
  if (!ctx.simulator) {
    ctx.hooks->prompt->ask(
        d.name(), "on two client machines point " + ctx.site_hostname + " at " + t.ip +
                      " (hosts file); connect a representative console, let it upgrade, check "
                      "Help > About shows build " +
                      ctx.scenario.to.build +
                      ", and run a session to a remote computer through it (R11)");
    const auto s = ctx.observe(d);
    if (!s.healthy || s.build != ctx.scenario.to.build)
      throw AbortSafely("R11: " + d.name() + " is not healthy on build " + ctx.scenario.to.build);
    ctx.event("ok", "console_upgraded", "confirmed by the operator, build checked by API",
              {{"build", s.build}}, d.name());
    return;
  }
  const auto& from = ctx.scenario.from;
  ClientSpec console = kConsole;
  console.version = from.software;
  console.build = from.build;
  console = d.connect_client(console);
  if (console.state != "online" || console.build != ctx.scenario.to.build)
    throw AbortSafely("R11: the console is " + console.state + " with build " + console.build +
                      ", expected online with " + ctx.scenario.to.build);
  ctx.event("ok", "console_upgraded",
            "Help > About: " + console.version + " (" + console.build + ")",
            {{"build", console.build}}, d.name());
  ClientSpec jump{"verify-jump", true, false, from.software, from.build, "offline", ""};
  jump = d.connect_client(jump);
  const auto lsid = d.start_session(console, jump);
  d.end_session(lsid);
  ctx.event("ok", "session_created", "verification session", {{"lsid", lsid}}, d.name());
  ClientSpec msi{"verify-msi", true, true, from.software, from.build, "offline", ""};
  msi = d.connect_client(msi);
  ctx.event(msi.build == from.build ? "ok" : "fail", "msi_client",
            "R12: an MSI-deployed Jump Client stays " + msi.state + " on " + msi.build +
                " (redeploy it with the new MSI)",
            {{"state", msi.state}, {"build", msi.build}}, d.name());
}

/// R23 from the wire: ARP probes for the shared IP from every client, then
/// the captures so far are analysed for two MACs claiming it.
std::vector<netlab::IpConflict> conflicts_on_the_wire(RunContext& ctx) {
  if (ctx.site_ip.empty()) return {};
  for (const auto& c : ctx.clients)
    if (c.netns)
      netlab::find_duplicate(*c.netns, c.interface, netlab::Ipv4Address::parse(ctx.site_ip),
                             {2, 50ms, 150ms});
  netlab::AnalysisOptions o;
  o.site_port = 443;
  return netlab::analyze_files(ctx.watch->capture_files(), o).conflicts;
}

void switch_primary(RunContext& ctx, FaultPlan& faults, const StepSpec& step) {
  const auto b = ctx.observe(ctx.B());
  if (b.version != ctx.scenario.to.software)
    throw AbortSafely("R16: refused: appB runs " + b.version + ", not the new " +
                      ctx.scenario.to.software);
  if (!ctx.happened("console_upgraded") && ctx.simulator)
    throw AbortSafely("R11: refused: appB was not verified (run verify_backup first)");
  if (ctx.switcher->current() == "appB" && ctx.watch->all_served_by("appB", 0)) {
    ctx.event("info", "already_switched", "the site points at appB");
    return;
  }
  if (const auto* m = faults.mistake("operator_enables_shared_ip_early")) {
    const bool a_holds = ctx.A().status().shared_ip_enabled;
    if (m->param("force", "false") != "true") {
      if (a_holds)
        ctx.event("refused", "enable_shared_ip_on_appB",
                  "R23: refused: appA still holds the shared IP; disable it there first", {},
                  "operator");
    } else {
      ctx.event("invoke", "enable_shared_ip_on_appB", "forced while appA holds it", {}, "operator");
      dynamic_cast<HttpDriver&>(ctx.B()).sim_post(
          "shared-ip", R"({"enabled":true,"skip_duplicate_check":true})");
      std::this_thread::sleep_for(200ms);  // let B's gratuitous ARPs go out
      if (const auto found = conflicts_on_the_wire(ctx); !found.empty()) {
        ctx.B().set_shared_ip(false);  // back to one holder: A still serves
        ctx.event("fail", "ip_conflict",
                  "R23: " + found.front().ip.str() + " claimed by " +
                      found.front().first_appliance + " and " + found.front().second_appliance);
        throw AbortSafely("R23: IP conflict on " + found.front().ip.str() +
                          " seen in the capture after the operator forced the shared IP on appB; "
                          "disabled it on appB again, appA still serves");
      }
    }
  }
  const auto t0 = ctx.event("invoke", "switch_to_appB", to_string(ctx.switcher->method()));
  ctx.switcher->switch_to("appB");
  ctx.event("ok", "switch_to_appB", "the controller points at appB");
  const auto limit = std::chrono::milliseconds(static_cast<long>(step.settle_timeout_s * 1000));
  if (!ctx.wait_for([&] { return ctx.watch->all_served_by("appB", t0); }, limit, 5ms)) {
    std::string seen;
    for (const auto& [c, s] : ctx.watch->served_by()) seen += " " + c + "=" + s.appliance;
    throw AbortSafely("R13: not every client sees appB within " +
                      std::to_string(step.settle_timeout_s) + " s (last answers:" + seen + ")");
  }
  const auto settle_ms = static_cast<double>(realtime_ns() - t0) / 1e6;
  ctx.event("ok", "clients_see_appB", "every client's HTTPS flow is answered by appB",
            {{"settle_ms", std::to_string(settle_ms)}});
  if (!ctx.site_ip.empty()) {
    if (const auto found = conflicts_on_the_wire(ctx); !found.empty())
      throw AbortSafely("R23: IP conflict on " + found.front().ip.str() + " after the switch");
    ctx.event("ok", "no_ip_conflict", "ARP probes from every client: one holder");
  }
  ctx.observe(ctx.A());
  ctx.observe(ctx.B());
}

/// R14: an Integration Client configured by IP extracts data from B.
void integration_client(RunContext& ctx) {
  if (!ctx.simulator || ctx.clients.empty()) return;
  // By the shared IP it follows a shared IP switch; by A's IP (DNS, NAT) it
  // must be reconfigured to B's, which the operator does here.
  std::string ip = ctx.site_ip.empty() ? ctx.b.ip : ctx.site_ip;
  if (ctx.scenario.switch_method != SwitchMethod::shared_ip) {
    ip = ctx.b.ip;
    ctx.event("info", "integration_client_reconfigured", "R14: configured by IP: now " + ip, {},
              "operator");
  }
  const auto& c = ctx.clients.front();
  HttpDriverConfig cfg = dynamic_cast<HttpDriver&>(ctx.B()).config();
  cfg.name = "integration-client";
  cfg.host = ip;
  cfg.port = 443;
  cfg.netns = c.netns ? c.netns->name() : std::string();
  HttpDriver ic(cfg);  // pinned to B's certificate: an answer proves it is B
  const auto lsids = ic.session_lsids();
  ctx.event(
      "ok", "integration_client",
      "R14: extracted " + std::to_string(lsids.size()) + " session records from appB at " + ip,
      {{"records", std::to_string(lsids.size())}}, "integration-client");
}

void verify_production(RunContext& ctx) {
  // Answers from B received after 500 ms into this step, by every client: an
  // answer from before (a client cut off since) does not count.
  const auto since = realtime_ns() + 500'000'000;
  if (!ctx.wait_for(
          [&] { return realtime_ns() > since && ctx.watch->all_served_by("appB", since); }, 10s))
    throw AbortSafely("R16: appB is not serving every client; appA is not touched");
  integration_client(ctx);
  const auto b = ctx.observe(ctx.B());
  if (!b.serves_site) throw AbortSafely("R16: appB does not serve the site");
  ctx.event("ok", "production_confirmed", "R16: appB serves production");
}

void update_primary(RunContext& ctx, FaultPlan& faults, const StepSpec& step) {
  if (!ctx.happened("production_confirmed"))
    throw AbortSafely("R16: refused: appB was not confirmed in production; appA is not updated");
  if (ctx.switcher->current() == "appA" || ctx.switcher->current() == "appA,appB")
    throw AbortSafely("R16: refused: the site still points at appA");
  update(ctx, faults, "A", step.method);
}

void reestablish(RunContext& ctx, FaultPlan& faults) {
  auto a = ctx.observe(ctx.A());
  auto b = ctx.observe(ctx.B());
  if (b.role == "primary" && a.role == "backup") {
    ctx.event("info", "already_paired", "appB primary, appA backup");
  } else {
    if (a.version != b.version || a.build != b.build)
      throw AbortSafely("R17: refused: versions differ (appA " + a.version + " " + a.build +
                        ", appB " + b.version + " " + b.build + ")");
    ctx.event("invoke", "establish", "on appB with appA as backup (R18)", {}, "appB");
    const auto warnings = ctx.B().establish(ctx.a.ip, ctx.a.port, ctx.b.ip, ctx.b.port);
    for (const auto& w : warnings) ctx.event("info", "establish_warning", w, {}, "appB");
    if (!ctx.wait_for(
            [&] { return ctx.B().status().role == "primary" && ctx.A().status().role == "backup"; },
            60s))
      throw HarnessError("R17: the relationship did not form within 60 s: " +
                         ctx.B().status().last_peer_error);
    ctx.event("ok", "relationship_established", "exposure window closes (R22)");
  }
  if (ctx.stop_load) ctx.stop_load();  // every record made so far goes into this sync
  sync_and_wait(ctx, faults, ctx.B());
  const auto la = ctx.A().session_lsids(), lb = ctx.B().session_lsids();
  ctx.event("observe", "final_lsids", "R15", {{"appA", join(la)}, {"appB", join(lb)}});
  ctx.observe(ctx.A());
  ctx.observe(ctx.B());
}

}  // namespace

std::vector<std::string> step_rules(StepKind kind) {
  switch (kind) {
    case StepKind::backup:
      return {"R01"};
    case StepKind::sync:
      return {"R02", "R19"};
    case StepKind::break_failover:
      return {"R03", "R22"};
    case StepKind::update_backup:
      return {"R01", "R04", "R05", "R06", "R07", "R08", "R09", "R10"};
    case StepKind::verify_backup:
      return {"R11", "R12"};
    case StepKind::switch_primary:
      return {"R13", "R23"};
    case StepKind::verify_production:
      return {"R14", "R16"};
    case StepKind::update_primary:
      return {"R01", "R06", "R07", "R08", "R09", "R16"};
    case StepKind::reestablish:
      return {"R15", "R17", "R18", "R19", "R20", "R22"};
  }
  return {};
}

std::string run_step(RunContext& ctx, FaultPlan& faults, const StepSpec& step) {
  switch (step.kind) {
    case StepKind::backup:
      backup(ctx);
      break;
    case StepKind::sync:
      sync(ctx, faults);
      break;
    case StepKind::break_failover: {
      const auto b = ctx.B().status();
      if (b.role == "none" && ctx.happened("relationship_broken")) return "done_already";
      break_failover(ctx);
      break;
    }
    case StepKind::update_backup:
      update(ctx, faults, "B", step.method);
      break;
    case StepKind::verify_backup:
      verify(ctx, "B");
      break;
    case StepKind::switch_primary:
      switch_primary(ctx, faults, step);
      break;
    case StepKind::verify_production:
      verify_production(ctx);
      break;
    case StepKind::update_primary:
      update_primary(ctx, faults, step);
      break;
    case StepKind::reestablish:
      reestablish(ctx, faults);
      break;
  }
  return "ok";
}

}  // namespace failover_hil::hil
