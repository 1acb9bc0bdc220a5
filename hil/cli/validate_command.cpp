// `failover-hil validate FILE... [--inventory]`: checks scenario (or
// inventory) files without running anything, so a typo is found before a
// lab is built or a maintenance window starts.
#include <iostream>

#include "commands.hpp"
#include "failover_hil/hil/catalogue.hpp"
#include "failover_hil/hil/install_layout.hpp"
#include "failover_hil/hil/inventory.hpp"
#include "failover_hil/hil/scenario.hpp"
#include "failover_hil/netlab/lab_spec.hpp"

namespace failover_hil::cli {

namespace {

struct ValidateArgs {
  std::vector<std::string> files;
  bool inventory = false;
};

std::string scenario_summary(const std::string& file) {
  const auto s = hil::load_scenario(hil::find_scenario(file));
  // The lab file is part of the scenario: a wrong `lab:` path fails here, not at run time.
  try {
    netlab::load_lab_file(s.lab);
  } catch (const std::exception& e) {
    throw hil::ScenarioError(file + ": lab: " + e.what());
  }
  return "scenario " + s.name + ", " + std::to_string(s.steps.size()) + " steps, switch " +
         hil::to_string(s.switch_method) + ", " + std::to_string(s.faults.size()) + " faults";
}

std::string inventory_summary(const std::string& file) {
  const auto inv = hil::load_inventory(file);
  return "inventory, A " + inv.a.host + ", B " + inv.b.host + ", site " + inv.site_host +
         ", switch " + hil::to_string(inv.switch_method);
}

}  // namespace

Action add_validate(CLI::App& app) {
  auto args = std::make_shared<ValidateArgs>();
  auto* cmd = app.add_subcommand("validate", "Check scenario files (or inventories) for errors");
  cmd->add_option("files", args->files,
                  "Scenario files (docs/scenarios.md), or names of shipped scenarios")
      ->required();
  cmd->add_flag("--inventory", args->inventory,
                "The files are inventories of appliances (docs/inventory.md)");
  return [cmd, args]() -> int {
    if (!*cmd) return -1;
    bool all_ok = true;
    for (const auto& f : args->files) {
      try {
        const auto summary = args->inventory ? inventory_summary(f) : scenario_summary(f);
        std::cout << f << ": ok (" << summary << ")\n";
      } catch (const hil::ScenarioError& e) {
        std::cout << std::flush;
        std::cerr << e.what() << "\n";
        all_ok = false;
      }
    }
    return all_ok ? 0 : 1;
  };
}

Action add_catalogue(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "catalogue",
      "Print every step and fault a scenario may name (the tables of docs/scenarios.md)");
  return [cmd]() -> int {
    if (!*cmd) return -1;
    std::cout << hil::catalogue_markdown();
    return 0;
  };
}

}  // namespace failover_hil::cli
