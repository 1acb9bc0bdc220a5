#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "failover_hil/core/clock.hpp"

namespace failover_hil::sim {

/// A user account of /login.
struct User {
  std::string id;
  std::string display_name;
  bool operator==(const User&) const = default;
};

/// A file in the file store.
struct StoredFile {
  std::string path;
  std::uint64_t size_bytes = 0;
  bool operator==(const StoredFile&) const = default;
};

struct LogEntry {
  TimePoint at;
  std::string text;
  bool operator==(const LogEntry&) const = default;
};

/// A session recording; recordings dominate stored data and so install time (R05).
struct Recording {
  std::string lsid;
  std::uint64_t size_bytes = 0;
  bool operator==(const Recording&) const = default;
};

/// A support session's record, as the reporting API lists it.
struct SessionRecord {
  std::string lsid;
  std::string recorded_by;  ///< name of the appliance the session ran on
  TimePoint start;
  std::optional<TimePoint> end;  ///< empty while the session is open
  bool terminated = false;       ///< ended by an install or restart (R04)
  std::string console;           ///< the representative console's client id (the rep)
  std::string jump_client;       ///< the Jump Client's id (the customer)
  bool operator==(const SessionRecord&) const = default;
};

/// Everything an appliance stores. Plain data: the rules acting on it live in
/// Appliance and in the sync functions below.
struct DataStore {
  std::map<std::string, User> users;
  std::map<std::string, std::string> settings;  ///< /login configuration
  std::map<std::string, StoredFile> files;      ///< by path
  std::vector<LogEntry> logs;
  std::map<std::string, Recording> recordings;    ///< by lsid
  std::map<std::string, SessionRecord> sessions;  ///< by lsid

  /// Bytes that make an install and a sync take longer (files and recordings).
  std::uint64_t stored_bytes() const;
  bool operator==(const DataStore&) const = default;
};

boost::json::value to_json(const SessionRecord& record);
/// Throws MalformedInput naming the field when `v` is not a session record.
SessionRecord session_from_json(const boost::json::value& v);
boost::json::value to_json(const DataStore& store);
/// Throws MalformedInput naming the field when `v` is not a store.
DataStore store_from_json(const boost::json::value& v);

/// R20 and R15: what a sync does to the backup's store. Users, settings, the
/// file store, logs and recordings are overwritten by the primary's; session
/// records are merged (a record the backup holds that the primary lacks is
/// kept). Returns the records the primary lacks, to be merged back into it.
std::vector<SessionRecord> apply_sync(DataStore& backup, const DataStore& primary);

/// Adds records the store lacks; a finished record replaces an open one.
void merge_sessions(DataStore& store, const std::vector<SessionRecord>& records);

}  // namespace failover_hil::sim
