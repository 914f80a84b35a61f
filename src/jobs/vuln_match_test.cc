// VulnMatcher::rematch_if_changed: the incremental re-match after a database update, checked
// against findings worked out by hand from the advisories below, and against the full path.
#include "jobs/vuln_match.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "common/temp_dir.h"
#include "metadata/sqlite/sqlite_metadata_store.h"
#include "metadata/store_backend.h"
#include "storage/fs/fs_blob_store.h"
#include "vulndb/store.h"

namespace bulwark::jobs {
namespace {

namespace fs = std::filesystem;

// An OSV record for one PyPI package, affected from 0 up to `fixed`.
std::string osv(std::string_view id, std::string_view package, std::string_view fixed,
                std::string_view aliases = "", std::string_view modified = "2099-01-01") {
  return R"({"id": ")" + std::string(id) + R"(", "modified": ")" + std::string(modified) +
         R"(T00:00:00Z", "published": "2099-01-01T00:00:00Z", "aliases": [)" +
         std::string(aliases) + R"(], "summary": "test flaw",
  "affected": [{"package": {"ecosystem": "PyPI", "name": ")" + std::string(package) +
         R"("}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": ")" +
         std::string(fixed) + R"("}]}]}],
  "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]})";
}

metadata::IndexedPackage pypi(std::string name, std::string version) {
  return {"pypi", "", name, version, "pkg:pypi/" + name + "@" + version};
}

metadata::IndexedPackage deb(std::string name, std::string source, std::string version) {
  return {"deb", "debian", name, version, "pkg:deb/debian/" + name + "@" + version, source, ""};
}

// A Debian security-tracker export for bookworm: source -> (CVE -> fixed version, "" if open).
std::string debian_tracker(const std::map<std::string, std::map<std::string, std::string>>& sources) {
  std::string out = "{";
  for (const auto& [source, cves] : sources) {
    if (out.size() > 1) out += ",";
    out += "\"" + source + "\": {";
    bool first = true;
    for (const auto& [cve, fixed] : cves) {
      if (!first) out += ",";
      first = false;
      out += "\"" + cve + R"(": {"description": "test", "scope": "local", "releases": {"bookworm": {)";
      out += fixed.empty() ? R"("status": "open")"
                           : R"("status": "resolved", "fixed_version": ")" + fixed + "\"";
      out += R"(, "urgency": "low", "repositories": {"bookworm": "1.4-1"}}}})";
    }
    out += "}";
  }
  return out + "}";
}

// An open finding as compared here: vulnerability and package.
struct Open {
  std::string vulnerability;
  std::string package;
  int64_t first_seen;
  std::string detail;
};

class Rematch : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = vulndb::VulnDb::open(dir_.file("vulndb.sqlite"), false);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    auto store = metadata::SqliteMetadataStore::open(dir_.file("meta.sqlite"));
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    auto blobs = storage::FsBlobStore::open(dir_.file("blobs"));
    ASSERT_TRUE(blobs) << blobs.error().message;
    blobs_ = std::move(*blobs);
    matcher_ = std::make_unique<VulnMatcher>(dir_.file("vulndb.sqlite"), *blobs_, *store_, *store_,
                                             DeadlinePolicy{});
  }

  // Imports the files (name -> content) as one feed update.
  void import(const std::map<std::string, std::string>& files) {
    const fs::path feed = dir_.file("feed" + std::to_string(++imports_));
    fs::create_directories(feed);
    for (const auto& [name, content] : files) std::ofstream(feed / name) << content;
    const fs::path paths[] = {feed};
    auto r = db_->import(paths);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(r->changed);
  }

  // Stores an image (a manifest and its package index) named by `seed`.
  std::string add_image(std::string_view seed, const std::vector<metadata::IndexedPackage>& pkgs,
                        std::string_view distro = "") {
    metadata::ManifestPut m;
    m.repository = "team/app";
    m.media_type = "application/vnd.oci.image.manifest.v1+json";
    m.content = R"({"schemaVersion":2,"seed":")" + std::string(seed) + "\"}";
    m.digest = Digest::of(m.content);
    EXPECT_TRUE(store_->put_manifest(m));
    EXPECT_TRUE(store_->put_image_packages(m.repository, m.digest.str(), distro, pkgs));
    return m.digest.str();
  }

  std::map<std::string, Open> open_findings(const std::string& digest) {
    std::map<std::string, Open> out;
    auto rows = store_->list_findings("team/app", digest, /*include_resolved=*/false);
    EXPECT_TRUE(rows);
    for (const auto& f : *rows) {
      out[f.finding.vulnerability + " " + f.finding.package_name] =
          Open{f.finding.vulnerability, f.finding.package_name, f.first_seen, f.finding.detail_json};
    }
    return out;
  }

  std::vector<std::string> resolved(const std::string& digest) {
    std::vector<std::string> out;
    auto rows = store_->list_findings("team/app", digest, /*include_resolved=*/true);
    EXPECT_TRUE(rows);
    for (const auto& f : *rows) {
      if (f.resolved_at) out.push_back(f.finding.vulnerability + " " + f.finding.package_name);
    }
    return out;
  }

  int64_t generation_of(const std::string& digest) {
    auto scan = store_->get_image_scan("team/app", digest);
    EXPECT_TRUE(scan && *scan && (*scan)->db_generation);
    return scan && *scan && (*scan)->db_generation ? *(*scan)->db_generation : -1;
  }

  RematchStats rematch(bool incremental = true) {
    auto r = matcher_->rematch_if_changed({}, incremental);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : RematchStats{};
  }

  TempDir dir_;
  std::unique_ptr<vulndb::VulnDb> db_;
  std::unique_ptr<metadata::SqliteMetadataStore> store_;
  std::unique_ptr<storage::BlobStore> blobs_;
  std::unique_ptr<VulnMatcher> matcher_;
  int imports_ = 0;
};

