#include "failover_hil/netlab/clock_offset.hpp"

#include <algorithm>
#include <map>

#include "failover_hil/core/byte_reader.hpp"
#include "failover_hil/netlab/decode.hpp"
#include "failover_hil/netlab/pcap_file.hpp"
#include "flat_u64_map.hpp"
#include "packet_fingerprint.hpp"

namespace failover_hil::netlab {

namespace {

constexpr std::uint64_t kSampleOneIn = 16;
constexpr std::size_t kMaxReferencePackets = 1 << 20;
constexpr std::size_t kMaxDiffsPerDirection = 1 << 16;
constexpr std::uint64_t kMinMatches = 3;

// Calls on(fingerprint, direction, timestamp) for every sampled packet of
// `path`, up to the end or the first corrupt record.
template <typename F>
void each_sampled_packet(const std::string& path, F&& on) {
  PcapFileSource source(path);
  try {
    while (const auto p = source.next()) {
      const auto f = decode_frame(p->linktype, p->bytes);
      const auto fp = packet_fingerprint(f);
      if (!fp || *fp % kSampleOneIn != 0) continue;
      on(*fp, direction_of(f), p->timestamp_ns);
    }
  } catch (const MalformedInput&) {
    // What was read before the corruption still aligns the clocks; the
    // analysis itself reports the error.
  }
}

std::int64_t median_of(std::vector<std::int64_t>& v) {
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

}  // namespace

const char* clock_method_name(ClockOffset::Method m) {
  switch (m) {
    case ClockOffset::Method::reference:
      return "reference";
    case ClockOffset::Method::given:
      return "given";
    case ClockOffset::Method::estimated:
      return "estimated";
    case ClockOffset::Method::none:
      return "none";
  }
  return "?";
}

std::vector<ClockOffset> estimate_clock_offsets(const std::vector<std::string>& paths) {
  std::vector<ClockOffset> out;
  if (paths.empty()) return out;
  out.push_back({paths[0], 0, ClockOffset::Method::reference, 0, std::nullopt});
  FlatU64Map reference;  // fingerprint -> timestamp (the first copy)
  each_sampled_packet(paths[0], [&](std::uint64_t fp, std::uint64_t, std::int64_t ts) {
    if (reference.size() < kMaxReferencePackets && reference.find(fp) == nullptr)
      reference.set(fp, static_cast<std::uint64_t>(ts));
  });
  for (std::size_t i = 1; i < paths.size(); ++i) {
    std::map<std::uint64_t, std::vector<std::int64_t>> by_direction;  // other - reference
    FlatU64Map seen;  // a packet copied twice in this file counts once
    std::uint64_t matched = 0;
    each_sampled_packet(paths[i], [&](std::uint64_t fp, std::uint64_t dir, std::int64_t ts) {
      const auto* ref = reference.find(fp);
      if (ref == nullptr || seen.find(fp) != nullptr) return;
      seen.set(fp, 1);
      auto& diffs = by_direction[dir];
      if (diffs.size() < kMaxDiffsPerDirection) {
        diffs.push_back(ts - static_cast<std::int64_t>(*ref));
        ++matched;
      }
    });
    ClockOffset c{paths[i], 0, ClockOffset::Method::none, matched, std::nullopt};
    std::vector<std::int64_t> medians;
    for (auto& [dir, diffs] : by_direction)
      if (diffs.size() >= kMinMatches) medians.push_back(median_of(diffs));
    if (!medians.empty()) {
      const auto [lo, hi] = std::minmax_element(medians.begin(), medians.end());
      // Each direction's median is (clock difference + that way's delay);
      // their midpoint cancels a symmetric delay.
      c.offset_ns = -(*lo + (*hi - *lo) / 2);
      c.method = ClockOffset::Method::estimated;
      if (medians.size() > 1) c.uncertainty_ns = (*hi - *lo) / 2;
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace failover_hil::netlab
