#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "failover_hil/netlab/names.hpp"

namespace failover_hil::netlab {

/// One thing a lab created, recorded before it was created.
struct JournalEntry {
  std::string kind;  ///< "netns" | "process" | "holder" | "dir"
  std::string name;  ///< namespace name, the process's program, or a directory's path
  int pid = 0;
};

/// An append-only record (JSON lines, fsync'd) of every kernel object and
/// process a lab creates, written *before* creating it, so that `lab down`
/// or the next start-up can undo what a crashed run left.
class LabJournal {
 public:
  explicit LabJournal(std::filesystem::path file);
  void record(const JournalEntry& entry);
  const std::filesystem::path& file() const { return file_; }
  static std::vector<JournalEntry> read(const std::filesystem::path& file);

 private:
  std::filesystem::path file_;
};

/// Undoes a journal (processes killed, namespaces deleted, newest first, then
/// its named directories removed), then sweeps `prefix` and the journal's
/// directory (sweep_named_dirs) as a backstop and removes the journal.
/// Returns what it did, for people. Safe to run when nothing is left.
std::vector<std::string> undo_lab(const std::filesystem::path& journal, const NamePrefix& prefix);

/// Removes the `fhil-named-*` directories in `state_dir` (named.conf and the
/// TSIG keys of a BIND that a killed run left) unless their named.pid names a
/// named that still runs, or they are younger than `grace` without a
/// named.pid (a named of another lab starting). Those of `own_prefix`
/// (`fhil-named-<own_prefix>*`, NamedConfig::dir_tag) go at any age: the
/// caller holds that prefix, so no other lab is starting one. Returns what it
/// removed.
std::vector<std::string> sweep_named_dirs(const std::filesystem::path& state_dir,
                                          std::chrono::seconds grace = std::chrono::seconds(60),
                                          std::string_view own_prefix = {});

/// Where labs keep their journals: /run/failover-hil (gone at reboot, as the
/// kernel objects are).
std::filesystem::path default_lab_state_dir();

}  // namespace failover_hil::netlab
