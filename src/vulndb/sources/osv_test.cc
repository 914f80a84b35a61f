// Tests of the OSV importer: the shared samples against tests/vulndb/osv_expect.py (an independent
// Python reading of the same files), the ecosystem mapping, and hostile inputs.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/temp_dir.h"
#include "vulndb/advisory.h"

namespace bulwark::vulndb {
extern const Importer kOsvImporter;
namespace {

namespace fs = std::filesystem;

class CollectSink : public ImportSink {
 public:
  Result<void> add_advisory(Advisory a) override {
    advisories.push_back(std::move(a));
    return ok();
  }
  Result<void> add_kev(KevEntry) override { return ok(); }
  Result<void> add_epss(EpssScore) override { return ok(); }
  std::vector<Advisory> advisories;
};

class FailingSink : public CollectSink {
 public:
  Result<void> add_advisory(Advisory) override { return fail(ErrorCode::kIo, "store down"); }
};

// The importer's output in osv_expect.py's line format, sorted the same way.
std::string describe(const std::vector<Advisory>& advisories) {
  std::map<std::pair<std::string, std::string>, int> per_eco;
  std::vector<std::string> lines;
  for (const Advisory& a : advisories) {
    for (const SeverityRating& s : a.severities) lines.push_back("sev\t" + a.id + "\t" + s.type + "\t" + s.value);
    for (const Affected& af : a.affected) {
      ++per_eco[{af.ecosystem, af.distro}];
      std::string fixed;
      for (const AffectedRange& r : af.ranges) {
        for (const VersionEvent& e : r.events) {
          if (e.kind != VersionEvent::Kind::kFixed) continue;
          if (!fixed.empty()) fixed += ",";
          fixed += e.version;
        }
      }
      lines.push_back("fix\t" + a.id + "\t" + af.ecosystem + "\t" + af.distro + "\t" + af.package + "\t" + fixed);
    }
  }
  std::string out = "total\t" + std::to_string(advisories.size()) + "\n";
  for (const auto& [k, n] : per_eco) out += "eco\t" + k.first + "\t" + k.second + "\t" + std::to_string(n) + "\n";
  std::sort(lines.begin(), lines.end());
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

std::string run_expect(const fs::path& dir) {
  const std::string cmd = std::string("python3 '") + VULNDB_OSV_EXPECT_SCRIPT + "' '" + dir.string() + "'";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return "popen failed";
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int rc = ::pclose(p);
  if (rc != 0) return "expect script failed: " + std::to_string(rc);
  return out;
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

class OsvSampleTest : public ::testing::TestWithParam<const char*> {};

TEST_P(OsvSampleTest, MatchesIndependentScript) {
  const fs::path dir = fs::path(VULNDB_SHARED_DATA) / "vulndb" / GetParam();
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  EXPECT_TRUE(kOsvImporter.recognizes(dir));
  CollectSink sink;
  auto stats = kOsvImporter.import(dir, sink);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->records, sink.advisories.size());
  ASSERT_GT(sink.advisories.size(), 0u);
  const std::string expected = run_expect(dir);
  const std::string got = describe(sink.advisories);
  EXPECT_EQ(got.substr(0, got.find("\nsev")), expected.substr(0, expected.find("\nsev")));
  EXPECT_EQ(got, expected);
  for (const Advisory& a : sink.advisories) EXPECT_EQ(a.source, "osv");
}

INSTANTIATE_TEST_SUITE_P(Samples, OsvSampleTest,
                         ::testing::Values("golang-vulndb", "almalinux-osv", "pypa-advisory-db",
                                           "trivy-db-testdata/osv/testdata/happy",
                                           "trivy-db-testdata/ghsa/testdata/happy/ghsa",
                                           "vunnel-fixtures/alma/osv-database",
                                           "vunnel-fixtures/rocky/osv"));

// trivy's "sad" sample: its only file is malformed JSON; skipped with a warning, not fatal.
TEST(OsvImporter, MalformedSampleIsSkipped) {
  const fs::path dir = fs::path(VULNDB_SHARED_DATA) / "vulndb/trivy-db-testdata/osv/testdata/sad";
  CollectSink sink;
  auto stats = kOsvImporter.import(dir, sink);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->records, 0u);
  EXPECT_EQ(stats->skipped, 1u);
  ASSERT_EQ(stats->warnings.size(), 1u);
  EXPECT_NE(stats->warnings[0].find("PYSEC-2005-1.json"), std::string::npos) << stats->warnings[0];
  EXPECT_EQ(run_expect(dir), "total\t0\n");
}

TEST(OsvImporter, MapsFieldsAndEcosystems) {
  TempDir tmp("osv-test");
  write(fs::path(tmp.path()) / "a.json", R"({"id":"GHSA-aaaa-bbbb-cccc","aliases":["GHSA-x","CVE-2024-1"],"related":["CVE-2023-9"],
    "summary":"s","published":"2024-01-01T00:00:00Z","withdrawn":"2024-02-01T00:00:00Z",
    "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    "database_specific":{"severity":"HIGH","cwe_ids":["CWE-79"]},
    "references":[{"type":"WEB","url":"https://example.com"}],
    "affected":[
      {"package":{"ecosystem":"Debian:12","name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.1-1"}]}]},
      {"package":{"ecosystem":"Alpine:v3.19","name":"musl"},"versions":["1.2.3"]},
      {"package":{"ecosystem":"Ubuntu:22.04:LTS","name":"bash"},"ecosystem_specific":{"severity":"medium"}},
      {"package":{"ecosystem":"crates.io","name":"time"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"last_affected":"0.1"},{"limit":"0.2"}]}]},
      {"package":{"ecosystem":"FancyEco","name":"x"}},
      {"package":{"ecosystem":"FancyEco","name":"y"}},
      {"package":{"name":"no-ecosystem"}}, 7]})");
  EXPECT_TRUE(kOsvImporter.recognizes(fs::path(tmp.path()) / "a.json"));
  CollectSink sink;
  auto stats = kOsvImporter.import(tmp.path(), sink);
  ASSERT_TRUE(stats) << stats.error().message;
  ASSERT_EQ(sink.advisories.size(), 1u);
  const Advisory& a = sink.advisories[0];
  EXPECT_EQ(a.aliases, (std::vector<std::string>{"CVE-2024-1", "GHSA-x"}));
  EXPECT_EQ(a.related, (std::vector<std::string>{"CVE-2023-9"}));
  EXPECT_TRUE(a.withdrawn);
  EXPECT_EQ(a.cwes, std::vector<std::string>{"CWE-79"});
  EXPECT_EQ(a.references, std::vector<std::string>{"https://example.com"});
  ASSERT_EQ(a.severities.size(), 2u);
  EXPECT_EQ(a.severities[0].type, "CVSS_V3");
  EXPECT_EQ(a.severities[1].type, "TEXT");
  EXPECT_EQ(a.severities[1].value, "HIGH");
  EXPECT_EQ(a.severities[1].source, "ghsa");
  ASSERT_EQ(a.affected.size(), 6u);
  EXPECT_EQ(a.affected[0].ecosystem, "deb");
  EXPECT_EQ(a.affected[0].distro, "debian:12");
  ASSERT_EQ(a.affected[0].ranges.size(), 1u);
  EXPECT_EQ(a.affected[0].ranges[0].events[1].kind, VersionEvent::Kind::kFixed);
  EXPECT_EQ(a.affected[1].ecosystem, "apk");
  EXPECT_EQ(a.affected[1].distro, "alpine:3.19");
  EXPECT_EQ(a.affected[1].versions, std::vector<std::string>{"1.2.3"});
  EXPECT_EQ(a.affected[2].distro, "ubuntu:22.04");
  EXPECT_EQ(a.affected[2].severity, "medium");
  EXPECT_EQ(a.affected[3].ecosystem, "cargo");
  EXPECT_EQ(a.affected[3].ranges[0].events[1].kind, VersionEvent::Kind::kLastAffected);
  EXPECT_EQ(a.affected[3].ranges[0].events[2].kind, VersionEvent::Kind::kLimit);
  EXPECT_EQ(a.affected[4].ecosystem, "fancyeco");
  EXPECT_EQ(a.affected[4].distro, "");
  int unknown_warnings = 0;
  for (const std::string& w : stats->warnings) unknown_warnings += w.find("unknown OSV ecosystem") != std::string::npos;
  EXPECT_EQ(unknown_warnings, 1);
}

