// `failover-hil lab up|down|status|exec`: the lab network for people.
// `lab up` builds a lab and holds it in the foreground until SIGINT or
// SIGTERM (or `lab down` from another shell), then removes everything.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "commands.hpp"
#include "failover_hil/hil/install_layout.hpp"
#include "failover_hil/hil/rehearsal.hpp"
#include "failover_hil/hil/scenario.hpp"
#include "failover_hil/hil/simulators.hpp"
#include "failover_hil/netlab/lab.hpp"
#include "failover_hil/netlab/lab_slot.hpp"

namespace failover_hil::cli {

namespace fs = std::filesystem;

namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) {
  g_stop = true;
}

struct LabArgs {
  std::string file;
  std::string lab;  ///< a lab's name, for commands run while several labs exist
  fs::path state_dir = netlab::default_lab_state_dir();
  std::string host;
  std::vector<std::string> command;
  std::string scenario;  ///< rehearse: whose lab, versions and time scale
  fs::path dir;          ///< rehearse: where the inventories go
};

/// The saved spec of the lab a command is about: by name, or the only one.
netlab::LabSpec running_lab(const LabArgs& a) {
  if (!a.file.empty()) return netlab::load_lab_file(a.file);
  std::vector<fs::path> specs;
  if (fs::exists(a.state_dir))
    for (const auto& e : fs::directory_iterator(a.state_dir))
      if (e.path().extension() == ".yaml") specs.push_back(e.path());
  std::vector<netlab::LabSpec> labs;
  for (const auto& p : specs) labs.push_back(netlab::load_lab_file(p));
  if (!a.lab.empty()) {
    for (const auto& l : labs)
      if (l.name == a.lab) return l;
    throw std::runtime_error("no lab named '" + a.lab + "' is up (state in " +
                             a.state_dir.string() + ")");
  }
  if (labs.empty())
    throw std::runtime_error("no lab is up (nothing in " + a.state_dir.string() +
                             "); run `failover-hil lab up FILE`");
  if (labs.size() > 1) {
    std::string names;
    for (const auto& l : labs) names += " " + l.name;
    throw std::runtime_error("several labs are up (" + names + " ); choose one with --lab NAME");
  }
  return labs.front();
}

fs::path saved_spec(const LabArgs& a, const netlab::LabSpec& spec) {
  return a.state_dir / (spec.prefix + spec.name + ".yaml");
}

/// Holds until SIGINT, SIGTERM or `lab down`.
void hold() {
  sigset_t none;
  sigemptyset(&none);
  while (!g_stop) ::sigsuspend(&none);
}

int lab_up(const LabArgs& a) {
  if (::geteuid() != 0)
    throw std::runtime_error(
        "`lab up` creates network namespaces and links: run it as root (or with CAP_NET_ADMIN and "
        "CAP_SYS_ADMIN)");
  const auto spec = netlab::load_lab_file(a.file);
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  std::cout << "building lab '" << spec.name << "' (prefix " << spec.prefix << ", "
            << spec.subnet.str() << ")...\n"
            << std::flush;
  // Held while the lab is up, so that no run builds its own lab under this prefix.
  const auto slot = netlab::LabSlot::for_spec(spec);
  auto lab = netlab::Lab::up(spec, a.state_dir, [] { return g_stop.load(); });
  fs::copy_file(a.file, saved_spec(a, spec), fs::copy_options::overwrite_existing);
  std::cout << netlab::render(netlab::lab_status(spec)) << "lab '" << spec.name
            << "' is up; Ctrl-C here or `failover-hil lab down` removes it\n"
            << std::flush;
  hold();
  std::cout << "removing lab '" << spec.name << "'...\n" << std::flush;
  lab.reset();
  fs::remove(saved_spec(a, spec));
  std::cout << "lab '" << spec.name << "' removed\n";
  return 0;
}

