// update_backup and update_primary (R01, R04-R10, R16): Base first, then a
// fresh backup and the dependent software update at once.
#include <cstdio>

#include "step_support.hpp"

namespace failover_hil::hil {

using namespace std::chrono_literals;

namespace {

void wait_install(RunContext& ctx, ApplianceDriver& d, const std::string& what,
                  std::chrono::milliseconds limit) {
  int polls = 0;
  double last_reported = -1;
  const bool done = ctx.wait_for(
      [&] {
        const auto s = d.status();
        if (s.state != OperatingState::installing) return true;
        const double p = s.install_progress.value_or(0);
        if (p - last_reported >= 0.1 || ++polls % 100 == 0) {
          if (last_reported < 0) ctx.observe(d);  // the report draws the install from here
          last_reported = p;
          ctx.event(EventType::info, op::install_progress, what,
                    {{"progress", std::to_string(static_cast<int>(p * 100))}}, d.name());
        }
        return false;
      },
      limit, 50ms);
  const auto s = ctx.observe(d);
  if (!done) {
    char within[32];
    std::snprintf(within, sizeof within, "%g s", static_cast<double>(limit.count()) / 1000.0);
    throw AbortSafely(what + " on " + d.name() + " did not finish within " + within +
                      ": contact support; do not restart it (R07)");
  }
  if (s.state == OperatingState::base_update_failed)
    throw AbortSafely("R07: " + what + " failed on " + d.name() +
                      ": contact support; it was not restarted, and the other appliance still "
                      "serves");
  if (s.state != OperatingState::running)
    throw AbortSafely(what + " left " + d.name() + " " + std::string(to_string(s.state)) +
                      ": contact support");
  ctx.event(EventType::ok, op::install_finished, what, {{"version", s.version}, {"base", s.base}},
            d.name());
}

/// Before an install: an R07 operator mistake is refused.
void refuse_restart_if_asked(RunContext& ctx, ApplianceDriver& d) {
  if (ctx.faults->mistake<OperatorRestartsAfterFailedBase>()) {
    const auto s = d.status();
    ctx.event(
        EventType::refused, op::restart,
        "R07: refused: " + d.name() + " is " + std::string(to_string(s.state)) +
            (s.state == OperatingState::base_update_failed ? " after a failed Base update" : "") +
            "; an appliance is never restarted during an update",
        {}, "operator");
  }
}

/// The planted defect base_failure_restarted: a failed Base update is
/// "retried" by a restart, which R07 forbids (the appliance is then lost).
void restart_planted(RunContext& ctx, Member m) {
  auto* sim = ctx.target(m).sim;
  if (!sim || ctx.driver(m).status().state != OperatingState::base_update_failed) return;
  ctx.event(EventType::invoke, op::restart, "planted defect: the failed Base update retried", {},
            ctx.driver(m).name());
  sim->restart();
  ctx.observe(ctx.driver(m));
}

void install(RunContext& ctx, Member m, UpdateKind kind, const std::function<void()>& start,
             const std::string& what, std::chrono::milliseconds limit) {
  auto& d = ctx.driver(m);
  ctx.faults->before_install(m, kind);
  ctx.event(EventType::invoke, op::install_started, what, {{"kind", std::string(to_string(kind))}},
            d.name());
  start();
  try {
    wait_install(ctx, d, what, limit);
  } catch (const AbortSafely&) {
    refuse_restart_if_asked(ctx, d);
    if (ctx.scenario.defect == PlantedDefect::base_failure_restarted) restart_planted(ctx, m);
    throw;
  }
}

/// R06: between a Base update and its dependent software update, an
/// operator's failover is refused while the appliance reports the dependent.
void refuse_failover_if_asked(RunContext& ctx, ApplianceDriver& d,
                              const std::vector<std::string>& pending) {
  if (!ctx.faults->mistake<OperatorFailsOverBetweenUpdates>()) return;
  std::string ids;
  for (const auto& p : pending) ids += (ids.empty() ? "" : ", ") + p;
  ctx.event(EventType::refused, op::fail_over_between_updates,
            "R06: refused: " + d.name() + " has the dependent software update " + ids +
                " pending after its Base update; a fresh backup and that update come first, "
                "before failing over or updating the other appliance",
            {{"pending", ids}}, "operator");
}

/// Hands a manual update file to the appliance; one it refuses changes
/// nothing, so the run stops safely with the appliance's reason (R09).
void hand_over_file(RunContext& ctx, Member m, std::vector<std::uint8_t> file, std::size_t n) {
  auto& d = ctx.driver(m);
  if (ctx.faults->take_tamper(m) && !file.empty()) {
    // One byte in the middle of the signed body: what a damaged copy or an
    // attacker leaves, and what only the signature check can catch.
    file[file.size() / 2] ^= 0x01;
    ctx.event(EventType::fault, op::update_file_tampered,
              "manual file " + std::to_string(n) + ": byte " + std::to_string(file.size() / 2) +
                  " of " + std::to_string(file.size()) + " changed on its way",
              {}, d.name());
  }
  try {
    d.install_file(file);
  } catch (const HarnessError& e) {
    ctx.event(EventType::refused, op::update_file_refused, e.what(), {}, d.name());
    throw AbortSafely("R09: " + d.name() + " refused manual file " + std::to_string(n) +
                      ", nothing installed: " + e.what());
  }
}

/// A physical appliance: the operator installs, the API verifies.
void update_by_operator(RunContext& ctx, ApplianceDriver& d) {
  const auto& to = ctx.scenario.to;
  ctx.event(EventType::invoke, op::install_started, "by the operator", {{"kind", "base"}},
            d.name());
  ctx.hooks->prompt->ask(
      {d.name(),
       "update",
       "under /appliance > Updates install Base " + to.base +
           ", download a fresh backup, then at once install software " + to.software + " (" +
           to.build +
           ") (R06). If an update fails, do NOT restart the appliance: answer 'abort' and "
           "contact support (R07)",
       "check_health reports software " + to.software + " within 120 s",
       {{"base", to.base}, {"software", to.software}, {"build", to.build}}});
  if (!ctx.wait_for([&] { return d.status().version == to.software; }, 120s, 500ms))
    throw AbortSafely(d.name() + " does not report " + to.software +
                      " after the operator's update: contact support");
  ctx.event(EventType::ok, op::install_finished, "verified through the API", {}, d.name());
}

}  // namespace

void update_appliance(RunContext& ctx, Member m, const std::string& method,
                      std::chrono::milliseconds install_limit) {
  auto& d = ctx.driver(m);
  const auto& to = ctx.scenario.to;
  auto s = ctx.observe(d);
  if (s.state == OperatingState::installing) {
    // A resumed run (or an interrupted operator) finds an install under way:
    // it finishes first; its failure is handled as any other (R07).
    ctx.event(EventType::info, op::install_under_way, "an install is under way: waiting for it", {},
              d.name());
    wait_install(ctx, d, "the install under way", install_limit);
    s = ctx.observe(d);
  }
  if (s.version == to.software && s.build == to.build) {
    ctx.event(EventType::info, op::already_updated, d.name() + " runs " + s.version);
    return;
  }
  // R01: no update without a verified backup of this run.
  const bool skip_asked = ctx.faults->mistake<OperatorSkipsBackup>() != nullptr;
  if (!ctx.happened(op::backup_verified))
    throw AbortSafely("R01: refused: no verified backup of appA in this run");
  if (skip_asked)
    ctx.event(EventType::refused, op::install_without_backup,
              "R01: refused: every update needs the verified backup first (it exists: proceeding "
              "with it)",
              {}, "operator");
  if (s.role != Role::none)
    throw AbortSafely("R08: refused: " + d.name() + " is still " + std::string(to_string(s.role)) +
                      " in a failover relationship; break it first");
  if (!ctx.simulator()) {
    update_by_operator(ctx, d);
    return;
  }
  if (method == "automatic") {
    if (ctx.faults->tamper_pending(m))
      throw HarnessError("tampered_update_file hits a manual update's file; " + d.name() +
                         " is updated automatically here (give the step method: manual)");
    ctx.event(EventType::invoke, op::check_for_updates, "", {}, d.name());
    std::vector<AvailableUpdate> offers;
    try {
      offers = d.check_for_updates();
    } catch (const HarnessError& e) {
      // Nothing installed: the pair is as it was, only out of its relationship.
      ctx.event(EventType::fail, op::check_for_updates, e.what(), {}, d.name());
      throw AbortSafely("R08: Check for Updates failed on " + d.name() +
                        ", nothing installed: " + e.what());
    }
    std::string ids;
    for (const auto& o : offers) ids += o.id + " ";
    ctx.event(EventType::ok, op::check_for_updates, ids, {}, d.name());
    for (const auto& o : offers) {
      const bool base = o.id.rfind("base-", 0) == 0;
      if (const auto pending = base ? std::vector<std::string>{} : d.status().pending_dependents;
          !pending.empty()) {
        refuse_failover_if_asked(ctx, d, pending);
        // R06: a fresh backup between the Base and its dependent software.
        ctx.event(EventType::info, op::fresh_backup, "R06", {}, d.name());
        d.download_backup(ctx.backup_password);
      }
      install(
          ctx, m, base ? UpdateKind::base : UpdateKind::software,
          [&] {
            try {
              d.install_update(o.id);
            } catch (const HarnessError& e) {
              // The install never started (its file did not arrive).
              throw AbortSafely("R08: Install This Update of " + o.id + " failed on " + d.name() +
                                " before installing: " + e.what());
            }
          },
          o.target, install_limit);
    }
  } else {
    ctx.event(EventType::invoke, op::download_key, "", {}, d.name());
    auto key = d.download_key();
    if (ctx.faults->mistake_for<OperatorUsesWrongDownloadKey>(m)) {
      // The operator copies the other appliance's key (both pages look alike).
      key = ctx.driver(other(m)).download_key();
      ctx.event(
          EventType::invoke, op::download_key,
          "the operator submits " + std::string(name(other(m))) + "'s Download Key for " + d.name(),
          {}, "operator");
    }
    const auto files = ctx.engine->update_files(key, d.status());
    ctx.event(EventType::ok, op::update_files, std::to_string(files.size()) + " files for the key",
              {}, d.name());
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (const auto pending = i == 0 ? std::vector<std::string>{} : d.status().pending_dependents;
          !pending.empty()) {
        refuse_failover_if_asked(ctx, d, pending);
        ctx.event(EventType::info, op::fresh_backup, "R06", {}, d.name());
        d.download_backup(ctx.backup_password);
      }
      install(
          ctx, m, i == 0 ? UpdateKind::base : UpdateKind::software,
          [&] { hand_over_file(ctx, m, files[i], i + 1); }, "manual file " + std::to_string(i + 1),
          install_limit);
    }
  }
  const auto after = ctx.observe(d);
  if (after.version != to.software || after.build != to.build)
    throw AbortSafely(d.name() + " runs " + after.version + " (" + after.build + ") after the " +
                      "update, not " + to.software + " (" + to.build + ")");
  if (!after.pending_dependents.empty())
    throw AbortSafely("R06: " + d.name() + " still has pending dependents");
}

