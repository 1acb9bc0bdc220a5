#include <gtest/gtest.h>

#include "failover_hil/core/byte_reader.hpp"
#include "failover_hil/sim/model/update_server.hpp"
#include "fixture.hpp"

namespace failover_hil::sim::testing {
namespace {

using UpdatesTest = PairTest;

std::vector<std::string> ids(const std::vector<UpdateInfo>& v) {
  std::vector<std::string> out;
  for (const auto& u : v) out.push_back(u.id);
  return out;
}

TEST_F(UpdatesTest, R08_AutomaticFlowOffersAndInstalls) {
  a.set_available_updates(server.available(a.check_for_updates()));
  EXPECT_EQ(ids(a.available_updates()), (std::vector<std::string>{"base-3.4.0", "sw-24.1.0"}));
  const auto id = a.take_update_for_install("base-3.4.0");
  a.install_file(server.download(a.identity().guid, id));
  EXPECT_EQ(a.state(), OperatingState::installing);
}

TEST_F(UpdatesTest, R08_NotOfferedInAFailoverRelationship) {
  establish_ab();
  EXPECT_MODEL_ERROR(a.check_for_updates(), "R08", "failover relationship");
  EXPECT_MODEL_ERROR(b.check_for_updates(), "R08", "failover relationship");
  a.break_relationship();
  pair.pump();
  EXPECT_NO_THROW(a.check_for_updates());
  EXPECT_NO_THROW(b.check_for_updates());
}

TEST_F(UpdatesTest, R08_NotOfferedInAnAtlasDeployment) {
  auto cfg = config_a;
  cfg.atlas = AtlasRole::traffic_node;
  Appliance atlas(cfg, clock);
  EXPECT_MODEL_ERROR(atlas.check_for_updates(), "R08", "Atlas");
}

TEST_F(UpdatesTest, R10_DownloadedUpdateIsNoLongerAvailable) {
  a.set_available_updates(server.available(a.check_for_updates()));
  a.take_update_for_install("base-3.4.0");
  EXPECT_EQ(ids(a.available_updates()), std::vector<std::string>{"sw-24.1.0"});
  server.download(kGuidA, "base-3.4.0");
  EXPECT_EQ(ids(server.available(a.check_for_updates())), std::vector<std::string>{"sw-24.1.0"});
  EXPECT_MODEL_ERROR(server.download(kGuidA, "base-3.4.0"), "R10", "support");
  EXPECT_MODEL_ERROR(a.take_update_for_install("base-3.4.0"), "R10", "not under Available");
  // Other appliances are not affected; support can re-enable the download.
  EXPECT_NO_THROW(server.download(kGuidB, "base-3.4.0"));
  server.support_allow_redownload(kGuidA, "base-3.4.0");
  EXPECT_NO_THROW(server.download(kGuidA, "base-3.4.0"));
  EXPECT_THROW(server.download(kGuidA, "no-such-update"), ModelError);
}

TEST_F(UpdatesTest, R09_DownloadKeyNeedsBase332) {
  auto cfg = config_a;
  cfg.base = {3, 3, 1};
  Appliance old(cfg, clock);
  EXPECT_MODEL_ERROR(old.download_key(), "R09", "Base 3.3.2");
  const auto key = a.download_key();
  EXPECT_EQ(guid_of_download_key(key), kGuidA);
}

TEST_F(UpdatesTest, R09_ManualFlowYieldsSignedKeyBoundFiles) {
  const auto files = server.files_for_key(a.download_key(), a.base(), a.software());
  ASSERT_EQ(files.size(), 2u);
  const auto f = read_update_file(files[0], vendor.public_key, kGuidA);
  EXPECT_EQ(f.info.id, "base-3.4.0");
  EXPECT_EQ(f.appliance_guid, kGuidA);
  a.install_file(files[0]);
  EXPECT_EQ(a.state(), OperatingState::installing);
  EXPECT_TRUE(server.files_for_key(a.download_key(), a.base(), a.software()).empty())
      << "R10: files are handed out once";
}

TEST_F(UpdatesTest, R09_MalformedDownloadKeysAreRefused) {
  const auto good = make_download_key(kGuidA);
  std::string wrong_check = good;
  wrong_check.back() = wrong_check.back() == '0' ? '1' : '0';
  for (const std::string& bad :
       {std::string(""), std::string("hello"), std::string("ADK1-xyz-1234"), wrong_check,
        std::string("ADK1-") + kGuidA}) {
    EXPECT_MODEL_ERROR(server.files_for_key(bad, a.base(), a.software()), "R09",
                       "not an Appliance Download Key");
  }
}

TEST_F(UpdatesTest, R09_TamperedFileIsRejectedAndNothingChanges) {
  const auto file = server.download(kGuidA, "base-3.4.0");
  for (std::size_t i = 0; i < file.size(); i += 3) {
    auto t = file;
    t[i] ^= 0x20;
    EXPECT_ANY_THROW(a.install_file(t)) << "byte " << i;
  }
  EXPECT_EQ(a.state(), OperatingState::running);
  EXPECT_EQ(a.base(), (Version{3, 3, 2}));
  auto body_flip = file;
  body_flip[20] ^= 0x01;  // inside the signed JSON body
  EXPECT_MODEL_ERROR(a.install_file(body_flip), "R09", "signature does not verify");
}

TEST_F(UpdatesTest, R09_FileForAnotherApplianceIsRejected) {
  const auto file_for_b = server.download(kGuidB, "base-3.4.0");
  EXPECT_MODEL_ERROR(a.install_file(file_for_b), "R09", "issued for appliance " + kGuidB);
  EXPECT_EQ(a.state(), OperatingState::running);
}

TEST_F(UpdatesTest, R09_FileSignedByAnotherKeyIsRejected) {
  const auto rogue = crypto::ed25519_from_seed(bytes_of(99));
  const auto file = write_update_file(test_catalogue()[0], kGuidA, rogue.private_key);
  EXPECT_MODEL_ERROR(a.install_file(file), "R09", "signature does not verify");
}

TEST_F(UpdatesTest, R09_TruncatedFileNamesTheOffset) {
  const auto file = server.download(kGuidA, "base-3.4.0");
  const std::vector<std::uint8_t> cut(file.begin(), file.begin() + 10);
  try {
    a.install_file(cut);
    FAIL();
  } catch (const MalformedInput& e) {
    EXPECT_EQ(e.offset(), 8u);
  }
  EXPECT_THROW(a.install_file({}), MalformedInput);
}

TEST_F(UpdatesTest, R06_SoftwareUpdateNeedsItsBaseUpdateFirst) {
  EXPECT_MODEL_ERROR(a.install_file(server.download(kGuidA, "sw-24.1.0")), "R06",
                     "install that Base update first");
  EXPECT_EQ(a.state(), OperatingState::running);
}

TEST_F(UpdatesTest, AnUpdateThatIsNotNewerIsRefused) {
  install(a, "base-3.4.0");
  server.support_allow_redownload(kGuidA, "base-3.4.0");
  EXPECT_MODEL_ERROR(a.install_file(server.download(kGuidA, "base-3.4.0")), "",
                     "already runs Base 3.4.0");
}

}  // namespace
}  // namespace failover_hil::sim::testing
