#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace failover_hil::netlab {

/// Link-layer header types (https://www.tcpdump.org/linktypes.html) the
/// analyser decodes.
enum class LinkType : std::uint32_t {
  ethernet = 1,      ///< LINKTYPE_ETHERNET (with 802.1Q tags)
  raw = 101,         ///< LINKTYPE_RAW: an IPv4 or IPv6 packet, no link header
  linux_sll = 113,   ///< LINKTYPE_LINUX_SLL ("any" device, cooked v1)
  linux_sll2 = 276,  ///< LINKTYPE_LINUX_SLL2 (cooked v2)
};

/// One captured packet. `bytes` stays valid until the next call to the
/// source's next() (sources reuse their buffer).
struct PacketView {
  std::int64_t timestamp_ns = 0;  ///< UNIX epoch, nanoseconds
  std::uint32_t linktype = 0;     ///< LinkType value (others are skipped)
  std::uint32_t original_length = 0;
  std::uint32_t source = 0;             ///< which file of a merged source (0 for a single one)
  std::span<const std::uint8_t> bytes;  ///< the captured (possibly truncated) bytes
};

/// Where packets come from: a capture file, several merged, or a live
/// interface. The analyser has one loop over this interface (live and file
/// capture share one loop, docs/analysis.md). Not thread-safe.
class PacketSource {
 public:
  virtual ~PacketSource() = default;
  /// The next packet, or nullopt at the end. File sources throw
  /// MalformedInput (naming the byte offset) when the file is corrupt; what
  /// they returned before it is good.
  virtual std::optional<PacketView> next() = 0;
  /// Packets the kernel dropped, when the source knows (pcap_stats, pcapng
  /// interface statistics).
  virtual std::optional<std::uint64_t> kernel_drops() const { return std::nullopt; }
  /// Names the source in reports and errors (a path, "live:<iface>").
  virtual std::string name() const = 0;
};

}  // namespace failover_hil::netlab
