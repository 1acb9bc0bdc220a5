#pragma once

// Where the harness finds its own files: the build tree or an installed tree
// (docs/install.md). Everything is found relative to the running executable,
// so a tree installed with DESTDIR, or copied elsewhere, works as it is.

#include <filesystem>
#include <string>

namespace failover_hil::hil {

/// The directory of the running executable (/proc/self/exe); empty when the
/// link cannot be read.
std::filesystem::path executable_dir();

/// The shipped data (scenarios/ with scenarios/labs/): <bindir>/../share/failover-hil
/// in an installed tree; the build tree mirrors it (a link to the sources'
/// scenarios/). Empty when neither exists.
std::filesystem::path shipped_data_dir();

/// A scenario named on the command line: an existing file as it is, else a
/// shipped scenario by name ("shared-ip-baseline" or "shared-ip-baseline.yaml");
/// otherwise the argument unchanged, so loading it names the missing file.
std::filesystem::path find_scenario(const std::string& arg);

}  // namespace failover_hil::hil
