// The backup import's reader (open_backup, behind Appliance::import_backup
// and the backup API). The first byte picks what the rest is: the whole
// file (header, lengths, AEAD), or the plaintext, sealed here with a known
// key so that the contents parser behind the AEAD is reached too. A
// MalformedInput or ModelError, never a crash.
#include <exception>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/sim/model/backup.hpp"
#include "fuzz_input.hpp"

namespace {

const std::vector<std::uint8_t> kKey(32, 0x42);

/// The file open_backup reads (sim/model/backup.cpp): magic, kdf 0 (raw
/// key), iterations, salt, iv, length, then the sealed plaintext.
std::vector<std::uint8_t> sealed_file(const std::uint8_t* plain, std::size_t size) {
  using namespace failover_hil;
  std::vector<std::uint8_t> out{'F', 'H', 'I', 'L', 'B', 'K', '1', '\n', 0, 0, 0, 0, 1};
  out.resize(out.size() + 16 + 12, 0x11);
  const auto sealed_size = static_cast<std::uint64_t>(size) + 16;
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(sealed_size >> (8 * i)));
  const std::vector<std::uint8_t> iv(12, 0x11);
  const auto sealed = crypto::aes256gcm_seal(kKey, iv, out, crypto::ByteView(plain, size));
  out.insert(out.end(), sealed.begin(), sealed.end());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace failover_hil;
  if (size == 0) return 0;
  const auto secret = sim::BackupSecret::key(kKey);
  try {
    const auto bytes =
        data[0] & 1 ? sealed_file(data + 1, size - 1) : fuzz::as_bytes(data + 1, size - 1);
    (void)sim::open_backup(bytes, secret);
  } catch (const std::exception&) {
  }
  return 0;
}
