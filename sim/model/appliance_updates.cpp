// Appliance: backups (R01), updates and installs (R04-R10), restarts (R07).
#include <algorithm>

#include "failover_hil/sim/model/appliance.hpp"
#include "failover_hil/sim/model/errors.hpp"

namespace failover_hil::sim {

namespace {
const Version kDownloadKeyMinBase{3, 3, 2};

std::string percent(double p) {
  return std::to_string(static_cast<int>(p * 100.0 + 0.5)) + "%";
}
}  // namespace

BackupFile Appliance::export_backup(const BackupSecret& secret, const SealParams& params) {
  tick();
  require_running("Download Backup");
  auto file =
      seal_backup({config_.identity.guid, name(), config_.base, config_.software, now(), store_},
                  secret, params);
  if (!pending_dependents_.empty()) fresh_backup_since_base_ = true;
  event("backup downloaded (" + std::to_string(file.bytes.size()) + " bytes, sha256 " +
        file.sha256_hex.substr(0, 16) + "...)");
  return file;
}

void Appliance::import_backup(const std::vector<std::uint8_t>& bytes, const BackupSecret& secret) {
  tick();
  require_running("restoring a backup");
  require_manageable("restore backups");
  auto contents = open_backup(bytes, secret);  // throws before anything changes
  // A backup carries no recordings and only small files: keep the ones we hold.
  contents.store.recordings = store_.recordings;
  for (const auto& [path, f] : store_.files) contents.store.files.try_emplace(path, f);
  store_ = std::move(contents.store);
  event("backup of " + contents.appliance_name + " taken " + format_rfc3339(contents.created) +
        " restored");
}

UpdateCheck Appliance::check_for_updates() {
  tick();
  require_running("Check for updates");
  if (role_ != FailoverRole::none)
    throw ModelError("R08", "automatic updates are not offered to " + name() +
                                ": it is in a failover relationship (" +
                                std::string(to_string(role_)) +
                                "); break the relationship first, or update manually");
  if (config_.atlas != AtlasRole::none)
    throw ModelError("R08", "automatic updates are not offered to " + name() +
                                ": it is part of an Atlas deployment; update manually");
  return {config_.identity.guid, config_.base, config_.software};
}

void Appliance::set_available_updates(std::vector<UpdateInfo> updates) {
  tick();
  available_ = std::move(updates);
  event("Available Updates: " + std::to_string(available_.size()) + " update(s)");
}

std::string Appliance::take_update_for_install(const std::string& update_id) {
  tick();
  require_running("Install This Update");
  auto it = std::find_if(available_.begin(), available_.end(),
                         [&](const UpdateInfo& u) { return u.id == update_id; });
  if (it == available_.end())
    throw ModelError("R10", "update '" + update_id + "' is not under Available Updates of " +
                                name() +
                                "; check for updates (a downloaded update is not offered "
                                "again: ask support to download it again)");
  available_.erase(it);  // R10: once downloaded it no longer appears
  return update_id;
}

std::string Appliance::download_key() const {
  if (config_.base < kDownloadKeyMinBase)
    throw ModelError("R09", name() + " runs Base " + config_.base.str() +
                                "; the Appliance Download Key exists from Base 3.3.2 on: ask "
                                "support for a key");
  return make_download_key(config_.identity.guid);
}

void Appliance::install_file(const std::vector<std::uint8_t>& bytes) {
  tick();
  require_running("Update Software");
  // Verify everything before anything changes.
  const UpdateFile file = read_update_file(bytes, config_.vendor_public_key, config_.identity.guid);
  const UpdateInfo& u = file.info;
  for (const auto& req : u.requires_ids) {
    if (!installed_.contains(req))
      throw ModelError("R06", "software update '" + u.id + "' depends on Base update '" + req +
                                  "'; install that Base update first");
  }
  if (u.kind == UpdateKind::base ? !(u.base > config_.base)
                                 : !(u.software.version > config_.software.version))
    throw ModelError("", name() + " already runs " +
                             (u.kind == UpdateKind::base ? "Base " + config_.base.str()
                                                         : config_.software.str()) +
                             ", not older than " + u.target());

  const bool dependent = std::find(pending_dependents_.begin(), pending_dependents_.end(), u.id) !=
                         pending_dependents_.end();
  if (dependent && !fresh_backup_since_base_)
    violate("R06", "no backup was downloaded from " + name() +
                       " between the Base update and "
                       "its dependent software update '" +
                       u.id + "'");
  if (!dependent) note_action("installing '" + u.id + "'");

  terminate_everyone("installing " + u.target() + " (R04)");
  const auto duration = config_.timing.install.at(store_.stored_bytes());
  auto faults = install_faults_;
  install_faults_ = {};
  if (faults.disk_free_bytes && *faults.disk_free_bytes < u.size_bytes)
    faults.fail_at_progress =
        static_cast<double>(*faults.disk_free_bytes) / static_cast<double>(u.size_bytes);
  else
    faults.disk_free_bytes.reset();  // room enough: the install goes on
  install_ = Install{u, now(), duration, faults};
  state_ = OperatingState::installing;
  event("installing " + u.target() + " (" + u.id + "), expected " + format_duration(duration) +
        " for " + std::to_string(store_.stored_bytes() >> 20) + " MiB of stored data");
}

void Appliance::settle_install() {
  const auto& in = *install_;
  if (in.faults.fail_at_progress) {
    fail_install(*in.faults.fail_at_progress);
  } else {
    finish_install();
  }
}

void Appliance::finish_install() {
  const UpdateInfo u = install_->update;
  install_.reset();
  state_ = OperatingState::running;
  installed_.insert(u.id);
  if (u.kind == UpdateKind::base) {
    config_.base = u.base;
    pending_dependents_ = u.dependents;
    fresh_backup_since_base_ = false;
  } else {
    config_.software = u.software;
    std::erase(pending_dependents_, u.id);
  }
  event("install finished: now Base " + config_.base.str() + ", software " +
        config_.software.str());
  if (!pending_dependents_.empty())
    event("R06: download a backup and install the dependent software update at once");
}

void Appliance::fail_install(double at) {
  const UpdateInfo u = install_->update;
  const auto free = install_->faults.disk_free_bytes;
  install_.reset();
  const std::string why = free ? " (no space left on device: " + std::to_string(*free >> 20) +
                                     " MiB were free, " + std::to_string(u.size_bytes >> 20) +
                                     " MiB needed)"
                               : "";
  if (u.kind == UpdateKind::base) {
    state_ = OperatingState::base_update_failed;
    event("Base update '" + u.id + "' failed at " + percent(at) + why +
          ": do not restart the appliance; contact support (R07)");
  } else {
    state_ = OperatingState::running;
    event("software update '" + u.id + "' failed at " + percent(at) + why + "; still running " +
          config_.software.str());
  }
}

void Appliance::restart() {
  tick();
  switch (state_) {
    case OperatingState::unrecoverable:
      throw ModelError("R07", name() + " is unrecoverable; contact support");
    case OperatingState::base_update_failed:
      state_ = OperatingState::unrecoverable;
      violate("R07", name() +
                         " was restarted after an issue in its Base update and is now "
                         "unrecoverable");
      return;
    case OperatingState::installing:
      if (install_->update.kind == UpdateKind::base) {
        install_.reset();
        state_ = OperatingState::unrecoverable;
        violate("R07", name() + " was restarted during a Base update and is now unrecoverable");
        return;
      }
      install_.reset();
      state_ = OperatingState::running;
      event("restarted during a software install; the install was abandoned");
      return;
    case OperatingState::running:
      note_action("restart");
      terminate_everyone("restart");
      event("restarted");
      return;
  }
}

void Appliance::support_recover() {
  tick();
  if (state_ != OperatingState::base_update_failed)
    throw ModelError("", name() + " has no failed Base update to recover (" +
                             std::string(to_string(state_)) + ")");
  state_ = OperatingState::running;
  event("support recovered the failed Base update; running Base " + config_.base.str());
}

}  // namespace failover_hil::sim
