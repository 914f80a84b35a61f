// Tests of the NVD CVE API 2.0 importer: against the shared samples (an API page, vunnel
// snapshots, vuln-list-nvd files), compared tuple by tuple with an independent python script
// (tests/vulndb/nvd_expect.py), plus hostile inputs (malformed files are errors, malformed
// records are skipped and malformed fields dropped, each with a warning).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/temp_dir.h"
#include "vulndb/advisory.h"
#include "vulndb/sources/importer_testing.h"

namespace bulwark::vulndb {

// The importer table (all.cc) needs every part's importers; this test names its own directly.
extern const Importer kNvdImporter;
extern const Importer kKevImporter;

namespace {

namespace fs = std::filesystem;

const std::string kData = std::string(VULNDB_SHARED_DATA) + "/vulndb";
const std::string kExpect = VULNDB_EXPECT_DIR;

class CollectingSink : public ImportSink {
 public:
  Result<void> add_advisory(Advisory advisory) override {
    advisories.push_back(std::move(advisory));
    return ok();
  }
  Result<void> add_kev(KevEntry) override { return fail(ErrorCode::kInvalidArgument, "kev"); }
  Result<void> add_epss(EpssScore) override { return fail(ErrorCode::kInvalidArgument, "epss"); }
  std::vector<Advisory> advisories;
};

std::vector<std::string> files_under(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path().string());
    }
  }
  return files;
}

// The lines nvd_expect.py prints for `files`, sorted.
std::vector<std::string> run_script(const std::vector<std::string>& files) {
  return importer_testing::run_expect_script(kExpect + "/nvd_expect.py", files);
}

// The script's lines for what the importer produced.
std::vector<std::string> tuples(const std::vector<Advisory>& advisories) {
  std::vector<std::string> lines{"count\t" + std::to_string(advisories.size())};
  for (const auto& a : advisories) {
    lines.push_back("adv\t" + a.id + "\t" + (a.withdrawn ? "1" : "0") + "\t" +
                    std::to_string(a.references.size()));
    for (const auto& s : a.severities) {
      lines.push_back("sev\t" + a.id + "\t" + s.type + "\t" + s.value + "\t" + s.source);
    }
    for (const auto& cwe : a.cwes) lines.push_back("cwe\t" + a.id + "\t" + cwe);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

void expect_matches_script(const std::string& dir, size_t expected_records) {
  ASSERT_TRUE(kNvdImporter.recognizes(dir)) << dir;
  CollectingSink sink;
  auto stats = kNvdImporter.import(dir, sink);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->records, expected_records);
  EXPECT_EQ(stats->skipped, 0u);
  EXPECT_TRUE(stats->warnings.empty()) << stats->warnings.front();
  const auto actual = tuples(sink.advisories);
  const auto expected = run_script(files_under(dir));
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) ASSERT_EQ(actual[i], expected[i]) << "tuple " << i;
  for (const auto& a : sink.advisories) {
    EXPECT_EQ(a.source, "nvd");
    EXPECT_TRUE(a.affected.empty());
    EXPECT_FALSE(a.details.empty()) << a.id;
  }
}

TEST(NvdImporter, VunnelFixturesMatchScript) {
  // 40 files (an API page and snapshots) holding 39 distinct CVEs.
  expect_matches_script(kData + "/vunnel-fixtures/nvd", 39);
}

TEST(NvdImporter, VulnListNvdFilesMatchScript) {
  expect_matches_script(kData + "/trivy-db-testdata/nvd/testdata/happy", 4);
}

