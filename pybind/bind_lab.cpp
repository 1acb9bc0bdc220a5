// The lab network from Python (netlab/lab.hpp): a context manager that
// builds a lab file's namespaces, bridge, NAT and BIND, runs commands in
// its hosts and arms faults on its switch; leaving the block removes it all.
#include <fcntl.h>
#include <pybind11/stl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "bindings.hpp"
#include "failover_hil/netlab/faults.hpp"
#include "failover_hil/netlab/lab.hpp"
#include "failover_hil/netlab/lab_journal.hpp"
#include "failover_hil/netlab/lab_slot.hpp"
#include "failover_hil/netlab/lab_spec.hpp"

namespace py = pybind11;

namespace failover_hil::pybind {

std::pair<int, std::string> exec_in_netns(const std::string& netns,
                                          const std::vector<std::string>& argv) {
  if (argv.empty()) throw netlab::NetlabError("exec: no command");
  const auto path = "/run/netns/" + netns;
  // Built before the fork: the child of a threaded process must not allocate.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw netlab::NetlabError("exec: pipe failed");
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int ns = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0) ::_exit(126);
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    throw netlab::NetlabError("exec: fork failed: " + std::string(std::strerror(errno)));
  }
  std::string out;
  int status = 0;
  {
    py::gil_scoped_release unlocked;
    char buf[4096];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR);)
      if (n > 0) out.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), out};
}

namespace {

class Lab {
 public:
  Lab(std::string file, std::string state_dir)
      : file_(std::move(file)),
        state_dir_(state_dir.empty() ? netlab::default_lab_state_dir()
                                     : std::filesystem::path(state_dir)) {}

  Lab& enter() {
    if (lab_) throw netlab::NetlabError("lab " + file_ + " is up already");
    const auto spec = netlab::load_lab_file(file_);
    py::gil_scoped_release unlocked;                 // building takes a second or two
    slot_.emplace(netlab::LabSlot::for_spec(spec));  // keeps runs off its prefix
    lab_ = netlab::Lab::up(spec, state_dir_);
    return *this;
  }

  void down() {
    faults_.reset();
    py::gil_scoped_release unlocked;
    lab_.reset();
    slot_.reset();
  }

  std::vector<std::string> hosts() const {
    std::vector<std::string> out;
    for (const auto& h : up().spec().hosts) out.push_back(h.name);
    return out;
  }
  std::string address(const std::string& host) const { return up().host(host).spec.ip.str(); }
  std::string netns(const std::string& host) const { return up().host(host).ns.name(); }

  /// Runs `argv` in the host's namespace; returns (exit status, stdout and stderr).
  std::pair<int, std::string> exec(const std::string& host, const std::vector<std::string>& argv) {
    return exec_in_netns(netns(host), argv);
  }

  /// No traffic between two hosts until disarmed; returns the fault's name.
  std::string partition(const std::string& a, const std::string& b) {
    const auto name = "py-partition-" + a + "-" + b;
    faults().arm(name, netlab::Partition{up().host(a).spec.ip, up().host(b).spec.ip});
    return name;
  }
  std::string loss(const std::string& a, const std::string& b, int percent) {
    const auto name = "py-loss-" + a + "-" + b;
    faults().arm(name, netlab::Loss{up().host(a).spec.ip, up().host(b).spec.ip, percent});
    return name;
  }
  void disarm(const std::string& name) { faults().disarm(name); }
  std::vector<std::string> armed() const {
    return faults_ ? faults_->armed() : std::vector<std::string>{};
  }

 private:
  const netlab::Lab& up() const {
    if (!lab_)
      throw netlab::NetlabError("lab " + file_ + " is not up: use `with Lab(...) as lab:`");
    return *lab_;
  }
  netlab::Faults& faults() {
    if (!faults_) faults_ = netlab::Faults::create(up().sw(), up().prefix());
    return *faults_;
  }

  std::string file_;
  std::filesystem::path state_dir_;
  std::optional<netlab::LabSlot> slot_;
  std::unique_ptr<netlab::Lab> lab_;
  std::optional<netlab::Faults> faults_;
};

}  // namespace

void bind_lab(py::module_& m) {
  py::class_<Lab>(m, "Lab",
                  "A lab of network namespaces from a lab file (docs/netlab.md), as a context "
                  "manager: `with Lab('scenarios/labs/default.yaml') as lab:` builds it (root), "
                  "leaving the block removes every namespace, link, table and process")
      .def(py::init<std::string, std::string>(), py::arg("file"), py::arg("state_dir") = "")
      .def("__enter__", &Lab::enter, py::return_value_policy::reference)
      .def("__exit__", [](Lab& l, const py::args&) { l.down(); })
      .def("hosts", &Lab::hosts, "The hosts' names")
      .def("address", &Lab::address, py::arg("host"), "A host's IPv4 address")
      .def("netns", &Lab::netns, py::arg("host"), "A host's namespace (/run/netns/NAME)")
      .def("exec", &Lab::exec, py::arg("host"), py::arg("argv"),
           "Runs a command in a host's namespace; returns (exit status, output)")
      .def("partition", &Lab::partition, py::arg("a"), py::arg("b"),
           "No traffic between two hosts (nftables on the switch); returns the fault's name")
      .def("loss", &Lab::loss, py::arg("a"), py::arg("b"), py::arg("percent"),
           "Drops percent of the packets between two hosts; returns the fault's name")
      .def("disarm", &Lab::disarm, py::arg("name"))
      .def("armed", &Lab::armed, "The armed faults' names");
}

}  // namespace failover_hil::pybind