TEST(OsvImporter, ReadsYamlWithAllScalarsAsStrings) {
  TempDir tmp("osv-test");
  const fs::path f = fs::path(tmp.path()) / "PYSEC-1.yaml";
  write(f, "id: PYSEC-1\nmodified: '2024-01-01'\naffected:\n- package:\n    name: req\n    ecosystem: PyPI\n"
           "  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: '0'\n    - fixed: 2.0\n  versions:\n  - 1.0\n");
  EXPECT_TRUE(kOsvImporter.recognizes(f));
  CollectSink sink;
  auto stats = kOsvImporter.import(f, sink);
  ASSERT_TRUE(stats) << stats.error().message;
  ASSERT_EQ(sink.advisories.size(), 1u);
  ASSERT_EQ(sink.advisories[0].affected.size(), 1u);
  EXPECT_EQ(sink.advisories[0].affected[0].ecosystem, "pypi");
  EXPECT_EQ(sink.advisories[0].affected[0].ranges[0].events[1].version, "2.0");
  EXPECT_EQ(sink.advisories[0].affected[0].versions, std::vector<std::string>{"1.0"});
}

TEST(OsvImporter, RecognizesOnlyOsv) {
  TempDir tmp("osv-test");
  const fs::path root(tmp.path());
  write(root / "kev.json", R"({"title":"CISA","vulnerabilities":[{"cveID":"CVE-1"}]})");
  write(root / "secdb.yaml", "distroversion: v3.19\npackages: []\n");
  write(root / "notes.txt", "id: x\nmodified: y\n");
  EXPECT_FALSE(kOsvImporter.recognizes(root / "kev.json"));
  EXPECT_FALSE(kOsvImporter.recognizes(root / "secdb.yaml"));
  EXPECT_FALSE(kOsvImporter.recognizes(root / "notes.txt"));
  EXPECT_FALSE(kOsvImporter.recognizes(root));
  EXPECT_FALSE(kOsvImporter.recognizes(root / "missing"));
  write(root / "sub" / "GO-1.json", R"({"id":"GO-1","modified":"x"})");
  EXPECT_TRUE(kOsvImporter.recognizes(root));
}

