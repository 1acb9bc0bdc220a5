#include "failover_hil/core/tls_identity.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"

namespace failover_hil {

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct FileClose {
  void operator()(FILE* f) const { std::fclose(f); }
};

[[noreturn]] void fail(const std::string& what) {
  char buf[256] = "unknown reason";
  if (unsigned long e = ERR_get_error(); e != 0) ERR_error_string_n(e, buf, sizeof buf);
  throw std::runtime_error(what + ": " + buf);
}

std::unique_ptr<FILE, FileClose> open_file(const std::filesystem::path& p, const char* mode) {
  std::unique_ptr<FILE, FileClose> f(std::fopen(p.c_str(), mode));
  if (!f) throw std::runtime_error("cannot open " + p.string());
  return f;
}

bool is_ip(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

}  // namespace

TlsIdentity generate_self_signed(const std::filesystem::path& dir, const std::string& cn,
                                 const std::vector<std::string>& names) {
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-256"));
  if (!key) fail("generating an EC P-256 key");
  std::unique_ptr<X509, X509Free> cert(X509_new());
  if (!cert) fail("X509_new");
  X509_set_version(cert.get(), 2);
  std::uint64_t serial = 0;
  for (auto b : crypto::random_bytes(7)) serial = serial << 8 | b;  // positive, < 2^56
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial + 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  std::string san;
  for (const auto& n : names) {
    if (!san.empty()) san.push_back(',');
    san.append(is_ip(n) ? "IP:" : "DNS:").append(n);
  }
  if (!san.empty()) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, san.c_str());
    if (!ext) fail("subjectAltName '" + san + "'");
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) fail("signing the certificate");

  std::filesystem::create_directories(dir);
  TlsIdentity id{dir / "tls.key", dir / "tls.crt"};
  {
    auto f = open_file(id.key_file, "w");
    ::fchmod(fileno(f.get()), 0600);
    if (PEM_write_PrivateKey(f.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
      fail("writing " + id.key_file.string());
  }
  {
    auto f = open_file(id.cert_file, "w");
    if (PEM_write_X509(f.get(), cert.get()) != 1) fail("writing " + id.cert_file.string());
  }
  return id;
}

std::string certificate_fingerprint(const std::filesystem::path& cert_file) {
  auto f = open_file(cert_file, "r");
  std::unique_ptr<X509, X509Free> cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
  if (!cert) fail("reading the certificate " + cert_file.string());
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert.get(), &der);
  if (len <= 0) fail("encoding the certificate");
  const auto digest = crypto::sha256({der, static_cast<std::size_t>(len)});
  OPENSSL_free(der);
  return to_hex(digest);
}

}  // namespace failover_hil
