#include "failover_hil/core/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>

namespace failover_hil::crypto {

namespace {

[[noreturn]] void fail(const char* what) {
  char buf[256] = "unknown reason";
  if (unsigned long e = ERR_get_error(); e != 0) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  throw CryptoError(std::string(what) + ": " + buf);
}

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

int len_int(std::size_t n) {
  if (n > static_cast<std::size_t>(INT32_MAX)) throw CryptoError("input larger than 2 GiB");
  return static_cast<int>(n);
}

constexpr std::size_t kTagLen = 16;

CipherCtx gcm_init(ByteView key, ByteView iv, bool encrypt) {
  if (key.size() != 32) throw CryptoError("AES-256-GCM needs a 32-byte key");
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) fail("EVP_CIPHER_CTX_new");
  auto init = encrypt ? EVP_EncryptInit_ex : EVP_DecryptInit_ex;
  if (init(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1) fail("GCM init");
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, len_int(iv.size()), nullptr) != 1)
    fail("GCM IV length");
  if (init(ctx.get(), nullptr, nullptr, key.data(), iv.data()) != 1) fail("GCM key");
  return ctx;
}

}  // namespace

ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

Digest sha256(ByteView data) {
  Digest out{};
  if (EVP_Digest(data.data(), data.size(), out.data(), nullptr, EVP_sha256(), nullptr) != 1)
    fail("SHA-256");
  return out;
}

Digest sha256_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CryptoError(path + ": cannot read it to hash it");
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) fail("SHA-256");
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n && EVP_DigestUpdate(ctx.get(), buf.data(), n) != 1) fail("SHA-256");
  }
  if (in.bad()) throw CryptoError(path + ": read failed while hashing it");
  Digest out{};
  if (EVP_DigestFinal_ex(ctx.get(), out.data(), nullptr) != 1) fail("SHA-256");
  return out;
}

Digest hmac_sha256(ByteView key, ByteView data) {
  Digest out{};
  unsigned len = 0;
  if (HMAC(EVP_sha256(), key.data(), len_int(key.size()), data.data(), data.size(), out.data(),
           &len) == nullptr)
    fail("HMAC-SHA256");
  return out;
}

bool equal_ct(ByteView a, ByteView b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string base64_encode(ByteView data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                                len_int(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) throw CryptoError("base64 text length is not a multiple of 4");
  std::string out(3 * text.size() / 4, '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(text.data()), len_int(text.size()));
  if (n < 0) throw CryptoError("not base64");
  // EVP_DecodeBlock counts padding as zero bytes: drop them.
  std::size_t len = static_cast<std::size_t>(n);
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) --len;
  out.resize(len);
  return out;
}

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  if (RAND_bytes(out.data(), len_int(n)) != 1) fail("RAND_bytes");
  return out;
}

Digest pbkdf2_sha256(std::string_view password, ByteView salt, unsigned iterations) {
  // The last few derivations are remembered: a backup sealed and opened at
  // once, or several sealed with one password and salt (the in-process
  // pair's), derive once. PBKDF2 is slow on purpose, and an in-process run
  // spent most of its time here. The keys stay in this process, as the
  // passwords they come from do.
  struct Memo {
    std::string password;
    Bytes salt;
    unsigned iterations = 0;
    Digest key{};
  };
  static std::mutex mutex;
  static std::array<Memo, 8> memo;
  static std::size_t next = 0;
  {
    std::lock_guard lock(mutex);
    for (const auto& m : memo)
      if (m.iterations == iterations && m.password == password &&
          std::equal(m.salt.begin(), m.salt.end(), salt.begin(), salt.end()))
        return m.key;
  }
  Digest out{};
  if (PKCS5_PBKDF2_HMAC(password.data(), len_int(password.size()), salt.data(),
                        len_int(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                        len_int(out.size()), out.data()) != 1)
    fail("PBKDF2");
  std::lock_guard lock(mutex);
  memo[next++ % memo.size()] = {std::string(password), Bytes(salt.begin(), salt.end()), iterations,
                                out};
  return out;
}

Bytes aes256gcm_seal(ByteView key, ByteView iv, ByteView aad, ByteView plaintext) {
  auto ctx = gcm_init(key, iv, true);
  int len = 0;
  if (!aad.empty() &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), len_int(aad.size())) != 1)
    fail("GCM AAD");
  Bytes out(plaintext.size() + kTagLen);
  if (EVP_EncryptUpdate(ctx.get(), out.data(), &len, plaintext.data(), len_int(plaintext.size())) !=
      1)
    fail("GCM encrypt");
  int fin = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), out.data() + len, &fin) != 1) fail("GCM final");
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagLen,
                          out.data() + plaintext.size()) != 1)
    fail("GCM tag");
  return out;
}

Bytes aes256gcm_open(ByteView key, ByteView iv, ByteView aad, ByteView sealed) {
  if (sealed.size() < kTagLen) throw CryptoError("sealed data shorter than its tag");
  auto ctx = gcm_init(key, iv, false);
  int len = 0;
  if (!aad.empty() &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), len_int(aad.size())) != 1)
    fail("GCM AAD");
  const std::size_t n = sealed.size() - kTagLen;
  Bytes out(n);
  if (EVP_DecryptUpdate(ctx.get(), out.data(), &len, sealed.data(), len_int(n)) != 1)
    fail("GCM decrypt");
  Bytes tag(sealed.begin() + static_cast<std::ptrdiff_t>(n), sealed.end());
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagLen, tag.data()) != 1)
    fail("GCM set tag");
  int fin = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), out.data() + len, &fin) != 1) {
    ERR_clear_error();
    throw CryptoError("authentication tag does not verify");
  }
  return out;
}

Ed25519KeyPair ed25519_from_seed(ByteView seed) {
  if (seed.size() != 32) throw CryptoError("an Ed25519 seed is 32 bytes");
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (!key) fail("Ed25519 private key");
  Ed25519KeyPair kp{Bytes(seed.begin(), seed.end()), Bytes(32)};
  std::size_t len = 32;
  if (EVP_PKEY_get_raw_public_key(key.get(), kp.public_key.data(), &len) != 1)
    fail("Ed25519 public key");
  return kp;
}

Ed25519KeyPair ed25519_generate() {
  return ed25519_from_seed(random_bytes(32));
}

Bytes ed25519_sign(ByteView private_key, ByteView message) {
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, private_key.data(),
                                        private_key.size()));
  if (!key) fail("Ed25519 private key");
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1)
    fail("Ed25519 sign init");
  Bytes sig(64);
  std::size_t len = sig.size();
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1)
    fail("Ed25519 sign");
  return sig;
}

bool ed25519_verify(ByteView public_key, ByteView message, ByteView signature) {
  Pkey key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(), public_key.size()));
  if (!key) {
    ERR_clear_error();
    return false;
  }
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1)
    fail("Ed25519 verify init");
  const int ok = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                                  message.size());
  ERR_clear_error();
  return ok == 1;
}

}  // namespace failover_hil::crypto
