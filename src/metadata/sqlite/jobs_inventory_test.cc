// The JobStore and InventoryStore parts of SqliteMetadataStore.
#include <gtest/gtest.h>

#include <map>
#include <set>

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
  ASSERT_OK(store->put_image_packages(a.repository, a.digest.str(), "debian:12",
                                      {{"deb", "", "openssl", "3.0.11-1", "pkg:deb/debian/openssl@3.0.11-1"},
                                       {"deb", "", "bash", "5.2-1", "pkg:deb/debian/bash@5.2-1"}}));
  ASSERT_OK(store->put_image_packages(b.repository, b.digest.str(), "",
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
  ASSERT_OK(store->put_image_packages(a.repository, a.digest.str(), "debian:12",
                                      {{"deb", "", "openssl", "3.0.13-1", "p"}}));
  debs = store->find_package("openssl", std::string_view("deb"), 100);
  ASSERT_EQ(debs->size(), 1u);
  EXPECT_EQ((*debs)[0].package.version, "3.0.13-1");
  ASSERT_OK(store->delete_manifest(a.repository, a.digest));
  debs = store->find_package("openssl", std::string_view("deb"), 100);
  ASSERT_OK(debs);
  EXPECT_TRUE(debs->empty());
  EXPECT_EQ(store->put_image_packages(a.repository, a.digest.str(), "", {}).error().code,
            ErrorCode::kNotFound);
}

FindingRecord finding(std::string vulnerability, std::string severity, int64_t deadline_after,
                      std::string fixed = "") {
  return FindingRecord{std::move(vulnerability), "deb", "openssl", "3.0.11-1", std::move(severity),
                       std::move(fixed), deadline_after, "{}"};
}

TEST(SqliteFindings, OpensKeepsResolvesAndReopensFindingsWithDeadlines) {
  TempDir dir;
  auto store = open_at(dir.file("m.db"));
  ManifestPut a = image("a");
  ASSERT_OK(store->put_manifest(a));
  ASSERT_OK(store->put_image_packages(a.repository, a.digest.str(), "debian:12",
                                      {{"deb", "", "libssl3", "3.0.11-1", "p", "openssl", ""}}));
  auto inv = store->get_inventory(a.repository, a.digest.str());
  ASSERT_OK(inv);
  ASSERT_TRUE(inv->has_value());
  EXPECT_EQ((*inv)->distro, "debian:12");
  EXPECT_FALSE((*inv)->db_generation.has_value());
  ASSERT_EQ((*inv)->packages.size(), 1u);
  EXPECT_EQ((*inv)->packages[0].source_name, "openssl");

  const int64_t day = 86400;
  // t=1000: two findings open; the critical one is due a day later.
  auto diff = store->record_matches(
      {{a.repository, a.digest.str(), 5, {finding("CVE-1", "critical", day), finding("CVE-2", "low", 0)}}},
      1000, "report");
  ASSERT_OK(diff);
  EXPECT_EQ(diff->opened, 2u);
  EXPECT_EQ(diff->changed, std::vector<size_t>{0});
  // The changed image's report job was queued with the findings.
  auto job = store->job_status("report", a.repository, a.digest.str());
  ASSERT_OK(job);
  ASSERT_TRUE(job->has_value());
  EXPECT_EQ((*job)->state, JobState::kQueued);
  // t=2000, same findings: nothing changes except the generation (the report exists now).
  ASSERT_OK(store->set_report_digest(a.repository, a.digest.str(), "sha256:r1"));
  diff = store->record_matches(
      {{a.repository, a.digest.str(), 6, {finding("CVE-1", "critical", day), finding("CVE-2", "low", 0)}}},
      2000, "");
  ASSERT_OK(diff);
  EXPECT_EQ(diff->opened, 0u);
  EXPECT_EQ(diff->kept, 2u);
  EXPECT_TRUE(diff->changed.empty());
  auto scan = store->get_image_scan(a.repository, a.digest.str());
  ASSERT_OK(scan);
  EXPECT_EQ((*scan)->db_generation, 6);
  EXPECT_EQ((*scan)->report_digest, "sha256:r1");

  // Overdue after its deadline, counted per severity.
  auto overdue = store->overdue_findings(1000 + day + 1, 10);
  ASSERT_OK(overdue);
  ASSERT_EQ(overdue->size(), 1u);
  EXPECT_EQ((*overdue)[0].finding.vulnerability, "CVE-1");
  EXPECT_EQ((*overdue)[0].deadline, 1000 + day);
  EXPECT_EQ((*overdue)[0].first_seen, 1000);

  // t=5000: CVE-1 fixed (gone), CVE-3 new.
  diff = store->record_matches(
      {{a.repository, a.digest.str(), 7, {finding("CVE-2", "low", 0), finding("CVE-3", "high", 7 * day)}}},
      5000, "");
  ASSERT_OK(diff);
  EXPECT_EQ(diff->opened, 1u);
  EXPECT_EQ(diff->resolved, 1u);
  EXPECT_EQ(diff->changed, std::vector<size_t>{0});
  auto open = store->list_findings(a.repository, a.digest.str(), false);
  ASSERT_OK(open);
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0].finding.vulnerability, "CVE-3");  // high before low
  EXPECT_EQ((*open)[1].finding.vulnerability, "CVE-2");
  auto all = store->list_findings(a.repository, a.digest.str(), true);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[2].finding.vulnerability, "CVE-1");
  EXPECT_EQ((*all)[2].resolved_at, 5000);

  auto summary = store->findings_summary(5000);
  ASSERT_OK(summary);
  ASSERT_EQ(summary->size(), 3u);
  EXPECT_EQ((*summary)[0].severity, "critical");
  EXPECT_EQ((*summary)[0].open, 0u);
  EXPECT_EQ((*summary)[0].resolved, 1u);
  EXPECT_EQ((*summary)[0].remediation_seconds, 4000);
  EXPECT_EQ((*summary)[1].severity, "high");
  EXPECT_EQ((*summary)[1].open, 1u);

  // Seen again later: a new exposure with a new first sighting.
  diff = store->record_matches({{a.repository, a.digest.str(), 8,
                                 {finding("CVE-1", "critical", day), finding("CVE-2", "low", 0),
                                  finding("CVE-3", "high", 7 * day)}}},
                               9000, "");
  ASSERT_OK(diff);
  EXPECT_EQ(diff->opened, 1u);
  overdue = store->overdue_findings(9000 + day + 1, 10);
  ASSERT_OK(overdue);
  ASSERT_EQ(overdue->size(), 1u);
  EXPECT_EQ((*overdue)[0].first_seen, 9000);

  // Deleting the image drops its findings and its scan record.
  ASSERT_OK(store->delete_manifest(a.repository, a.digest));
  summary = store->findings_summary(9000);
  ASSERT_OK(summary);
  EXPECT_TRUE(summary->empty());
  scan = store->get_image_scan(a.repository, a.digest.str());
  ASSERT_OK(scan);
  EXPECT_FALSE(scan->has_value());
}

