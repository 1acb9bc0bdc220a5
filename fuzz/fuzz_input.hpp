#pragma once

// What the fuzz targets share: the input as text, or as a file for readers
// that take a path (in /dev/shm when there is one: an input per iteration).

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace failover_hil::fuzz {

inline std::string as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline std::vector<std::uint8_t> as_bytes(const std::uint8_t* data, std::size_t size) {
  return {data, data + size};
}

/// The input written to this process's own file ending in `suffix`.
inline std::filesystem::path as_file(const std::uint8_t* data, std::size_t size,
                                     const std::string& suffix) {
  static const std::filesystem::path dir =
      std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
  const auto path = dir / ("fhil-fuzz-" + std::to_string(::getpid()) + suffix);
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

}  // namespace failover_hil::fuzz
