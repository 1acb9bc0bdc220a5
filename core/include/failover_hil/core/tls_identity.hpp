#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace failover_hil {

/// A TLS server identity on disk: a PEM private key and certificate.
struct TlsIdentity {
  std::filesystem::path key_file;
  std::filesystem::path cert_file;
};

/// Writes a self-signed EC P-256 certificate valid for `names` (DNS names or
/// IP addresses, as subjectAltName) for ten years. The key file is mode 0600.
TlsIdentity generate_self_signed(const std::filesystem::path& dir, const std::string& common_name,
                                 const std::vector<std::string>& names);

/// SHA-256 of the certificate's DER encoding, lower-case hex: what a client pins.
std::string certificate_fingerprint(const std::filesystem::path& cert_file);

}  // namespace failover_hil
