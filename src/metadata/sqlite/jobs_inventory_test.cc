// The JobStore and InventoryStore parts of SqliteMetadataStore.
#include <gtest/gtest.h>

#include "common/clock.h"
#include "common/temp_dir.h"
#include "metadata/sqlite/sqlite_metadata_store.h"
#include "metadata/store_backend.h"

namespace bulwark::metadata {
namespace {

std::unique_ptr<SqliteMetadataStore> open_at(const std::string& path) {
  auto opened = SqliteMetadataStore::open(path);
  EXPECT_TRUE(opened) << opened.error().message;
  return std::move(*opened);
}

ManifestPut image(std::string_view seed) {
  ManifestPut m;
  m.repository = "team/app";
  m.media_type = "application/vnd.oci.image.manifest.v1+json";
  m.content = R"({"schemaVersion":2,"seed":")" + std::string(seed) + "\"}";
  m.digest = Digest::of(m.content);
  return m;
}

TEST(SqliteJobs, ManifestPutQueuesItsJobsOnceAndWorkersClaimThem) {
  TempDir dir;
  auto store = open_at(dir.file("m.db"));
  ManifestPut m = image("a");
  m.jobs = {"sbom"};
  ASSERT_OK(store->put_manifest(m));
  ASSERT_OK(store->put_manifest(m));  // same manifest again: no second job
  ASSERT_OK(store->enqueue_job("sbom", m.repository, m.digest.str()));  // still pending: no-op

  const int64_t t = unix_seconds() + 1;
  auto job = store->claim_job(t, 60);
  ASSERT_OK(job);
  ASSERT_TRUE(job->has_value());
  EXPECT_EQ((*job)->kind, "sbom");
  EXPECT_EQ((*job)->digest, m.digest.str());
  EXPECT_EQ((*job)->attempts, 1);
  auto none = store->claim_job(t, 60);
  ASSERT_OK(none);
  EXPECT_FALSE(none->has_value()) << "one job only, and it is leased";

  // The worker died: after the lease the job is claimed again, by a reopened store too.
  store.reset();
  store = open_at(dir.file("m.db"));
  auto again = store->claim_job(t + 61, 60);
  ASSERT_OK(again);
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->attempts, 2);

  ASSERT_OK(store->fail_job((*again)->id, "blob missing", std::nullopt));
  auto status = store->job_status("sbom", m.repository, m.digest.str());
  ASSERT_OK(status);
  ASSERT_TRUE(status->has_value());
  EXPECT_EQ((*status)->state, JobState::kFailed);
  EXPECT_EQ((*status)->last_error, "blob missing");

  // A failed job does not block a new one.
  ASSERT_OK(store->enqueue_job("sbom", m.repository, m.digest.str()));
  auto fresh = store->claim_job(t + 2000, 60);
  ASSERT_OK(fresh);
  ASSERT_TRUE(fresh->has_value());
  ASSERT_OK(store->complete_job((*fresh)->id));
  status = store->job_status("sbom", m.repository, m.digest.str());
  EXPECT_EQ((*status)->state, JobState::kDone);
}

TEST(SqliteJobs, RetriesWaitUntilTheirTime) {
  TempDir dir;
  auto store = open_at(dir.file("m.db"));
  ASSERT_OK(store->enqueue_job("sbom", "r", "sha256:x"));
  const int64_t t = unix_seconds() + 1;
  auto job = store->claim_job(t, 60);
  ASSERT_TRUE(job && job->has_value());
  ASSERT_OK(store->fail_job((*job)->id, "busy", t + 500));
  auto early = store->claim_job(t + 499, 60);
  ASSERT_OK(early);
  EXPECT_FALSE(early->has_value());
  auto due = store->claim_job(t + 500, 60);
  ASSERT_OK(due);
  ASSERT_TRUE(due->has_value());
  EXPECT_EQ((*due)->last_error, "busy");
}

TEST(SqliteInventory, FindsImagesByPackageAndForgetsDeletedManifests) {
  TempDir dir;
  auto store = open_at(dir.file("m.db"));
  ManifestPut a = image("a"), b = image("b");
  ASSERT_OK(store->put_manifest(a));
  ASSERT_OK(store->put_manifest(b));
  ASSERT_OK(store->put_image_packages(a.repository, a.digest.str(),
                                      {{"deb", "", "openssl", "3.0.11-1", "pkg:deb/debian/openssl@3.0.11-1"},
                                       {"deb", "", "bash", "5.2-1", "pkg:deb/debian/bash@5.2-1"}}));
  ASSERT_OK(store->put_image_packages(b.repository, b.digest.str(),
                                      {{"npm", "", "openssl", "1.0.0", "pkg:npm/openssl@1.0.0"}}));
  auto hits = store->find_package("openssl", std::nullopt, 100);
  ASSERT_OK(hits);
  ASSERT_EQ(hits->size(), 2u);
  auto debs = store->find_package("openssl", std::string_view("deb"), 100);
  ASSERT_OK(debs);
  ASSERT_EQ(debs->size(), 1u);
  EXPECT_EQ((*debs)[0].digest, a.digest.str());
  EXPECT_EQ((*debs)[0].package.version, "3.0.11-1");

  // Replacing keeps one set per manifest; deleting the manifest drops its rows.
  ASSERT_OK(store->put_image_packages(a.repository, a.digest.str(),
                                      {{"deb", "", "openssl", "3.0.13-1", "p"}}));
  debs = store->find_package("openssl", std::string_view("deb"), 100);
  ASSERT_EQ(debs->size(), 1u);
  EXPECT_EQ((*debs)[0].package.version, "3.0.13-1");
  ASSERT_OK(store->delete_manifest(a.repository, a.digest));
  debs = store->find_package("openssl", std::string_view("deb"), 100);
  ASSERT_OK(debs);
  EXPECT_TRUE(debs->empty());
  EXPECT_EQ(store->put_image_packages(a.repository, a.digest.str(), {}).error().code,
            ErrorCode::kNotFound);
}

}  // namespace
}  // namespace bulwark::metadata
