// Runs the shared MetadataStore, IdentityStore and AuditStore suites against SQLite, plus
// SQLite-specific checks (migrations, durability settings).
#include <gmock/gmock.h>
#include <stdlib.h>

#include <filesystem>

#include "common/temp_dir.h"
#include "metadata/audit_store_suite.h"
#include "metadata/deployment_store_suite.h"
#include "metadata/identity_store_suite.h"
#include "metadata/metadata_store_suite.h"
#include "metadata/policy_store_suite.h"
#include "metadata/sqlite/migrations.h"
#include "metadata/sqlite/sqlite.h"
#include "metadata/sqlite/sqlite_metadata_store.h"

namespace bulwark::metadata {
namespace {

namespace fs = std::filesystem;


std::unique_ptr<SqliteMetadataStore> open_store(const std::string& path) {
  auto opened = SqliteMetadataStore::open(path);
  if (!opened) throw std::runtime_error(opened.error().message);
  return std::move(*opened);
}

// One SQLite store serving every suite's harness interface.
class SqliteHarness final : public MetadataStoreHarness,
                            public IdentityStoreHarness,
                            public AuditStoreHarness,
                            public PolicyStoreHarness,
                            public DeploymentStoreHarness {
 public:
  SqliteHarness() : store_(open_store(dir_.file("metadata.db"))) {}
  MetadataStore& store() override { return *store_; }
  MetadataStore& metadata() override { return *store_; }
  IdentityStore& identities() override { return *store_; }
  AuditStore& audit() override { return *store_; }
  PolicyStore& policies() override { return *store_; }
  DeploymentStore& deployments() override { return *store_; }
  void reopen() override {
    store_.reset();
    store_ = open_store(dir_.file("metadata.db"));
  }

 private:
  TempDir dir_;
  std::unique_ptr<SqliteMetadataStore> store_;
};

INSTANTIATE_TEST_SUITE_P(Backends, MetadataStoreSuite,
                         testing::Values(MetadataStoreBackend{
                             "sqlite", [] { return std::make_unique<SqliteHarness>(); }}),
                         metadata_store_backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, IdentityStoreSuite,
                         testing::Values(IdentityStoreBackend{
                             "sqlite", [] { return std::make_unique<SqliteHarness>(); }}),
                         store_backend_name<IdentityStoreHarness>);
INSTANTIATE_TEST_SUITE_P(Backends, AuditStoreSuite,
                         testing::Values(AuditStoreBackend{
                             "sqlite", [] { return std::make_unique<SqliteHarness>(); }}),
                         store_backend_name<AuditStoreHarness>);
INSTANTIATE_TEST_SUITE_P(Backends, PolicyStoreSuite,
                         testing::Values(PolicyStoreBackend{
                             "sqlite", [] { return std::make_unique<SqliteHarness>(); }}),
                         store_backend_name<PolicyStoreHarness>);
INSTANTIATE_TEST_SUITE_P(Backends, DeploymentStoreSuite,
                         testing::Values(DeploymentStoreBackend{
                             "sqlite", [] { return std::make_unique<SqliteHarness>(); }}),
                         store_backend_name<DeploymentStoreHarness>);

TEST(SqliteMetadataStore, ReopeningAppliesNoMigrationAgain) {
  TempDir dir;
  auto first = open_store(dir.file("m.db"));
  EXPECT_EQ(first->migrations_applied(), static_cast<int>(sqlite::metadata_migrations().size()));
  first.reset();
  auto second = open_store(dir.file("m.db"));
  EXPECT_EQ(second->migrations_applied(), 0);
}

TEST(SqliteMetadataStore, UsesWalWithForeignKeys) {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  auto db = sqlite::Db::open(dir.file("m.db"));
  ASSERT_TRUE(db);
  auto mode = (*db)->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode && *mode->step());
  EXPECT_EQ(mode->column_text(0), "wal");
}

TEST(SqliteMetadataStore, OpenFailsOnGarbageFile) {
  TempDir dir;
  {
    std::FILE* f = std::fopen(dir.file("junk.db").c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::string junk(4096, 'x');
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
  auto opened = SqliteMetadataStore::open(dir.file("junk.db"));
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kCorrupt);
}

class MigrationsTest : public testing::Test {
 protected:
  void SetUp() override {
    auto opened = sqlite::Db::open(dir_.file("mig.db"));
    ASSERT_TRUE(opened);
    db_ = std::move(*opened);
  }
  bool table_exists(std::string_view name) {
    auto query = db_->prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    if (!query) return false;
    auto row = query->bind(name).step();
    return row && *row;
  }

  TempDir dir_;
  std::unique_ptr<sqlite::Db> db_;
};

TEST_F(MigrationsTest, AppliesOnlyNewerVersions) {
  const sqlite::Migration v1[] = {{1, "CREATE TABLE one (x INTEGER)"}};
  const sqlite::Migration v2[] = {{1, "CREATE TABLE one (x INTEGER)"},
                                  {2, "CREATE TABLE two (x INTEGER); CREATE TABLE three (y TEXT)"}};
  EXPECT_EQ(*sqlite::apply_migrations(*db_, v1), 1);
  EXPECT_EQ(*sqlite::apply_migrations(*db_, v1), 0);
  EXPECT_EQ(*sqlite::apply_migrations(*db_, v2), 1);  // "one" would fail if rerun
  EXPECT_EQ(*sqlite::schema_version(*db_), 2);
  EXPECT_TRUE(table_exists("two") && table_exists("three"));
}

TEST_F(MigrationsTest, FailedMigrationLeavesNoTrace) {
  const sqlite::Migration migrations[] = {
      {1, "CREATE TABLE one (x INTEGER)"},
      {2, "CREATE TABLE two (x INTEGER); CREATE TABLE one (x INTEGER)"}};
  auto r = sqlite::apply_migrations(*db_, migrations);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, testing::HasSubstr("migration 2"));
  EXPECT_EQ(*sqlite::schema_version(*db_), 1);
  EXPECT_FALSE(table_exists("two"));
}

TEST_F(MigrationsTest, RefusesDatabaseFromNewerBinary) {
  const sqlite::Migration newer[] = {{1, "CREATE TABLE one (x INTEGER)"},
                                     {2, "CREATE TABLE two (x INTEGER)"}};
  ASSERT_TRUE(sqlite::apply_migrations(*db_, newer));
  auto r = sqlite::apply_migrations(*db_, std::span(newer, 1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace bulwark::metadata
