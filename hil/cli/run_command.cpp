// failover-hil run SCENARIO [--resume] (docs/cli.md).
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "commands.hpp"
#include "failover_hil/hil/install_layout.hpp"
#include "failover_hil/hil/inventory.hpp"
#include "failover_hil/hil/operator_prompt.hpp"
#include "failover_hil/hil/report.hpp"
#include "failover_hil/hil/runner.hpp"

namespace failover_hil::cli {

namespace fs = std::filesystem;

namespace {

std::atomic<bool> g_interrupted{false};

void on_sigint(int) {
  g_interrupted = true;
}

/// The terminal's progress: steps, installs, syncs, switches, refusals and
/// faults, each with its time since the run started.
class ProgressPrinter {
 public:
  void operator()(const hil::TimelineEvent& e) {
    static const std::set<std::string> quiet{"status", "session_created", "client_deployed"};
    if ((quiet.contains(e.op) && e.type != hil::EventType::fail) ||
        e.type == hil::EventType::observe)
      return;
    if (start_ns_ == 0) start_ns_ = e.t_ns;
    const auto ms = (e.t_ns - start_ns_) / 1'000'000;
    std::ostringstream line;
    if (e.type == hil::EventType::step_start) line << "\n";
    line << "[+" << ms / 60000 << ":" << std::setfill('0') << std::setw(2) << ms / 1000 % 60 << "."
         << std::setw(3) << ms % 1000 << std::setfill(' ') << "] ";
    if (e.type == hil::EventType::step_start) {
      line << "== " << e.op;
    } else if (e.type == hil::EventType::step_ok) {
      line << "   ok " << e.op << (e.detail == "ok" ? "" : " (" + e.detail + ")");
    } else if (e.type == hil::EventType::step_end) {
      line << "   " << e.data.at("status") << " " << e.op << ": " << e.detail;
    } else if (e.op == "install_progress") {
      line << "   " << e.actor << " installing " << e.detail << ": " << e.data.at("progress")
           << "%";
    } else {
      line << "   " << std::left << std::setw(8) << hil::to_string(e.type) << std::setw(8)
           << e.actor << " " << e.op << (e.detail.empty() ? "" : ": " + e.detail);
    }
    std::cout << line.str() << std::endl;
  }

 private:
  std::int64_t start_ns_ = 0;
};

}  // namespace

Action add_run(CLI::App& app) {
  auto* cmd = app.add_subcommand("run",
                                 "Run a scenario: a fresh lab, two simulators, the upgrade, "
                                 "checks and reports");
  auto opts = std::make_shared<hil::RunOptions>();
  auto scenario = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto lab_state = std::make_shared<std::string>();
  cmd->add_option("scenario", *scenario,
                  "Scenario file (scenarios/*.yaml) or a shipped scenario's name, or with --resume "
                  "the run directory");
  cmd->add_option("--out", *out, "Run directory (default runs/<UTC time>-<scenario>)");
  cmd->add_flag("--resume", opts->resume,
                "Continue an interrupted run (the directory as SCENARIO or --out) from the pair's "
                "actual state");
  auto inventory = std::make_shared<std::string>();
  cmd->add_option(
      "--inventory", *inventory,
      "Run against the appliances of an inventory (docs/inventory.md) instead of a lab");
  auto answers = std::make_shared<std::string>();
  cmd->add_option("--operator", *answers,
                  "With --inventory: answer the operator prompts from this answers file instead "
                  "of the terminal, doing each on the simulators (a rehearsal, "
                  "docs/rehearsal.md)");
  auto engine = std::make_shared<std::string>("lab");
  cmd->add_option("--engine", *engine,
                  "What the run stands on: lab (simulators in a fresh lab), inprocess (the "
                  "appliance model in virtual time, no root needed); --inventory selects "
                  "physical appliances")
      ->check(CLI::IsMember({"lab", "inprocess"}))
      ->capture_default_str();
  auto switch_method = std::make_shared<std::string>();
  cmd->add_option("--switch", *switch_method,
                  "Make B primary by this method instead of the scenario's (a campaign runs a "
                  "scenario by every method)")
      ->check(CLI::IsMember({"shared_ip", "dns", "nat"}));
  cmd->add_option("--seed", opts->seed, "Seed of an in-process run's random choices")
      ->capture_default_str();
  auto defect = std::make_shared<std::string>();
  // Test-only: plants a defect on purpose (docs/explore.md, "Planted defects").
  cmd->add_option("--plant-defect", *defect)->group("");
  cmd->add_option("--lab-state-dir", *lab_state,
                  "Where lab journals live (default /run/failover-hil)");
  return [=]() -> int {
    if (!*cmd) return -1;
    if (::geteuid() != 0 && inventory->empty() && *engine == "lab") {
      std::cerr << "failover-hil run builds a lab of network namespaces and needs root "
                   "(CAP_NET_ADMIN): run it with sudo, or as root in a VM or container with "
                   "--privileged (or use --engine inprocess)\n";
      return 2;
    }
    auto o = *opts;
    if (o.resume) {
      o.out = out->empty() ? *scenario : *out;
    } else {
      if (scenario->empty()) throw CLI::RequiredError("scenario");
      o.scenario = hil::find_scenario(*scenario);
      o.out = *out;
    }
    o.lab_state_dir = *lab_state;
    o.inventory = *inventory;
    o.engine = hil::parse_engine_kind(*engine);
    if (!switch_method->empty()) o.switch_method = hil::parse_switch_method(*switch_method);
    if (!defect->empty()) o.defect = hil::parse_planted_defect(*defect);
    // Steps a physical appliance has no API for are asked of the operator
    // here, or of a scripted one in a rehearsal.
    if (!answers->empty()) {
      const auto inv_file = o.resume ? fs::path(o.out) / "inventory.yaml" : fs::path(*inventory);
      if (inv_file.empty() || !fs::exists(inv_file))
        throw hil::HarnessError(
            "--operator answers the prompts of an inventory run: add "
            "--inventory FILE");
      o.hooks.prompt = std::make_shared<hil::ScriptedOperator>(
          *answers, hil::load_inventory(inv_file), std::cout);
    } else {
      o.hooks.prompt = std::make_shared<hil::StreamPrompt>(std::cin, std::cout);
    }
    o.hooks.interrupted = [] { return g_interrupted.load(); };
    o.hooks.on_event = ProgressPrinter();
    std::signal(SIGINT, on_sigint);
    std::signal(SIGTERM, on_sigint);
    // A campaign's runs stop (cleanly, as on Ctrl-C) when the campaign dies,
    // even by SIGKILL (ci/regress sets this).
    if (const char* v = std::getenv("FHIL_STOP_WITH_PARENT"); v && *v == '1') {
      const pid_t parent = ::getppid();
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) g_interrupted = true;  // it died before the line above
    }
    const auto record = hil::run_scenario(o);
    std::cout << "\n" << hil::render_summary(record, ::isatty(1) != 0) << std::endl;
    return hil::exit_status(record);
  };
}

}  // namespace failover_hil::cli