int lab_rehearse(const LabArgs& a) {
  if (::geteuid() != 0)
    throw std::runtime_error("`lab rehearse` builds a lab of network namespaces: run it as root");
  hil::RehearsalOptions o;
  o.scenario = hil::find_scenario(a.scenario);
  o.dir = a.dir;
  o.harness = a.host;
  o.state_dir = a.state_dir;
  o.interrupted = [] { return g_stop.load(); };
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  std::cout << "building the lab and starting two simulators...\n" << std::flush;
  int status = 0;
  std::optional<netlab::LabSpec> saved;
  try {
    hil::Rehearsal rehearsal(o);
    saved = rehearsal.lab().spec();
    // `lab status`, `exec` and `down` find the lab by its saved file.
    fs::copy_file(rehearsal.scenario().lab, saved_spec(a, *saved),
                  fs::copy_options::overwrite_existing);
    std::cout << "rehearsal ready in " << rehearsal.dir().string()
              << ": appA primary, appB backup.\n"
              << "Run the scenario from host " << rehearsal.harness() << ", for example:\n"
              << "  failover-hil lab exec " << rehearsal.harness() << " -- failover-hil run "
              << a.scenario << " --inventory "
              << rehearsal.inventory(hil::SwitchMethod::shared_ip).string() << " --operator "
              << rehearsal.answers().string() << "\n"
              << "Ctrl-C here or `failover-hil lab down` removes it all.\n"
              << std::flush;
    hold();
    std::cout << "stopping the simulators and removing the lab...\n" << std::flush;
  } catch (const std::exception& e) {
    std::cerr << "failover-hil: " << e.what() << "\n";
    status = 2;
  }
  if (saved) fs::remove(saved_spec(a, *saved));
  std::cout << "rehearsal removed\n";
  return status;
}

int lab_down(const LabArgs& a) {
  const auto spec = running_lab(a);
  for (const auto& line : netlab::undo_lab(netlab::lab_journal_path(a.state_dir, spec),
                                           netlab::NamePrefix(spec.prefix)))
    std::cout << "  " << line << "\n";
  std::error_code ec;
  fs::remove(saved_spec(a, spec), ec);
  std::cout << "lab '" << spec.name << "' is down\n";
  return 0;
}

int lab_exec(const LabArgs& a) {
  const auto spec = running_lab(a);
  spec.host(a.host);  // names the known hosts when it is not one
  const auto ns_path = "/run/netns/" + spec.prefix + a.host;
  const int fd = ::open(ns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0)
    throw std::runtime_error("cannot enter " + ns_path + ": " + std::strerror(errno) +
                             " (is the lab up? are you root?)");
  std::vector<char*> argv;
  for (const auto& s : a.command) argv.push_back(const_cast<char*>(s.c_str()));
  argv.push_back(nullptr);
  ::execvp(argv[0], argv.data());
  throw std::runtime_error("cannot run '" + a.command.front() + "': " + std::strerror(errno));
}

}  // namespace

Action add_lab(CLI::App& app) {
  auto args = std::make_shared<LabArgs>();
  auto* lab = app.add_subcommand("lab", "Build, inspect and remove the lab network");
  lab->require_subcommand(1);
  lab->add_option("--state-dir", args->state_dir, "Where labs keep journals")
      ->capture_default_str();
  auto* up = lab->add_subcommand("up", "Build a lab from a lab file and hold it until Ctrl-C");
  up->add_option("file", args->file, "Lab file (YAML), e.g. scenarios/labs/default.yaml")
      ->required()
      ->check(CLI::ExistingFile);
  auto* rehearse = lab->add_subcommand(
      "rehearse",
      "Build a scenario's lab with two simulators in production, write inventories that reach "
      "them as physical appliances, and hold until Ctrl-C (docs/rehearsal.md)");
  rehearse
      ->add_option("scenario", args->scenario,
                   "Scenario file or shipped scenario's name: its lab, versions, time scale")
      ->required();
  rehearse->add_option("--dir", args->dir, "Where the inventories and answers go")->required();
  rehearse->add_option("--harness", args->host,
                       "The lab host the harness runs from (default: the scenario's first "
                       "client)");
  auto* down = lab->add_subcommand("down", "Remove a lab, including what a crashed run left");
  auto* status =
      lab->add_subcommand("status", "Hosts, addresses, shared IP holder, NAT target, DNS answer");
  auto* exec =
      lab->add_subcommand("exec", "Run a command in a host's namespace: lab exec HOST -- CMD...");
  for (auto* c : {down, status, exec}) {
    c->add_option("--file", args->file, "The lab file (default: the lab that is up)");
    c->add_option("--lab", args->lab, "The lab's name, when several are up");
  }
  exec->add_option("host", args->host, "Host name, e.g. client1")->required();
  exec->add_option("command", args->command, "The command and its arguments (after --)")
      ->required();
  return [=]() -> int {
    if (!*lab) return -1;
    if (*up) return lab_up(*args);
    if (*rehearse) return lab_rehearse(*args);
    if (*down) return lab_down(*args);
    if (*status) {
      std::cout << netlab::render(netlab::lab_status(running_lab(*args)));
      return 0;
    }
    return lab_exec(*args);
  };
}

}  // namespace failover_hil::cli
