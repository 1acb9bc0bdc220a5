#include "failover_hil/core/crypto.hpp"

#include <gtest/gtest.h>

#include "failover_hil/core/hex.hpp"

namespace failover_hil::crypto {
namespace {

Bytes unhex(std::string_view h) {
  return *from_hex(h);
}

TEST(Crypto, Sha256KnownAnswer) {
  EXPECT_EQ(to_hex(sha256(as_bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, HmacSha256Rfc4231Case2) {
  EXPECT_EQ(to_hex(hmac_sha256(as_bytes("Jefe"), as_bytes("what do ya want for nothing?"))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, Ed25519Rfc8032Test1) {
  const auto kp =
      ed25519_from_seed(unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  EXPECT_EQ(to_hex(kp.public_key),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const auto sig = ed25519_sign(kp.private_key, {});
  EXPECT_EQ(to_hex(sig),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_TRUE(ed25519_verify(kp.public_key, {}, sig));
  Bytes bad = sig;
  bad[10] ^= 1;
  EXPECT_FALSE(ed25519_verify(kp.public_key, {}, bad));
  EXPECT_FALSE(ed25519_verify(Bytes(5, 0), {}, sig)) << "a malformed key verifies nothing";
}

TEST(Crypto, AesGcmRoundTripAndTamperDetection) {
  const Bytes key(32, 1), iv(12, 2), aad{9, 9};
  const auto sealed = aes256gcm_seal(key, iv, aad, as_bytes("recordings"));
  const auto plain = aes256gcm_open(key, iv, aad, sealed);
  EXPECT_EQ(std::string(plain.begin(), plain.end()), "recordings");
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    Bytes t = sealed;
    t[i] ^= 0x80;
    EXPECT_THROW(aes256gcm_open(key, iv, aad, t), CryptoError) << "byte " << i;
  }
  EXPECT_THROW(aes256gcm_open(Bytes(32, 3), iv, aad, sealed), CryptoError);
  EXPECT_THROW(aes256gcm_open(key, iv, Bytes{9, 8}, sealed), CryptoError);
  EXPECT_THROW(aes256gcm_open(key, iv, aad, Bytes(3, 0)), CryptoError);
  EXPECT_THROW(aes256gcm_seal(Bytes(16, 0), iv, aad, {}), CryptoError);
}

TEST(Crypto, Pbkdf2IsDeterministicPerSalt) {
  const Bytes s1(16, 1), s2(16, 2);
  EXPECT_EQ(pbkdf2_sha256("correct horse", s1, 1000), pbkdf2_sha256("correct horse", s1, 1000));
  EXPECT_NE(pbkdf2_sha256("correct horse", s1, 1000), pbkdf2_sha256("correct horse", s2, 1000));
}

TEST(Crypto, HexRejectsBadInput) {
  EXPECT_FALSE(from_hex("abc"));
  EXPECT_FALSE(from_hex("zz"));
  EXPECT_EQ(*from_hex("00Ff"), (Bytes{0, 255}));
}

}  // namespace
}  // namespace failover_hil::crypto

namespace failover_hil::crypto {
namespace {

TEST(Crypto, Base64Rfc4648Vectors) {
  const std::pair<const char*, const char*> v[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, enc] : v) {
    EXPECT_EQ(base64_encode(as_bytes(plain)), enc);
    EXPECT_EQ(base64_decode(enc), plain);
  }
  EXPECT_THROW(base64_decode("abc"), CryptoError);
  EXPECT_THROW(base64_decode("a$c="), CryptoError);
}

}  // namespace
}  // namespace failover_hil::crypto
