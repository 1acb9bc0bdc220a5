#include "failover_hil/netlab/netns.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <iostream>
#include <thread>

#include "failover_hil/netlab/names.hpp"
#include "sys_error.hpp"

namespace failover_hil::netlab {

namespace {

constexpr const char* kRunDir = "/run/netns";

std::string netns_path(const std::string& name) {
  return std::string(kRunDir) + "/" + name;
}

// As iproute2 does: /run/netns is a shared mount point, so that the bind
// mounts in it propagate to other mount namespaces (ip/ipnetns.c).
void prepare_run_dir() {
  if (mkdir(kRunDir, 0755) != 0 && errno != EEXIST)
    throw_errno(std::string("creating ") + kRunDir, errno);
  bool bound_to_itself = false;
  while (mount("", kRunDir, "none", MS_SHARED | MS_REC, nullptr) != 0) {
    if (errno != EINVAL || bound_to_itself)
      throw_errno(std::string("making ") + kRunDir + " a shared mount", errno);
    if (mount(kRunDir, kRunDir, "none", MS_BIND | MS_REC, nullptr) != 0)
      throw_errno(std::string("bind-mounting ") + kRunDir + " onto itself", errno);
    bound_to_itself = true;
  }
}

int open_netns_fd(const std::string& path, const std::string& what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_errno(what, errno);
  return fd;
}

}  // namespace

Netns Netns::create(std::string name) {
  validate_netns_name(name);
  const std::string what = "creating netns " + name;
  prepare_run_dir();
  const std::string path = netns_path(name);
  const int placeholder = ::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
  if (placeholder < 0) {
    if (errno == EEXIST)
      throw_errno(what + " (" + path +
                      " exists: a leftover of a crashed run? sweep_prefix() "
                      "or `ip netns delete` removes it)",
                  EEXIST);
    throw_errno(what + " (" + path + ")", errno);
  }
  ::close(placeholder);
  // unshare moves only the calling thread, so a worker makes the namespace
  // and pins it with the bind mount before it exits.
  int err = 0;
  std::string step;
  std::thread worker([&] {
    if (unshare(CLONE_NEWNET) != 0) {
      err = errno;
      step = "unshare(CLONE_NEWNET)";
    } else if (mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) != 0) {
      err = errno;
      step = "bind-mounting it on " + path;
    }
  });
  worker.join();
  if (err != 0) {
    ::unlink(path.c_str());
    throw_errno(what + " (" + step + ")", err);
  }
  try {
    return Netns(name, open_netns_fd(path, what + " (opening " + path + ")"), true);
  } catch (...) {
    delete_netns(name);
    throw;
  }
}

Netns Netns::open(std::string name) {
  validate_netns_name(name);
  const std::string path = netns_path(name);
  const int fd = open_netns_fd(path, "opening netns " + name + " (" + path + ")");
  return Netns(std::move(name), fd, false);
}

Netns Netns::current() {
  return Netns("(current)", open_netns_fd("/proc/thread-self/ns/net", "opening the current netns"),
               false);
}

Netns Netns::share() const {
  const int fd = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) throw_errno("duplicating the descriptor of netns " + name_, errno);
  return Netns(name_, fd, false);
}

Netns::Netns(Netns&& other) noexcept
    : name_(std::move(other.name_)),
      fd_(std::exchange(other.fd_, -1)),
      owned_(std::exchange(other.owned_, false)) {}

Netns& Netns::operator=(Netns&& other) noexcept {
  if (this != &other) {
    Netns old(std::move(*this));
    name_ = std::move(other.name_);
    fd_ = std::exchange(other.fd_, -1);
    owned_ = std::exchange(other.owned_, false);
  }
  return *this;
}

Netns::~Netns() {
  if (owned_) {
    try {
      remove();
    } catch (const std::exception& e) {
      std::cerr << "netlab: " << e.what() << "\n";
    }
  }
  close_fd();
}

void Netns::close_fd() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void Netns::remove() {
  if (!owned_) throw NetlabError("netns " + name_ + " is not owned by this handle");
  owned_ = false;
  close_fd();
  delete_netns(name_);
}

std::vector<std::string> list_netns() {
  std::vector<std::string> names;
  DIR* dir = opendir(kRunDir);
  if (dir == nullptr) {
    if (errno == ENOENT) return names;
    throw_errno(std::string("listing ") + kRunDir, errno);
  }
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

void delete_netns(const std::string& name) {
  validate_netns_name(name);
  const std::string path = netns_path(name);
  // MNT_DETACH as `ip netns delete`: the namespace lives on while anything
  // (a socket, a process) still holds it, and dies with the last holder.
  if (umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
    throw_errno("deleting netns " + name + " (unmounting " + path + ")", errno);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    throw_errno("deleting netns " + name + " (removing " + path + ")", errno);
}

NetnsGuard::NetnsGuard(const Netns& target) : target_name_(target.name()) {
  saved_fd_ = open_netns_fd("/proc/thread-self/ns/net", "saving the current netns");
  if (setns(target.fd(), CLONE_NEWNET) != 0) {
    const int err = errno;
    ::close(saved_fd_);
    throw_errno("entering netns " + target_name_, err);
  }
}

NetnsGuard::~NetnsGuard() {
  if (setns(saved_fd_, CLONE_NEWNET) != 0) {
    // Staying in the wrong namespace would make every later call on this
    // thread target it: that is not recoverable.
    std::cerr << "netlab: cannot leave netns " << target_name_ << ": " << std::strerror(errno)
              << "\n";
    std::terminate();
  }
  ::close(saved_fd_);
}

namespace detail {

void run_on_worker_in(const Netns& ns, const std::function<void()>& body) {
  std::exception_ptr failure;
  std::thread worker([&] {
    try {
      if (setns(ns.fd(), CLONE_NEWNET) != 0) throw_errno("entering netns " + ns.name(), errno);
      body();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  worker.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace detail

}  // namespace failover_hil::netlab
