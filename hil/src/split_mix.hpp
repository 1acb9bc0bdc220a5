#pragma once
// Internal: the one random generator of an in-process run and of explore's
// draws. splitmix64 (Steele, Lea, Flood 2014): tiny, fast, and the same
// numbers on every platform and standard library, so a seed replays anywhere
// (std::uniform_*_distribution is implementation-defined).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace failover_hil::hil {

class SplitMix64 {
 public:
  /// One stream per (seed, purpose): the schedule and the network draw apart.
  SplitMix64(std::uint64_t seed, std::string_view purpose) : state_(seed) {
    for (const char c : purpose) state_ = state_ * 1099511628211ULL ^ static_cast<unsigned char>(c);
    next();
  }
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// 0..n-1 (n > 0).
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  /// [lo, hi), 53 bits.
  double uniform(double lo, double hi) {
    return lo + (hi - lo) * static_cast<double>(next() >> 11) * 0x1.0p-53;
  }
  /// A number in [lo, hi] with `per_unit` steps per unit (1000: three
  /// decimals), so it survives a round trip through YAML text.
  double quantized(double lo, double hi, double per_unit) {
    return std::clamp(std::round(uniform(lo, hi) * per_unit) / per_unit, lo, hi);
  }
  /// A whole number in [lo, hi].
  double whole(double lo, double hi) {
    return lo + static_cast<double>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }

 private:
  std::uint64_t state_;
};

}  // namespace failover_hil::hil
