// Tests of the language feed importers (rustsec, rubysec, friendsofphp) and their version
// requirement mapping: against the shared samples, compared line by line with independent python
// scripts (tests/vulndb/<feed>_expect.py), plus hostile inputs.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/temp_dir.h"
#include "vulndb/advisory.h"
#include "vulndb/sources/importer_testing.h"
#include "vulndb/sources/version_requirements.h"

namespace bulwark::vulndb {

// The importer table (all.cc) needs every part's importers; this test names its own directly.
extern const Importer kRustsecImporter;
extern const Importer kRubysecImporter;
extern const Importer kFriendsOfPhpImporter;

namespace {

namespace fs = std::filesystem;
using feed::RequirementSyntax;

const std::string kData = std::string(VULNDB_SHARED_DATA) + "/vulndb";
const std::string kExpect = VULNDB_EXPECT_DIR;

using importer_testing::CollectingSink;


std::vector<std::string> run_script(const std::string& script, const std::string& arg) {
  return importer_testing::run_expect_script(kExpect + "/" + script, {arg});
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

constexpr const char* kKindNames[] = {"introduced", "fixed", "last_affected", "limit",
                                      "introduced_after"};

std::string show(const std::vector<VersionEvent>& events) {
  std::vector<std::string> parts;
  for (const auto& e : events) parts.push_back(kKindNames[static_cast<int>(e.kind)] + (":" + e.version));
  return join(parts, " ");
}

// The lines the expect scripts print, from what the importer produced.
std::vector<std::string> lines_of(const std::vector<Advisory>& advisories, const ImportStats& stats) {
  std::vector<std::string> lines;
  for (const auto& a : advisories) {
    std::vector<std::string> severities;
    for (const auto& s : a.severities) severities.push_back(s.type + "=" + s.value);
    lines.push_back("RECORD\t" + a.id + "\t" + join(a.aliases, ",") + "\t" + join(severities, ";"));
    for (const auto& affected : a.affected) {
      std::vector<std::string> ranges;
      for (const auto& r : affected.ranges) ranges.push_back(show(r.events));
      lines.push_back("AFFECTED\t" + a.id + "\t" + affected.ecosystem + "\t" + affected.package +
                      "\t" + join(ranges, " | "));
    }
  }
  lines.push_back("COUNT\t" + std::to_string(stats.records));
  lines.push_back("SKIPPED\t" + std::to_string(stats.skipped));
  std::sort(lines.begin(), lines.end());
  return lines;
}

void expect_sample(const Importer& importer, const std::string& dir, const std::string& script,
                   uint64_t records) {
  ASSERT_TRUE(importer.recognizes(dir));
  CollectingSink sink;
  auto stats = importer.import(dir, sink);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->records, records);
  for (const auto& w : stats->warnings) std::printf("warning: %s\n", w.c_str());
  const auto actual = lines_of(sink.advisories, *stats);
  const auto expected = run_script(script, dir);
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) ASSERT_EQ(actual[i], expected[i]) << "line " << i;
}

TEST(RustsecImporter, SharedSampleMatchesScript) {
  // 46: RUSTSEC-2020-0071 and -2025-0024 start right after an inclusive bound (introduced_after).
  expect_sample(kRustsecImporter, kData + "/rustsec", "rustsec_expect.py", 46);
}
TEST(RubysecImporter, SharedSampleMatchesScript) {
  // 236: nokogiri CVE-2022-23476, actionpack CVE-2012-3424 and rack CVE-2018-16470 start right
  // after an inclusive "<= X" (introduced_after).
  expect_sample(kRubysecImporter, kData + "/rubysec", "rubysec_expect.py", 236);
}
TEST(FriendsOfPhpImporter, SharedSampleMatchesScript) {
  expect_sample(kFriendsOfPhpImporter, kData + "/friendsofphp", "friendsofphp_expect.py", 190);
}

TEST(LangFeeds, SamplesAreClaimedOnlyByTheirOwnImporter) {
  const Importer* importers[] = {&kRustsecImporter, &kRubysecImporter, &kFriendsOfPhpImporter};
  const std::string samples[] = {kData + "/rustsec", kData + "/rubysec", kData + "/friendsofphp"};
  for (size_t i = 0; i < 3; ++i) {
    for (size_t j = 0; j < 3; ++j) {
      EXPECT_EQ(importers[j]->recognizes(samples[i]), i == j) << samples[i] << " " << j;
    }
  }
}

// ---- the requirement mapping ----

std::string outside(const std::vector<std::string>& requirements, RequirementSyntax syntax) {
  std::vector<feed::VersionInterval> intervals;
  for (const auto& r : requirements) {
    auto interval = feed::parse_requirement(r, syntax);
    if (!interval) return "error";
    intervals.push_back(*interval);
  }
  return show(feed::events_outside(intervals));
}

TEST(VersionRequirements, ComparesVersions) {
  EXPECT_LT(feed::compare_versions("1.0.0-rc1", "1.0.0"), 0);
  EXPECT_LT(feed::compare_versions("1.2.9", "1.10"), 0);
  EXPECT_EQ(feed::compare_versions("1.2", "1.2.0"), 0);
  EXPECT_GT(feed::compare_versions("5.2.4.3", "5.2.4"), 0);
  EXPECT_LT(feed::compare_versions("1.0.beta", "1.0.rc"), 0);
  EXPECT_EQ(feed::compare_versions("v2.0", "2.0"), 0);
  EXPECT_GT(feed::compare_versions(std::string(1000, '9'), "1"), 0);  // no overflow
}

TEST(VersionRequirements, MapsRubyGemsRequirements) {
  const auto gem = RequirementSyntax::kRubyGems;
  EXPECT_EQ(outside({"~> 1.1.3", ">= 1.2.5"}, gem), "introduced:0 fixed:1.1.3 introduced:1.2 fixed:1.2.5");
  EXPECT_EQ(outside({"~> 5.2.4, >= 5.2.4.3", ">= 6.0.3.1"}, gem),
            "introduced:0 fixed:5.2.4.3 introduced:5.3 fixed:6.0.3.1");
  EXPECT_EQ(outside({"~> 2"}, gem), "introduced:0 fixed:2 introduced:3");
  EXPECT_EQ(outside({">= 2.0", "< 1.0"}, gem), "introduced:1.0 fixed:2.0");
  EXPECT_EQ(outside({"> 1.0"}, gem), "introduced:0 last_affected:1.0");
  EXPECT_EQ(outside({}, gem), "introduced:0");
  EXPECT_EQ(outside({"<= 1.0"}, gem), "introduced_after:1.0");
  // nokogiri CVE-2022-23476: unaffected "<= 1.13.7", patched ">= 1.13.10".
  EXPECT_EQ(outside({">= 1.13.10", "<= 1.13.7"}, gem), "introduced_after:1.13.7 fixed:1.13.10");
  EXPECT_EQ(outside({"~> 2.3.14", "<= 2.3.4", ">= 3.0.16"}, gem),
            "introduced_after:2.3.4 fixed:2.3.14 introduced:2.4 fixed:3.0.16");
  EXPECT_EQ(outside({"<= 1.0", ">= 1.0.1"}, gem), "introduced_after:1.0 fixed:1.0.1");
  EXPECT_EQ(outside({"<= 1.0", "> 1.0"}, gem), "");  // the two meet: nothing affected
  EXPECT_EQ(outside({"!= 1.0"}, gem), "error");
  EXPECT_EQ(outside({"~> rc"}, gem), "error");
  EXPECT_EQ(outside({">= 1.0,"}, gem), "error");
  EXPECT_EQ(outside({", >= 1.0"}, gem), "error");
  EXPECT_EQ(outside({">= 1.0 < 2"}, gem), "error");
  EXPECT_EQ(outside({""}, gem), "error");
  EXPECT_EQ(outside({"^1.0"}, gem), "error");
}

TEST(VersionRequirements, MapsCargoRequirements) {
  const auto cargo = RequirementSyntax::kCargo;
  EXPECT_EQ(outside({">= 0.6.14, < 1.0.0", ">= 1.6.1"}, cargo),
            "introduced:0 fixed:0.6.14 introduced:1.0.0 fixed:1.6.1");
  EXPECT_EQ(outside({"^0.9.5", ">= 1.2"}, cargo), "introduced:0 fixed:0.9.5 introduced:0.10.0 fixed:1.2");
  EXPECT_EQ(outside({"1.2.3"}, cargo), "introduced:0 fixed:1.2.3 introduced:2.0.0");
  EXPECT_EQ(outside({"^0.0.3"}, cargo), "introduced:0 fixed:0.0.3 introduced:0.0.4");
  EXPECT_EQ(outside({"~1.2"}, cargo), "introduced:0 fixed:1.2 introduced:1.3.0");
  EXPECT_EQ(outside({">= 0"}, cargo), "");
  EXPECT_EQ(outside({"=0.1.0", ">= 0.2"}, cargo),
            "introduced:0 fixed:0.1.0 introduced_after:0.1.0 fixed:0.2");
  EXPECT_EQ(outside({"^1.2.3.4"}, cargo), "error");
  EXPECT_EQ(outside({"~> 1.2"}, cargo), "error");
  EXPECT_EQ(outside({"*"}, cargo), "error");
  EXPECT_EQ(outside({"^99999999999999999999"}, cargo), "error");
}

TEST(VersionRequirements, MapsComposerConstraintsInside) {
  const auto composer = RequirementSyntax::kComposer;
  auto events = [&](const std::string& c) {
    auto interval = feed::parse_requirement(c, composer);
    if (!interval) return std::string("error");
    auto e = feed::events_inside(*interval);
    return e ? show(*e) : "unstatable";
  };
  EXPECT_EQ(events(">=5.4.0,<5.4.22"), "introduced:5.4.0 fixed:5.4.22");
  EXPECT_EQ(events(">=5.3.0 <=5.3.31"), "introduced:5.3.0 last_affected:5.3.31");
  EXPECT_EQ(events("<2.0"), "introduced:0 fixed:2.0");
  EXPECT_EQ(events(">1.0,<2.0"), "introduced_after:1.0 fixed:2.0");
  EXPECT_EQ(events(">1.0"), "introduced_after:1.0");
  EXPECT_EQ(events(">=2.0,<1.0"), "unstatable");
  EXPECT_EQ(events("^1.0"), "error");
  EXPECT_EQ(events(">=1.0 || >=2.0"), "error");
}

// ---- hostile inputs ----

void write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

const std::string kGoodRustsec =
    "```toml\n[advisory]\nid = \"RUSTSEC-2020-0001\"\npackage = \"foo\"\ndate = 2020-01-01\n"
    "aliases = [\"GHSA-aaaa-bbbb-cccc\", \"CVE-2020-1\"]\ncvss = \"CVSS:4.0/AV:N\"\n"
    "informational = \"unsound\"\n[affected.functions]\n\"foo::bar\" = [\"< 1.0\"]\n"
    "[versions]\npatched = [\n  \">= 1.0\", # fixed\n]\n```\n\n# Bad \\\"thing\\\"\n\nDetails.\n";

TEST(RustsecImporter, ReadsTheFrontMatter) {
  TempDir dir;
  const fs::path file = fs::path(dir.path()) / "RUSTSEC-2020-0001.md";
  write(file, kGoodRustsec);
  CollectingSink sink;
  auto stats = kRustsecImporter.import(file, sink);
  ASSERT_TRUE(stats) << stats.error().message;
  ASSERT_EQ(sink.advisories.size(), 1u);
  const Advisory& a = sink.advisories[0];
  EXPECT_EQ(a.id, "RUSTSEC-2020-0001");
  EXPECT_EQ(a.aliases, (std::vector<std::string>{"CVE-2020-1", "GHSA-aaaa-bbbb-cccc"}));
  EXPECT_EQ(a.summary, "[unsound] Bad \\\"thing\\\"");
  EXPECT_EQ(a.details, "Details.\n");
  EXPECT_EQ(a.published, "2020-01-01");
  ASSERT_EQ(a.severities.size(), 1u);
  EXPECT_EQ(a.severities[0].type, "CVSS_V4");
  ASSERT_EQ(a.affected.size(), 1u);
  EXPECT_EQ(a.affected[0].ecosystem, "cargo");
  ASSERT_EQ(a.affected[0].ranges.size(), 1u);
  EXPECT_EQ(show(a.affected[0].ranges[0].events), "introduced:0 fixed:1.0");
}

TEST(RustsecImporter, MalformedFilesAreErrorsAloneAndSkippedInADirectory) {
  TempDir dir;
  const fs::path root(dir.path());
  const std::string bad[] = {
      "```toml\n[advisory\nid = \"x\"\n```\n",                           // bad header
      "```toml\n[advisory]\nid = \"unterminated\n```\n",                 // bad string
      "```toml\n[advisory]\nid = " + std::string(100000, '[') + "\n```\n",  // deep nesting
      "```toml\n[advisory]\nid = \"\\uD800\"\n```\n",                    // surrogate escape
      "```toml\n[advisory]\nid = \"RUSTSEC-2020-0002\"\n",               // no closing fence
      "```toml\na = 1 b = 2\n```\n",                                     // text after value
  };
  int n = 0;
  for (const auto& bytes : bad) {
    const fs::path file = root / "crates" / "x" / ("RUSTSEC-2020-" + std::to_string(1000 + n++) + ".md");
    write(file, bytes);
    CollectingSink sink;
    EXPECT_FALSE(kRustsecImporter.import(file, sink)) << bytes.substr(0, 60);
  }
  write(root / "crates" / "x" / "RUSTSEC-2020-0001.md", kGoodRustsec);
  CollectingSink sink;
  auto stats = kRustsecImporter.import(root, sink);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->records, 1u);
  EXPECT_EQ(stats->skipped, std::size(bad));
}

