#include "state_db.hpp"

#include <sqlite3.h>

#include <memory>

namespace failover_hil::sim::service {

namespace {
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalize>;
}  // namespace

StateDb::StateDb(const std::filesystem::path& file) : file_(file.string()) {
  if (sqlite3_open(file_.c_str(), &db_) != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw StateDbError(file_ + ": cannot open the state database: " + why);
  }
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=FULL");
  exec(
      "CREATE TABLE IF NOT EXISTS appliance (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT "
      "NULL)");
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
      SQLITE_OK)
    throw StateDbError(file_ + ": " + sqlite3_errmsg(db_));
  Stmt s(raw);
  const int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) throw StateDbError(file_ + ": " + sqlite3_errmsg(db_));
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
  return std::string(text ? text : "");
}

void StateDb::save(const std::string& state_json) {
  exec("BEGIN IMMEDIATE");
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO appliance (id, state) VALUES (1, ?)", -1,
                         &raw, nullptr) != SQLITE_OK) {
    exec("ROLLBACK");
    throw StateDbError(file_ + ": " + sqlite3_errmsg(db_));
  }
  Stmt s(raw);
  sqlite3_bind_text(s.get(), 1, state_json.data(), static_cast<int>(state_json.size()),
                    SQLITE_TRANSIENT);
  if (sqlite3_step(s.get()) != SQLITE_DONE) {
    const std::string why = sqlite3_errmsg(db_);
    exec("ROLLBACK");
    throw StateDbError(file_ + ": cannot save the state: " + why);
  }
  exec("COMMIT");
}

}  // namespace failover_hil::sim::service
