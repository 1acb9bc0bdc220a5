#pragma once
// failover-hil's subcommands, one file per group; main.cpp wires them.

#include <CLI/CLI.hpp>
#include <functional>

namespace failover_hil::cli {

/// Each adds its subcommand to `app` and returns the action to run when chosen.
using Action = std::function<int()>;
Action add_lab(CLI::App& app);
Action add_analyze(CLI::App& app);
Action add_run(CLI::App& app);
Action add_report(CLI::App& app);
Action add_baseline(CLI::App& app);
Action add_validate(CLI::App& app);
Action add_catalogue(CLI::App& app);
Action add_explore(CLI::App& app);

}  // namespace failover_hil::cli