TEST(RustsecImporter, SkipsRecordsItCannotMap) {
  TempDir dir;
  const fs::path root(dir.path());
  auto advisory = [](const std::string& id, const std::string& rest) {
    return "```toml\n[advisory]\nid = \"" + id + "\"\npackage = \"p\"\n" + rest + "\n```\n";
  };
  // Not skipped: affected right after an inclusive bound (introduced_after 1.0).
  write(root / "RUSTSEC-2020-0001.md", advisory("RUSTSEC-2020-0001", "[versions]\npatched = [\"<= 1.0\"]"));
  write(root / "RUSTSEC-2020-0002.md", advisory("RUSTSEC-2020-0002", "[versions]\npatched = [\"!1\"]"));
  write(root / "RUSTSEC-2020-0003.md", advisory("not-an-id", ""));
  write(root / "RUSTSEC-2020-0004.md", advisory("RUSTSEC-2020-0004", "aliases = \"CVE-1\""));
  write(root / "RUSTSEC-2020-0005.md", advisory("RUSTSEC-2020-0005", "[versions]\npatched = [1]"));
  write(root / "RUSTSEC-2020-0006.md", advisory("RUSTSEC-2020-0006", "[versions]\npatched = [\">= 0\"]"));
  write(root / "README.md", "```toml\nnot = [\n```\n");  // not an advisory file: not read
  CollectingSink sink;
  auto stats = kRustsecImporter.import(root, sink);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->records, 1u);
  EXPECT_EQ(stats->skipped, 5u);
  EXPECT_EQ(stats->warnings.size(), 5u);
  ASSERT_EQ(sink.advisories.size(), 1u);
  EXPECT_EQ(show(sink.advisories[0].affected.at(0).ranges.at(0).events), "introduced_after:1.0");
}

