#pragma once
// The inter-appliance channel's authentication: the server hands out a
// single-use nonce; each request and each answer carries
// HMAC-SHA256(Inter-Appliance key, direction | nonce | SHA-256(body)).
// The key itself never crosses the wire (R17).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "failover_hil/core/crypto.hpp"
#include "failover_hil/core/hex.hpp"

namespace failover_hil::sim::service {

inline std::string peer_mac(const std::vector<std::uint8_t>& key, std::string_view direction,
                            std::string_view nonce, std::string_view body) {
  const std::string msg = std::string(direction) + "|" + std::string(nonce) + "|" +
                          to_hex(crypto::sha256(crypto::as_bytes(body)));
  return to_hex(crypto::hmac_sha256(key, crypto::as_bytes(msg)));
}

inline bool peer_mac_ok(const std::vector<std::uint8_t>& key, std::string_view direction,
                        std::string_view nonce, std::string_view body, std::string_view mac) {
  return crypto::equal_ct(crypto::as_bytes(peer_mac(key, direction, nonce, body)),
                          crypto::as_bytes(mac));
}

}  // namespace failover_hil::sim::service
