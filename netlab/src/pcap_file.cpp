#include "failover_hil/netlab/pcap_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "failover_hil/core/byte_reader.hpp"
#include "failover_hil/netlab/error.hpp"

namespace failover_hil::netlab {

namespace {

constexpr std::size_t kBufferSize = 1 << 20;
// libpcap refuses records longer than max(snaplen, 262144); so do we.
constexpr std::uint32_t kMaxSnaplen = 262144;
// pcapng blocks beyond this are treated as corrupt (a record plus options).
constexpr std::uint32_t kMaxBlock = 16u << 20;

constexpr std::uint32_t kPcapMagicMicro = 0xa1b2c3d4;
constexpr std::uint32_t kPcapMagicNano = 0xa1b23c4d;
constexpr std::uint32_t kBlockSectionHeader = 0x0a0d0d0a;
constexpr std::uint32_t kBlockInterface = 1;
constexpr std::uint32_t kBlockPacketObsolete = 2;
constexpr std::uint32_t kBlockSimplePacket = 3;
constexpr std::uint32_t kBlockInterfaceStats = 5;
constexpr std::uint32_t kBlockEnhancedPacket = 6;
constexpr std::uint32_t kByteOrderMagic = 0x1a2b3c4d;

constexpr std::uint16_t kOptEnd = 0;
constexpr std::uint16_t kOptIfTsresol = 9;
constexpr std::uint16_t kOptIfTsoffset = 14;
constexpr std::uint16_t kOptIsbIfdrop = 5;

std::uint32_t le32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
         std::uint32_t{p[3]} << 24;
}

std::uint32_t pad4(std::uint32_t n) {
  return (n + 3u) & ~3u;
}

}  // namespace

PcapFileSource::PcapFileSource(std::string path)
    : path_(std::move(path)), file_(std::fopen(path_.c_str(), "rb"), &std::fclose) {
  if (!file_) throw NetlabError("cannot open capture file " + path_ + ": " + std::strerror(errno));
  buffer_.resize(kBufferSize);
  if (!fill(4)) fail(end_, "empty or shorter than a file header");
  const std::uint8_t* p = buffer_.data();
  if (le32(p) == kBlockSectionHeader) {
    pcapng_ = true;
    read_section_header(0);
  } else {
    read_pcap_header();
  }
}

PcapFileSource::~PcapFileSource() = default;

void PcapFileSource::fail(std::uint64_t at, const std::string& reason) const {
  throw MalformedInput("capture file " + path_, static_cast<std::size_t>(at), reason);
}

bool PcapFileSource::fill(std::size_t n) {
  if (end_ - pos_ >= n) return true;
  if (pos_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
    file_offset_ += pos_;
    end_ -= pos_;
    pos_ = 0;
  }
  if (n > buffer_.size()) buffer_.resize(std::max(n, buffer_.size() * 2));
  while (end_ < n) {
    const auto got = std::fread(buffer_.data() + end_, 1, buffer_.size() - end_, file_.get());
    if (got == 0) {
      if (std::ferror(file_.get()))
        throw NetlabError("cannot read capture file " + path_ + ": " + std::strerror(errno));
      return false;
    }
    end_ += got;
  }
  return true;
}

std::uint16_t PcapFileSource::u16(const std::uint8_t* p) const {
  return swapped_ ? static_cast<std::uint16_t>(p[0] << 8 | p[1])
                  : static_cast<std::uint16_t>(p[1] << 8 | p[0]);
}

std::uint32_t PcapFileSource::u32(const std::uint8_t* p) const {
  return swapped_ ? (std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 |
                     std::uint32_t{p[2]} << 8 | p[3])
                  : le32(p);
}

std::int64_t PcapFileSource::to_ns(const Interface& itf, std::uint64_t units) const {
  __extension__ using U128 = unsigned __int128;
  U128 ns = 0;
  if (itf.binary) {
    const auto secs = units >> itf.exponent;
    const auto frac = units & ((std::uint64_t{1} << itf.exponent) - 1);
    ns = U128{secs} * 1'000'000'000u + ((U128{frac} * 1'000'000'000u) >> itf.exponent);
  } else if (itf.exponent <= 9) {
    U128 scale = 1;
    for (int i = itf.exponent; i < 9; ++i) scale *= 10;
    ns = U128{units} * scale;
  } else {
    std::uint64_t scale = 1;
    for (int i = 9; i < itf.exponent; ++i) scale *= 10;
    ns = units / scale;
  }
  return static_cast<std::int64_t>(ns) + itf.offset_s * 1'000'000'000;
}