TEST_F(Rematch, AnUpdateOfOnePackageRematchesOnlyTheImagesWithIt) {
  import({{"PYSEC-1.json", osv("PYSEC-1", "alpha", "2.0", R"("CVE-2099-0001")")},
          {"PYSEC-2.json", osv("PYSEC-2", "beta", "2.0", R"("CVE-2099-0002")")}});
  const std::string x = add_image("x", {pypi("alpha", "1.0"), pypi("beta", "1.0")});
  const std::string y = add_image("y", {pypi("beta", "1.0"), pypi("gamma", "1.0")});
  RematchStats first = rematch();
  EXPECT_FALSE(first.incremental) << "the first re-match of a process takes the full path";
  EXPECT_EQ(first.images, 2u);
  auto x_before = open_findings(x);
  auto y_before = open_findings(y);
  ASSERT_EQ(x_before.size(), 2u);
  ASSERT_TRUE(x_before.contains("CVE-2099-0001 alpha"));
  ASSERT_EQ(y_before.size(), 1u);

  // alpha: PYSEC-1 now fixed in 1.0 (the image's alpha is no longer affected), and a new flaw.
  import({{"PYSEC-1.json", osv("PYSEC-1", "alpha", "1.0", R"("CVE-2099-0001")", "2099-02-01")},
          {"PYSEC-3.json", osv("PYSEC-3", "alpha", "3.0", R"("CVE-2099-0003")")}});
  RematchStats second = rematch();
  EXPECT_TRUE(second.incremental);
  EXPECT_EQ(second.changed_keys, 1u) << "pypi alpha only";
  EXPECT_EQ(second.images, 1u) << "x only";
  EXPECT_EQ(second.advanced, 1u) << "y keeps its findings";
  EXPECT_EQ(second.opened, 1u);
  EXPECT_EQ(second.resolved, 1u);

  auto x_after = open_findings(x);
  EXPECT_EQ(x_after.size(), 2u);
  EXPECT_TRUE(x_after.contains("CVE-2099-0003 alpha"));
  ASSERT_TRUE(x_after.contains("CVE-2099-0002 beta"));
  EXPECT_EQ(x_after["CVE-2099-0002 beta"].first_seen, x_before["CVE-2099-0002 beta"].first_seen);
  EXPECT_EQ(resolved(x), std::vector<std::string>{"CVE-2099-0001 alpha"})
      << "the fixed one resolved, beta's kept open (not resolved and reopened)";
  EXPECT_EQ(open_findings(y).size(), 1u);
  EXPECT_TRUE(resolved(y).empty());
  // Both images are current with the new generation, as get_image_scan reports it.
  EXPECT_EQ(generation_of(x), second.generation);
  EXPECT_EQ(generation_of(y), second.generation);
  EXPECT_GT(second.generation, first.generation);
  // Nothing changed since: nothing to do.
  EXPECT_EQ(rematch().images, 0u);
}

