#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "failover_hil/sim/model/version.hpp"

namespace failover_hil::sim {

enum class UpdateKind { base, software };
std::string_view to_string(UpdateKind k);

/// One update of the vendor's catalogue. A software update may depend on Base
/// updates (`requires`); a Base update lists the software updates it enables
/// (`dependents`), which must follow it at once (R06).
struct UpdateInfo {
  std::string id;
  UpdateKind kind = UpdateKind::software;
  Version base;              ///< the Base version a Base update installs
  SoftwareRelease software;  ///< the release a software update installs
  std::vector<std::string> requires_ids;
  std::vector<std::string> dependents;
  std::uint64_t size_bytes = 0;

  /// "Base 3.4.0" or "software 24.1.0 (b2)".
  std::string target() const;
};

/// A verified update file, bound to one appliance.
struct UpdateFile {
  UpdateInfo info;
  std::string appliance_guid;
};

/// Writes the signed file the update server hands out (Ed25519 over the body).
std::vector<std::uint8_t> write_update_file(const UpdateInfo& info,
                                            const std::string& appliance_guid,
                                            const std::vector<std::uint8_t>& signing_key);

/// Parses and verifies a file: MalformedInput for bytes that do not parse,
/// ModelError (R09) for a bad signature or a file meant for another appliance.
UpdateFile read_update_file(const std::vector<std::uint8_t>& bytes,
                            const std::vector<std::uint8_t>& vendor_public_key,
                            const std::string& appliance_guid);

}  // namespace failover_hil::sim
