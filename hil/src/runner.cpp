#include "failover_hil/hil/runner.hpp"

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <thread>
#include <utility>

#include "engines.hpp"
#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"
#include "failover_hil/core/text_file.hpp"
#include "failover_hil/hil/http_driver.hpp"
#include "failover_hil/hil/inventory.hpp"
#include "failover_hil/hil/report.hpp"
#include "failover_hil/netlab/lab.hpp"
#include "fault_plan.hpp"
#include "run_context.hpp"

namespace fs = std::filesystem;
namespace json = boost::json;

namespace failover_hil::hil {

using namespace std::chrono_literals;

namespace {

/// After an abort, how long the serving appliance's site may take to answer
/// again (explore draws refusals of at most 5 s; docs/rules.md).
constexpr auto kAbortSettle = 10s;

void write_private(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
  fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
}

}  // namespace

void FaultInbox::push(FaultSpec fault) {
  std::lock_guard lock(mutex_);
  pending_.push_back(std::move(fault));
}

std::vector<FaultSpec> FaultInbox::take() {
  std::lock_guard lock(mutex_);
  return std::exchange(pending_, {});
}

int exit_status(const RunRecord& r) {
  if (r.outcome == "interrupted") return 3;
  const bool any_step = std::any_of(r.steps.begin(), r.steps.end(),
                                    [](const StepRecord& s) { return s.status != "not_run"; });
  if (r.outcome == "failed" && !any_step) return 2;  // set-up failed: nothing was tried
  return r.passed() ? 0 : 1;
}

RunRecord run_scenario(const RunOptions& options) {
  // ---- inputs, checked before anything is built ----
  fs::path dir = options.out;
  Scenario scenario;
  if (options.resume) {
    if (dir.empty() || !fs::exists(dir / "timeline.jsonl") || !fs::exists(dir / "scenario.yaml"))
      throw HarnessError(
          "--resume needs an existing run directory (with scenario.yaml and timeline.jsonl): " +
          dir.string());
    scenario = load_run_scenario(dir);
  } else {
    scenario = load_scenario(options.scenario);
    if (options.switch_method) scenario.switch_method = *options.switch_method;
    if (dir.empty()) dir = options.runs_root / (utc_stamp() + "-" + scenario.name);
    if (fs::exists(dir / "timeline.jsonl"))
      throw HarnessError(dir.string() +
                         " already holds a run: resume it with --resume, or choose another --out");
  }
  scenario.random_seed = options.seed;
  scenario.defect = options.defect;
  fs::path inventory_file = options.inventory;
  if (options.resume && fs::exists(dir / "inventory.yaml")) inventory_file = dir / "inventory.yaml";
  auto kind = inventory_file.empty() ? options.engine : EngineKind::inventory;
  if (options.resume && fs::exists(dir / "engine"))
    kind = parse_engine_kind(read_text(dir / "engine"));
  if (options.resume && kind == EngineKind::inprocess)
    throw HarnessError(dir.string() +
                       ": an in-process run keeps its pair in memory and cannot be resumed; run "
                       "it again (it is deterministic and takes milliseconds)");
  if (kind == EngineKind::inventory) {
    if (inventory_file.empty())
      throw HarnessError("the inventory engine needs an inventory file (--inventory FILE)");
    // The inventory's controller decides how B becomes primary.
    scenario.switch_method = load_inventory(inventory_file).switch_method;
  }
  auto engine = make_engine(kind, scenario, inventory_file, options.lab_state_dir, options.hooks);
  fs::create_directories(dir);
  dir = fs::canonical(dir);
  // It will hold keys, states and the backup's password: its owner's alone,
  // whatever the caller's umask (the Python module sets none).
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
  if (!options.resume) {
    // The scenario and its lab (or inventory) as run: the directory stands
    // alone. copy_file keeps the source's mode, so each copy is narrowed.
    auto keep = [&](const fs::path& from, const std::string& name) {
      fs::copy_file(from, dir / name, fs::copy_options::overwrite_existing);
      fs::permissions(dir / name, fs::perms::owner_read | fs::perms::owner_write,
                      fs::perm_options::replace);
    };
    keep(scenario.file, "scenario.yaml");
    if (fs::exists(scenario.lab)) keep(scenario.lab, "lab.yaml");
    if (kind == EngineKind::inventory) keep(inventory_file, "inventory.yaml");
    if (options.switch_method && kind != EngineKind::inventory)
      write_text(dir / "switch", std::string(to_string(*options.switch_method)) + "\n");
    std::ofstream(dir / "engine") << to_string(kind);
  }
  // An in-process run is never resumed: its timeline need not reach the
  // disk event by event (a write each costs more than the run's model).
  Timeline timeline(dir / "timeline.jsonl", kind != EngineKind::inprocess);
  RunContext ctx;
  ctx.scenario = scenario;
  ctx.dir = dir;
  ctx.timeline = &timeline;
  ctx.hooks = &options.hooks;
  ctx.engine = engine.get();
  fs::create_directories(dir / "secrets");
  if (!fs::exists(dir / "secrets" / "backup.password"))
    write_private(
        dir / "secrets" / "backup.password",
        // In-process, one fixed password: one seed, one timeline, and
        // explore's runs share one PBKDF2 derivation (model_pair.cpp).
        kind == EngineKind::inprocess
            ? to_hex(crypto::sha256(crypto::as_bytes("backup-password-inprocess"))).substr(0, 32)
            : to_hex(crypto::random_bytes(16)));
  ctx.backup_password = read_text(dir / "secrets" / "backup.password");

  ctx.event(EventType::info, options.resume ? op::run_resumed : op::run_started, scenario.name,
            {{"scenario", scenario.name},
             {"switch", to_string(scenario.switch_method)},
             {"engine", std::string(to_string(kind))}});
  std::string outcome = "completed", reason;
  std::unique_ptr<FaultPlan> faults;
  try {
    engine->setup(dir);
    if (scenario.defect == PlantedDefect::shared_ip_enabled_before_release)
      if (auto* sw = dynamic_cast<SharedIpSwitch*>(&engine->switcher()))
        sw->plant_enable_before_release();
    auto facts = engine->facts();
    facts["site_ip"] = engine->site_ip();
    facts["site_port"] = "443";
    facts["rate_hz"] = std::to_string(scenario.probes.rate_hz);
    std::string names;
    for (const auto& c : engine->clients()) names += (names.empty() ? "" : ",") + c;
    facts["clients"] = names;
    ctx.event(EventType::info, op::lab_up,
              facts.contains("lab") ? facts["lab"] : std::string(to_string(kind)), facts);

    // ---- starting state, measurement, load ----
    if (!ctx.happened(op::seeded)) engine->seed(ctx);
    ctx.step = "";
    engine->start_measuring(ctx, options.resume);

    // ---- the procedure ----
    faults = std::make_unique<FaultPlan>(ctx);
    ctx.faults = faults.get();
    faults->run_started();
    for (const auto& step : scenario.steps) {
      const std::string name(step.name());
      ctx.step = name;
      ctx.check_interrupted();
      // Steps whose result is not in the pair's state are skipped by history.
      if (options.resume && step.def->resume == Resume::by_history &&
          ctx.happened(name, EventType::step_ok)) {
        ctx.event(EventType::step_end, name, "done before the resume", {{"status", "skipped"}});
        continue;
      }
      if (options.hooks.on_step) options.hooks.on_step(name, "before");
      ctx.event(EventType::step_start, name, "");
      faults->before_step(name);  // after the start: what a fault causes falls in its step
      try {
        const auto how = step.def->run(ctx, step);
        faults->disarm_step_faults(name);  // inside the step's window: lost probes too
        ctx.event(EventType::step_ok, name, how, {{"status", "ok"}});
      } catch (const Interrupted& e) {
        ctx.event(EventType::step_end, name, e.what(), {{"status", "interrupted"}});
        throw;
      } catch (const std::exception& e) {
        ctx.event(EventType::step_end, name, e.what(), {{"status", "failed"}});
        throw;
      }
      faults->after_step(name);
      if (options.hooks.on_step) options.hooks.on_step(name, "after");
    }
  } catch (const AbortSafely& e) {
    outcome = "aborted_safely";
    reason = e.what();
  } catch (const Interrupted& e) {
    outcome = "interrupted";
    reason = std::string(e.what()) + "; continue with: failover-hil run --resume " + dir.string();
  } catch (const netlab::LabInterrupted& e) {
    outcome = "interrupted";
    reason = e.what();
  } catch (const std::exception& e) {
    outcome = "failed";
    reason = e.what();
  }
  // ---- always: stop measuring, record the end state, tear down ----
  ctx.step = "";
  ctx.faults = nullptr;
  try {
    engine->stop_load();
    if (outcome == "aborted_safely" && ctx.target(Member::A).driver) {
      try {
        // The site must still be served: by appA, or by appB once the
        // switch made it primary (an abort after it leaves appB serving,
        // with appA installing, failed or its backup).
        // A site that refuses for a moment (a transient fault at the abort's
        // instant) is waited out for kAbortSettle; one that stays down is not
        // a safe stop.
        const bool switched = ctx.happened(op::clients_see_appB);
        auto& serving = switched ? ctx.B() : ctx.A();
        const auto since = ctx.now_ns();
        ctx.wait_for([&] { return serving.status().serves_site; }, kAbortSettle, 100ms);
        const auto a = ctx.observe(ctx.A());
        const auto b = ctx.observe(ctx.B());
        const auto& s = switched ? b : a;
        const auto waited = static_cast<double>(ctx.now_ns() - since) / 1e9;
        char after[48] = "";
        if (waited >= 0.1) std::snprintf(after, sizeof after, " (%.1f s after the abort)", waited);
        ctx.event(s.serves_site ? EventType::ok : EventType::fail, op::a_still_serves,
                  (switched ? ctx.B().name() + " (primary since the switch)" : ctx.A().name()) +
                      " is " + std::string(to_string(s.state)) + ", role " +
                      std::string(to_string(s.role)) + after);
      } catch (const std::exception& e) {
        ctx.event(EventType::fail, op::a_still_serves, e.what());
      }
    }
    engine->stop_measuring(ctx);
  } catch (const std::exception& e) {
    ctx.event(EventType::fail, op::capture_stopped, e.what());
  }
  ctx.event(EventType::outcome, outcome, reason);
  engine->teardown(ctx);
  timeline.flush();
  auto record = kind == EngineKind::inprocess ? evaluate_run(dir, timeline.events(), scenario)
                                              : evaluate_run(dir);
  if (options.write_reports) write_reports(record, dir);
  return record;
}

}  // namespace failover_hil::hil