TEST_F(Rematch, AnAliasMergeRenamesTheVulnerabilityOfAnUnchangedRecord) {
  // gamma's flaw has no CVE yet: it is named by its own id.
  import({{"PYSEC-10.json", osv("PYSEC-10", "gamma", "2.0")},
          {"PYSEC-11.json", osv("PYSEC-11", "beta", "2.0")}});
  const std::string z = add_image("z", {pypi("gamma", "1.0")});
  const std::string w = add_image("w", {pypi("beta", "1.0")});
  rematch();
  ASSERT_TRUE(open_findings(z).contains("PYSEC-10 gamma"));

  // A record of another package names PYSEC-10 and a CVE as aliases: one vulnerability, named by
  // the CVE; gamma's own record is unchanged.
  import({{"GHSA-1.json",
           osv("GHSA-aaaa-bbbb-cccc", "epsilon", "2.0", R"("PYSEC-10", "CVE-2099-0010")")}});
  RematchStats stats = rematch();
  EXPECT_TRUE(stats.incremental);
  EXPECT_EQ(stats.images, 1u) << "z (gamma, renamed); epsilon is in no image";
  EXPECT_EQ(stats.advanced, 1u) << "w";
  auto z_after = open_findings(z);
  EXPECT_EQ(z_after.size(), 1u);
  EXPECT_TRUE(z_after.contains("CVE-2099-0010 gamma"));
  EXPECT_EQ(resolved(z), std::vector<std::string>{"PYSEC-10 gamma"});
  EXPECT_TRUE(open_findings(w).contains("PYSEC-11 beta"));
}

