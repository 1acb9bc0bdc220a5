#pragma once

// netlab's private helpers for turning errno and libnl codes into KernelError.

#include <string>
#include <system_error>

namespace failover_hil::netlab {

/// libnl's error codes (NLE_*), with nl_geterror's text; equivalent to the
/// matching errno condition.
const std::error_category& libnl_category() noexcept;

/// Throws KernelError("<what>: <strerror>") with `err` as errno.
[[noreturn]] void throw_errno(const std::string& what, int err);
/// Throws KernelError("<what>: <nl_geterror>") for a (negative) libnl result.
[[noreturn]] void throw_nl(const std::string& what, int nl_result);

}  // namespace failover_hil::netlab
