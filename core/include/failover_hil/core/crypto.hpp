#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

/// Thin, typed wrappers over OpenSSL 3 for the primitives the project needs.
/// Every function is thread-safe (OpenSSL 3 contexts are per call).
namespace failover_hil::crypto {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using Digest = std::array<std::uint8_t, 32>;

/// OpenSSL refused an operation; carries OpenSSL's own reason.
class CryptoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

ByteView as_bytes(std::string_view s);

Digest sha256(ByteView data);
/// SHA-256 of a file's bytes, read in pieces (captures can be large). Throws
/// CryptoError naming the file when it cannot be read.
Digest sha256_file(const std::string& path);
Digest hmac_sha256(ByteView key, ByteView data);
/// Constant-time comparison of two MACs or digests.
bool equal_ct(ByteView a, ByteView b);

/// Standard base64 (RFC 4648) with padding. Decoding returns the bytes as a
/// string and throws CryptoError on characters outside the alphabet.
std::string base64_encode(ByteView data);
std::string base64_decode(std::string_view text);

/// Cryptographically random bytes (salts, IVs, secrets).
Bytes random_bytes(std::size_t n);

/// PBKDF2-HMAC-SHA256, for turning a password into a 32-byte key.
Digest pbkdf2_sha256(std::string_view password, ByteView salt, unsigned iterations);

/// AES-256-GCM. `seal` returns ciphertext || 16-byte tag; `open` throws
/// CryptoError when the tag does not verify (wrong key or modified data).
Bytes aes256gcm_seal(ByteView key, ByteView iv, ByteView aad, ByteView plaintext);
Bytes aes256gcm_open(ByteView key, ByteView iv, ByteView aad, ByteView sealed);

/// Ed25519 key pair as raw 32-byte keys.
struct Ed25519KeyPair {
  Bytes private_key;
  Bytes public_key;
};
Ed25519KeyPair ed25519_generate();
/// Derives the key pair of a 32-byte seed (deterministic keys for labs and tests).
Ed25519KeyPair ed25519_from_seed(ByteView seed);
Bytes ed25519_sign(ByteView private_key, ByteView message);
bool ed25519_verify(ByteView public_key, ByteView message, ByteView signature);

}  // namespace failover_hil::crypto
