#include "failover_hil/netlab/lab_slot.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <sstream>
#include <vector>

#include "failover_hil/netlab/error.hpp"
#include "failover_hil/netlab/lab_journal.hpp"

namespace failover_hil::netlab {

namespace fs = std::filesystem;

namespace {

fs::path lock_file(const fs::path& lock_dir, int n) {
  return lock_dir / ("slot-" + std::to_string(n) + ".lock");
}

/// The slot's lock, or -1 when another process holds it. A holder removes
/// its file as it lets go, so a lock taken on a file no longer at `file`
/// guards nothing: open it again.
int try_lock(const fs::path& file) {
  for (;;) {
    fs::create_directories(file.parent_path());
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    // The last holder of another slot removed the emptied folder meanwhile.
    if (fd < 0 && errno == ENOENT) continue;
    if (fd < 0)
      throw NetlabError("cannot open the lab slot lock " + file.string() + ": " +
                        std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) return -1;
      throw NetlabError("cannot lock " + file.string() + ": " + std::strerror(err));
    }
    struct stat held {
    }, named{};
    if (::fstat(fd, &held) == 0 && ::stat(file.c_str(), &named) == 0 &&
        held.st_ino == named.st_ino && held.st_dev == named.st_dev)
      return fd;
    ::close(fd);
  }
}

/// The slots whose journals are in `state_dir`: what may be left to undo.
std::vector<int> slots_with_journals(const fs::path& state_dir) {
  std::vector<int> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(state_dir, ec)) {
    if (e.path().extension() != ".journal") continue;
    const auto name = e.path().filename().string();
    for (int n = 0; n < LabSlot::kMaxSlots; ++n)
      if (name.starts_with(slot_prefix(n))) out.push_back(n);
  }
  return out;
}

/// A lab built without taking its slot (netlab::Lab::up directly) still
/// has a live holder: not a leftover.
bool held_by_a_live_process(const fs::path& journal) {
  for (const auto& e : LabJournal::read(journal))
    if (e.kind == "holder" && e.pid > 0 && e.pid != ::getpid() &&
        (::kill(e.pid, 0) == 0 || errno == EPERM))
      return true;
  return false;
}

/// What a killed run of slot n left: every journal of the slot's prefix.
void sweep_slot(const fs::path& state_dir, int n) {
  const auto prefix = slot_prefix(n);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(state_dir, ec)) {
    const auto name = e.path().filename().string();
    if (name.starts_with(prefix) && e.path().extension() == ".journal" &&
        !held_by_a_live_process(e.path()))
      undo_lab(e.path(), NamePrefix(prefix));
  }
}

}  // namespace

std::string slot_prefix(int n) {
  // One character, so that names keep within an interface name's 15
  // ("fhil0-client1-s"): 0-9, then a-z.
  constexpr std::string_view kDigits = "0123456789abcdefghijklmnopqrstuvwxyz";
  return "fhil" + std::string(1, kDigits.at(static_cast<std::size_t>(n))) + "-";
}

fs::path LabSlot::default_lock_dir() {
  return default_lab_state_dir() / "slots";
}

LabSlot LabSlot::acquire(const fs::path& state_dir, const fs::path& lock_dir) {
  const auto leftovers = slots_with_journals(state_dir);
  const auto left = [&](int n) {
    return std::find(leftovers.begin(), leftovers.end(), n) != leftovers.end();
  };
  std::optional<LabSlot> chosen;
  for (int n = 0; n < kMaxSlots; ++n) {
    if (chosen && !left(n)) continue;  // past the chosen one, only slots to clean
    const auto file = lock_file(lock_dir, n);
    const int fd = try_lock(file);
    if (fd < 0) continue;
    LabSlot slot(n, fd, file);
    if (left(n)) sweep_slot(state_dir, n);
    if (!chosen) chosen.emplace(std::move(slot));  // the others let go as they go
  }
  if (!chosen)
    throw NetlabError("all " + std::to_string(kMaxSlots) + " lab slots in " + lock_dir.string() +
                      " are taken by running labs; wait for one to finish");
  return std::move(*chosen);
}

