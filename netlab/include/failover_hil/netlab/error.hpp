#pragma once

#include <stdexcept>
#include <string>
#include <system_error>

namespace failover_hil::netlab {

/// The root of netlab's errors.
class NetlabError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Setting up or tearing down a kernel resource failed. The message names the
/// object and gives the kernel's reason; code() carries the errno (or libnl's
/// code, which compares equal to the matching std::errc, e.g.
/// `e.code() == std::errc::file_exists`).
class KernelError : public NetlabError {
 public:
  KernelError(const std::string& what, std::error_code code);
  const std::error_code& code() const noexcept { return code_; }

 private:
  std::error_code code_;
};

}  // namespace failover_hil::netlab
