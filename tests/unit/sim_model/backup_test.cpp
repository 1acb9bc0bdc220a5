#include "failover_hil/sim/model/backup.hpp"

#include <gtest/gtest.h>

#include "failover_hil/core/byte_reader.hpp"
#include "failover_hil/core/hex.hpp"
#include "fixture.hpp"

namespace failover_hil::sim::testing {
namespace {

class BackupTest : public PairTest {
 protected:
  void SetUp() override {
    a.add_user({"rep1", "Rep One"});
    a.set_setting("site.title", "Support");
    a.add_file({"/small", 1000});
    a.add_file({"/big", 300 * 1024});
    lsid = session_on(a);
    a.add_recording({lsid, 2 * kGiB});
  }
  std::string lsid;
  BackupSecret key = BackupSecret::key(bytes_of(9));
};

TEST_F(BackupTest, R01_ExportRecordsChecksumAndRestores) {
  const auto file = a.export_backup(key);
  EXPECT_EQ(file.sha256_hex, to_hex(crypto::sha256(file.bytes)));
  const auto c = open_backup(file.bytes, key);
  EXPECT_EQ(c.appliance_guid, kGuidA);
  EXPECT_EQ(c.software, kOld);
  EXPECT_EQ(c.store.users, a.store().users);
  EXPECT_EQ(c.store.sessions, a.store().sessions);

  b.import_backup(file.bytes, key);
  EXPECT_EQ(b.store().users, a.store().users);
  EXPECT_EQ(b.store().settings.at("site.title"), "Support");
}

TEST_F(BackupTest, R01_EncryptedAtRest) {
  const auto file = a.export_backup(key);
  const std::string raw(file.bytes.begin(), file.bytes.end());
  EXPECT_EQ(raw.find("Rep One"), std::string::npos);
  EXPECT_EQ(raw.find("site.title"), std::string::npos);
}

TEST_F(BackupTest, R01_HoldsWhatTheProductsBackupHolds) {
  const auto c = open_backup(a.export_backup(key).bytes, key);
  EXPECT_TRUE(c.store.recordings.empty()) << "recordings are not in a backup";
  EXPECT_TRUE(c.store.files.contains("/small"));
  EXPECT_FALSE(c.store.files.contains("/big")) << "only files under 200 KB";
  DataStore many;
  for (int i = 0; i < 80; ++i) many.files["/f" + std::to_string(i)] = {"/f" + std::to_string(i), 1};
  EXPECT_EQ(backup_subset(many).files.size(), kBackupMaxFiles);
}

TEST_F(BackupTest, R01_PasswordProtected) {
  const auto pw = BackupSecret::password("correct horse battery");
  const auto file = a.export_backup(pw);
  EXPECT_EQ(open_backup(file.bytes, pw).store.users, a.store().users);
  EXPECT_MODEL_ERROR(open_backup(file.bytes, BackupSecret::password("wrong password!")), "R01",
                     "key or password is wrong");
  EXPECT_MODEL_ERROR(open_backup(file.bytes, key), "R01", "protected by a password");
  // The backup API page's example password: no length rule.
  const auto abc = BackupSecret::password("abc");
  EXPECT_EQ(open_backup(a.export_backup(abc).bytes, abc).appliance_name, a.name());
  EXPECT_MODEL_ERROR(BackupSecret::key(bytes_of(1, 16)), "R01", "32 bytes");
}

TEST_F(BackupTest, R01_WrongKeyChangesNothing) {
  const auto file = a.export_backup(key);
  b.add_user({"keep", "Keep Me"});
  const auto before = b.store();
  EXPECT_MODEL_ERROR(b.import_backup(file.bytes, BackupSecret::key(bytes_of(8))), "R01",
                     "key or password is wrong");
  EXPECT_EQ(b.store(), before);
}

TEST_F(BackupTest, R01_EveryTamperedByteIsRefused) {
  const auto file = a.export_backup(key);
  const auto before = b.store();
  for (std::size_t i = 0; i < file.bytes.size(); ++i) {
    auto t = file.bytes;
    t[i] ^= 0x01;
    EXPECT_ANY_THROW(b.import_backup(t, key)) << "flipped byte " << i;
  }
  EXPECT_EQ(b.store(), before);
}

TEST_F(BackupTest, R01_TruncatedFileGivesOffset) {
  const auto file = a.export_backup(key);
  for (std::size_t n = 0; n < file.bytes.size(); n += 7) {
    std::vector<std::uint8_t> cut(file.bytes.begin(), file.bytes.begin() + static_cast<long>(n));
    EXPECT_THROW(open_backup(cut, key), MalformedInput) << "cut at " << n;
  }
  try {
    open_backup({'F', 'H', 'I', 'L'}, key);
    FAIL();
  } catch (const MalformedInput& e) {
    EXPECT_NE(std::string(e.what()).find("backup file is malformed at byte 0"), std::string::npos)
        << e.what();
  }
}

TEST_F(BackupTest, R19_ABackupCannotRestoreABackup) {
  const auto file = a.export_backup(key);
  establish_ab();
  EXPECT_MODEL_ERROR(b.import_backup(file.bytes, key), "R19", "restricted");
}

}  // namespace
}  // namespace failover_hil::sim::testing
