#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>

#include "failover_hil/netlab/packet_source.hpp"

namespace failover_hil::netlab {

/// The file formats PcapWriter writes; Wireshark, tshark and libpcap read all.
enum class CaptureFormat {
  pcap_nanosecond,   ///< classic pcap, magic 0xa1b23c4d
  pcap_microsecond,  ///< classic pcap, magic 0xa1b2c3d4 (timestamps truncated)
  pcapng,            ///< one section, one interface with if_tsresol = 9
};

/// Writes a capture file, little-endian, one link type. Used by live captures
/// and by tests that need captures with exactly known timestamps. Throws
/// NetlabError naming the path when a write fails. Not thread-safe.
class PcapWriter {
 public:
  PcapWriter(std::string path, LinkType linktype,
             CaptureFormat format = CaptureFormat::pcap_nanosecond, std::uint32_t snaplen = 262144);
  ~PcapWriter();
  PcapWriter(PcapWriter&&) noexcept;
  PcapWriter& operator=(PcapWriter&&) noexcept;

  /// Appends one packet; `original_length` 0 means bytes.size(). Bytes past
  /// the snap length are cut off, as a capture would.
  void write(std::int64_t timestamp_ns, std::span<const std::uint8_t> bytes,
             std::uint32_t original_length = 0);
  /// Writes a pcapng interface statistics block with isb_ifdrop (pcapng only).
  void write_drops(std::int64_t timestamp_ns, std::uint64_t drops);
  /// Flushes and closes; throws on a write error. Idempotent.
  void close();
  const std::string& path() const noexcept { return path_; }

 private:
  void put(std::span<const std::uint8_t> bytes);
  std::string path_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
  CaptureFormat format_;
  std::uint32_t snaplen_;
};

}  // namespace failover_hil::netlab
