#pragma once

// Captures from several hosts whose clocks differ (issue 15): how each
// file's timestamps are put on the first file's time line.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace failover_hil::netlab {

/// How one capture file's timestamps were aligned.
struct ClockOffset {
  enum class Method {
    reference,  ///< the first file: the time line itself
    given,      ///< from the user (a PTP/NTP offset the host knew)
    estimated,  ///< from packets both this file and the reference captured
    none        ///< no packet in common and none given: taken as is (offset 0)
  };
  std::string source;
  std::int64_t offset_ns = 0;  ///< added to every timestamp of the file
  Method method = Method::reference;
  std::uint64_t matched_packets = 0;  ///< estimated: packets found in both (sampled)
  /// estimated: half the difference between the two directions' offsets
  /// (the one-way delay between the capture points, if symmetric); nullopt
  /// when packets travelled one way only, so the offset also holds that
  /// delay.
  std::optional<std::int64_t> uncertainty_ns;
};
/// "reference", "given", "estimated", "none".
const char* clock_method_name(ClockOffset::Method m);

/// Estimates, for each file after the first, the offset that puts its
/// timestamps on the first file's time line, from packets both captured
/// (the same TCP segment, echo, ARP or NA: packet_fingerprint), NTP-style:
/// the median difference per direction (source, destination pair), then
/// the midpoint of the largest and smallest, so a symmetric one-way delay
/// between the capture points cancels. Reads each file once, samples 1 in
/// 16 packets by fingerprint (consistently in every file) and keeps at most
/// 1 M of the reference's: bounded memory. Files without a packet in common
/// get Method::none. Throws as PcapFileSource does; a corrupt file is read
/// up to its error.
std::vector<ClockOffset> estimate_clock_offsets(const std::vector<std::string>& paths);

}  // namespace failover_hil::netlab