LabSlot LabSlot::take(int n, const fs::path& lock_dir) {
  if (n < 0 || n >= kMaxSlots)
    throw NetlabError("lab slot " + std::to_string(n) + " is out of range 0.." +
                      std::to_string(kMaxSlots - 1));
  const auto file = lock_file(lock_dir, n);
  const int fd = try_lock(file);
  if (fd < 0)
    throw NetlabError("lab slot " + std::to_string(n) + " (prefix " + slot_prefix(n) +
                      ") is held by another running lab (" + lock_file(lock_dir, n).string() +
                      "); wait for it to finish, or stop it");
  return LabSlot(n, fd, file);
}

LabSlot LabSlot::for_spec(const LabSpec& spec, const fs::path& lock_dir) {
  for (int n = 0; n < kMaxSlots; ++n)
    if (spec.prefix == slot_prefix(n)) return take(n, lock_dir);
  return LabSlot(-1, -1, {});
}

LabSlot::LabSlot(LabSlot&& other) noexcept
    : index_(other.index_), fd_(other.fd_), file_(std::move(other.file_)) {
  other.fd_ = -1;
}

LabSlot& LabSlot::operator=(LabSlot&& other) noexcept {
  if (this != &other) {
    release();
    index_ = other.index_;
    fd_ = other.fd_;
    file_ = std::move(other.file_);
    other.fd_ = -1;
  }
  return *this;
}

LabSlot::~LabSlot() {
  release();
}

void LabSlot::release() noexcept {
  if (fd_ < 0) return;
  // Removed while still held: a waiting process sees the file gone and
  // opens a new one; no lock file outlives its slot.
  std::error_code ec;
  fs::remove(file_, ec);
  ::close(fd_);
  fd_ = -1;
  // The folders too, when this was the last slot in them (remove() leaves a
  // folder that is not empty): no run leaves /run/failover-hil/slots behind.
  fs::remove(file_.parent_path(), ec);
  fs::remove(file_.parent_path().parent_path(), ec);
}

LabSpec LabSlot::place(const LabSpec& spec) const {
  if (index_ < 0) return spec;
  LabSpec out = spec;
  out.prefix = slot_prefix(index_);
  const std::uint64_t size = std::uint64_t{1} << (32 - spec.subnet.length);
  const std::uint64_t shift = size * static_cast<std::uint64_t>(index_);
  const auto moved = [&](Ipv4Address a) {
    const std::uint64_t v = a.value + shift;
    if (v > 0xffffffffu || !lab_range().contains(Ipv4Address{static_cast<std::uint32_t>(v)}))
      throw NetlabError("lab '" + spec.name + "' (" + spec.subnet.str() + ") in slot " +
                        std::to_string(index_) + " would leave " + lab_range().str() +
                        ": use a smaller subnet, or fewer labs at once");
    return Ipv4Address{static_cast<std::uint32_t>(v)};
  };
  out.subnet.network = moved(spec.subnet.network);
  moved(Ipv4Address{spec.subnet.network.value + static_cast<std::uint32_t>(size - 1)});
  if (spec.subnet.contains(spec.shared_ip)) out.shared_ip = moved(spec.shared_ip);
  if (spec.subnet.contains(spec.vip)) out.vip = moved(spec.vip);
  for (auto& h : out.hosts) h.ip = moved(h.ip);
  validate(out, "lab '" + out.name + "' in slot " + std::to_string(index_));
  return out;
}

std::string to_lab_yaml(const LabSpec& spec) {
  std::ostringstream o;
  o << "# " << spec.name << " as a run placed it (prefix and subnet of its lab slot)\n"
    << "name: " << spec.name << "\nprefix: " << spec.prefix << "\nsubnet: " << spec.subnet.str()
    << "\nsite_hostname: " << spec.site_hostname << "\nzone: " << spec.zone
    << "\ndns_ttl_s: " << spec.dns_ttl_s << "\nshared_ip: " << spec.shared_ip.str()
    << "\nvip: " << spec.vip.str() << "\nsite_ports: [";
  for (std::size_t i = 0; i < spec.site_ports.size(); ++i)
    o << (i ? ", " : "") << spec.site_ports[i];
  o << "]\nhosts:\n";
  for (const auto& h : spec.hosts)
    o << "  " << h.name << ": {ip: " << h.ip.str() << ", role: " << to_string(h.role) << "}\n";
  return o.str();
}

}  // namespace failover_hil::netlab
