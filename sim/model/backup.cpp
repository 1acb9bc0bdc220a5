#include "failover_hil/sim/model/backup.hpp"

#include <boost/json.hpp>
#include <stdexcept>

#include "failover_hil/core/byte_reader.hpp"
#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"
#include "failover_hil/sim/model/errors.hpp"

namespace json = boost::json;

namespace failover_hil::sim {

namespace {

// Layout: magic(8) | kdf(1) | iterations(4) | salt(16) | iv(12) | length(8) | sealed.
// Everything before `sealed` is the AEAD's associated data.
constexpr std::string_view kMagic{"FHILBK1\n", 8};
constexpr std::uint8_t kKdfRawKey = 0;
constexpr std::uint8_t kKdfPbkdf2 = 1;
constexpr std::uint32_t kMinIterations = 10'000;
constexpr std::uint32_t kMaxIterations = 10'000'000;
constexpr std::size_t kSaltLen = 16;
constexpr std::size_t kIvLen = 12;

void put_be(std::vector<std::uint8_t>& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

crypto::Digest derive(const BackupSecret& s, crypto::ByteView salt, std::uint32_t iterations) {
  if (s.is_password()) return crypto::pbkdf2_sha256(s.password_text(), salt, iterations);
  crypto::Digest k{};
  std::copy(s.key_bytes().begin(), s.key_bytes().end(), k.begin());
  return k;
}

}  // namespace

BackupSecret BackupSecret::key(std::vector<std::uint8_t> key32) {
  if (key32.size() != 32)
    throw ModelError("R01", "a backup key must be 32 bytes (64 hex digits), got " +
                                std::to_string(key32.size()) + " bytes");
  BackupSecret s;
  s.key_ = std::move(key32);
  return s;
}

BackupSecret BackupSecret::password(std::string password) {
  // Any length: the product documents no rule, and its example is "abc".
  BackupSecret s;
  s.is_password_ = true;
  s.password_ = std::move(password);
  return s;
}

DataStore backup_subset(const DataStore& store) {
  DataStore out = store;
  out.recordings.clear();
  out.files.clear();
  for (const auto& [path, f] : store.files) {
    if (out.files.size() == kBackupMaxFiles) break;
    if (f.size_bytes < kBackupMaxFileBytes) out.files.emplace(path, f);
  }
  return out;
}

BackupFile seal_backup(const BackupContents& c, const BackupSecret& secret,
                       const SealParams& params) {
  if (params.iterations < kMinIterations || params.iterations > kMaxIterations)
    throw std::invalid_argument("backup: PBKDF2 rounds out of range");
  const auto random = [&](std::size_t n) {
    return params.random_bytes ? params.random_bytes(n) : crypto::random_bytes(n);
  };
  const json::object doc{{"appliance_guid", c.appliance_guid},
                         {"appliance_name", c.appliance_name},
                         {"base", c.base.str()},
                         {"software", c.software.version.str()},
                         {"build", c.software.build},
                         {"created_ms", c.created.time_since_epoch().count()},
                         {"store", to_json(backup_subset(c.store))}};
  const std::string plain = json::serialize(doc);

  std::vector<std::uint8_t> out(kMagic.begin(), kMagic.end());
  out.push_back(secret.is_password() ? kKdfPbkdf2 : kKdfRawKey);
  put_be(out, secret.is_password() ? params.iterations : 0, 4);
  const auto salt = random(kSaltLen);
  const auto iv = random(kIvLen);
  out.insert(out.end(), salt.begin(), salt.end());
  out.insert(out.end(), iv.begin(), iv.end());
  const auto key = derive(secret, salt, params.iterations);
  const auto sealed_len = plain.size() + 16;
  put_be(out, sealed_len, 8);
  const auto sealed = crypto::aes256gcm_seal(key, iv, out, crypto::as_bytes(plain));
  out.insert(out.end(), sealed.begin(), sealed.end());
  return {out, to_hex(crypto::sha256(out))};
}

BackupContents open_backup(const std::vector<std::uint8_t>& bytes, const BackupSecret& secret) {
  ByteReader r(bytes, "backup file");
  r.expect(kMagic, "magic (not a failover-hil backup file)");
  const auto kdf = r.u8();
  if (kdf != kKdfRawKey && kdf != kKdfPbkdf2)
    r.fail("unknown key derivation " + std::to_string(kdf));
  if ((kdf == kKdfPbkdf2) != secret.is_password())
    throw ModelError("R01", std::string("this backup is protected by a ") +
                                (kdf == kKdfPbkdf2 ? "password" : "key") + ", but a " +
                                (secret.is_password() ? "password" : "key") + " was given");
  const auto iterations = r.u32be();
  if (kdf == kKdfPbkdf2 && (iterations < kMinIterations || iterations > kMaxIterations))
    r.fail("implausible PBKDF2 iteration count " + std::to_string(iterations));
  const auto salt = r.bytes(kSaltLen);
  const auto iv = r.bytes(kIvLen);
  const auto sealed_len = r.u64be();
  const std::size_t header_len = r.offset();
  if (sealed_len != r.remaining())
    r.fail("length field says " + std::to_string(sealed_len) + " bytes follow, the file has " +
           std::to_string(r.remaining()) + " (truncated or padded)");
  const auto sealed = r.rest();
  const auto key = derive(secret, salt, iterations);
  crypto::Bytes plain;
  try {
    plain = crypto::aes256gcm_open(key, iv, crypto::ByteView(bytes).first(header_len), sealed);
  } catch (const crypto::CryptoError&) {
    throw ModelError("R01",
                     "the backup does not decrypt: the key or password is wrong, or the file was "
                     "modified; use the secret it was made with, or the copy whose SHA-256 was "
                     "recorded");
  }
  boost::system::error_code ec;
  const auto doc =
      json::parse(std::string_view(reinterpret_cast<const char*>(plain.data()), plain.size()), ec);
  if (ec || !doc.is_object())
    throw MalformedInput("backup contents", header_len, "not a JSON object");
  const auto& o = doc.get_object();
  auto text = [&](const char* k) {
    const auto* v = o.if_contains(k);
    if (!v || !v->is_string())
      throw MalformedInput("backup contents", header_len, std::string("missing ") + k);
    return std::string(v->get_string());
  };
  const auto* created = o.if_contains("created_ms");
  const auto* store = o.if_contains("store");
  if (!created || !created->is_int64() || !store)
    throw MalformedInput("backup contents", header_len, "missing created_ms or store");
  BackupContents c;
  c.appliance_guid = text("appliance_guid");
  c.appliance_name = text("appliance_name");
  c.base = Version::parse(text("base"));
  c.software = {Version::parse(text("software")), text("build")};
  c.created = TimePoint{Duration{created->get_int64()}};
  c.store = store_from_json(*store);
  return c;
}

}  // namespace failover_hil::sim
