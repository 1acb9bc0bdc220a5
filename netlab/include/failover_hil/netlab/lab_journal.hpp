#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "failover_hil/netlab/names.hpp"

namespace failover_hil::netlab {

/// One thing a lab created, recorded before it was created.
struct JournalEntry {
  std::string kind;  ///< "netns" | "process" | "holder"
  std::string name;  ///< namespace name, or the process's program
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

/// Undoes a journal (processes killed, namespaces deleted, newest first), then
/// sweeps `prefix` as a backstop and removes the journal. Returns what it did,
/// for people. Safe to run when nothing is left.
std::vector<std::string> undo_lab(const std::filesystem::path& journal, const NamePrefix& prefix);

/// Where labs keep their journals: /run/failover-hil (gone at reboot, as the
/// kernel objects are).
std::filesystem::path default_lab_state_dir();

}  // namespace failover_hil::netlab
