// Appliance: the failover relationship, syncs, roles and the peer channel
// (R02, R03, R13, R15-R21).
#include <type_traits>
#include <utility>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"
#include "failover_hil/sim/model/appliance.hpp"
#include "failover_hil/sim/model/errors.hpp"
#include "overload.hpp"

namespace failover_hil::sim {

using detail::Overload;

void Appliance::send(Pending kind, PeerRequest request, std::optional<ConnectionDetails> to) {
  if (!to) to = establishing_ ? establishing_->backup : peer_.value_or(ConnectionDetails{});
  const auto id = next_message_id_++;
  pending_[id] = kind;
  outbox_.push_back({id, std::move(request), std::move(*to)});
}

std::vector<Outbound> Appliance::take_outbox() {
  tick();
  return std::exchange(outbox_, {});
}

std::string Appliance::key_proof(std::string_view label, std::string_view nonce_hex,
                                 std::string_view guid) const {
  const std::string msg =
      std::string(label) + "|" + std::string(nonce_hex) + "|" + std::string(guid);
  return to_hex(crypto::hmac_sha256(config_.inter_appliance_key, crypto::as_bytes(msg)));
}

void Appliance::set_role(FailoverRole role, const std::string& why) {
  if (role == role_) return;
  event("failover role " + std::string(to_string(role_)) + " -> " + std::string(to_string(role)) +
        " (" + why + ")");
  role_ = role;
}

void Appliance::set_shared_ip(bool enabled) {
  tick();
  require_running(enabled ? "enabling the shared IP" : "disabling the shared IP");
  note_action(enabled ? "enabling the shared IP" : "disabling the shared IP");
  if (shared_ip_enabled_ == enabled) return;
  shared_ip_enabled_ = enabled;
  event(std::string("shared IP ") + config_.identity.shared_ip +
        (enabled ? " enabled" : " disabled"));
}

std::vector<std::string> Appliance::establish(const EstablishParams& params) {
  tick();
  require_running("Establish Relationship");
  require_manageable("establish a relationship");
  if (role_ != FailoverRole::none)
    throw ModelError("R18", name() + " is already " + std::string(to_string(role_)) +
                                " of a relationship; break it first");
  for (const auto* d : {&params.backup, &params.reverse}) {
    if (d->host.empty() || d->port == 0)
      throw ModelError("R18", "connection details need a hostname or IP and a TLS port");
  }
  note_action("establishing a failover relationship");
  std::vector<std::string> warnings;
  for (const auto* d : {&params.backup, &params.reverse}) {
    if (d->host == config_.identity.shared_ip || d->host == config_.identity.hostname)
      warnings.push_back("R18: '" + d->host +
                         "' is the shared IP or site hostname; use each "
                         "appliance's unique IP so either can always reach the other");
  }
  for (const auto& w : warnings) event("warning: " + w);
  establishing_ = params;
  last_peer_error_.clear();
  std::uniform_int_distribution<int> byte(0, 255);
  crypto::Bytes nonce(16);
  for (auto& b : nonce) b = static_cast<std::uint8_t>(byte(rng_));
  establish_nonce_ = to_hex(nonce);
  send(Pending::establish,
       EstablishHello{config_.identity.guid, name(), config_.software, establish_nonce_,
                      key_proof("establish", establish_nonce_, config_.identity.guid),
                      params.reverse, config_.atlas});
  event("establishing a relationship with " + params.backup.host + ":" +
        std::to_string(params.backup.port));
  return warnings;
}

PeerResponse Appliance::on_hello(const EstablishHello& h) {
  auto refuse = [&](const std::string& rule, const std::string& why) -> PeerResponse {
    last_peer_error_ = (rule.empty() ? "" : rule + ": ") + why;
    event("refused a relationship with " + h.primary_name + ": " + last_peer_error_);
    return PeerError{last_peer_error_};
  };
  if (state_ != OperatingState::running)
    return refuse("", name() + " is " + std::string(to_string(state_)));
  if (role_ != FailoverRole::none) return refuse("R18", name() + " is already in a relationship");
  const auto expect = key_proof("establish", h.nonce_hex, h.primary_guid);
  if (!crypto::equal_ct(crypto::as_bytes(expect), crypto::as_bytes(h.proof_hex)))
    return refuse("R17", "the Inter-Appliance keys of " + h.primary_name + " and " + name() +
                             " differ; copy one key to the other (/login > Management > Security)");
  if (h.software.version != config_.software.version)
    return refuse("R17", "software versions differ: " + h.primary_name + " runs " +
                             h.software.version.str() + ", " + name() + " runs " +
                             config_.software.version.str() + "; update one to match");
  if (h.software.build != config_.software.build)
    return refuse("R17", "software builds differ: " + h.primary_name + " runs build " +
                             h.software.build + ", " + name() + " runs build " +
                             config_.software.build);
  // R19: the backup's management is restricted from here on (role backup).
  set_role(FailoverRole::backup, "relationship established by " + h.primary_name);
  peer_ = h.reverse;
  terminate_everyone("became the backup");
  if (h.primary_atlas == AtlasRole::primary_node) {
    config_.atlas = AtlasRole::backup_primary_node;  // R21
    event("R21: now the Atlas cluster's backup primary node");
  }
  last_peer_error_.clear();
  return EstablishAccept{config_.identity.guid, name(), config_.software,
                         key_proof("accept", h.nonce_hex, config_.identity.guid)};
}

void Appliance::on_accept(const EstablishAccept& a) {
  const auto params = *std::exchange(establishing_, std::nullopt);
  const auto expect = key_proof("accept", establish_nonce_, a.backup_guid);
  if (!crypto::equal_ct(crypto::as_bytes(expect), crypto::as_bytes(a.proof_hex))) {
    last_peer_error_ = "R17: " + a.backup_name + " could not prove the same Inter-Appliance key";
    event("relationship refused: " + last_peer_error_);
    send(Pending::break_notice, BreakNotice{}, params.backup);
    return;
  }
  if (!(a.software == config_.software)) {
    last_peer_error_ = "R17: " + a.backup_name + " runs " + a.software.str() + ", " + name() +
                       " runs " + config_.software.str();
    event("relationship refused: " + last_peer_error_);
    send(Pending::break_notice, BreakNotice{}, params.backup);
    return;
  }
  peer_ = params.backup;
  set_role(FailoverRole::primary, "relationship established with " + a.backup_name);
  sync_.scheduled = now() + config_.timing.first_sync_delay;  // R19
  event("first sync scheduled in " + format_duration(config_.timing.first_sync_delay));
}

void Appliance::sync_now() {
  tick();
  require_running("Sync Now");
  note_action("Sync Now");
  if (role_ != FailoverRole::primary)
    throw ModelError("R02", "Sync Now pulls data from the primary; " + name() + " is " +
                                std::string(to_string(role_)));
  if (sync_.in_progress) return;  // already syncing: Sync Now adds nothing
  sync_.scheduled.reset();
  start_sync();
}

void Appliance::start_sync() {
  sync_.in_progress = true;
  auto d = config_.timing.sync.at(store_.stored_bytes());
  if (sync_faults_.slowdown > 1.0)
    d = Duration{
        static_cast<Duration::rep>(static_cast<double>(d.count()) * sync_faults_.slowdown)};
  sync_due_ = now() + d;
  if (config_.defect_sync_sends_start_snapshot) sync_snapshot_ = store_;
  event("sync started, expected " + format_duration(d));
}

void Appliance::finish_sync(const SyncAck& ack) {
  // The planted defect: the primary's records go back to the snapshot.
  if (sync_snapshot_) store_.sessions = std::exchange(sync_snapshot_, std::nullopt)->sessions;
  merge_sessions(store_, ack.primary_lacks);  // R15
  sync_.in_progress = false;
  sync_.last_sync = now();
  sync_.last_status = "success";
  event("sync finished (" + std::to_string(ack.primary_lacks.size()) +
        " session record(s) merged back from the backup)");
  if (swap_ && swap_->after_sync) {
    swap_.reset();
    set_role(FailoverRole::backup, "role change after data sync");
    send(Pending::role_change, RoleChange{FailoverRole::primary});
  }
}

void Appliance::fail_sync(const std::string& why) {
  sync_snapshot_.reset();
  sync_.in_progress = false;
  sync_due_.reset();
  sync_.last_status = "failed: " + why;
  event("sync failed: " + why);
  if (swap_ && swap_->after_sync) {
    swap_.reset();
    last_peer_error_ = "role change cancelled: the data sync failed (" + why + ")";
    event(last_peer_error_);
  }
}

void Appliance::break_relationship() {
  tick();
  require_running("Break Failover Relationship");
  note_action("Break Failover Relationship");
  if (role_ == FailoverRole::none)
    throw ModelError("R03", name() + " is not in a failover relationship");
  if (sync_.in_progress)
    throw ModelError("R03", "a sync is in progress on " + name() +
                                "; wait until it has finished before breaking the relationship");
  send(Pending::break_notice, BreakNotice{});  // to the peer, before forgetting it
  set_role(FailoverRole::none, "Break Failover Relationship");
  peer_.reset();
  sync_.scheduled.reset();
}

std::string Appliance::set_failover_role(FailoverRole role, bool data_sync_first, bool force) {
  tick();
  require_running("set_failover_role");
  require_no_swap("set_failover_role");
  note_action("set_failover_role");
  if (role == FailoverRole::none) throw ModelError("", "role must be primary or backup");
  if (role_ == FailoverRole::none)
    throw ModelError("", name() + " is not in a failover relationship");
  if (force && !(role_ == FailoverRole::primary && role == FailoverRole::backup))
    throw ModelError("", "force applies only when asking the primary to become the backup");
  if (role == role_) return "Successfully changed role.";
  last_peer_error_.clear();
  if (role == FailoverRole::backup && data_sync_first) {
    terminate_everyone("data_sync_first: users are disconnected until the swap completes");
    swap_ = RoleSwap{role, force, true};
    if (!sync_.in_progress) start_sync();
    return "Successfully started data sync. Role change will occur upon successful completion.";
  }
  // One side after the other: demote first, so both may briefly be backup.
  swap_ = RoleSwap{role, force, false};
  if (role == FailoverRole::backup) {
    set_role(FailoverRole::backup, "set_failover_role");
    send(Pending::role_change, RoleChange{FailoverRole::primary});
  } else {
    send(Pending::role_change, RoleChange{FailoverRole::backup});
  }
  return "Successfully changed role.";
}

PeerResponse Appliance::handle_peer(const PeerRequest& request) {
  tick();
  return std::visit(
      Overload{[&](const EstablishHello& h) -> PeerResponse { return on_hello(h); },
               [&](const SyncData& d) -> PeerResponse {
                 if (role_ != FailoverRole::backup)
                   return PeerError{name() + " is not a backup; it takes no sync"};
                 auto lacks = apply_sync(store_, d.store);  // R20 overwrite, R15 merge
                 sync_.last_sync = now();
                 sync_.last_status = "success";
                 event("sync received from the primary (" + std::to_string(store_.sessions.size()) +
                       " session records now)");
                 return SyncAck{std::move(lacks)};
               },
               [&](const RoleChange& c) -> PeerResponse {
                 if (role_ == FailoverRole::none) return PeerError{name() + " has no relationship"};
                 if (c.role == FailoverRole::backup) terminate_everyone("became the backup");
                 set_role(c.role, "asked by the peer");
                 return PeerOk{};
               },
               [&](const BreakNotice&) -> PeerResponse {
                 set_role(FailoverRole::none, "the peer broke the relationship");
                 peer_.reset();
                 sync_ = {sync_.in_progress, sync_.last_sync, sync_.last_status, std::nullopt};
                 return PeerOk{};
               }},
      request);
}

void Appliance::on_peer_response(std::uint64_t id, const PeerResponse& response) {
  const auto it = pending_.find(id);
  if (it == pending_.end()) return;  // a late answer to something already settled
  const Pending kind = it->second;
  pending_.erase(it);
  if (const auto* err = std::get_if<PeerError>(&response)) {
    if (kind == Pending::sync) return fail_sync(err->message);
    if (kind == Pending::establish) establishing_.reset();
    if (kind == Pending::role_change && swap_) {
      if (swap_->target == FailoverRole::backup) set_role(FailoverRole::primary, "peer refused");
      swap_.reset();
    }
    last_peer_error_ = err->message;
    event("the peer refused: " + err->message);
    return;
  }
  switch (kind) {
    case Pending::establish:
      if (const auto* a = std::get_if<EstablishAccept>(&response)) on_accept(*a);
      return;
    case Pending::sync:
      if (const auto* a = std::get_if<SyncAck>(&response)) finish_sync(*a);
      return;
    case Pending::role_change:
      if (swap_ && swap_->target == FailoverRole::primary)
        set_role(FailoverRole::primary, "set_failover_role");
      swap_.reset();
      return;
    case Pending::break_notice:
      return;
  }
}

void Appliance::on_peer_unreachable(std::uint64_t id) {
  const auto it = pending_.find(id);
  if (it == pending_.end()) return;
  const Pending kind = it->second;
  pending_.erase(it);
  const std::string where = peer_ ? peer_->host + ":" + std::to_string(peer_->port) : "the peer";
  switch (kind) {
    case Pending::establish:
      last_peer_error_ = "cannot reach the backup at " + establishing_->backup.host + ":" +
                         std::to_string(establishing_->backup.port);
      establishing_.reset();
      event("establish failed: " + last_peer_error_);
      return;
    case Pending::sync:
      return fail_sync("peer " + where + " unreachable");
    case Pending::role_change:
      if (swap_ && swap_->target == FailoverRole::backup && !swap_->force) {
        // Without force the pair must end with exactly one primary.
        set_role(FailoverRole::primary, "role change cancelled");
        last_peer_error_ = "role change cancelled: " + where +
                           " is unreachable and the pair would have no primary; use force";
      } else if (swap_ && swap_->target == FailoverRole::primary) {
        set_role(FailoverRole::primary, "peer unreachable: taking over");
      }
      swap_.reset();
      return;
    case Pending::break_notice:
      return;
  }
}

}  // namespace failover_hil::sim
