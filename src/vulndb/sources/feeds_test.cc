// Tests of the feed importers (debian, alpine, kev, epss): against the shared samples, each
// compared tuple by tuple with an independent python script (tests/vulndb/<feed>_expect.py),
// plus hostile inputs (malformed files are errors, malformed records are skipped with warnings).
#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/temp_dir.h"
#include "vulndb/advisory.h"
#include "vulndb/sources/importer_testing.h"

namespace bulwark::vulndb {

// The importer table (all.cc) needs every part's importers; this test names its own directly.
extern const Importer kDebianTrackerImporter;
extern const Importer kAlpineSecdbImporter;
extern const Importer kKevImporter;
extern const Importer kEpssImporter;

namespace {

namespace fs = std::filesystem;

const std::string kData = std::string(VULNDB_SHARED_DATA) + "/vulndb";
const std::string kExpect = VULNDB_EXPECT_DIR;

using importer_testing::CollectingSink;

// The lines tests/vulndb/SCRIPT prints for `args`, sorted.
std::vector<std::string> run_script(const std::string& script, const std::vector<std::string>& args) {
  return importer_testing::run_expect_script(kExpect + "/" + script, args);
}



// Sorts `actual` and compares with `expected`, reporting the first difference.
void expect_same(std::vector<std::string> actual, const std::vector<std::string>& expected) {
  std::sort(actual.begin(), actual.end());
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    ASSERT_EQ(actual[i], expected[i]) << "tuple " << i;
  }
}

std::vector<std::string> files_under(const std::string& dir, const std::string& ext) {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ext) {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

void write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string fixed_version(const Affected& affected) {
  for (const auto& range : affected.ranges) {
    for (const auto& event : range.events) {
      if (event.kind == VersionEvent::Kind::kFixed) return event.version;
    }
  }
  return "";
}

const char* status_name(AffectedStatus status) {
  switch (status) {
    case AffectedStatus::kAffected: return "affected";
    case AffectedStatus::kUnfixed: return "unfixed";
    case AffectedStatus::kWillNotFix: return "will_not_fix";
    case AffectedStatus::kNotAffected: return "not_affected";
  }
  return "?";
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

// ---- KEV ----

std::vector<std::string> kev_tuples(const std::vector<KevEntry>& entries) {
  std::vector<std::string> lines;
  for (const auto& e : entries) {
    lines.push_back(e.cve + "\t" + e.vendor + "\t" + e.product + "\t" + e.date_added + "\t" +
                    e.due_date + "\t" + (e.known_ransomware ? "1" : "0"));
  }
  return lines;
}

TEST(KevImporter, SharedCatalogMatchesScript) {
  const std::string file = kData + "/kev/known_exploited_vulnerabilities.json";
  ASSERT_TRUE(kKevImporter.recognizes(kData + "/kev"));
  CollectingSink sink;
  auto stats = kKevImporter.import(kData + "/kev", sink);  // the directory: schema file skipped
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->records, 1404u);
  EXPECT_EQ(stats->skipped, 0u);
  ASSERT_EQ(sink.kev.size(), 1404u);
  expect_same(kev_tuples(sink.kev), run_script("kev_expect.py", {file}));
}

TEST(KevImporter, VunnelFixturesCatalogAndSingleEntry) {
  const std::string dir = kData + "/vunnel-fixtures/kev";
  const std::vector<std::string> files = {dir + "/single-entry/example1.json",
                                          dir + "/valid-catalog-1.json"};
  CollectingSink sink;
  for (const auto& file : files) {
    auto stats = kKevImporter.import(file, sink);
    ASSERT_TRUE(stats) << stats.error().message;
  }
  ASSERT_FALSE(sink.kev.empty());
  EXPECT_EQ(sink.kev.front().cve, "CVE-2025-0108");
  EXPECT_EQ(sink.kev.front().due_date, "2025-03-11");
  expect_same(kev_tuples(sink.kev), run_script("kev_expect.py", files));
}

TEST(KevImporter, MalformedEntriesAreSkipped) {
  TempDir dir("kev");
  write(dir.file("kev.json"),
        R"({"catalogVersion":"1","vulnerabilities":[
          {"cveID":"CVE-2024-1234","dueDate":"2024-02-30x","knownRansomwareCampaignUse":"Known"},
          {"cveID":42}, "text", {"vendorProject":"x"}, {"cveID":"CVE-1-2"}]})");
  CollectingSink sink;
  auto stats = kKevImporter.import(dir.path(), sink);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->records, 1u);
  EXPECT_EQ(stats->skipped, 4u);
  EXPECT_GE(stats->warnings.size(), 5u);  // four skips and the bad date
  ASSERT_EQ(sink.kev.size(), 1u);
  EXPECT_TRUE(sink.kev[0].known_ransomware);
  EXPECT_EQ(sink.kev[0].due_date, "");
}

