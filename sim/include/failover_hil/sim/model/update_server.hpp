#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/sim/model/update.hpp"

namespace failover_hil::sim {

/// What an appliance tells the update server when it checks for updates.
struct UpdateCheck {
  std::string appliance_guid;
  Version base;
  SoftwareRelease software;
};

/// The vendor's update server as a pure model: the catalogue, the signing
/// key, and which appliance downloaded what (R10). Not thread-safe.
class UpdateServer {
 public:
  UpdateServer(std::vector<UpdateInfo> catalogue, crypto::Ed25519KeyPair signing_key);

  const std::vector<std::uint8_t>& public_key() const { return key_.public_key; }
  const std::vector<UpdateInfo>& catalogue() const { return catalogue_; }

  /// Updates newer than what the appliance runs that it has not downloaded yet.
  std::vector<UpdateInfo> available(const UpdateCheck& check) const;

  /// The signed file of one update for one appliance. Once only (R10): a
  /// second download throws until support re-enables it.
  std::vector<std::uint8_t> download(const std::string& appliance_guid,
                                     const std::string& update_id);

  /// Manual updates (R09): the files an Appliance Download Key yields.
  /// Throws ModelError for a malformed key; files already downloaded are not
  /// handed out again (R10).
  std::vector<std::vector<std::uint8_t>> files_for_key(std::string_view download_key,
                                                       const Version& base,
                                                       const SoftwareRelease& software);

  /// Support's override of R10 for one appliance and update.
  void support_allow_redownload(const std::string& appliance_guid, const std::string& update_id);

 private:
  const UpdateInfo& find(const std::string& id) const;
  std::vector<UpdateInfo> catalogue_;
  crypto::Ed25519KeyPair key_;
  std::map<std::string, std::set<std::string>> downloaded_;  // guid -> update ids
};

/// The Appliance Download Key of an appliance: "ADK1-<guid>-<check>".
std::string make_download_key(const std::string& appliance_guid);
/// The GUID inside a key; throws ModelError (R09) when the key is malformed.
std::string guid_of_download_key(std::string_view key);

}  // namespace failover_hil::sim
