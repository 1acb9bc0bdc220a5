#pragma once

// The command-line tools' one way to parse their arguments (failover-hil,
// bseries-sim, bseries-client): header-only, so only the executables that
// use CLI11 see it.

#include <CLI/CLI.hpp>
#include <optional>

namespace failover_hil {

/// Parses argv into `app`. Returns the exit status when the program must
/// stop: 0 after --help, 2 after a usage error (the error and the usage
/// printed on stderr). CLI11's own codes (105, 106, ...) are never used:
/// docs/cli.md promises 2 for every bad input.
inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::Success& e) {  // --help, --help-all, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.failure_message(CLI::FailureMessage::help);
    app.exit(e);  // prints the error, then the usage
    return 2;
  }
}

}  // namespace failover_hil