TEST(NvdImporter, ReadsTheApiPageFields) {
  CollectingSink sink;
  auto stats = kNvdImporter.import(kData + "/vunnel-fixtures/nvd/single-entry.json", sink);
  ASSERT_TRUE(stats) << stats.error().message;
  ASSERT_EQ(sink.advisories.size(), 1u);
  const auto& a = sink.advisories[0];
  EXPECT_EQ(a.id, "CVE-2022-1576");
  EXPECT_EQ(a.published, "2022-07-11T13:15:08.503");
  EXPECT_EQ(a.modified, "2024-11-21T06:41:00.133");
  EXPECT_EQ(a.details.rfind("The WP Maintenance Mode & Coming Soon WordPress plugin", 0), 0u);
  EXPECT_EQ(a.summary, a.details.substr(0, a.summary.size()));
  const auto v3 = std::find_if(a.severities.begin(), a.severities.end(),
                               [](const SeverityRating& s) { return s.type == "CVSS_V3"; });
  ASSERT_NE(v3, a.severities.end());
  EXPECT_EQ(v3->value, "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N");
  EXPECT_EQ(v3->source, "nvd");
}

TEST(NvdImporter, DoesNotClaimOtherFeeds) {
  EXPECT_FALSE(kNvdImporter.recognizes(kData + "/kev/known_exploited_vulnerabilities.json"));
  EXPECT_FALSE(kNvdImporter.recognizes(kData + "/vunnel-fixtures/debian/input/debian.json"));
  EXPECT_FALSE(kNvdImporter.recognizes(kData + "/pypa-advisory-db/vulns"));
  EXPECT_FALSE(kKevImporter.recognizes(kData + "/vunnel-fixtures/nvd"));
}

TEST(NvdImporter, MalformedFileIsAnErrorNamingIt) {
  const std::string sad = kData + "/trivy-db-testdata/nvd/testdata/sad/vuln-list-nvd/api/CVE-2020-0001.json";
  CollectingSink sink;
  auto stats = kNvdImporter.import(sad, sink);
  ASSERT_FALSE(stats);
  EXPECT_NE(stats.error().message.find(sad), std::string::npos);
}

class NvdHostile : public ::testing::Test {
 protected:
  Result<ImportStats> import(const std::string& bytes) {
    file_ = dir_.file("page.json");
    std::ofstream(file_, std::ios::binary) << bytes;
    return kNvdImporter.import(file_, sink_);
  }
  TempDir dir_;
  fs::path file_;
  CollectingSink sink_;
};

TEST_F(NvdHostile, WhollyMalformedDocumentsAreErrors) {
  for (const std::string& doc : std::vector<std::string>{"", "[]", "\"x\"", "{\"vulnerabilities\": {}}", "{\"item\": 3}", "{\"other\": 1}",
        "{\"vulnerabilities\": [] , \"vulnerabilities\": []}", std::string(5000, '[') +
        std::string(5000, ']'), "{\"vulnerabilities\": [\xff]}"}) {
    auto stats = import(doc);
    EXPECT_FALSE(stats) << doc.substr(0, 40);
    if (!stats) {
      EXPECT_NE(stats.error().message.find(file_.string()), std::string::npos);
    }
  }
  EXPECT_TRUE(sink_.advisories.empty());
}

TEST_F(NvdHostile, BadRecordsAreSkippedWithWarnings) {
  auto stats = import(R"({"format": "NVD_CVE", "vulnerabilities": [
    1, {}, {"cve": 2}, {"cve": {}}, {"cve": {"id": 7}}, {"cve": {"id": "CVE-1"}},
    {"cve": {"id": "CVE-2024-0001\u001b[2J"}},
    {"cve": {"id": "CVE-2024-12345", "vulnStatus": "Rejected"}}]})");
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->records, 1u);
  EXPECT_EQ(stats->skipped, 7u);
  EXPECT_EQ(stats->warnings.size(), 7u);
  ASSERT_EQ(sink_.advisories.size(), 1u);
  EXPECT_EQ(sink_.advisories[0].id, "CVE-2024-12345");
  EXPECT_TRUE(sink_.advisories[0].withdrawn);
  for (const auto& warning : stats->warnings) {
    EXPECT_EQ(warning.find('\x1b'), std::string::npos) << "unquoted: " << warning;
  }
}

