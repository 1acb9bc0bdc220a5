#include "failover_hil/core/byte_reader.hpp"

#include <algorithm>

namespace failover_hil {

MalformedInput::MalformedInput(std::string what_input, std::size_t offset,
                               const std::string& reason)
    : std::runtime_error(what_input + " is malformed at byte " + std::to_string(offset) + ": " +
                         reason),
      offset_(offset) {}

ByteReader::ByteReader(std::span<const std::uint8_t> bytes, std::string what)
    : data_(bytes), what_(std::move(what)) {}

void ByteReader::fail(const std::string& reason) const {
  throw MalformedInput(what_, pos_, reason);
}

void ByteReader::need(std::size_t n, const char* field) const {
  if (remaining() < n) {
    fail(std::string("truncated: ") + field + " needs " + std::to_string(n) + " bytes, " +
         std::to_string(remaining()) + " left");
  }
}

std::uint8_t ByteReader::u8() {
  need(1, "u8");
  return data_[pos_++];
}

std::uint16_t ByteReader::u16be() {
  need(2, "u16");
  const auto v = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
  pos_ += 2;
  return v;
}

std::uint32_t ByteReader::u32be() {
  need(4, "u32");
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | data_[pos_++];
  return v;
}

std::uint64_t ByteReader::u64be() {
  need(8, "u64");
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | data_[pos_++];
  return v;
}

std::span<const std::uint8_t> ByteReader::bytes(std::size_t n) {
  need(n, "field");
  auto s = data_.subspan(pos_, n);
  pos_ += n;
  return s;
}

std::string_view ByteReader::text(std::size_t n) {
  auto s = bytes(n);
  return {reinterpret_cast<const char*>(s.data()), s.size()};
}

void ByteReader::expect(std::string_view expected, const std::string& field) {
  need(expected.size(), field.c_str());
  const auto got = data_.subspan(pos_, expected.size());
  if (!std::equal(got.begin(), got.end(), expected.begin(),
                  [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); })) {
    fail("bad " + field);
  }
  pos_ += expected.size();
}

std::span<const std::uint8_t> ByteReader::rest() {
  return bytes(remaining());
}

}  // namespace failover_hil
