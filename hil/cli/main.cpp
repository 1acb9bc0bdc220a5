// failover-hil: the harness's command line (docs/cli.md).
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "commands.hpp"
#include "failover_hil/core/cli_parse.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "failover-hil: a hardware-in-the-loop harness for the asynchronous upgrade of a "
      "B Series failover pair"};
  app.require_subcommand(1);
  const std::vector<failover_hil::cli::Action> actions{
      failover_hil::cli::add_lab(app),      failover_hil::cli::add_analyze(app),
      failover_hil::cli::add_run(app),      failover_hil::cli::add_report(app),
      failover_hil::cli::add_validate(app), failover_hil::cli::add_catalogue(app),
      failover_hil::cli::add_baseline(app), failover_hil::cli::add_explore(app)};
  if (const auto rc = failover_hil::parse_command_line(app, argc, argv)) return *rc;
  // Run directories hold the simulators' state (Inter-Appliance keys), TSIG
  // and backup keys: nothing it writes is for other local users.
  ::umask(077);
  try {
    for (const auto& act : actions)
      if (const int rc = act(); rc >= 0) return rc;
  } catch (const std::exception& e) {
    std::cerr << "failover-hil: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
