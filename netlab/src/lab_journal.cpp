#include "failover_hil/netlab/lab_journal.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>

#include "failover_hil/netlab/error.hpp"
#include "failover_hil/netlab/netns.hpp"
#include "failover_hil/netlab/sweep.hpp"

namespace failover_hil::netlab {

namespace json = boost::json;
namespace fs = std::filesystem;

LabJournal::LabJournal(fs::path file) : file_(std::move(file)) {
  fs::create_directories(file_.parent_path());
}

void LabJournal::record(const JournalEntry& e) {
  const std::string line =
      json::serialize(json::object{{"kind", e.kind}, {"name", e.name}, {"pid", e.pid}}) + "\n";
  const int fd = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) throw NetlabError("cannot write the lab journal " + file_.string());
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw NetlabError("cannot write the lab journal " + file_.string());
}

std::vector<JournalEntry> LabJournal::read(const fs::path& file) {
  std::vector<JournalEntry> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    boost::system::error_code ec;
    const auto v = json::parse(line, ec);
    if (ec || !v.is_object()) continue;  // a line cut by a crash: the sweep covers it
    const auto& o = v.get_object();
    if (!o.contains("kind") || !o.contains("name")) continue;
    out.push_back(
        {std::string(o.at("kind").as_string()), std::string(o.at("name").as_string()),
         o.contains("pid") ? static_cast<int>(o.at("pid").to_number<std::int64_t>()) : 0});
  }
  return out;
}

namespace {
/// Whether `pid` still runs the program the journal named (pids are reused).
bool runs(int pid, const std::string& program) {
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  if (pid <= 1 || !comm || !std::getline(comm, name) || !program.starts_with(name.substr(0, 15)))
    return false;
  // A zombie has finished: "pid (comm) Z ..." in /proc/<pid>/stat.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto close = line.rfind(')');
  return close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'Z';
}
}  // namespace

namespace {
constexpr std::string_view kNamedDirPrefix = "fhil-named-";

bool is_named_dir(const fs::path& p) {
  return p.filename().string().starts_with(kNamedDirPrefix);
}
}  // namespace

std::vector<std::string> sweep_named_dirs(const fs::path& state_dir, std::chrono::seconds grace,
                                          std::string_view own_prefix) {
  std::vector<std::string> removed;
  std::error_code ec;
  const std::string own =
      own_prefix.empty() ? std::string() : std::string(kNamedDirPrefix) + std::string(own_prefix);
  for (const auto& e : fs::directory_iterator(state_dir, ec)) {
    if (!is_named_dir(e.path()) || !e.is_directory(ec) || e.is_symlink(ec)) continue;
    int pid = 0;
    if (std::ifstream in(e.path() / "named.pid"); in >> pid) {
      if (runs(pid, "named")) continue;  // a lab's BIND still uses it
    } else if (own.empty() || !e.path().filename().string().starts_with(own)) {
      // Another lab's named may be starting. Ours (the caller holds the
      // prefix) goes at any age: a run killed while its named started left
      // it without a named.pid, and the next run, seconds later, kept it
      // (issue 16's kill campaign).
      const auto age = fs::file_time_type::clock::now() - fs::last_write_time(e.path(), ec);
      if (!ec && age < grace) continue;  // named not started yet
    }
    std::error_code rec;
    fs::remove_all(e.path(), rec);
    removed.push_back(rec ? "could not remove " + e.path().string() + ": " + rec.message()
                          : "removed " + e.path().string());
  }
  return removed;
}

std::vector<std::string> undo_lab(const fs::path& journal, const NamePrefix& prefix) {
  std::vector<std::string> done;
  auto stop = [&](const JournalEntry& e, int patience_ms) {
    ::kill(e.pid, SIGTERM);
    for (int waited = 0; waited < patience_ms && runs(e.pid, e.name); waited += 20)
      ::usleep(20'000);
    if (runs(e.pid, e.name)) ::kill(e.pid, SIGKILL);
    done.push_back("stopped " + e.name + " (pid " + std::to_string(e.pid) + ")");
  };
  // A live holder removes its own lab cleanly when asked; what it leaves (it
  // may have crashed) is undone below.
  for (const auto& e : LabJournal::read(journal))
    if (e.kind == "holder" && e.pid != ::getpid() && runs(e.pid, e.name)) stop(e, 10'000);
  auto entries = LabJournal::read(journal);
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->pid == ::getpid()) continue;  // a holder tearing its own lab down
    if (it->kind == "process" && runs(it->pid, it->name)) {
      stop(*it, 2'000);
    } else if (it->kind == "netns") {
      const auto names = list_netns();
      if (std::find(names.begin(), names.end(), it->name) == names.end()) continue;
      try {
        delete_netns(it->name);
        done.push_back("deleted netns " + it->name);
      } catch (const NetlabError& e) {
        done.push_back(std::string("could not delete netns ") + it->name + ": " +
                       e.what());  // the sweep retries
      }
    }
  }
  // BIND's folders (TSIG keys, named.conf) once named is stopped (issue 16:
  // a killed run left them behind).
  for (const auto& e : entries) {
    if (e.kind != "dir" || !is_named_dir(e.name)) continue;
    std::error_code rec;
    if (fs::remove_all(e.name, rec) > 0) done.push_back("removed " + e.name);
  }
  const auto swept = sweep_prefix(prefix);
  for (const auto& n : swept.namespaces) done.push_back("swept netns " + n);
  for (const auto& l : swept.links) done.push_back("swept link " + l);
  for (auto& d : sweep_named_dirs(journal.parent_path(), std::chrono::seconds(60), prefix.str()))
    done.push_back(std::move(d));
  std::error_code ec;
  fs::remove(journal, ec);
  return done;
}

fs::path default_lab_state_dir() {
  return "/run/failover-hil";
}

}  // namespace failover_hil::netlab