TEST(KevImporter, MalformedFilesAreErrors) {
  TempDir dir("kev");
  for (const std::string& bytes : {std::string(""), std::string("{\"catalogVersion\":"),
                                  std::string("[1,2]"), std::string("{\"vulnerabilities\":7}"),
                                  std::string(100000, '[') + std::string(100000, ']'),
                                  std::string("{\"a\":1,\"a\":2}")}) {
    write(dir.file("kev.json"), bytes);
    CollectingSink sink;
    auto stats = kKevImporter.import(dir.file("kev.json"), sink);
    ASSERT_FALSE(stats) << bytes.substr(0, 40);
    EXPECT_NE(stats.error().message.find("kev.json"), std::string::npos);
  }
}

// ---- EPSS ----

std::vector<std::string> epss_tuples(const std::vector<EpssScore>& scores) {
  std::vector<std::string> lines;
  char buffer[128];
  for (const auto& s : scores) {
    std::snprintf(buffer, sizeof buffer, "%s\t%.9g\t%.9g", s.cve.c_str(), s.score, s.percentile);
    lines.push_back(buffer);
  }
  return lines;
}

TEST(EpssImporter, SharedSampleMatchesScript) {
  const std::string dir = kData + "/epss";
  ASSERT_TRUE(kEpssImporter.recognizes(dir));
  CollectingSink sink;
  auto stats = kEpssImporter.import(dir, sink);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->skipped, 0u);
  EXPECT_EQ(stats->records, sink.epss.size());
  EXPECT_GT(sink.epss.size(), 30000u);
  expect_same(epss_tuples(sink.epss), run_script("epss_expect.py", files_under(dir, ".csv")));
}

TEST(EpssImporter, OfficialLayout) {
  const std::string dir = kData + "/vunnel-fixtures/epss";
  for (const char* name : {"example-1.csv", "missing-date.csv"}) {
    CollectingSink sink;
    auto stats = kEpssImporter.import(dir + "/" + name, sink);
    ASSERT_TRUE(stats) << stats.error().message;
    ASSERT_FALSE(sink.epss.empty());
    EXPECT_EQ(sink.epss[0].cve, "CVE-1999-0001");
    EXPECT_DOUBLE_EQ(sink.epss[0].score, 0.00383);
    EXPECT_DOUBLE_EQ(sink.epss[0].percentile, 0.73075);
    expect_same(epss_tuples(sink.epss), run_script("epss_expect.py", {dir + "/" + name}));
  }
  CollectingSink sink;
  auto bad = kEpssImporter.import(dir + "/invalid-header.csv", sink);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("invalid-header.csv"), std::string::npos);
}

TEST(EpssImporter, MalformedRecordsAreSkipped) {
  TempDir dir("epss");
  write(dir.file("e.csv"),
        "#model_version:v1\r\ncve,epss,percentile\r\nCVE-2024-0001,0.5,0.9\r\n"
        "CVE-2024-0002,1.5,0.9\nCVE-2024-0003,nan,0.1\nCVE-2024-0004,0.1\n"
        "CVE-2024-0005,0.1,0.2,0.3\nnot-a-cve,0.1,0.2\nCVE-2024-0006,-0,1\n"
        "CVE-2024-0007,0x1,0.5\nCVE-2024-0008,,\n" + std::string(5000, ',') + "\n");
  CollectingSink sink;
  auto stats = kEpssImporter.import(dir.path(), sink);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->records, 2u);
  EXPECT_EQ(stats->skipped, 8u);
  EXPECT_EQ(stats->warnings.size(), 8u);
  ASSERT_EQ(sink.epss.size(), 2u);
  EXPECT_EQ(sink.epss[1].cve, "CVE-2024-0006");
}

