#include "failover_hil/netlab/pcap_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "failover_hil/netlab/error.hpp"

namespace failover_hil::netlab {

namespace {

void le16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
}
void le32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int s = 0; s < 32; s += 8) out.push_back(static_cast<std::uint8_t>(v >> s));
}
void le64(std::vector<std::uint8_t>& out, std::uint64_t v) {
  le32(out, static_cast<std::uint32_t>(v));
  le32(out, static_cast<std::uint32_t>(v >> 32));
}
void set_le32(std::vector<std::uint8_t>& out, std::size_t at, std::uint32_t v) {
  for (int s = 0; s < 32; s += 8)
    out[at + static_cast<std::size_t>(s / 8)] = static_cast<std::uint8_t>(v >> s);
}
// Closes a pcapng block begun with type and a length placeholder.
void finish_block(std::vector<std::uint8_t>& b) {
  while (b.size() % 4 != 0) b.push_back(0);
  const auto total = static_cast<std::uint32_t>(b.size() + 4);
  set_le32(b, 4, total);
  le32(b, total);
}

}  // namespace

PcapWriter::PcapWriter(std::string path, LinkType linktype, CaptureFormat format,
                       std::uint32_t snaplen)
    : path_(std::move(path)),
      file_(std::fopen(path_.c_str(), "wb"), &std::fclose),
      format_(format),
      snaplen_(snaplen) {
  if (!file_)
    throw NetlabError("cannot create capture file " + path_ + ": " + std::strerror(errno));
  std::vector<std::uint8_t> h;
  if (format_ == CaptureFormat::pcapng) {
    le32(h, 0x0a0d0d0a);  // section header block
    le32(h, 0);
    le32(h, 0x1a2b3c4d);
    le16(h, 1);
    le16(h, 0);
    le64(h, ~std::uint64_t{0});  // section length unknown
    finish_block(h);
    const auto idb = h.size();
    le32(h, 1);  // interface description block
    le32(h, 0);
    le16(h, static_cast<std::uint16_t>(linktype));
    le16(h, 0);
    le32(h, snaplen_);
    le16(h, 9);  // if_tsresol: 10^-9
    le16(h, 1);
    h.push_back(9);
    h.insert(h.end(), 3, 0);
    le16(h, 0);  // opt_endofopt
    le16(h, 0);
    std::vector<std::uint8_t> block(h.begin() + static_cast<std::ptrdiff_t>(idb), h.end());
    h.resize(idb);
    finish_block(block);
    h.insert(h.end(), block.begin(), block.end());
  } else {
    le32(h, format_ == CaptureFormat::pcap_nanosecond ? 0xa1b23c4d : 0xa1b2c3d4);
    le16(h, 2);
    le16(h, 4);
    le32(h, 0);  // thiszone
    le32(h, 0);  // sigfigs
    le32(h, snaplen_);
    le32(h, static_cast<std::uint32_t>(linktype));
  }
  put(h);
}

PcapWriter::~PcapWriter() {
  if (file_) std::fflush(file_.get());
}
PcapWriter::PcapWriter(PcapWriter&&) noexcept = default;
PcapWriter& PcapWriter::operator=(PcapWriter&&) noexcept = default;

void PcapWriter::put(std::span<const std::uint8_t> bytes) {
  if (!file_) throw NetlabError("capture file " + path_ + " is closed");
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_.get()) != bytes.size())
    throw NetlabError("cannot write capture file " + path_ + ": " + std::strerror(errno));
}

void PcapWriter::write(std::int64_t timestamp_ns, std::span<const std::uint8_t> bytes,
                       std::uint32_t original_length) {
  const auto orig =
      original_length != 0 ? original_length : static_cast<std::uint32_t>(bytes.size());
  const auto incl = static_cast<std::uint32_t>(std::min<std::size_t>(bytes.size(), snaplen_));
  std::vector<std::uint8_t> h;
  h.reserve(32);
  const auto ts = static_cast<std::uint64_t>(timestamp_ns);
  if (format_ == CaptureFormat::pcapng) {
    le32(h, 6);  // enhanced packet block
    le32(h, 0);
    le32(h, 0);  // interface 0
    le32(h, static_cast<std::uint32_t>(ts >> 32));
    le32(h, static_cast<std::uint32_t>(ts));
    le32(h, incl);
    le32(h, orig);
    h.insert(h.end(), bytes.begin(), bytes.begin() + incl);
    finish_block(h);
  } else {
    le32(h, static_cast<std::uint32_t>(ts / 1'000'000'000));
    const auto frac = ts % 1'000'000'000;
    le32(h, static_cast<std::uint32_t>(format_ == CaptureFormat::pcap_nanosecond ? frac
                                                                                 : frac / 1000));
    le32(h, incl);
    le32(h, orig);
    h.insert(h.end(), bytes.begin(), bytes.begin() + incl);
  }
  put(h);
}

void PcapWriter::write_drops(std::int64_t timestamp_ns, std::uint64_t drops) {
  if (format_ != CaptureFormat::pcapng)
    throw NetlabError("capture file " + path_ + ": drop counts need pcapng");
  const auto ts = static_cast<std::uint64_t>(timestamp_ns);
  std::vector<std::uint8_t> b;
  le32(b, 5);  // interface statistics block
  le32(b, 0);
  le32(b, 0);
  le32(b, static_cast<std::uint32_t>(ts >> 32));
  le32(b, static_cast<std::uint32_t>(ts));
  le16(b, 5);  // isb_ifdrop
  le16(b, 8);
  le64(b, drops);
  le16(b, 0);
  le16(b, 0);
  finish_block(b);
  put(b);
}

void PcapWriter::close() {
  if (!file_) return;
  const bool ok = std::fflush(file_.get()) == 0;
  auto* f = file_.release();
  const bool closed = std::fclose(f) == 0;
  if (!ok || !closed)
    throw NetlabError("cannot write capture file " + path_ + ": " + std::strerror(errno));
}

}  // namespace failover_hil::netlab
