// Test helpers shared by the job suites that work on stored images (policy enforcement,
// promotion): a real SQLite metadata store and filesystem blob store in a fresh temporary
// directory, and builders for projects, blobs, descriptors and policy versions. Test-only; not
// thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/digest.h"
#include "common/temp_dir.h"
#include "metadata/sqlite/sqlite_metadata_store.h"
#include "metadata/store_backend.h"
#include "storage/fs/fs_blob_store.h"

namespace bulwark::jobs::testing {

// An OCI descriptor as JSON.
inline std::string descriptor(std::string_view media_type, const Digest& d, size_t size) {
  return R"({"mediaType":")" + std::string(media_type) + R"(","digest":")" + d.str() +
         R"(","size":)" + std::to_string(size) + "}";
}

class StoreTest : public ::testing::Test {
 protected:
  StoreTest()
      : store_(std::move(*metadata::SqliteMetadataStore::open(dir_.file("m.db")))),
        blobs_(std::move(*storage::FsBlobStore::open(dir_.file("blobs")))) {}

  void add_projects(const std::vector<std::pair<std::string, metadata::Environment>>& projects) {
    for (const auto& [name, environment] : projects) {
      metadata::Project p;
      p.name = name;
      p.environment = environment;
      ASSERT_OK(store_->create_project(p));
    }
  }

  // Stores `bytes` as a blob linked into `repository`.
  Digest put_blob(const std::string& repository, const std::string& bytes) {
    const Digest d = Digest::of(bytes);
    EXPECT_TRUE(blobs_->put(d, bytes));
    EXPECT_TRUE(store_->link_blob(repository, d, bytes.size()));
    return d;
  }

  // Appends a version of the policy document of `scope`.
  void set_policy(const std::string& scope, const std::string& yaml) {
    metadata::PolicyVersion v;
    v.scope = scope;
    v.document = yaml;
    v.author = "admin";
    ASSERT_OK(store_->add_policy_version(v));
  }

  TempDir dir_;
  std::unique_ptr<metadata::SqliteMetadataStore> store_;
  std::unique_ptr<storage::FsBlobStore> blobs_;
};

}  // namespace bulwark::jobs::testing
