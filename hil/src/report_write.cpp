#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "failover_hil/hil/appliance_driver.hpp"
#include "failover_hil/hil/report.hpp"

namespace failover_hil::hil {

namespace {

[[noreturn]] void fail(const std::filesystem::path& file, const char* what, int err) {
  throw HarnessError(file.string() + ": cannot " + what + ": " + std::strerror(err));
}

// Written beside the target, synced, then renamed over it: a reader (or a
// crash) sees the old report or the new one, never a torn one.
void write_atomically(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::path temp = file;
  temp += ".tmp." + std::to_string(::getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(temp, "create", errno);
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      fail(temp, "write", err);
    }
    done += static_cast<std::size_t>(n);
  }
  const int synced = ::fsync(fd) == 0 ? 0 : errno;
  const int closed = ::close(fd) == 0 ? 0 : errno;
  if (synced != 0 || closed != 0) {
    ::unlink(temp.c_str());
    fail(temp, "sync", synced != 0 ? synced : closed);
  }
  if (::rename(temp.c_str(), file.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    fail(file, "rename into place", err);
  }
}

}  // namespace

void write_reports(const RunRecord& r, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw HarnessError(dir.string() + ": cannot create the run directory: " + ec.message());
  write_atomically(dir / "report.json", report_json(r));
  write_atomically(dir / "junit.xml", junit_xml(r));
  write_atomically(dir / "report.html", report_html(r));
}

}  // namespace failover_hil::hil
