#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "failover_hil/core/clock.hpp"
#include "failover_hil/sim/model/roles.hpp"
#include "failover_hil/sim/model/store.hpp"
#include "failover_hil/sim/model/version.hpp"

/// Messages of the inter-appliance channel. The model produces and consumes
/// them; who carries them (a function call, or TLS between two processes) is
/// not the model's business.
namespace failover_hil::sim {

/// A host (name or IP) and TLS port, as the Failover page asks for them (R18).
struct ConnectionDetails {
  std::string host;
  std::uint16_t port = 443;
  bool operator==(const ConnectionDetails&) const = default;
};

/// Primary -> intended backup. `proof` is HMAC-SHA256(Inter-Appliance key,
/// "establish" | nonce | primary guid): the key itself never crosses (R17).
struct EstablishHello {
  std::string primary_guid;
  std::string primary_name;
  SoftwareRelease software;
  std::string nonce_hex;
  std::string proof_hex;
  ConnectionDetails reverse;  ///< how the backup reaches the primary
  AtlasRole primary_atlas = AtlasRole::none;
};

/// Backup -> primary: accepted, with the backup's own proof over the nonce.
struct EstablishAccept {
  std::string backup_guid;
  std::string backup_name;
  SoftwareRelease software;
  std::string proof_hex;
};

/// Primary -> backup: the data a sync carries (R20) and the primary's clock.
struct SyncData {
  DataStore store;
  TimePoint at;
};

/// Backup -> primary: session records the primary lacks, to merge (R15).
struct SyncAck {
  std::vector<SessionRecord> primary_lacks;
};

/// Asks the receiver to take `role` (primary or backup).
struct RoleChange {
  FailoverRole role = FailoverRole::none;
};

/// The sender broke the relationship; the receiver leaves it too.
struct BreakNotice {};

struct PeerOk {};
struct PeerError {
  std::string message;
};

using PeerRequest = std::variant<EstablishHello, SyncData, RoleChange, BreakNotice>;
using PeerResponse = std::variant<EstablishAccept, SyncAck, PeerOk, PeerError>;

/// A request waiting in an appliance's outbox, with the id its answer carries
/// and where it goes (the peer's connection details at the time it was sent).
struct Outbound {
  std::uint64_t id = 0;
  PeerRequest request;
  ConnectionDetails to;
};

}  // namespace failover_hil::sim
