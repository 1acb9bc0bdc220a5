#include "failover_hil/sim/model/update_server.hpp"

#include <algorithm>

#include "failover_hil/core/hex.hpp"
#include "failover_hil/sim/model/errors.hpp"

namespace failover_hil::sim {

namespace {
constexpr std::string_view kKeyPrefix = "ADK1-";

std::string key_check(const std::string& guid) {
  const auto d = crypto::sha256(crypto::as_bytes("appliance-download-key:" + guid));
  return to_hex(std::span(d).first(4));
}

bool newer(const UpdateInfo& u, const Version& base, const SoftwareRelease& sw) {
  return u.kind == UpdateKind::base ? u.base > base : u.software.version > sw.version;
}
}  // namespace

UpdateServer::UpdateServer(std::vector<UpdateInfo> catalogue, crypto::Ed25519KeyPair signing_key)
    : catalogue_(std::move(catalogue)), key_(std::move(signing_key)) {}

const UpdateInfo& UpdateServer::find(const std::string& id) const {
  auto it = std::find_if(catalogue_.begin(), catalogue_.end(),
                         [&](const UpdateInfo& u) { return u.id == id; });
  if (it == catalogue_.end())
    throw ModelError("", "the update server has no update '" + id + "'; check for updates again");
  return *it;
}

std::vector<UpdateInfo> UpdateServer::available(const UpdateCheck& check) const {
  std::vector<UpdateInfo> out;
  const auto it = downloaded_.find(check.appliance_guid);
  for (const auto& u : catalogue_) {
    const bool done = it != downloaded_.end() && it->second.contains(u.id);
    if (!done && newer(u, check.base, check.software)) out.push_back(u);
  }
  return out;
}

std::vector<std::uint8_t> UpdateServer::download(const std::string& guid, const std::string& id) {
  const auto& u = find(id);
  auto& done = downloaded_[guid];
  if (done.contains(id))
    throw ModelError("R10", "update '" + id + "' was already downloaded by appliance " + guid +
                                "; downloading it again needs the vendor's support");
  auto file = write_update_file(u, guid, key_.private_key);
  done.insert(id);
  return file;
}

std::vector<std::vector<std::uint8_t>> UpdateServer::files_for_key(std::string_view key,
                                                                   const Version& base,
                                                                   const SoftwareRelease& sw) {
  const auto guid = guid_of_download_key(key);
  std::vector<std::vector<std::uint8_t>> files;
  for (const auto& u : available({guid, base, sw})) files.push_back(download(guid, u.id));
  return files;
}

void UpdateServer::support_allow_redownload(const std::string& guid, const std::string& id) {
  find(id);
  downloaded_[guid].erase(id);
}

std::string make_download_key(const std::string& guid) {
  return std::string(kKeyPrefix) + guid + "-" + key_check(guid);
}

std::string guid_of_download_key(std::string_view key) {
  const auto bad = [&](const std::string& why) {
    return ModelError("R09", "'" + std::string(key.substr(0, 80)) +
                                 "' is not an Appliance Download Key (" + why +
                                 "); copy it again from /appliance > Updates");
  };
  if (!key.starts_with(kKeyPrefix)) throw bad("it must start with ADK1-");
  key.remove_prefix(kKeyPrefix.size());
  const auto dash = key.rfind('-');
  if (dash == std::string_view::npos) throw bad("no check digits");
  const std::string guid(key.substr(0, dash));
  if (guid.size() != 32 || !from_hex(guid)) throw bad("the GUID is not 32 hex digits");
  if (key.substr(dash + 1) != key_check(guid)) throw bad("check digits do not match");
  return guid;
}

}  // namespace failover_hil::sim
