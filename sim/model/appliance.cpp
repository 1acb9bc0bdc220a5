// Appliance: status, time, data, users, clients and sessions.
// Updates live in appliance_updates.cpp, failover in appliance_failover.cpp.
#include "failover_hil/sim/model/appliance.hpp"

#include <algorithm>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"
#include "failover_hil/sim/model/errors.hpp"

namespace failover_hil::sim {

std::string_view to_string(OperatingState s) {
  switch (s) {
    case OperatingState::running:
      return "running";
    case OperatingState::installing:
      return "installing";
    case OperatingState::base_update_failed:
      return "base_update_failed";
    case OperatingState::unrecoverable:
      return "unrecoverable";
  }
  return "?";
}

Appliance::Appliance(ApplianceConfig config, const Clock& clock)
    : config_(std::move(config)), clock_(clock), rng_(config_.seed) {
  const auto& id = config_.identity;
  if (id.name.empty()) throw ModelError("", "an appliance needs a name");
  if (id.guid.size() != 32 || id.guid.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw ModelError("", "appliance '" + id.name + "': the GUID must be 32 lower-case hex digits");
  if (config_.inter_appliance_key.size() < 16)
    throw ModelError(
        "R17", "appliance '" + id.name + "': the Inter-Appliance key must be at least 16 bytes");
  if (config_.software.build.empty())
    throw ModelError("", "appliance '" + id.name + "': the software build is empty");
}

void Appliance::event(const std::string& text) {
  events_.push_back({now(), text});
}

void Appliance::violate(const std::string& rule, const std::string& text) {
  violations_.push_back({rule, text, now()});
  event("VIOLATION " + rule + ": " + text);
}

void Appliance::require_running(const std::string& what) const {
  switch (state_) {
    case OperatingState::running:
      return;
    case OperatingState::installing:
      throw ModelError("R04", name() + " is installing an update; " + what + " must wait");
    case OperatingState::base_update_failed:
      throw ModelError("R07", name() +
                                  " had an issue during a Base update: do not restart it, "
                                  "contact support (" +
                                  what + " refused)");
    case OperatingState::unrecoverable:
      throw ModelError("R07", name() + " is unrecoverable; contact support (" + what + " refused)");
  }
}

void Appliance::require_manageable(const std::string& what) const {
  if (management_restricted())
    throw ModelError("R19", name() + " is a backup and its management is restricted; " + what +
                                " on the primary instead");
}

void Appliance::require_no_swap(const std::string& what) const {
  if (swap_ && swap_->after_sync)
    throw ModelError("", name() + " is syncing before a role change; " + what +
                             " must wait until the swap completes");
}

void Appliance::note_action(const std::string& what) {
  if (pending_dependents_.empty()) return;
  std::string ids;
  for (const auto& id : pending_dependents_) ids += (ids.empty() ? "" : ", ") + id;
  violate("R06", what + " on " + name() +
                     " between a Base update and its dependent software "
                     "update (" +
                     ids + "), which must be installed first");
}

bool Appliance::serves_site() const {
  return state_ == OperatingState::running && role_ != FailoverRole::backup;
}

std::optional<InstallProgress> Appliance::install() const {
  if (!install_) return std::nullopt;
  const auto elapsed = now() - install_->started;
  const double p =
      install_->duration.count() > 0
          ? static_cast<double>(elapsed.count()) / static_cast<double>(install_->duration.count())
          : 1.0;
  return InstallProgress{install_->update, install_->started, install_->duration,
                         std::clamp(p, 0.0, 1.0)};
}

void Appliance::tick() {
  // Due work runs in time order; each step may schedule the next.
  for (int guard = 0; guard < 64; ++guard) {
    const auto due = next_due();
    if (!due || *due > now()) return;
    if (install_ && state_ == OperatingState::installing) {
      settle_install();
    } else if (sync_.scheduled && *sync_.scheduled <= now()) {
      sync_.scheduled.reset();
      start_sync();
    } else if (sync_due_ && *sync_due_ <= now()) {
      sync_due_.reset();
      if (sync_faults_.fail) {
        fail_sync("fault: the sync broke");
      } else {
        send(Pending::sync, SyncData{sync_snapshot_ ? *sync_snapshot_ : store_, now()});
      }
    }
  }
}

std::optional<TimePoint> Appliance::next_due() const {
  std::optional<TimePoint> due;
  auto consider = [&](std::optional<TimePoint> t) {
    if (t && (!due || *t < *due)) due = t;
  };
  if (install_ && state_ == OperatingState::installing && !install_->faults.hang) {
    auto end = install_->started + install_->duration;
    if (install_->faults.fail_at_progress) {
      end = install_->started +
            Duration{static_cast<Duration::rep>(static_cast<double>(install_->duration.count()) *
                                                *install_->faults.fail_at_progress)};
    }
    consider(end);
  }
  consider(sync_.scheduled);
  consider(sync_due_);
  return due;
}

// ---- data

void Appliance::add_user(const User& user) {
  tick();
  require_manageable("add users");
  if (user.id.empty()) throw ModelError("", "a user needs an id");
  store_.users[user.id] = user;
}

void Appliance::set_setting(const std::string& key, const std::string& value) {
  tick();
  require_manageable("change /login settings");
  if (key.empty()) throw ModelError("", "a setting needs a name");
  store_.settings[key] = value;
}

void Appliance::add_file(const StoredFile& file) {
  tick();
  require_manageable("add files to the file store");
  if (file.path.empty()) throw ModelError("", "a stored file needs a path");
  store_.files[file.path] = file;
}

void Appliance::add_recording(const Recording& recording) {
  tick();
  if (!store_.sessions.contains(recording.lsid))
    throw ModelError(
        "", "no session '" + recording.lsid + "' on " + name() + " to attach a recording to");
  store_.recordings[recording.lsid] = recording;
}

void Appliance::append_log(const std::string& text) {
  tick();
  store_.logs.push_back({now(), text});
}

// ---- users, clients, sessions

void Appliance::login(const std::string& user_id) {
  tick();
  if (!serves_site())
    throw ModelError("", name() + " does not serve the site; log in to the primary");
  if (!store_.users.contains(user_id))
    throw ModelError("", "no user '" + user_id + "' on " + name());
  logged_in_.insert(user_id);
}

void Appliance::logout(const std::string& user_id) {
  tick();
  if (logged_in_.erase(user_id) == 0)
    throw ModelError("", "user '" + user_id + "' is not logged in to " + name());
}

void Appliance::terminate_everyone(const std::string& why) {
  for (const auto& lsid : active_) {
    auto& r = store_.sessions.at(lsid);
    r.end = now();
    r.terminated = true;
  }
  if (!active_.empty() || !logged_in_.empty())
    event("terminated " + std::to_string(active_.size()) + " active session(s) and " +
          std::to_string(logged_in_.size()) + " logged-in user(s): " + why);
  active_.clear();
  logged_in_.clear();
}

ClientState Appliance::connect_client(Client& client) {
  tick();
  client.connected_to.clear();
  if (!serves_site()) {
    client.state = ClientState::offline;
    return client.state;
  }
  const auto& site = config_.software;
  if (client.build == site) {
    client.state = ClientState::online;
  } else if (client.build.version > site.version) {
    client.state = ClientState::waiting_for_appliance;  // pre-staged MSI (R12)
  } else if (client.deployment == Deployment::msi) {
    client.state = ClientState::needs_redeploy;  // locked down: cannot upgrade itself (R12)
  } else {
    event(std::string(to_string(client.kind)) + " " + client.id +
          " upgraded itself on connect: " + client.build.str() + " -> " + site.str());
    client.build = site;  // R11: upgrades on first connect
    client.state = ClientState::online;
  }
  if (client.state == ClientState::online) client.connected_to = name();
  return client.state;
}

std::string Appliance::start_session(const Client& console, const Client& jump_client) {
  tick();
  if (!serves_site()) throw ModelError("R04", name() + " does not serve the site now");
  auto check = [&](const Client& c, ClientKind kind) {
    if (c.kind != kind) throw ModelError("", c.id + " is not a " + std::string(to_string(kind)));
    if (c.state != ClientState::online || c.connected_to != name())
      throw ModelError("R11", std::string(to_string(kind)) + " " + c.id + " is not online with " +
                                  name() + " (state " + std::string(to_string(c.state)) + ")");
  };
  check(console, ClientKind::representative_console);
  check(jump_client, ClientKind::jump_client);
  // The product's lsid is 32 hex digits. Derived from this appliance's GUID
  // and a counter, so a run is repeatable and the two appliances never clash.
  auto lsid_for = [&](std::size_t n) {
    const auto d =
        crypto::sha256(crypto::as_bytes(config_.identity.guid + "/" + std::to_string(n)));
    return to_hex(crypto::ByteView(d.data(), 16));
  };
  std::size_t n = store_.sessions.size() + 1;
  while (store_.sessions.contains(lsid_for(n))) ++n;
  const std::string lsid = lsid_for(n);
  store_.sessions[lsid] =
      SessionRecord{lsid, name(), now(), std::nullopt, false, console.id, jump_client.id};
  active_.insert(lsid);
  return lsid;
}

void Appliance::end_session(const std::string& lsid) {
  tick();
  if (active_.erase(lsid) == 0)
    throw ModelError("", "no active session '" + lsid + "' on " + name());
  store_.sessions.at(lsid).end = now();
}

void Appliance::terminate_session(const std::string& lsid) {
  tick();
  if (active_.erase(lsid) == 0)
    throw ModelError("", "no active session '" + lsid + "' on " + name());
  auto& r = store_.sessions.at(lsid);
  r.end = now();
  r.terminated = true;
}

std::vector<SessionRecord> Appliance::integration_extract() const {
  if (!serves_site())
    throw ModelError("R14", "the Integration Client cannot extract data from " + name() +
                                ": it does not serve the site (" + std::string(to_string(state_)) +
                                ", " + std::string(to_string(role_)) + ")");
  std::vector<SessionRecord> out;
  for (const auto& [_, r] : store_.sessions)
    if (r.end) out.push_back(r);
  return out;
}

}  // namespace failover_hil::sim
