#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

struct sqlite3;

namespace failover_hil::sim::service {

class StateDbError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The appliance's state in SQLite: one row, replaced in a transaction with
/// synchronous=FULL, so what was acknowledged survives a kill -9. A file
/// that cannot be written (a full disk) can still be opened and read; the
/// schema is then set up by the first save that succeeds. The file is 0600
/// (it holds the Inter-Appliance key).
class StateDb {
 public:
  explicit StateDb(const std::filesystem::path& file);
  ~StateDb();
  StateDb(const StateDb&) = delete;
  StateDb& operator=(const StateDb&) = delete;

  /// The saved state; nullopt when none was ever saved.
  std::optional<std::string> load() const;
  /// Throws StateDbError when it cannot (SQLITE_FULL, I/O error); the file
  /// then holds the previous state, unchanged.
  void save(const std::string& state_json);

 private:
  void exec(const char* sql) const;
  void set_up();
  sqlite3* db_ = nullptr;
  std::string file_;
  bool set_up_ = false;
};

}  // namespace failover_hil::sim::service