void PcapFileSource::read_pcap_header() {
  constexpr std::size_t kHeader = 24;
  const std::uint8_t* p = buffer_.data();
  const std::uint32_t magic_le = le32(p);
  const std::uint32_t magic_be =
      std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
  std::uint32_t magic = 0;
  if (magic_le == kPcapMagicMicro || magic_le == kPcapMagicNano) {
    magic = magic_le;
  } else if (magic_be == kPcapMagicMicro || magic_be == kPcapMagicNano) {
    magic = magic_be;
    swapped_ = true;
  } else {
    fail(0, "not a pcap or pcapng file (magic number " + std::to_string(magic_le) + ")");
  }
  if (!fill(kHeader)) fail(end_, "truncated pcap file header: 24 bytes needed");
  p = buffer_.data();
  const auto major = u16(p + 4);
  if (major != 2) fail(4, "unsupported pcap version " + std::to_string(major));
  snaplen_ = u32(p + 16);
  pcap_interface_.linktype = u32(p + 20) & 0x0fffffff;  // upper bits: FCS length
  pcap_interface_.exponent = magic == kPcapMagicNano ? 9 : 6;
  pos_ = kHeader;
}

void PcapFileSource::read_section_header(std::uint64_t at) {
  // Block type, total length, byte-order magic: the magic decides how the
  // length reads, so look at it first.
  if (!fill(12)) fail(at, "truncated pcapng section header block");
  const std::uint8_t* p = buffer_.data() + pos_;
  const std::uint32_t bom = le32(p + 8);
  if (bom == kByteOrderMagic) {
    swapped_ = false;
  } else if (bom == 0x4d3c2b1au) {
    swapped_ = true;
  } else {
    fail(at + 8, "bad pcapng byte-order magic");
  }
  const auto length = u32(p + 4);
  if (length < 28 || length % 4 != 0 || length > kMaxBlock)
    fail(at + 4, "bad pcapng section header length " + std::to_string(length));
  if (!fill(length)) fail(at, "truncated pcapng section header block");
  p = buffer_.data() + pos_;
  if (u16(p + 12) != 1)
    fail(at + 12, "unsupported pcapng major version " + std::to_string(u16(p + 12)));
  if (u32(p + length - 4) != length) fail(at + length - 4, "pcapng block lengths differ");
  interfaces_.clear();
  pos_ += length;
}

std::optional<PacketView> PcapFileSource::next() {
  return pcapng_ ? next_pcapng() : next_pcap();
}

std::optional<PacketView> PcapFileSource::next_pcap() {
  constexpr std::size_t kRecordHeader = 16;
  const std::uint64_t at = offset();
  if (!fill(kRecordHeader)) {
    if (end_ == pos_) return std::nullopt;
    fail(at, "truncated packet record header: 16 bytes needed, " + std::to_string(end_ - pos_) +
                 " left");
  }
  const std::uint8_t* p = buffer_.data() + pos_;
  const std::uint32_t ts_sec = u32(p);
  const std::uint32_t ts_frac = u32(p + 4);
  const std::uint32_t incl = u32(p + 8);
  const std::uint32_t orig = u32(p + 12);
  if (incl > std::max(snaplen_, kMaxSnaplen))
    fail(at + 8, "packet record claims " + std::to_string(incl) +
                     " captured bytes, more than the snap length " + std::to_string(snaplen_));
  if (!fill(kRecordHeader + incl))
    fail(at, "truncated packet record: " + std::to_string(incl) + " bytes of data declared, " +
                 std::to_string(end_ - pos_ - kRecordHeader) + " present");
  p = buffer_.data() + pos_;
  PacketView v;
  const std::int64_t frac_scale = pcap_interface_.exponent == 9 ? 1 : 1000;
  v.timestamp_ns = std::int64_t{ts_sec} * 1'000'000'000 + std::int64_t{ts_frac} * frac_scale;
  v.linktype = pcap_interface_.linktype;
  v.original_length = orig;
  v.bytes = std::span<const std::uint8_t>(p + kRecordHeader, incl);
  pos_ += kRecordHeader + incl;
  return v;
}

