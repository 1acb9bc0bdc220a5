#include "state_db.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <memory>

namespace failover_hil::sim::service {

namespace {
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalize>;
}  // namespace

StateDb::StateDb(const std::filesystem::path& file) : file_(file.string()) {
  // Created 0600 before SQLite opens it (its -wal and -shm files take the
  // database's mode): it holds the Inter-Appliance key.
  if (const int fd = ::open(file_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600); fd >= 0) {
    ::fchmod(fd, 0600);  // also tightens a file left by an older version
    ::close(fd);
  }
  if (sqlite3_open(file_.c_str(), &db_) != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw StateDbError(file_ + ": cannot open the state database: " + why);
  }
  // One process owns a data directory: with an exclusive lock the WAL index
  // lives in memory, not in a -shm file that a full disk could not extend
  // (SQLite would then fail even to read). Set before the first access.
  exec("PRAGMA locking_mode=EXCLUSIVE");
  try {
    set_up();
  } catch (const StateDbError&) {
    // A full disk: the state can still be read; save() sets up again.
  }
}

void StateDb::set_up() {
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=FULL");
  exec(
      "CREATE TABLE IF NOT EXISTS appliance (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT "
      "NULL)");
  set_up_ = true;
}

StateDb::~StateDb() {
  sqlite3_close(db_);
}

void StateDb::exec(const char* sql) const {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string why = err ? err : "unknown error";
    sqlite3_free(err);
    throw StateDbError(file_ + ": " + why + " (in: " + sql + ")");
  }
}

std::optional<std::string> StateDb::load() const {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT state FROM appliance WHERE id = 1", -1, &raw, nullptr) !=
      SQLITE_OK) {
    // Never set up (it could not be written yet): nothing was saved.
    if (!set_up_ && std::strstr(sqlite3_errmsg(db_), "no such table")) return std::nullopt;
    throw StateDbError(file_ + ": " + sqlite3_errmsg(db_));
  }
  Stmt s(raw);
  const int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) throw StateDbError(file_ + ": " + sqlite3_errmsg(db_));
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
  return std::string(text ? text : "");
}

void StateDb::save(const std::string& state_json) {
  if (!set_up_) set_up();
  exec("BEGIN IMMEDIATE");
  // Whatever fails below leaves no transaction open for the next save.
  auto roll_back = [this] { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); };
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO appliance (id, state) VALUES (1, ?)", -1,
                         &raw, nullptr) != SQLITE_OK) {
    const std::string why = sqlite3_errmsg(db_);
    roll_back();
    throw StateDbError(file_ + ": " + why);
  }
  Stmt s(raw);
  sqlite3_bind_text(s.get(), 1, state_json.data(), static_cast<int>(state_json.size()),
                    SQLITE_TRANSIENT);
  if (sqlite3_step(s.get()) != SQLITE_DONE) {
    const std::string why = sqlite3_errmsg(db_);
    s.reset();
    roll_back();
    throw StateDbError(file_ + ": cannot save the state: " + why);
  }
  s.reset();
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    const std::string why = sqlite3_errmsg(db_);
    roll_back();
    throw StateDbError(file_ + ": cannot save the state: " + why);
  }
}

}  // namespace failover_hil::sim::service