TEST(EpssImporter, WarningsAreCappedAndLongFieldsAreSafe) {
  TempDir dir("epss");
  std::string bytes = "cve,epss,percentile\nCVE-2024-" + std::string(1 << 20, '1') + ",0.1,0.2\n";
  for (int i = 0; i < 2000; ++i) bytes += "CVE-2024-0001,x,y\n";
  write(dir.file("e.csv"), bytes);
  CollectingSink sink;
  auto stats = kEpssImporter.import(dir.path(), sink);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->records, 0u);
  EXPECT_EQ(stats->skipped, 2001u);
  EXPECT_EQ(stats->warnings.size(), 1001u);  // 1000 kept, then one "more warnings" line
}

TEST(EpssImporter, FileWithoutEpssDataIsAnError) {
  TempDir dir("epss");
  write(dir.file("e.csv"), "hello,world\n");
  CollectingSink sink;
  EXPECT_FALSE(kEpssImporter.import(dir.file("e.csv"), sink));
  EXPECT_FALSE(kEpssImporter.recognizes(dir.path()));
}

// ---- Alpine ----

std::vector<std::string> alpine_tuples(const std::vector<Advisory>& advisories) {
  std::vector<std::string> lines;
  for (const auto& a : advisories) {
    EXPECT_EQ(a.source, "alpine");
    for (const auto& affected : a.affected) {
      EXPECT_EQ(affected.ecosystem, "apk");
      const std::string fixed = fixed_version(affected);
      EXPECT_EQ(affected.status == AffectedStatus::kNotAffected, fixed.empty());
      auto aliases = a.aliases;
      std::sort(aliases.begin(), aliases.end());
      lines.push_back(a.id + "\t" + join(aliases) + "\t" + affected.distro + "\t" +
                      affected.package + "\t" + (fixed.empty() ? "0" : fixed));
    }
  }
  return lines;
}

void check_alpine(const std::string& path, const std::vector<std::string>& files) {
  ASSERT_TRUE(kAlpineSecdbImporter.recognizes(path));
  CollectingSink sink;
  auto stats = kAlpineSecdbImporter.import(path, sink);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->records, sink.advisories.size());
  const auto expected = run_script("alpine_expect.py", files);
  std::set<std::string> ids;
  for (const auto& line : expected) ids.insert(line.substr(0, line.find('\t')));
  EXPECT_EQ(sink.advisories.size(), ids.size());
  expect_same(alpine_tuples(sink.advisories), expected);
}

TEST(AlpineSecdbImporter, SharedSecdbMatchesScript) {
  const std::string dir = kData + "/alpine-secdb";
  check_alpine(dir, files_under(dir, ".yaml"));
  CollectingSink sink;
  auto stats = kAlpineSecdbImporter.import(dir, sink);
  ASSERT_TRUE(stats);
  EXPECT_GT(stats->skipped, 0u);  // "CVE_2019-2426", "CVE-2019-19451.patch", ...
  EXPECT_EQ(stats->skipped, stats->warnings.size());
  bool found = false;  // "CVE-2016-10013 XSA-204": the CVE with the XSA as alias
  for (const auto& a : sink.advisories) {
    if (a.id == "CVE-2016-10013") found = a.aliases == std::vector<std::string>{"XSA-204"};
  }
  EXPECT_TRUE(found);
}

TEST(AlpineSecdbImporter, VunnelFixturesMatchScript) {
  const std::string dir = kData + "/vunnel-fixtures/alpine/input/secdb";
  check_alpine(dir, files_under(dir, ".yaml"));
}

