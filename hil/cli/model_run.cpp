// `failover-hil model-run`: the model-level asynchronous upgrade, printed step by step.
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "failover_hil/hil/model_upgrade.hpp"

namespace {

using failover_hil::format_duration;
using failover_hil::hil::ApplianceSnapshot;
using failover_hil::hil::ModelStep;

std::string gib(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
  return buf;
}

void print_appliance(const ApplianceSnapshot& s) {
  std::printf(
      "    %-5s %-8s %-9s Base %-6s %-17s shared-ip %-3s users %zu files %zu recordings %zu (%s) "
      "sessions %zu\n",
      s.name.c_str(), s.role.c_str(),
      s.serves               ? "serving"
      : s.state == "running" ? "standby"
                             : s.state.c_str(),
      s.base.c_str(), s.software.c_str(), s.shared_ip ? "on" : "off", s.users, s.files,
      s.recordings, gib(s.stored_bytes).c_str(), s.sessions);
}

void print_step(const ModelStep& s, failover_hil::TimePoint t0) {
  std::printf("\n[+%s] %d. %s  (%s)\n", format_duration(s.started - t0).c_str(), s.number,
              s.title.c_str(), s.rules.c_str());
  for (const auto& n : s.notes) std::printf("    - %s\n", n.c_str());
  std::printf("    took %s (simulated)\n", format_duration(s.finished - s.started).c_str());
  print_appliance(s.a);
  print_appliance(s.b);
}

int model_run(std::uint64_t seed) {
  std::printf("failover-hil: asynchronous upgrade of two model appliances (seed %llu)\n",
              static_cast<unsigned long long>(seed));
  failover_hil::TimePoint t0{};
  bool first = true;
  failover_hil::hil::ModelUpgradeOptions opt;
  opt.seed = seed;
  const auto r = failover_hil::hil::run_model_upgrade(opt, [&](const ModelStep& s) {
    if (first) t0 = s.started, first = false;
    print_step(s, t0);
    std::fflush(stdout);
  });
  std::printf("\nsummary\n");
  std::printf("  outcome          %s\n",
              r.completed ? "completed" : ("stopped: " + r.failure).c_str());
  std::printf("  simulated time   %s\n", format_duration(r.finished - r.started).c_str());
  std::printf("  exposure window  %s (R22: no failover between the two maintenance windows)\n",
              format_duration(r.exposure_window).c_str());
  std::printf("  session records  %zu created, %zu missing on A, %zu missing on B\n",
              r.sessions_created.size(), r.missing_on_a.size(), r.missing_on_b.size());
  std::printf("  rule violations  %zu\n", r.violations.size());
  for (const auto& v : r.violations) std::printf("    %s: %s\n", v.rule.c_str(), v.text.c_str());
  const bool ok =
      r.completed && r.missing_on_a.empty() && r.missing_on_b.empty() && r.violations.empty();
  std::printf("  result           %s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}

}  // namespace

namespace failover_hil::cli {

Action add_model_run(CLI::App& app) {
  auto seed = std::make_shared<std::uint64_t>(1);
  auto* model = app.add_subcommand(
      "model-run", "Run the vendor's procedure on two model appliances (no network)");
  model->add_option("--seed", *seed, "Seed of the run's random choices")->capture_default_str();
  return [model, seed]() -> int { return *model ? model_run(*seed) : -1; };
}

}  // namespace failover_hil::cli
