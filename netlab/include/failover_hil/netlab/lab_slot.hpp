#pragma once

// Labs side by side on one machine (parallel runs): each run holds a slot,
// a lock file in the labs' state directory, and builds its lab under that
// slot's name prefix and subnet, so runs never see each other's namespaces,
// links, nft tables or BIND. A killed run's lock dies with it; its leftovers
// are removed by the next run that looks for a slot.

#include <filesystem>

#include "failover_hil/netlab/lab_spec.hpp"

namespace failover_hil::netlab {

class LabSlot {
 public:
  /// How many labs may exist at once under one state directory (one
  /// character of the name prefix).
  static constexpr int kMaxSlots = 36;

  /// The locks live in `lock_dir`, one for the machine by default: kernel
  /// object names are the machine's, whatever state directory a lab keeps
  /// its journal in.
  static std::filesystem::path default_lock_dir();

  /// The lowest free slot. First removes what killed runs left in every
  /// free slot (their journals in `state_dir`: namespaces, processes,
  /// BIND's folder). Throws NetlabError when all are taken.
  static LabSlot acquire(const std::filesystem::path& state_dir,
                         const std::filesystem::path& lock_dir = default_lock_dir());
  /// Slot `n` exactly (a resumed run's); throws NetlabError when another run holds it.
  static LabSlot take(int n, const std::filesystem::path& lock_dir = default_lock_dir());
  /// The slot a lab file's own prefix names ("fhil<n>-"), held so that no
  /// run takes it; none (index -1) for another prefix.
  static LabSlot for_spec(const LabSpec& spec,
                          const std::filesystem::path& lock_dir = default_lock_dir());

  LabSlot(LabSlot&& other) noexcept;
  LabSlot& operator=(LabSlot&& other) noexcept;
  LabSlot(const LabSlot&) = delete;
  LabSlot& operator=(const LabSlot&) = delete;
  ~LabSlot();

  int index() const { return index_; }
  /// The lab in this slot: prefix "fhil<n>-", and every address moved by n
  /// subnets of the lab's size from where the file puts them (slot 0 is the
  /// file as written). Throws NetlabError when that leaves 198.18.0.0/15.
  LabSpec place(const LabSpec& spec) const;

 private:
  LabSlot(int index, int fd, std::filesystem::path file)
      : index_(index), fd_(fd), file_(std::move(file)) {}
  void release() noexcept;
  int index_ = -1;
  int fd_ = -1;
  std::filesystem::path file_;  ///< the lock file, removed as the slot is let go
};

/// The slot-n name prefix: "fhil0-" ... "fhil9-", then "fhila-" ... "fhilz-".
std::string slot_prefix(int n);

/// A lab as a lab file writes it (load_lab_file reads it back equal).
std::string to_lab_yaml(const LabSpec& spec);

}  // namespace failover_hil::netlab