TEST_F(Rematch, AKevChangeUpdatesTheDetailOfItsFindingsOnly) {
  import({{"PYSEC-20.json", osv("PYSEC-20", "alpha", "2.0", R"("CVE-2099-0020")")},
          {"PYSEC-21.json", osv("PYSEC-21", "beta", "2.0", R"("CVE-2099-0021")")}});
  const std::string x = add_image("x", {pypi("alpha", "1.0")});
  const std::string y = add_image("y", {pypi("beta", "1.0")});
  rematch();
  const auto before = open_findings(x);
  ASSERT_TRUE(before.contains("CVE-2099-0020 alpha"));
  EXPECT_NE(before.at("CVE-2099-0020 alpha").detail.find("\"kev\":null"), std::string::npos);

  import({{"kev.json", R"({"cveID": "CVE-2099-0020", "vendorProject": "v", "product": "p",
      "vulnerabilityName": "n", "dateAdded": "2099-01-05", "shortDescription": "s",
      "requiredAction": "a", "dueDate": "2099-01-26", "knownRansomwareCampaignUse": "Unknown"})"}});
  RematchStats stats = rematch();
  EXPECT_TRUE(stats.incremental);
  EXPECT_EQ(stats.images, 1u);
  EXPECT_EQ(stats.advanced, 1u);
  EXPECT_EQ(stats.opened, 0u);
  EXPECT_EQ(stats.reports, 1u) << "x's report is rewritten";
  const auto after = open_findings(x);
  ASSERT_TRUE(after.contains("CVE-2099-0020 alpha"));
  EXPECT_NE(after.at("CVE-2099-0020 alpha").detail.find("2099-01-26"), std::string::npos);
  EXPECT_EQ(after.at("CVE-2099-0020 alpha").first_seen, before.at("CVE-2099-0020 alpha").first_seen);
}

TEST_F(Rematch, IncrementalAndFullPathsRecordTheSameFindings) {
  // Two stores fed the same way: one re-matched incrementally, the other on the full path.
  import({{"PYSEC-30.json", osv("PYSEC-30", "alpha", "2.0")},
          {"PYSEC-31.json", osv("PYSEC-31", "beta", "2.0", R"("CVE-2099-0031")")},
          {"PYSEC-32.json", osv("PYSEC-32", "Gamma_Pkg", "2.0", R"("CVE-2099-0032")")}});
  import({{"debian.json", debian_tracker({{"foo", {{"CVE-2099-0040", "1.5-1"}}},
                                          {"bar", {{"CVE-2099-0042", "1.5-1"}}}})}});
  auto other_store = metadata::SqliteMetadataStore::open(dir_.file("other.sqlite"));
  ASSERT_TRUE(other_store);
  VulnMatcher full(dir_.file("vulndb.sqlite"), *blobs_, **other_store, **other_store,
                   DeadlinePolicy{});
  const std::vector<std::vector<metadata::IndexedPackage>> images = {
      {pypi("alpha", "1.0"), pypi("beta", "1.0")},
      {pypi("beta", "3.0"), pypi("gamma.pkg", "1.0")},
      {pypi("delta", "1.0")},
      {},
      {deb("libfoo1", "foo", "1.0-1"), deb("bar", "bar", "1.0-1"), pypi("beta", "1.0")}};
  std::vector<std::string> digests;
  for (size_t i = 0; i < images.size(); ++i) {
    const std::string_view distro = i == 4 ? "debian:12" : "";
    digests.push_back(add_image(std::to_string(i), images[i], distro));
    std::swap(store_, *other_store);
    add_image(std::to_string(i), images[i], distro);
    std::swap(store_, *other_store);
  }
  auto both = [&](bool incremental) {
    EXPECT_EQ(rematch().incremental, incremental);
    auto r = full.rematch_if_changed({}, false);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->incremental);
  };
  both(false);
  // An alias merge (alpha's flaw gets beta's CVE), a fix for the PEP 503 spelling, a new record.
  import({{"PYSEC-30.json", osv("PYSEC-30", "alpha", "2.0", R"("CVE-2099-0031")", "2099-02-01")},
          {"PYSEC-32.json", osv("PYSEC-32", "gamma-pkg", "0.5", R"("CVE-2099-0032")", "2099-02-01")},
          {"PYSEC-33.json", osv("PYSEC-33", "delta", "1.5")}});
  // foo gets a second, unfixed CVE; bar's is unchanged.
  import({{"debian.json", debian_tracker({{"foo", {{"CVE-2099-0040", "1.5-1"}, {"CVE-2099-0041", ""}}},
                                          {"bar", {{"CVE-2099-0042", "1.5-1"}}}})}});
  both(true);
  for (const std::string& digest : digests) {
    auto mine = store_->list_findings("team/app", digest, true);
    auto theirs = (*other_store)->list_findings("team/app", digest, true);
    ASSERT_TRUE(mine && theirs);
    ASSERT_EQ(mine->size(), theirs->size()) << digest;
    for (size_t i = 0; i < mine->size(); ++i) {
      EXPECT_EQ((*mine)[i].finding.vulnerability, (*theirs)[i].finding.vulnerability);
      EXPECT_EQ((*mine)[i].finding.package_name, (*theirs)[i].finding.package_name);
      EXPECT_EQ((*mine)[i].finding.detail_json, (*theirs)[i].finding.detail_json);
      EXPECT_EQ((*mine)[i].resolved_at.has_value(), (*theirs)[i].resolved_at.has_value());
    }
    EXPECT_EQ(generation_of(digest), (*other_store)->get_image_scan("team/app", digest)
                                         .value()
                                         .value()
                                         .db_generation);
  }
  // Worked out by hand: image 0 (alpha 1.0, beta 1.0) has CVE-2099-0031 in both packages;
  // image 1's gamma.pkg 1.0 is fixed now (0.5); image 2's delta 1.0 is hit by PYSEC-33.
  auto image0 = open_findings(digests[0]);
  EXPECT_TRUE(image0.contains("CVE-2099-0031 alpha"));
  EXPECT_TRUE(image0.contains("CVE-2099-0031 beta"));
  EXPECT_TRUE(open_findings(digests[1]).empty());
  EXPECT_TRUE(open_findings(digests[2]).contains("PYSEC-33 delta"));
  // Image 4 (bookworm): foo's new CVE joins its fixed-later one; bar's stays as it was.
  auto image4 = open_findings(digests[4]);
  EXPECT_EQ(image4.size(), 4u);
  EXPECT_TRUE(image4.contains("CVE-2099-0040 foo"));
  EXPECT_TRUE(image4.contains("CVE-2099-0041 foo"));
  EXPECT_TRUE(image4.contains("CVE-2099-0042 bar"));
  EXPECT_TRUE(image4.contains("CVE-2099-0031 beta"));
}

}  // namespace
}  // namespace bulwark::jobs
