#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "failover_hil/core/clock.hpp"
#include "failover_hil/sim/model/store.hpp"
#include "failover_hil/sim/model/version.hpp"

namespace failover_hil::sim {

/// What protects a backup at rest: a raw 32-byte key or a password
/// (PBKDF2-HMAC-SHA256 turns it into a key).
class BackupSecret {
 public:
  static BackupSecret key(std::vector<std::uint8_t> key32);
  static BackupSecret password(std::string password);
  bool is_password() const noexcept { return is_password_; }
  const std::vector<std::uint8_t>& key_bytes() const noexcept { return key_; }
  const std::string& password_text() const noexcept { return password_; }

 private:
  bool is_password_ = false;
  std::vector<std::uint8_t> key_;
  std::string password_;
};

/// What a backup holds, as the product's /api/backup does: configuration and
/// logged data; the file store's small files (< 200 KB, at most 50); no recordings.
struct BackupContents {
  std::string appliance_guid;
  std::string appliance_name;
  Version base;
  SoftwareRelease software;
  TimePoint created;
  DataStore store;
};

/// An exported backup: the encrypted file and the SHA-256 of its bytes (R01).
struct BackupFile {
  std::vector<std::uint8_t> bytes;
  std::string sha256_hex;
};

inline constexpr std::uint64_t kBackupMaxFileBytes = 200 * 1024;
inline constexpr std::size_t kBackupMaxFiles = 50;

/// The part of a store a backup carries (see BackupContents).
DataStore backup_subset(const DataStore& store);

/// How a backup is sealed. By default its salt and IV are random and PBKDF2
/// runs 200,000 rounds; the in-process engine passes a seeded source (one
/// seed, one file) and fewer rounds (open_backup accepts 10,000 and up).
struct SealParams {
  std::function<std::vector<std::uint8_t>(std::size_t)> random_bytes;  ///< empty: the system's
  std::uint32_t iterations = 200'000;
};

/// Encrypts with AES-256-GCM; the header is authenticated too.
BackupFile seal_backup(const BackupContents& contents, const BackupSecret& secret,
                       const SealParams& params = {});

/// Decrypts and parses. Throws MalformedInput (offset) for a truncated or
/// garbled file, ModelError for a wrong key/password or a modified file.
BackupContents open_backup(const std::vector<std::uint8_t>& bytes, const BackupSecret& secret);

}  // namespace failover_hil::sim