TEST(AlpineSecdbImporter, JsonFormMatchesYamlForm) {
  TempDir dir("alpine");
  write(dir.file("main.json"),
        R"({"distroversion":"v3.19","reponame":"main","packages":[
          {"pkg":{"name":"zlib","secfixes":{"1.2.12-r0":["CVE-2018-25032"],"0":["CVE-2022-37434"]}}},
          {"pkg":{"name":"musl","secfixes":{}}}]})");
  CollectingSink sink;
  auto stats = kAlpineSecdbImporter.import(dir.path(), sink);
  ASSERT_TRUE(stats) << stats.error().message;
  ASSERT_EQ(sink.advisories.size(), 2u);
  EXPECT_EQ(sink.advisories[0].id, "CVE-2018-25032");
  EXPECT_EQ(sink.advisories[0].affected.at(0).distro, "alpine:3.19");
  EXPECT_EQ(fixed_version(sink.advisories[0].affected.at(0)), "1.2.12-r0");
  EXPECT_EQ(sink.advisories[1].affected.at(0).status, AffectedStatus::kNotAffected);
  expect_same(alpine_tuples(sink.advisories), run_script("alpine_expect.py", {dir.file("main.json")}));
}

TEST(AlpineSecdbImporter, MalformedRecordsAreSkipped) {
  TempDir dir("alpine");
  write(dir.file("main.yaml"),
        "distroversion: v3.12\npackages:\n"
        "  - pkg: {name: a, secfixes: {1.0-r0: [CVE-2020-0001, [x], garbage], 2.0-r0: 7}}\n"
        "  - pkg: {secfixes: {1.0-r0: [CVE-2020-0002]}}\n"
        "  - 12\n"
        "  - pkg: {name: b, secfixes: [1, 2]}\n");
  CollectingSink sink;
  auto stats = kAlpineSecdbImporter.import(dir.path(), sink);
  ASSERT_TRUE(stats) << stats.error().message;
  ASSERT_EQ(sink.advisories.size(), 1u);
  EXPECT_EQ(sink.advisories[0].id, "CVE-2020-0001");
  EXPECT_EQ(stats->skipped, 6u);
  EXPECT_EQ(stats->warnings.size(), 6u);
}

TEST(AlpineSecdbImporter, MalformedFilesAreErrors) {
  TempDir dir("alpine");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a.yaml", "distroversion: v3.1\npackages: [unclosed\n"},
      {"a.yaml", "distroversion: nonsense\npackages: []\n"},
      {"a.yaml", "distroversion: v3.1\npackages: 5\n"},
      {"a.yaml", "distroversion: v3.1\npackages: " + std::string(50000, '[') + "\n"},
      {"a.yaml", "distroversion: v3.1\n*x: &x\n"},
      {"a.json", "{\"distroversion\":\"v3.1\",\"packages\":{}}"},
      {"a.json", "{\"distroversion\":\"v3.1\""},
  };
  for (const auto& [name, bytes] : cases) {
    fs::remove_all(dir.path() + "/a.yaml");
    fs::remove_all(dir.path() + "/a.json");
    write(dir.file(name), bytes);
    CollectingSink sink;
    auto stats = kAlpineSecdbImporter.import(dir.path(), sink);
    ASSERT_FALSE(stats) << bytes.substr(0, 60);
    EXPECT_NE(stats.error().message.find(name), std::string::npos);
  }
}

// ---- Debian ----

std::vector<std::string> debian_tuples(const std::vector<Advisory>& advisories) {
  std::vector<std::string> lines;
  for (const auto& a : advisories) {
    EXPECT_EQ(a.source, "debian");
    for (const auto& affected : a.affected) {
      EXPECT_EQ(affected.ecosystem, "deb");
      lines.push_back(a.id + "\t" + affected.package + "\t" + affected.distro + "\t" +
                      status_name(affected.status) + "\t" + fixed_version(affected) + "\t" +
                      affected.severity);
    }
  }
  for (const auto& a : advisories) {
    if (!a.aliases.empty()) lines.push_back("ALIASES\t" + a.id + "\t" + join(a.aliases));
  }
  lines.push_back("ADVISORIES\t" + std::to_string(advisories.size()));
  return lines;
}

