// The analyser's flat hash map (issue 15): the same answers as
// std::unordered_map under inserts, updates and deletions that collide.
#include "flat_u64_map.hpp"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

namespace failover_hil::netlab {
namespace {

TEST(FlatU64MapTest, AgreesWithUnorderedMapUnderChurn) {
  FlatU64Map flat;
  std::unordered_map<std::uint64_t, std::uint64_t> model;
  std::mt19937_64 rng(15);
  // Few distinct keys, so probe runs collide and deletions shift entries.
  std::uniform_int_distribution<std::uint64_t> key(0, 5000);
  for (int step = 0; step < 200000; ++step) {
    const auto k = key(rng);
    switch (rng() % 3) {
      case 0:
        flat.set(k, static_cast<std::uint64_t>(step));
        model[k] = static_cast<std::uint64_t>(step);
        break;
      case 1: {
        const auto it = model.find(k);
        const auto value = it == model.end() ? 0 : it->second;
        const bool erased = flat.erase_if_value(k, value);
        EXPECT_EQ(erased, it != model.end());
        if (it != model.end()) model.erase(it);
        break;
      }
      default: {
        const auto* v = flat.find(k);
        const auto it = model.find(k);
        ASSERT_EQ(v != nullptr, it != model.end()) << "key " << k << " step " << step;
        if (v) {
          EXPECT_EQ(*v, it->second);
        }
      }
    }
    ASSERT_EQ(flat.size(), model.size());
  }
  std::size_t seen = 0;
  flat.for_each([&](std::uint64_t k, std::uint64_t v) {
    ++seen;
    EXPECT_EQ(model.at(k), v);
  });
  EXPECT_EQ(seen, model.size());
}

TEST(FlatU64MapTest, StaleEntriesAreNeverMistakenForLiveOnes) {
  // As the analyser uses it: values are growing probe indices; those below
  // the window's base are stale and never erased one by one.
  FlatU64Map flat;
  std::unordered_map<std::uint64_t, std::uint64_t> newest;
  std::mt19937_64 rng(6894);
  std::uniform_int_distribution<std::uint64_t> key(0, 20000);
  constexpr std::uint64_t kWindow = 3000;
  for (std::uint64_t step = 0; step < 300000; ++step) {
    const std::uint64_t base = step > kWindow ? step - kWindow : 0;
    const auto k = key(rng);
    const auto* v = flat.find(k);
    const auto it = newest.find(k);
    const bool live = it != newest.end() && it->second >= base;
    ASSERT_EQ(v != nullptr && *v >= base, live) << "key " << k << " step " << step;
    if (live) {
      ASSERT_EQ(*v, it->second);
      continue;  // a retransmission: the analyser does not insert it again
    }
    flat.set_over_stale(k, step, base);
    newest[k] = step;
  }
  EXPECT_LT(flat.size(), 4 * kWindow);  // stale entries were dropped, not kept
}

TEST(FlatU64MapTest, EraseKeepsAnEntryWhoseValueChanged) {
  FlatU64Map flat;
  flat.set(7, 1);
  flat.set(7, 2);  // the key was reused by a later probe
  EXPECT_FALSE(flat.erase_if_value(7, 1));
  ASSERT_NE(flat.find(7), nullptr);
  EXPECT_EQ(*flat.find(7), 2u);
}

}  // namespace
}  // namespace failover_hil::netlab