TEST(OsvImporter, HostileFilesAreSkippedOrErrors) {
  TempDir tmp("osv-test");
  const fs::path root(tmp.path());
  write(root / "good.json", R"({"id":"OK-1","affected":[]})");
  write(root / "bad.json", R"({"id":"BAD-1", "affected": [)");
  write(root / "dup.json", R"({"id":"A","id":"B"})");
  write(root / "deep.json", std::string(10000, '[') + std::string(10000, ']'));
  write(root / "bad.yaml", "id: [unterminated\n  - : :\n\t{");
  write(root / "deep.yaml", std::string(5000, '[') + std::string(5000, ']'));
  // Billion laughs: aliases expand far beyond the node bound.
  std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'k'; ++c) {
    laughs += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) laughs += std::string(i ? ", *" : "*") + static_cast<char>(c - 1);
    laughs += "]\n";
  }
  write(root / "laughs.yaml", "id: LOL\n" + laughs);
  write(root / "types.json", R"([{"id":5},{"id":"T-1","aliases":"x","severity":{"a":1},"affected":{"x":1},
    "references":[1,{"url":2}],"database_specific":{"cwe_ids":"CWE-1","severity":7}},
    {"id":"T-2","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"events":[1,{"fixed":3},{"fixed":"1.0"}]}],"versions":[1,"2"]}]},
    "str"])");
  std::string huge = R"({"id":"HUGE","affected":[{"package":{"ecosystem":"npm","name":"x"},"versions":[)";
  for (int i = 0; i < 100001; ++i) huge += i ? ",\"1\"" : "\"1\"";
  write(root / "huge.json", huge + "]}]}");
  write(root / "other.json", R"({"name":"not osv"})");
  write(root / "empty.yml", "");
  write(root / ".git" / "x.json", "garbage");

  CollectSink sink;
  auto stats = kOsvImporter.import(root, sink);
  ASSERT_TRUE(stats) << stats.error().message;
  std::vector<std::string> ids;
  for (const Advisory& a : sink.advisories) ids.push_back(a.id);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"OK-1", "T-1", "T-2"}));
  EXPECT_EQ(stats->records, 3u);
  // bad.json, dup.json, deep.json, bad.yaml, deep.yaml, laughs.yaml, {"id":5}, "str", HUGE.
  EXPECT_EQ(stats->skipped, 9u);
  for (const Advisory& a : sink.advisories) {
    if (a.id != "T-2") continue;
    ASSERT_EQ(a.affected.size(), 1u);
    ASSERT_EQ(a.affected[0].ranges.size(), 1u);
    ASSERT_EQ(a.affected[0].ranges[0].events.size(), 1u);
    EXPECT_EQ(a.affected[0].ranges[0].events[0].version, "1.0");
    EXPECT_EQ(a.affected[0].versions, std::vector<std::string>{"2"});
  }

  // Given directly, a malformed or non-OSV file is an error naming it.
  CollectSink one;
  auto bad = kOsvImporter.import(root / "bad.json", one);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("bad.json"), std::string::npos);
  EXPECT_FALSE(kOsvImporter.import(root / "other.json", one));
  EXPECT_FALSE(kOsvImporter.import(root / "missing.json", one));
}

TEST(OsvImporter, SinkFailureStopsTheImport) {
  TempDir tmp("osv-test");
  write(fs::path(tmp.path()) / "a.json", R"({"id":"A-1"})");
  write(fs::path(tmp.path()) / "b.json", R"({"id":"B-1"})");
  FailingSink sink;
  auto stats = kOsvImporter.import(tmp.path(), sink);
  ASSERT_FALSE(stats);
  EXPECT_EQ(stats.error().message, "store down");
}

}  // namespace
}  // namespace bulwark::vulndb
