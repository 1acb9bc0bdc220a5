#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "failover_hil/netlab/packet_source.hpp"

namespace failover_hil::netlab {

/// Streams a capture file: classic pcap (microsecond or nanosecond, either
/// byte order) or pcapng (any if_tsresol, several sections and interfaces).
/// Our own bounds-checked reader rather than libpcap's, so that a corrupt or
/// truncated file is reported as MalformedInput naming the file and the
/// absolute byte offset of the bad record (libpcap's errors give no offset);
/// every packet returned before the error is good. Memory: one read buffer
/// (1 MiB) plus the largest record. Not thread-safe.
class PcapFileSource final : public PacketSource {
 public:
  /// Opens `path` and reads its file header. Throws NetlabError when the file
  /// cannot be opened and MalformedInput when it is no capture file.
  explicit PcapFileSource(std::string path);
  ~PcapFileSource() override;
  PcapFileSource(const PcapFileSource&) = delete;
  PcapFileSource& operator=(const PcapFileSource&) = delete;

  std::optional<PacketView> next() override;
  std::optional<std::uint64_t> kernel_drops() const override { return drops_; }
  std::string name() const override { return path_; }

  /// True for pcapng, false for classic pcap.
  bool pcapng() const noexcept { return pcapng_; }
  /// Absolute offset of the next unread byte.
  std::uint64_t offset() const noexcept { return file_offset_ + pos_; }

 private:
  struct Interface {
    std::uint32_t linktype = 0;
    // Timestamp units: 10^-n (decimal) or 2^-n (binary) seconds.
    bool binary = false;
    int exponent = 6;
    std::int64_t offset_s = 0;
  };

  /// Ensures `n` contiguous bytes at pos_; false at a clean end of file.
  bool fill(std::size_t n);
  [[noreturn]] void fail(std::uint64_t at, const std::string& reason) const;
  void read_pcap_header();
  void read_section_header(std::uint64_t at);
  std::optional<PacketView> next_pcap();
  std::optional<PacketView> next_pcapng();
  std::uint16_t u16(const std::uint8_t* p) const;
  std::uint32_t u32(const std::uint8_t* p) const;
  std::int64_t to_ns(const Interface& itf, std::uint64_t units) const;

  std::string path_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
  std::vector<std::uint8_t> buffer_;
  std::size_t pos_ = 0;            // read position in buffer_
  std::size_t end_ = 0;            // valid bytes in buffer_
  std::uint64_t file_offset_ = 0;  // file offset of buffer_[0]
  bool pcapng_ = false;
  bool swapped_ = false;  // file byte order differs from little-endian
  std::uint32_t snaplen_ = 0;
  Interface pcap_interface_;
  std::vector<Interface> interfaces_;  // pcapng: per section
  std::optional<std::uint64_t> drops_;
};

/// A packet source reading several capture files as one stream in timestamp
/// order (what mergecap does): for captures of one run taken in several
/// namespaces, or a capture rotated into several files. A corrupt file ends
/// that file only: its error is recorded in errors() and the others go on.
class MergedFileSource final : public PacketSource {
 public:
  /// Opens every file; throws as PcapFileSource does for the first that
  /// cannot be opened (a bad file header is recorded, not thrown, when other
  /// files remain). `offsets_ns[i]`, when given, is added to every
  /// timestamp of file i (its clock's offset from the time line,
  /// clock_offset.hpp). Packets carry their file's index in `source`.
  explicit MergedFileSource(const std::vector<std::string>& paths,
                            std::vector<std::int64_t> offsets_ns = {});
  ~MergedFileSource() override;

  std::optional<PacketView> next() override;
  std::optional<std::uint64_t> kernel_drops() const override;
  std::string name() const override;

  /// One error per file that ended early, as "<path> is malformed at byte N: ...".
  struct FileError {
    std::string path;
    std::uint64_t offset = 0;
    std::string message;
  };
  const std::vector<FileError>& errors() const noexcept { return errors_; }

 private:
  void advance(std::size_t i);
  std::vector<std::unique_ptr<PcapFileSource>> files_;
  std::vector<std::uint32_t> index_;      // files_[k] is paths_[index_[k]]
  std::vector<std::int64_t> offsets_ns_;  // per files_ entry
  std::vector<std::optional<PacketView>> heads_;
  std::optional<std::size_t> consumed_;  // whose head was returned last
  std::vector<FileError> errors_;
  std::vector<std::string> paths_;
};

}  // namespace failover_hil::netlab