void require_production_confirmed(RunContext& ctx) {
  if (!ctx.happened(op::production_confirmed))
    throw AbortSafely("R16: refused: appB was not confirmed in production; appA is not updated");
  std::set<Member> points_at;
  try {
    points_at = ctx.switcher().current();
  } catch (const AbortSafely&) {
    throw;
  } catch (const Interrupted&) {
    throw;
  } catch (const std::exception& e) {
    // The controller (a DNS server down, a NAT router unreachable) cannot
    // say where production is: A is not touched on a guess (found by explore).
    throw AbortSafely(std::string("R16: refused: where the site points cannot be read (") +
                      e.what() + "); appA is not updated");
  }
  if (points_at.contains(Member::A))
    throw AbortSafely("R16: refused: the site still points at appA");
}

void refuse_early_primary_update_if_asked(RunContext& ctx) {
  if (!ctx.faults->mistake<OperatorUpdatesPrimaryEarly>()) return;
  try {
    require_production_confirmed(ctx);
  } catch (const AbortSafely& e) {
    // The gate update_primary passes through holds the operator back too.
    ctx.event(EventType::refused, op::update_primary_early, e.what(), {}, "operator");
    return;
  }
  throw HarnessError("operator_updates_primary_early: the R16 gate would let appA be updated at " +
                     ctx.step + " (appB is confirmed already): arm it before the switch");
}

