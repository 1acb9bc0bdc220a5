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
/// synchronous=FULL, so what was acknowledged survives a kill -9.
class StateDb {
 public:
  explicit StateDb(const std::filesystem::path& file);
  ~StateDb();
  StateDb(const StateDb&) = delete;
  StateDb& operator=(const StateDb&) = delete;

  std::optional<std::string> load() const;
  void save(const std::string& state_json);

 private:
  void exec(const char* sql) const;
  sqlite3* db_ = nullptr;
  std::string file_;
};

}  // namespace failover_hil::sim::service