TEST(DebianTrackerImporter, VunnelSampleMatchesScript) {
  const std::string file = kData + "/vunnel-fixtures/debian/input/debian.json";
  const std::string dsa = kData + "/vunnel-fixtures/debian/input/DSA";
  ASSERT_TRUE(kDebianTrackerImporter.recognizes(file));
  ASSERT_TRUE(kDebianTrackerImporter.recognizes(kData + "/vunnel-fixtures/debian/input"));
  CollectingSink sink;
  auto stats = kDebianTrackerImporter.import(kData + "/vunnel-fixtures/debian/input", sink);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->skipped, 0u);
  EXPECT_EQ(stats->records, 7u + 7u);  // 7 CVEs, 7 DSAs naming a CVE or a package
  expect_same(debian_tuples(sink.advisories), run_script("debian_expect.py", {dsa, file}));
  const auto dsa_141 = std::find_if(sink.advisories.begin(), sink.advisories.end(),
                                    [](const Advisory& a) { return a.id == "DSA-141"; });
  ASSERT_NE(dsa_141, sink.advisories.end());
  EXPECT_EQ(dsa_141->published, "2002-08-01T00:00:00Z");
  EXPECT_EQ(dsa_141->summary, "buffer overflow");
  EXPECT_EQ(dsa_141->aliases, std::vector<std::string>{"CVE-2002-1425"});
}

TEST(DebianTrackerImporter, MergesPackagesAndMapsStatuses) {
  TempDir dir("debian");
  write(dir.file("json"), R"({
    "openssl": {"CVE-2024-0001": {"description": "d", "releases": {
      "bookworm": {"status": "open", "urgency": "low", "nodsa": "Minor", "nodsa_reason": "ignored"},
      "trixie": {"status": "open", "urgency": "medium*", "nodsa_reason": "postponed"},
      "sid": {"status": "undetermined", "urgency": "not yet assigned"},
      "forky": {"status": "resolved", "fixed_version": "0", "urgency": "unimportant"}}}},
    "openssl1.1": {"CVE-2024-0001": {"releases": {
      "bullseye": {"status": "resolved", "fixed_version": "1.1-1", "urgency": "high"}}}}})");
  CollectingSink sink;
  auto stats = kDebianTrackerImporter.import(dir.path(), sink);
  ASSERT_TRUE(stats) << stats.error().message;
  ASSERT_EQ(sink.advisories.size(), 1u);
  const Advisory& a = sink.advisories[0];
  EXPECT_EQ(a.details, "d");
  std::vector<std::string> got = debian_tuples(sink.advisories);
  expect_same(got, run_script("debian_expect.py", {dir.file("json")}));
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{
                     "ADVISORIES\t1",
                     "CVE-2024-0001\topenssl\tdebian:12\twill_not_fix\t\tlow",
                     "CVE-2024-0001\topenssl\tdebian:13\tunfixed\t\tmedium",
                     "CVE-2024-0001\topenssl\tdebian:14\tnot_affected\t\tunimportant",
                     "CVE-2024-0001\topenssl\tdebian:unstable\tunfixed\t\t",
                     "CVE-2024-0001\topenssl1.1\tdebian:11\taffected\t1.1-1\thigh"}));
}

TEST(DebianTrackerImporter, MalformedRecordsAreSkipped) {
  TempDir dir("debian");
  write(dir.file("t.json"), R"({
    "p": {"CVE-2024-0001": {"releases": {
            "bookworm": {"status": "resolved"},
            "zzz": {"status": "open"},
            "trixie": {"status": "weird"},
            "sid": 5,
            "bullseye": {"status": "open", "urgency": "low"}}},
          "CVE-2024-0002": {"releases": "x"},
          "not an id": {"releases": {}},
          "CVE-2024-0003": 7},
    "q": [1, 2]})");
  CollectingSink sink;
  auto stats = kDebianTrackerImporter.import(dir.file("t.json"), sink);
  ASSERT_TRUE(stats) << stats.error().message;
  ASSERT_EQ(sink.advisories.size(), 1u);
  ASSERT_EQ(sink.advisories[0].affected.size(), 1u);
  EXPECT_EQ(sink.advisories[0].affected[0].distro, "debian:11");
  EXPECT_EQ(stats->skipped, 8u);
  EXPECT_EQ(stats->warnings.size(), 8u);
}