TEST(RubysecImporter, HostileFiles) {
  TempDir dir;
  const fs::path root = fs::path(dir.path()) / "gems" / "rack";
  write(root / "CVE-2020-0001.yml",
        "gem: rack\ncve: 2020-0001\nghsa: 2222-3333-4444\nosvdb: [1]\ntitle: t\ndate: 2020-01-01\n"
        "url: u\ndescription: d\ncvss_v3: 9.8\npatched_versions: ['~> 1.1.3', '>= 1.2.5']\n");
  write(root / "CVE-2020-0002.yml", "gem: rack\npatched_versions: '>= 1'\n");         // not a list
  write(root / "CVE-2020-0003.yml", "gem: rack\npatched_versions: ['!= 1']\n");       // unsupported
  write(root / "CVE-2020-0004.yml", "gem: rack\ntitle: [1]\n");                       // not text
  write(root / "CVE-2020-0005.yml", "gem: rack\n" + std::string(5000, '[') + "\n");  // bad YAML
  write(root / "CVE-2020-0006.yml", "gem: rack\n- a\n");                              // bad YAML
  write(root / "bogus.yml", "gem: rack\n");                                           // id
  CollectingSink sink;
  auto stats = kRubysecImporter.import(dir.path(), sink);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->records, 1u);
  EXPECT_EQ(stats->skipped, 6u);
  ASSERT_EQ(sink.advisories.size(), 1u);
  const Advisory& a = sink.advisories[0];
  EXPECT_EQ(a.aliases, (std::vector<std::string>{"GHSA-2222-3333-4444"}));  // osvdb malformed
  ASSERT_EQ(a.severities.size(), 1u);
  EXPECT_EQ(a.severities[0].type, "CVSS_V3");
  EXPECT_EQ(a.severities[0].value, "9.8");
  EXPECT_EQ(show(a.affected.at(0).ranges.at(0).events),
            "introduced:0 fixed:1.1.3 introduced:1.2 fixed:1.2.5");
  CollectingSink one;
  EXPECT_FALSE(kRubysecImporter.import(root / "CVE-2020-0005.yml", one));
}

