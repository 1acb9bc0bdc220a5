#pragma once
// A shell command as a person would type it: its exit status and its
// output (stdout and stderr together). For integration tests that drive the
// CLI and standard tools (curl, openssl, ip).
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>
#include <utility>

namespace failover_hil::testing {

inline std::pair<int, std::string> shell(const std::string& cmd) {
  std::array<char, 4096> buf{};
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return {-1, ""};
  while (std::fgets(buf.data(), buf.size(), p)) out += buf.data();
  const int status = ::pclose(p);
  return {WEXITSTATUS(status), out};
}

}  // namespace failover_hil::testing