TEST_F(NvdHostile, BadFieldsAreDroppedWithWarnings) {
  const std::string long_vector(300, 'A');
  auto stats = import(R"({"vulnerabilities": [{"cve": {"id": "CVE-2024-0002",
    "descriptions": [3, {"lang": "es", "value": "no"}, {"lang": "en", "value": 5},
                     {"lang": "en", "value": "First line\nsecond"}],
    "metrics": {"cvssMetricV31": [1, {"cvssData": 2}, {"cvssData": {"vectorString": ""}},
                                  {"cvssData": {"vectorString": ")" + long_vector + R"("}},
                                  {"cvssData": {"vectorString": "AV:N\u0001"}},
                                  {"source": "x@y", "cvssData": {"vectorString": "CVSS:3.1/AV:N"}}],
                "cvssMetricV2": "nope", "cvssMetricV40": null},
    "weaknesses": [1, {"description": 2}, {"description": [
        {"value": "NVD-CWE-Other"}, {"value": "NVD-CWE-noinfo"}, {"value": "CWE-79"},
        {"value": "CWE-79"}, {"value": "CWE-x"}, {"value": 79}]}],
    "references": [1, {"url": 2}, {"url": "https://a"}, {"url": "https://a"}, {"url": "https://b"}]
  }}]})");
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->records, 1u);
  EXPECT_EQ(stats->skipped, 0u);
  // 5 bad metrics, cvssMetricV2 not an array, "description": 2, "CWE-x", 79.
  EXPECT_EQ(stats->warnings.size(), 9u);
  ASSERT_EQ(sink_.advisories.size(), 1u);
  const auto& a = sink_.advisories[0];
  EXPECT_EQ(a.summary, "First line");
  EXPECT_EQ(a.details, "First line\nsecond");
  ASSERT_EQ(a.severities.size(), 1u);
  EXPECT_EQ(a.severities[0].value, "CVSS:3.1/AV:N");
  EXPECT_EQ(a.severities[0].source, "x@y");
  EXPECT_EQ(a.cwes, std::vector<std::string>{"CWE-79"});
  EXPECT_EQ(a.references, (std::vector<std::string>{"https://a", "https://b"}));
}

TEST_F(NvdHostile, LongSummaryIsCutOnACharacterBoundary) {
  std::string text(199, 'a');
  for (int i = 0; i < 50; ++i) text += "\xc3\xa9";  // é
  auto stats = import(R"({"id": "CVE-2024-0003", "descriptions": [{"lang": "en", "value": ")" +
                      text + "\"}]}");
  ASSERT_TRUE(stats) << stats.error().message;
  ASSERT_EQ(sink_.advisories.size(), 1u);
  EXPECT_EQ(sink_.advisories[0].summary, std::string(199, 'a'));
  EXPECT_EQ(sink_.advisories[0].details, text);
}

TEST_F(NvdHostile, LatestModifiedRecordWinsAcrossFiles) {
  std::ofstream(dir_.file("a.json"))
      << R"({"vulnStatus": "x", "id": "CVE-2024-0004", "lastModified": "2024-02-01T00:00:00",
            "references": [{"url": "https://new"}]})";
  std::ofstream(dir_.file("b.json"))
      << R"({"vulnStatus": "x", "id": "CVE-2024-0004", "lastModified": "2024-01-01T00:00:00",
            "references": [{"url": "https://old"}]})";
  std::ofstream(dir_.file("notes.txt")) << "not a feed file";
  auto stats = kNvdImporter.import(dir_.path(), sink_);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->records, 1u);
  ASSERT_EQ(sink_.advisories.size(), 1u);
  EXPECT_EQ(sink_.advisories[0].references, std::vector<std::string>{"https://new"});
}

}  // namespace
}  // namespace bulwark::vulndb