TEST(FriendsOfPhpImporter, HostileFiles) {
  TempDir dir;
  const fs::path root = fs::path(dir.path()) / "acme" / "lib";
  const std::string head = "title: t\nlink: l\nreference: composer://acme/lib\n";
  write(root / "CVE-2020-0001.yaml",
        head + "cve: CVE-2020-0001\nbranches:\n  1.x: {time: ~, versions: ['>=1.0', '<1.5']}\n"
               "  2.x: {versions: ['>=2.0', '<=2.3']}\n");
  write(root / "2020-01-01.yaml", head + "cve: ~\nbranches:\n  1.x: {versions: ['<1.0']}\n");
  write(root / "CVE-2020-0002.yaml", head + "cve: CVE-2020-0002\nbranches:\n  1.x: {versions: ['>1.0']}\n");
  write(root / "CVE-2020-0003.yaml", head + "cve: CVE-2020-0003\nbranches:\n  1.x: {versions: []}\n");
  write(root / "CVE-2020-0004.yaml", head + "cve: CVE-2020-0004\nbranches: [1]\n");
  write(root / "CVE-2020-0005.yaml",
        "title: t\nlink: l\nreference: composer://ACME LIB\ncve: ~\nbranches: {}\n");
  write(root / "CVE-2020-0006.yaml", head + "branches: {x: {versions: ['>=1']}}\n  - bad\n");
  CollectingSink sink;
  auto stats = kFriendsOfPhpImporter.import(dir.path(), sink);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->records, 3u);
  EXPECT_EQ(stats->skipped, 4u);
  ASSERT_EQ(sink.advisories.size(), 3u);
  const Advisory& a = sink.advisories[0];  // sorted by id
  EXPECT_EQ(a.id, "CVE-2020-0001");
  ASSERT_EQ(a.affected.size(), 1u);
  EXPECT_EQ(a.affected[0].package, "acme/lib");
  ASSERT_EQ(a.affected[0].ranges.size(), 2u);
  EXPECT_EQ(show(a.affected[0].ranges[1].events), "introduced:2.0 last_affected:2.3");
  EXPECT_EQ(sink.advisories[1].id, "CVE-2020-0002");  // ">1.0": an exclusive start
  EXPECT_EQ(show(sink.advisories[1].affected.at(0).ranges.at(0).events), "introduced_after:1.0");
  EXPECT_EQ(sink.advisories[2].id, "acme/lib/2020-01-01");
}

TEST(LangFeeds, MissingPathIsAnError) {
  CollectingSink sink;
  for (const auto* importer : {&kRustsecImporter, &kRubysecImporter, &kFriendsOfPhpImporter}) {
    EXPECT_FALSE(importer->recognizes("/nonexistent/bulwark"));
    EXPECT_FALSE(importer->import("/nonexistent/bulwark", sink));
  }
}

}  // namespace
}  // namespace bulwark::vulndb
