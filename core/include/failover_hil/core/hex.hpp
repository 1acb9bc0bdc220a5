#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace failover_hil {

/// Lower-case hex of bytes.
std::string to_hex(std::span<const std::uint8_t> bytes);
/// Hex (either case) to bytes; nullopt on an odd length or a non-hex digit.
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view hex);

}  // namespace failover_hil
