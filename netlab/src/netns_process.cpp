#include "netns_process.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>
#include <utility>

#include "sys_error.hpp"

namespace failover_hil::netlab {

NetnsProcess NetnsProcess::spawn(const Netns& ns, const std::vector<std::string>& argv,
                                 const std::filesystem::path& log) {
  if (argv.empty()) throw NetlabError("spawn: empty argv");
  // Everything the child needs is prepared before fork: after it, only
  // async-signal-safe calls until exec.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const std::string log_path = log.string();
  const pid_t parent = ::getpid();
  int err_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) throw_errno("pipe2 for " + argv[0], errno);
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(err_pipe[0]);
    ::close(err_pipe[1]);
    throw_errno("fork for " + argv[0], err);
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
    int err = 0;
    if (::setns(ns.fd(), CLONE_NEWNET) != 0) err = errno;
    const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    if (err == 0) {
      ::execv(args[0], args.data());
      err = errno;
    }
    [[maybe_unused]] const auto n = ::write(err_pipe[1], &err, sizeof err);
    ::_exit(127);
  }
  ::close(err_pipe[1]);
  int child_errno = 0;
  const auto n = ::read(err_pipe[0], &child_errno, sizeof child_errno);
  ::close(err_pipe[0]);
  NetnsProcess p;
  p.pid_ = pid;
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    p.reap(true);
    throw_errno("starting " + argv[0] + " in netns " + ns.name(), child_errno);
  }
  return p;
}

NetnsProcess::NetnsProcess(NetnsProcess&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)), status_(o.status_) {}

NetnsProcess& NetnsProcess::operator=(NetnsProcess&& o) noexcept {
  if (this != &o) {
    if (pid_ > 0) terminate(std::chrono::seconds(3));
    pid_ = std::exchange(o.pid_, -1);
    status_ = o.status_;
  }
  return *this;
}

NetnsProcess::~NetnsProcess() {
  if (pid_ > 0) terminate(std::chrono::seconds(3));
}

void NetnsProcess::reap(bool block) {
  if (pid_ <= 0) return;
  int st = 0;
  pid_t r = 0;
  do {
    r = ::waitpid(pid_, &st, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    status_ = st;
    pid_ = -1;
  }
}

bool NetnsProcess::running() {
  reap(false);
  return pid_ > 0;
}

int NetnsProcess::terminate(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return status_;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    reap(true);
  }
  return status_;
}

}  // namespace failover_hil::netlab
