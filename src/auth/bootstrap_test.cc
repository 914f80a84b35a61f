#include "auth/bootstrap.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "auth/password.h"
#include "common/temp_dir.h"
#include "metadata/sqlite/sqlite_metadata_store.h"

namespace bulwark::auth {
namespace {

namespace fs = std::filesystem;

class BootstrapTest : public testing::Test {
 protected:
  void SetUp() override { reopen(); }
  void TearDown() override { store_.reset(); }
  void reopen() {
    store_.reset();
    auto opened = metadata::SqliteMetadataStore::open(dir_ + "/metadata.sqlite");
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
  }
  std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::string s;
    std::getline(in, s);
    return s;
  }

  TempDir temp_{"bulwark-bootstrap"};
  const std::string& dir_ = temp_.path();
  std::unique_ptr<metadata::SqliteMetadataStore> store_;
};

TEST_F(BootstrapTest, GeneratedPasswordIsWrittenPrivatelyAndVerifies) {
  auto r = ensure_admin(*store_, dir_, std::nullopt);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->created);
  ASSERT_TRUE(r->generated_password);
  EXPECT_GE(r->generated_password->size(), 20u);
  EXPECT_EQ(read_file(r->password_file), *r->generated_password);
  struct stat st {};
  ASSERT_EQ(::stat(r->password_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto admin = store_->get_user("admin");
  ASSERT_TRUE(admin && *admin);
  EXPECT_TRUE((*admin)->admin);
  EXPECT_TRUE(verify_password((*admin)->password_hash, *r->generated_password));
  EXPECT_FALSE(verify_password((*admin)->password_hash, "not-it"));
}

TEST_F(BootstrapTest, GivenPasswordIsUsedAndNoFileIsWritten) {
  auto r = ensure_admin(*store_, dir_, std::string("correct horse battery staple"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->created);
  EXPECT_FALSE(r->generated_password);
  EXPECT_FALSE(fs::exists(dir_ + "/initial-admin-password"));
  auto admin = store_->get_user("admin");
  ASSERT_TRUE(admin && *admin);
  EXPECT_TRUE(verify_password((*admin)->password_hash, "correct horse battery staple"));
}

TEST_F(BootstrapTest, RestartChangesNothing) {
  auto first = ensure_admin(*store_, dir_, std::nullopt);
  ASSERT_TRUE(first && first->created);
  reopen();
  auto second = ensure_admin(*store_, dir_, std::string("another password"));
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->created);
  auto admin = store_->get_user("admin");
  ASSERT_TRUE(admin && *admin);
  EXPECT_TRUE(verify_password((*admin)->password_hash, *first->generated_password));
  EXPECT_FALSE(verify_password((*admin)->password_hash, "another password"));
  EXPECT_EQ(read_file(first->password_file), *first->generated_password);
}

}  // namespace
}  // namespace bulwark::auth
