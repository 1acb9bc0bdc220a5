#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace failover_hil::netlab {

/// A TSIG key (RFC 8945): name, algorithm and base64 secret. The secret is
/// a credential: it comes from a file and goes to a file (mode 0600), never
/// to a log, an error message or a command line.
struct TsigKey {
  std::string name;                       ///< e.g. "fhil-update."
  std::string algorithm = "hmac-sha256";  ///< BIND's spelling
  std::string secret;                     ///< base64

  /// A fresh random 256-bit HMAC-SHA256 key named `name`.
  static TsigKey generate(std::string name);
  /// Reads a key file in BIND's format (as `tsig-keygen` writes it). Throws
  /// NetlabError naming the file (never its content).
  static TsigKey read_file(const std::filesystem::path& path);
  /// The key in BIND's format: `key "name" { algorithm ...; secret "..."; };`.
  std::string bind_config() const;
  /// Writes bind_config() to `path`, readable by the owner only.
  void write_file(const std::filesystem::path& path) const;
};

/// Parses BIND's key format (the first key statement). Throws NetlabError.
TsigKey parse_tsig_key(std::string_view text);

}  // namespace failover_hil::netlab