TEST(SqliteFindings, ListsInventoriesPageByPage) {
  TempDir dir;
  auto store = open_at(dir.file("m.db"));
  std::set<std::string> pushed;
  for (int i = 0; i < 7; ++i) {
    ManifestPut m = image("img" + std::to_string(i));
    ASSERT_OK(store->put_manifest(m));
    ASSERT_OK(store->put_image_packages(m.repository, m.digest.str(), "alpine:3.19",
                                        {{"apk", "", "musl", std::to_string(i), "p"}}));
    pushed.insert(m.digest.str());
  }
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto page = store->list_inventories(cursor, 3);
    ASSERT_OK(page);
    ++pages;
    for (const auto& inv : *page) {
      EXPECT_TRUE(seen.insert(inv.digest).second) << "listed twice: " << inv.digest;
      ASSERT_EQ(inv.packages.size(), 1u);
      EXPECT_EQ(inv.distro, "alpine:3.19");
    }
  } while (!cursor.empty());
  EXPECT_EQ(seen, pushed);
  EXPECT_EQ(pages, 3);
}

// Incremental re-matching: selected packages, a match in part, and untouched images moved on.
TEST(SqliteFindings, SelectsPackagesRecordsInPartAndAdvancesGenerations) {
  TempDir dir;
  auto store = open_at(dir.file("m.db"));
  ManifestPut a = image("a"), b = image("b"), c = image("c");
  for (const ManifestPut* m : {&a, &b, &c}) ASSERT_OK(store->put_manifest(*m));
  ASSERT_OK(store->put_image_packages(a.repository, a.digest.str(), "debian:12",
                                      {{"deb", "", "libssl3", "3.0.11-1", "p", "openssl", ""},
                                       {"deb", "", "zlib1g", "1.2", "p", "zlib", ""}}));
  ASSERT_OK(store->put_image_packages(b.repository, b.digest.str(), "debian:12",
                                      {{"deb", "", "zlib1g", "1.2", "p", "zlib", ""}}));
  ASSERT_OK(store->put_image_packages(c.repository, c.digest.str(), "", {}));

  // Only openssl's packages kept; every image is listed (two pages), with its generation and
  // distribution.
  std::vector<StoredInventory> selected;
  std::string cursor;
  int pages = 0;
  do {
    auto page = store->select_packages(cursor, 2, [](const StoredInventory&, const IndexedPackage& p) {
      return p.source_name == "openssl";
    });
    ASSERT_OK(page);
    ++pages;
    for (auto& inv : *page) selected.push_back(std::move(inv));
  } while (!cursor.empty());
  EXPECT_EQ(pages, 2);
  ASSERT_EQ(selected.size(), 3u);
  std::map<std::string, const StoredInventory*> by_digest;
  for (const auto& inv : selected) by_digest[inv.digest] = &inv;
  ASSERT_EQ(by_digest.size(), 3u);
  ASSERT_EQ(by_digest[a.digest.str()]->packages.size(), 1u);
  EXPECT_EQ(by_digest[a.digest.str()]->packages[0].name, "libssl3");
  EXPECT_EQ(by_digest[a.digest.str()]->packages[0].version, "3.0.11-1");
  EXPECT_EQ(by_digest[a.digest.str()]->distro, "debian:12");
  EXPECT_TRUE(by_digest[b.digest.str()]->packages.empty());
  EXPECT_TRUE(by_digest[c.digest.str()]->packages.empty());

  // Generation 5: a has openssl's CVE-1 and zlib's CVE-2.
  FindingRecord zlib{"CVE-2", "deb", "zlib", "1.2", "low", "", 0, "{}"};
  std::vector<ImageMatch> at5(3);
  at5[0] = ImageMatch{a.repository, a.digest.str(), 5, {finding("CVE-1", "high", 0), zlib}};
  at5[1] = ImageMatch{b.repository, b.digest.str(), 5, {}};
  at5[2] = ImageMatch{c.repository, c.digest.str(), 5, {}};
  ASSERT_OK(store->record_matches(at5, 1000, ""));
  // Generation 6 in part: openssl's findings are now CVE-3 only; zlib's are not spoken for.
  ImageMatch part{a.repository, a.digest.str(), 6, {finding("CVE-3", "high", 0)}};
  part.scope = [](std::string_view type, std::string_view name) {
    return type == "deb" && name == "openssl";
  };
  auto diff = store->record_matches({part}, 2000, "");
  ASSERT_OK(diff);
  EXPECT_EQ(diff->opened, 1u);
  EXPECT_EQ(diff->resolved, 1u);
  auto open = store->list_findings(a.repository, a.digest.str(), false);
  ASSERT_OK(open);
  std::set<std::string> open_ids;
  for (const auto& f : *open) open_ids.insert(f.finding.vulnerability);
  EXPECT_EQ(open_ids, (std::set<std::string>{"CVE-2", "CVE-3"}));

  // b and c did not change: moved to 6 without a match; a (already at 6) is left alone.
  auto moved = store->advance_generation(
      {{a.repository, a.digest.str()}, {b.repository, b.digest.str()}, {c.repository, c.digest.str()}},
      5, 7, 3000);
  ASSERT_OK(moved);
  EXPECT_EQ(*moved, 2u);
  auto scan = store->get_image_scan(b.repository, b.digest.str());
  ASSERT_OK(scan);
  EXPECT_EQ((*scan)->db_generation, 7);
  EXPECT_EQ((*scan)->matched_at, 3000);
  scan = store->get_image_scan(a.repository, a.digest.str());
  ASSERT_OK(scan);
  EXPECT_EQ((*scan)->db_generation, 6);
  EXPECT_EQ((*scan)->matched_at, 2000);
}

}  // namespace
}  // namespace bulwark::metadata
