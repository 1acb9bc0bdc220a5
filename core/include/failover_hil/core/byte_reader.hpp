#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace failover_hil {

/// Untrusted bytes that do not parse: names what was expected and where.
class MalformedInput : public std::runtime_error {
 public:
  MalformedInput(std::string what_input, std::size_t offset, const std::string& reason);
  /// Byte offset of the first byte that could not be read.
  std::size_t offset() const noexcept { return offset_; }

 private:
  std::size_t offset_;
};

/// The one way untrusted bytes (backups, update files, pcaps, HTTP bodies)
/// are read: every read is bounds-checked and a failure names the offset.
class ByteReader {
 public:
  /// `what` names the input in errors ("backup file", "update file").
  ByteReader(std::span<const std::uint8_t> bytes, std::string what);

  std::uint8_t u8();
  std::uint16_t u16be();
  std::uint32_t u32be();
  std::uint64_t u64be();
  std::span<const std::uint8_t> bytes(std::size_t n);
  std::string_view text(std::size_t n);
  /// Reads `expected.size()` bytes and fails unless they equal `expected`.
  void expect(std::string_view expected, const std::string& field);
  std::span<const std::uint8_t> rest();

  std::size_t offset() const noexcept { return pos_; }
  std::size_t remaining() const noexcept { return data_.size() - pos_; }
  [[noreturn]] void fail(const std::string& reason) const;

 private:
  void need(std::size_t n, const char* field) const;
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
  std::string what_;
};

}  // namespace failover_hil
