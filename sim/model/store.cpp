#include "failover_hil/sim/model/store.hpp"

#include <boost/json.hpp>

#include "json_fields.hpp"

namespace json = boost::json;

namespace failover_hil::sim {

std::uint64_t DataStore::stored_bytes() const {
  std::uint64_t n = 0;
  for (const auto& [_, f] : files) n += f.size_bytes;
  for (const auto& [_, r] : recordings) n += r.size_bytes;
  return n;
}

using detail::Fields;
using detail::ms;

json::value to_json(const SessionRecord& r) {
  json::object o{{"lsid", r.lsid},
                 {"recorded_by", r.recorded_by},
                 {"start_ms", ms(r.start)},
                 {"terminated", r.terminated}};
  if (r.end) o["end_ms"] = ms(*r.end);
  if (!r.console.empty()) o["console"] = r.console;
  if (!r.jump_client.empty()) o["jump_client"] = r.jump_client;
  return o;
}

SessionRecord session_from_json(const json::value& v) {
  const Fields r(v, "session record");
  return {r.str("lsid"),
          r.str("recorded_by"),
          r.time("start_ms"),
          r.opt_time("end_ms"),
          r.boolean("terminated"),
          r.has("console") ? r.str("console") : std::string{},
          r.has("jump_client") ? r.str("jump_client") : std::string{}};
}

json::value to_json(const DataStore& s) {
  json::array users, settings, files, logs, recordings, sessions;
  for (const auto& [_, u] : s.users)
    users.push_back({{"id", u.id}, {"display_name", u.display_name}});
  for (const auto& [k, v] : s.settings) settings.push_back({{"key", k}, {"value", v}});
  for (const auto& [_, f] : s.files) files.push_back({{"path", f.path}, {"size", f.size_bytes}});
  for (const auto& l : s.logs) logs.push_back({{"at_ms", ms(l.at)}, {"text", l.text}});
  for (const auto& [_, r] : s.recordings)
    recordings.push_back({{"lsid", r.lsid}, {"size", r.size_bytes}});
  for (const auto& [_, r] : s.sessions) sessions.push_back(to_json(r));
  return json::object{{"users", users}, {"settings", settings},     {"files", files},
                      {"logs", logs},   {"recordings", recordings}, {"sessions", sessions}};
}

DataStore store_from_json(const json::value& v) {
  const Fields o(v, "data store");
  DataStore s;
  for (const auto& e : o.arr("users")) {
    const Fields u(e, "users[]");
    User user{u.str("id"), u.str("display_name")};
    s.users[user.id] = user;
  }
  for (const auto& e : o.arr("settings")) {
    const Fields kv(e, "settings[]");
    s.settings[kv.str("key")] = kv.str("value");
  }
  for (const auto& e : o.arr("files")) {
    const Fields f(e, "files[]");
    StoredFile file{f.str("path"), f.u64("size")};
    s.files[file.path] = file;
  }
  for (const auto& e : o.arr("logs")) {
    const Fields l(e, "logs[]");
    s.logs.push_back({l.time("at_ms"), l.str("text")});
  }
  for (const auto& e : o.arr("recordings")) {
    const Fields r(e, "recordings[]");
    Recording rec{r.str("lsid"), r.u64("size")};
    s.recordings[rec.lsid] = rec;
  }
  for (const auto& e : o.arr("sessions")) {
    auto rec = session_from_json(e);
    s.sessions[rec.lsid] = std::move(rec);
  }
  return s;
}

void merge_sessions(DataStore& store, const std::vector<SessionRecord>& records) {
  for (const auto& r : records) {
    auto [it, inserted] = store.sessions.try_emplace(r.lsid, r);
    if (!inserted && !it->second.end && r.end) it->second = r;
  }
}

std::vector<SessionRecord> apply_sync(DataStore& backup, const DataStore& primary) {
  std::vector<SessionRecord> primary_lacks;
  for (const auto& [lsid, r] : backup.sessions) {
    auto it = primary.sessions.find(lsid);
    if (it == primary.sessions.end() || (!it->second.end && r.end)) primary_lacks.push_back(r);
  }
  auto sessions = std::move(backup.sessions);
  backup = primary;
  std::vector<SessionRecord> own;
  own.reserve(sessions.size());
  for (auto& [_, r] : sessions) own.push_back(std::move(r));
  merge_sessions(backup, own);
  return primary_lacks;
}

}  // namespace failover_hil::sim