namespace {

const ParamDef kMethod{"method",
                       ParamKind::choice,
                       "automatic (R08: Check for updates, Install This Update) or manual (R09: "
                       "Appliance Download Key, signed files)",
                       false,
                       std::string("automatic"),
                       {},
                       {"automatic", "manual"}};

const ParamDef kInstallTimeout{
    "install_timeout_s",
    ParamKind::number,
    "how long one install may take before the step stops the run asking for support (wall "
    "time: installs run time_scale faster), seconds",
    false,
    1800.0,
    {0, 86400, true}};

std::chrono::milliseconds install_limit(const StepSpec& step) {
  return std::chrono::milliseconds(
      static_cast<std::int64_t>(step.params.number("install_timeout_s") * 1000));
}

std::string run_backup(RunContext& ctx, const StepSpec& step) {
  update_appliance(ctx, Member::B, step.params.text("method"), install_limit(step));
  return "ok";
}

std::string run_primary(RunContext& ctx, const StepSpec& step) {
  require_production_confirmed(ctx);
  update_appliance(ctx, Member::A, step.params.text("method"), install_limit(step));
  return "ok";
}

}  // namespace

extern const StepDef kUpdateBackupStep{
    "update_backup",
    "Update B: the Base update, a fresh backup, then the dependent software update at once",
    {"R01", "R04", "R05", "R06", "R07", "R08", "R09", "R10"},
    {kMethod, kInstallTimeout},
    "a verified backup of this run exists (R01); B is out of the relationship (R08)",
    "B runs the target software and build with no pending dependents; a failed Base update "
    "stops the run with 'contact support' and B is never restarted (R07)",
    Resume::by_state,
    run_backup};

extern const StepDef kUpdatePrimaryStep{
    "update_primary",
    "Update A the same way, once B serves production",
    {"R01", "R06", "R07", "R08", "R09", "R16"},
    {kMethod, kInstallTimeout},
    "B was confirmed in production in this run and the site no longer points at A (R16)",
    "A runs the target software and build",
    Resume::by_state,
    run_primary};

}  // namespace failover_hil::hil
