#pragma once

// An open-addressing hash map from 64-bit keys to 64-bit values, for the
// analyser's per-packet look-ups (issue 15): one flat array, linear
// probing, backward-shift deletion (no tombstones), so a look-up touches
// one or two adjacent cache lines where std::unordered_map chases a node
// pointer per entry. Entries whose values grow with time can instead be
// left to go stale and be dropped in bulk (set_over_stale). Not
// thread-safe.

#include <algorithm>
#include <cstdint>
#include <vector>

namespace failover_hil::netlab {

class FlatU64Map {
 public:
  /// Keys must differ from this value.
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};

  FlatU64Map() : slots_(16, Slot{kEmpty, 0}), mask_(15) {}

  /// The value of `key`, or nullptr. Valid until the next insert or erase.
  std::uint64_t* find(std::uint64_t key) {
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key == key) return &s.value;
      if (s.key == kEmpty) return nullptr;
    }
  }

  const std::uint64_t* find(std::uint64_t key) const {
    return const_cast<FlatU64Map*>(this)->find(key);
  }

  /// Sets `key` to `value`, inserting it when absent.
  void set(std::uint64_t key, std::uint64_t value) {
    // At most 3/4 full: probe runs stay within a cache line or two, and the
    // table of a 10 kHz prober's 40 000 remembered probes fits a 1 MiB L2.
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key == key) {
        s.value = value;
        return;
      }
      if (s.key == kEmpty) {
        s = {key, value};
        ++size_;
        return;
      }
    }
  }

  /// Sets `key` to `value` where entries whose value is below `stale_below`
  /// are dead: such a slot on the way is taken over, and when the table is
  /// full the dead are dropped in one sequential pass (a rehash) instead of
  /// one erase each. For values that grow with time (the analyser's probe
  /// indices): an entry is forgotten without touching its cold cache line.
  /// find() may return a dead entry; callers compare its value.
  void set_over_stale(std::uint64_t key, std::uint64_t value, std::uint64_t stale_below) {
    if ((size_ + 1) * 4 > slots_.size() * 3) rehash(stale_below);
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key == kEmpty) ++size_;
      if (s.key == kEmpty || s.key == key || s.value < stale_below) {
        // A live entry of `key` is never behind a dead one: inserts stop at
        // the first dead slot, so this is the only live one.
        s = {key, value};
        return;
      }
    }
  }

  /// Removes `key` when its value is `value` (an older entry of a reused
  /// key stays); true when it did.
  bool erase_if_value(std::uint64_t key, std::uint64_t value) {
    std::size_t i = home(key);
    for (;; i = (i + 1) & mask_) {
      if (slots_[i].key == kEmpty) return false;
      if (slots_[i].key == key) break;
    }
    if (slots_[i].value != value) return false;
    // Backward shift: pull later entries of the probe run into the hole
    // when their home position allows it (Knuth 6.4, algorithm R).
    for (std::size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      if (slots_[j].key == kEmpty) break;
      const std::size_t h = home(slots_[j].key);
      if (((j - h) & mask_) >= ((j - i) & mask_)) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i].key = kEmpty;
    --size_;
    return true;
  }

  /// Calls f(key, value) for every entry, in no particular order.
  template <typename F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_)
      if (s.key != kEmpty) f(s.key, s.value);
  }

  void clear() {
    slots_.assign(16, Slot{kEmpty, 0});
    mask_ = 15;
    size_ = 0;
  }
  std::size_t size() const { return size_; }

 private:
  struct Slot {
    std::uint64_t key;
    std::uint64_t value;
  };
  std::size_t home(std::uint64_t key) const {
    // Fibonacci hashing: the high bits of key x 2^64 / phi spread ports and
    // sequence numbers alike.
    return static_cast<std::size_t>((key * 0x9e3779b97f4a7c15ull) >> 32) & mask_;
  }
  void grow() { rehash(0); }
  // Rebuilds without entries below `stale_below`, doubling when the live
  // ones would fill more than 3/8 of the table (so rehashes stay rare).
  void rehash(std::uint64_t stale_below) {
    std::size_t live = 0;
    for (const Slot& s : slots_) live += s.key != kEmpty && s.value >= stale_below;
    std::size_t capacity = slots_.size();
    while ((live + 1) * 8 > capacity * 3) capacity *= 2;
    std::vector<Slot> old(capacity, Slot{kEmpty, 0});
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    size_ = 0;
    for (const Slot& s : old) {
      if (s.key == kEmpty || s.value < stale_below) continue;
      for (std::size_t i = home(s.key);; i = (i + 1) & mask_) {
        Slot& d = slots_[i];
        if (d.key == kEmpty) {
          d = s;
          ++size_;
          break;
        }
        if (d.key == s.key) {  // an older copy left by set_over_stale: keep the newer
          d.value = std::max(d.value, s.value);
          break;
        }
      }
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_;
  std::size_t size_ = 0;
};

}  // namespace failover_hil::netlab