std::optional<PacketView> PcapFileSource::next_pcapng() {
  for (;;) {
    const std::uint64_t at = offset();
    if (!fill(8)) {
      if (end_ == pos_) return std::nullopt;
      fail(at, "truncated pcapng block header: 8 bytes needed, " + std::to_string(end_ - pos_) +
                   " left");
    }
    const std::uint8_t* p = buffer_.data() + pos_;
    if (le32(p) == kBlockSectionHeader) {
      read_section_header(at);
      continue;
    }
    const std::uint32_t type = u32(p);
    const std::uint32_t length = u32(p + 4);
    if (length < 12 || length % 4 != 0 || length > kMaxBlock)
      fail(at + 4, "bad pcapng block length " + std::to_string(length));
    if (!fill(length))
      fail(at, "truncated pcapng block: " + std::to_string(length) + " bytes declared, " +
                   std::to_string(end_ - pos_) + " present");
    p = buffer_.data() + pos_;
    if (u32(p + length - 4) != length) fail(at + length - 4, "pcapng block lengths differ");
    const std::uint8_t* body = p + 8;
    const std::uint32_t body_len = length - 12;
    pos_ += length;

    // Options of an interface or statistics block, from `from` to the body's end.
    auto for_options = [&](std::uint32_t from, auto&& on_option) {
      std::uint32_t o = from;
      while (o + 4 <= body_len) {
        const auto code = u16(body + o);
        const auto len = u16(body + o + 2);
        if (code == kOptEnd) break;
        if (o + 4 + len > body_len) fail(at + 8 + o, "pcapng option runs past its block");
        on_option(code, body + o + 4, len);
        o += 4 + pad4(len);
      }
    };

    switch (type) {
      case kBlockInterface: {
        if (body_len < 8) fail(at, "pcapng interface description block too short");
        Interface itf;
        itf.linktype = u16(body);
        for_options(8, [&](std::uint16_t code, const std::uint8_t* v, std::uint16_t len) {
          if (code == kOptIfTsresol && len >= 1) {
            itf.binary = (v[0] & 0x80) != 0;
            itf.exponent = v[0] & 0x7f;
            if ((itf.binary && itf.exponent > 63) || (!itf.binary && itf.exponent > 19))
              fail(at, "unsupported if_tsresol " + std::to_string(v[0]));
          } else if (code == kOptIfTsoffset && len >= 8) {
            const std::uint64_t lo = u32(v), hi = u32(v + 4);
            itf.offset_s = static_cast<std::int64_t>(swapped_ ? (lo << 32 | hi) : (hi << 32 | lo));
          }
        });
        interfaces_.push_back(itf);
        break;
      }
      case kBlockEnhancedPacket:
      case kBlockPacketObsolete: {
        const bool enhanced = type == kBlockEnhancedPacket;
        if (body_len < 20) fail(at, "pcapng packet block too short");
        const std::uint32_t id = enhanced ? u32(body) : u16(body);
        if (id >= interfaces_.size())
          fail(at + 8, "pcapng packet block names interface " + std::to_string(id) +
                           " before its description");
        const std::uint64_t units = std::uint64_t{u32(body + 4)} << 32 | u32(body + 8);
        const std::uint32_t caplen = u32(body + 12);
        if (caplen > body_len - 20)
          fail(at + 20, "pcapng packet block claims " + std::to_string(caplen) +
                            " captured bytes in a block of " + std::to_string(length));
        PacketView v;
        v.timestamp_ns = to_ns(interfaces_[id], units);
        v.linktype = interfaces_[id].linktype;
        v.original_length = u32(body + 16);
        v.bytes = std::span<const std::uint8_t>(body + 20, caplen);
        return v;
      }
      case kBlockInterfaceStats: {
        if (body_len < 12) fail(at, "pcapng interface statistics block too short");
        for_options(12, [&](std::uint16_t code, const std::uint8_t* v, std::uint16_t len) {
          if (code == kOptIsbIfdrop && len == 8) {
            const std::uint64_t lo = u32(v), hi = u32(v + 4);
            // Cumulative per interface; one interface is the common case.
            drops_ = swapped_ ? (lo << 32 | hi) : (hi << 32 | lo);
          }
        });
        break;
      }
      case kBlockSimplePacket:  // no timestamp: useless for timing, skipped
      default:
        break;
    }
  }
}

// ---------------------------------------------------------------------------

MergedFileSource::MergedFileSource(const std::vector<std::string>& paths,
                                   std::vector<std::int64_t> offsets_ns)
    : paths_(paths) {
  std::optional<MalformedInput> first_error;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const auto& path = paths[i];
    try {
      files_.push_back(std::make_unique<PcapFileSource>(path));
      index_.push_back(static_cast<std::uint32_t>(i));
      offsets_ns_.push_back(i < offsets_ns.size() ? offsets_ns[i] : 0);
    } catch (const MalformedInput& e) {
      errors_.push_back({path, e.offset(), e.what()});
      if (!first_error) first_error.emplace(e);
    }
  }
  if (files_.empty() && first_error) throw *first_error;
  heads_.resize(files_.size());
  for (std::size_t i = 0; i < files_.size(); ++i) advance(i);
}

MergedFileSource::~MergedFileSource() = default;

void MergedFileSource::advance(std::size_t i) {
  try {
    heads_[i] = files_[i]->next();
    if (heads_[i]) {
      heads_[i]->timestamp_ns += offsets_ns_[i];
      heads_[i]->source = index_[i];
    }
  } catch (const MalformedInput& e) {
    heads_[i].reset();
    errors_.push_back({files_[i]->name(), e.offset(), e.what()});
  }
}

std::optional<PacketView> MergedFileSource::next() {
  // One file (the common case) needs no merge: read it straight through.
  if (files_.size() == 1 && consumed_) {
    advance(0);
    return heads_[0];
  }
  if (consumed_) advance(*consumed_);
  consumed_.reset();
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < heads_.size(); ++i) {
    if (heads_[i] && (!best || heads_[i]->timestamp_ns < heads_[*best]->timestamp_ns)) best = i;
  }
  if (!best) return std::nullopt;
  consumed_ = best;
  return heads_[*best];
}

std::optional<std::uint64_t> MergedFileSource::kernel_drops() const {
  std::optional<std::uint64_t> total;
  for (const auto& f : files_) {
    if (auto d = f->kernel_drops()) total = total.value_or(0) + *d;
  }
  return total;
}

std::string MergedFileSource::name() const {
  std::string out;
  for (const auto& p : paths_) out += (out.empty() ? "" : ",") + p;
  return out;
}

}  // namespace failover_hil::netlab
