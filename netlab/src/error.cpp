#include "failover_hil/netlab/error.hpp"

#include <netlink/errno.h>

#include <cerrno>
#include <cstdlib>

#include "sys_error.hpp"

namespace failover_hil::netlab {

KernelError::KernelError(const std::string& what, std::error_code code)
    : NetlabError(what + ": " + code.message()), code_(code) {}

namespace {

class LibnlCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "libnl"; }
  std::string message(int ev) const override { return nl_geterror(ev); }
  std::error_condition default_error_condition(int ev) const noexcept override {
    // The reverse of libnl's nl_syserr2nlerr for the codes callers react to.
    switch (ev) {
      case NLE_EXIST:
        return std::errc::file_exists;
      case NLE_OBJ_NOTFOUND:
        return std::errc::no_such_file_or_directory;
      case NLE_NODEV:
        return std::errc::no_such_device;
      case NLE_NOADDR:
        return std::errc::address_not_available;
      case NLE_PERM:
        return std::errc::operation_not_permitted;
      case NLE_NOACCESS:
        return std::errc::permission_denied;
      case NLE_BUSY:
        return std::errc::device_or_resource_busy;
      case NLE_INVAL:
        return std::errc::invalid_argument;
      case NLE_RANGE:
        return std::errc::result_out_of_range;
      case NLE_NOMEM:
        return std::errc::not_enough_memory;
      case NLE_OPNOTSUPP:
        return std::errc::operation_not_supported;
      case NLE_AF_NOSUPPORT:
        return std::errc::address_family_not_supported;
      case NLE_AGAIN:
        return std::errc::resource_unavailable_try_again;
      case NLE_INTR:
        return std::errc::interrupted;
      default:
        return {ev, *this};
    }
  }
};

}  // namespace

const std::error_category& libnl_category() noexcept {
  static const LibnlCategory category;
  return category;
}

void throw_errno(const std::string& what, int err) {
  throw KernelError(what, std::error_code(err, std::generic_category()));
}

void throw_nl(const std::string& what, int nl_result) {
  throw KernelError(what, std::error_code(std::abs(nl_result), libnl_category()));
}

}  // namespace failover_hil::netlab
