#include "failover_hil/hil/install_layout.hpp"

namespace fs = std::filesystem;

// The data directory as seen from the binaries' directory, from the install
// rules (cmake/install.cmake); the build tree mirrors the same layout.
#ifndef FHIL_DATA_FROM_BINDIR
#define FHIL_DATA_FROM_BINDIR "../share/failover-hil"
#endif

namespace failover_hil::hil {

fs::path executable_dir() {
  std::error_code ec;
  const auto self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : self.parent_path();
}

fs::path shipped_data_dir() {
  const auto self = executable_dir();
  if (self.empty()) return {};
  std::error_code ec;
  const auto dir = fs::weakly_canonical(self / FHIL_DATA_FROM_BINDIR, ec);
  return !ec && fs::is_directory(dir / "scenarios", ec) ? dir : fs::path();
}

fs::path find_scenario(const std::string& arg) {
  std::error_code ec;
  const fs::path given(arg);
  if (fs::exists(given, ec) || given.has_parent_path()) return given;
  const auto data = shipped_data_dir();
  if (data.empty()) return given;
  for (const auto& name : {given, fs::path(arg + ".yaml")})
    if (fs::is_regular_file(data / "scenarios" / name, ec)) return data / "scenarios" / name;
  return given;
}

}  // namespace failover_hil::hil