TEST(DebianTrackerImporter, DsaListMarksAndMalformedLines) {
  TempDir dir("debian");
  write(dir.file("list"),
        "[02 Jan 2024] DSA-9999-1 foo - security update\n"
        "\t{CVE-2024-0001 CVE-bogus CVE-2024-0002}\n"
        "\t[bookworm] - foo <not-affected> (vulnerable code not present)\n"
        "\t[bullseye] - foo <end-of-life>\n"
        "\t[trixie] - foo <weird>\n"
        "\t[zzz] - foo 1.0\n"
        "\tgarbage line\n"
        "\t[sid] - foo 1.2-1\n"
        "[99 Xyz 2024] nonsense\n"
        "\t[sid] - bar 1.0\n"
        "[03 Jan 2024] DSA-10000-1 announcement\n"
        "\tNOTE: nothing to see\n" + std::string(100000, 'x') + "\n");
  ASSERT_TRUE(kDebianTrackerImporter.recognizes(dir.path()));
  CollectingSink sink;
  auto stats = kDebianTrackerImporter.import(dir.path(), sink);
  ASSERT_TRUE(stats) << stats.error().message;
  ASSERT_EQ(sink.advisories.size(), 1u);
  const Advisory& a = sink.advisories[0];
  EXPECT_EQ(a.id, "DSA-9999-1");
  EXPECT_EQ(a.published, "2024-01-02T00:00:00Z");
  EXPECT_EQ(a.aliases, (std::vector<std::string>{"CVE-2024-0001", "CVE-2024-0002"}));
  std::vector<std::string> got = debian_tuples(sink.advisories);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{
                     "ADVISORIES\t1", "ALIASES\tDSA-9999-1\tCVE-2024-0001,CVE-2024-0002",
                     "DSA-9999-1\tfoo\tdebian:11\twill_not_fix\t\t",
                     "DSA-9999-1\tfoo\tdebian:12\tnot_affected\t\t",
                     "DSA-9999-1\tfoo\tdebian:unstable\taffected\t1.2-1\t"}));
  // <weird>, [zzz], the garbage line, the bad header, the 100000-byte line (within DSA-10000-1)
  EXPECT_EQ(stats->skipped, 5u);
}

TEST(DebianTrackerImporter, MalformedFilesAreErrors) {
  TempDir dir("debian");
  for (const std::string& bytes :
       {std::string(""), std::string("[]"), std::string("{\"p\": {\"CVE-2024-1\": "),
        std::string("{\"p\":") + std::string(10000, '{'), std::string("\xff\xfe{}")}) {
    write(dir.file("t.json"), bytes);
    CollectingSink sink;
    auto stats = kDebianTrackerImporter.import(dir.file("t.json"), sink);
    ASSERT_FALSE(stats);
    EXPECT_NE(stats.error().message.find("t.json"), std::string::npos);
  }
  CollectingSink sink;
  auto missing = kDebianTrackerImporter.import(dir.file("missing.json"), sink);
  EXPECT_FALSE(missing);
}

// ---- recognition ----

TEST(FeedImporters, RecognizeOnlyTheirOwnFeeds) {
  const std::vector<std::pair<const Importer*, std::string>> samples = {
      {&kDebianTrackerImporter, kData + "/vunnel-fixtures/debian/input/debian.json"},
      {&kAlpineSecdbImporter, kData + "/alpine-secdb"},
      {&kKevImporter, kData + "/kev"},
      {&kEpssImporter, kData + "/epss"},
  };
  for (const auto& [importer, path] : samples) {
    for (const auto& [other, other_path] : samples) {
      EXPECT_EQ(importer->recognizes(other_path), importer == other)
          << importer->name << " on " << other_path;
    }
  }
  EXPECT_FALSE(kKevImporter.recognizes(kData + "/does-not-exist"));
  EXPECT_EQ(kDebianTrackerImporter.name, "debian");
  EXPECT_EQ(kAlpineSecdbImporter.name, "alpine");
  EXPECT_EQ(kKevImporter.name, "kev");
  EXPECT_EQ(kEpssImporter.name, "epss");
}

}  // namespace
}  // namespace bulwark::vulndb
