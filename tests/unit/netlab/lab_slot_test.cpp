// Labs side by side: each run's slot gives its own prefix and subnet, a
// slot is held by one process at a time, and a killed run's leftovers in a
// free slot are removed by the next run that looks for one.
#include "failover_hil/netlab/lab_slot.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "failover_hil/netlab/error.hpp"

namespace failover_hil::netlab {
namespace {

namespace fs = std::filesystem;

class LabSlots : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("fhil-slots-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  LabSpec default_lab() const {
    return load_lab_file(fs::path(FHIL_SOURCE_DIR) / "scenarios/labs/default.yaml");
  }
  fs::path dir_;
};

TEST_F(LabSlots, SlotZeroIsTheLabFileAsWritten) {
  const auto slot = LabSlot::acquire(dir_, dir_ / "locks");
  EXPECT_EQ(slot.index(), 0);
  const auto spec = default_lab();
  const auto placed = slot.place(spec);
  EXPECT_EQ(placed.prefix, "fhil0-");
  EXPECT_EQ(placed.subnet, spec.subnet);
  EXPECT_EQ(placed.shared_ip, spec.shared_ip);
}

TEST_F(LabSlots, EachHeldSlotGivesTheNextPrefixAndSubnet) {
  const auto a = LabSlot::acquire(dir_, dir_ / "locks");
  const auto b = LabSlot::acquire(dir_, dir_ / "locks");
  EXPECT_EQ(b.index(), 1);
  const auto placed = b.place(default_lab());
  EXPECT_EQ(placed.prefix, "fhil1-");
  EXPECT_EQ(placed.subnet.str(), "198.18.1.0/24");
  EXPECT_EQ(placed.shared_ip.str(), "198.18.1.10");
  EXPECT_EQ(placed.vip.str(), "198.18.1.100");
  EXPECT_EQ(placed.host("appB").ip.str(), "198.18.1.12");
  EXPECT_EQ(placed.host("router").ip.str(), "198.18.1.254");
  // Written and read back, it is the same lab.
  const auto file = dir_ / "placed.yaml";
  std::ofstream(file) << to_lab_yaml(placed);
  const auto again = load_lab_file(file);
  EXPECT_EQ(again.prefix, placed.prefix);
  EXPECT_EQ(again.subnet, placed.subnet);
  EXPECT_EQ(again.host("client2").ip, placed.host("client2").ip);
  EXPECT_EQ(again.site_ports, placed.site_ports);
}

TEST_F(LabSlots, PrefixesStayShortEnoughForInterfaceNames) {
  EXPECT_EQ(slot_prefix(9), "fhil9-");
  EXPECT_EQ(slot_prefix(10), "fhila-");
  EXPECT_EQ(slot_prefix(LabSlot::kMaxSlots - 1), "fhilz-");
}

TEST_F(LabSlots, AReleasedSlotIsFreeAgainAndLeavesNoLockFile) {
  {
    const auto a = LabSlot::acquire(dir_, dir_ / "state" / "slots");
    const auto b = LabSlot::acquire(dir_, dir_ / "state" / "slots");
    EXPECT_TRUE(fs::exists(dir_ / "state" / "slots" / "slot-1.lock"));
  }
  // The last slot let go takes its emptied folders with it (a run left an
  // empty /run/failover-hil/slots behind).
  EXPECT_FALSE(fs::exists(dir_ / "state")) << "a lock file or folder outlived its slot";
  EXPECT_EQ(LabSlot::acquire(dir_, dir_ / "state" / "slots").index(), 0);
}

TEST_F(LabSlots, ASlotHeldByAnotherProcessIsRefusedByNameAndSkipped) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    auto held = LabSlot::take(0, dir_ / "locks");
    char c = 'x';
    if (::write(ready[1], &c, 1) != 1) ::_exit(1);
    ::pause();
    ::_exit(0);
  }
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  EXPECT_EQ(LabSlot::acquire(dir_, dir_ / "locks").index(), 1) << "slot 0 is another process's";
  try {
    LabSlot::take(0, dir_ / "locks");
    ADD_FAILURE() << "took a held slot";
  } catch (const NetlabError& e) {
    EXPECT_NE(std::string(e.what()).find("lab slot 0 (prefix fhil0-) is held"), std::string::npos)
        << e.what();
  }
  ::kill(child, SIGKILL);  // a killed run: its lock goes with it
  ::waitpid(child, nullptr, 0);
  EXPECT_EQ(LabSlot::take(0, dir_ / "locks").index(), 0);
}

TEST_F(LabSlots, AKilledRunsJournalInAFreeSlotIsUndone) {
  fs::create_directories(dir_);
  const auto journal = dir_ / "fhil3-default.journal";
  // A holder that no longer runs, and nothing it created is left.
  std::ofstream(journal) << R"({"kind":"holder","name":"failover-hil","pid":999999999})"
                         << "\n";
  const auto slot = LabSlot::acquire(dir_, dir_ / "locks");
  EXPECT_EQ(slot.index(), 0);
  EXPECT_FALSE(fs::exists(journal)) << "the leftover journal of slot 3 was not undone";
}

TEST_F(LabSlots, ALabThatWouldLeaveTheBenchmarkingRangeIsRefused) {
  auto spec = default_lab();
  spec.subnet = Ipv4Prefix::parse("198.19.255.0/24");
  for (auto& h : spec.hosts) h.ip.value += 0x0001ff00;
  spec.shared_ip.value += 0x0001ff00;
  spec.vip.value += 0x0001ff00;
  const auto slot = LabSlot::take(1, dir_ / "locks");
  EXPECT_THROW(slot.place(spec), NetlabError);
}

}  // namespace
}  // namespace failover_hil::netlab
