// The vulnerability database: the advisory JSON round trip; imports of the shared feed samples
// counted against what the importers themselves hand to a collecting sink; incremental
// re-imports (unchanged, updated, added, kept, duplicates); all-or-nothing imports; readers
// beside a writer; opening errors.
#include "vulndb/store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "metadata/sqlite/sqlite.h"
#include "vulndb/advisory_json.h"
#include "vulndb/sources/importer_testing.h"

namespace bulwark::vulndb {
namespace {

namespace fs = std::filesystem;
using importer_testing::CollectingSink;

const std::string kData = std::string(VULNDB_SHARED_DATA) + "/vulndb";

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

std::unique_ptr<VulnDb> open_db(const fs::path& path, bool read_only = false) {
  auto db = VulnDb::open(path, read_only);
  EXPECT_TRUE(db.has_value()) << (db ? "" : db.error().message);
  return db ? std::move(*db) : nullptr;
}

const SourceImport* find_source(const ImportSummary& summary, std::string_view name) {
  for (const auto& s : summary.sources) {
    if (s.source == name) return &s;
  }
  return nullptr;
}

const SourceStatus* find_source(const DbStatus& status, std::string_view name) {
  for (const auto& s : status.sources) {
    if (s.source == name) return &s;
  }
  return nullptr;
}

// A comparable rendering of a whole status (everything but nothing left out).
std::string describe(const DbStatus& status) {
  std::string out = "generation " + std::to_string(status.generation) + " updated " +
                    std::to_string(status.updated_at) + "\n";
  for (const auto& s : status.sources) {
    out += s.source + " " + std::to_string(s.advisories) + " " + std::to_string(s.affected) + " " +
           std::to_string(s.imported_at) + " " + std::to_string(s.changed_at) + " " + s.origin +
           "\n";
  }
  return out;
}

// --- advisory JSON ----------------------------------------------------------------------------

Advisory full_advisory() {
  Advisory a;
  a.id = "GHSA-aaaa-bbbb-cccc";
  a.aliases = {"CVE-2024-0001", "PYSEC-2024-1"};
  a.related = {"CVE-2023-9999"};
  a.source = "osv";
  a.summary = "A \"quoted\" summary";
  a.details = "Line one\nLine two \xc3\xa9";
  a.published = "2024-01-02T03:04:05Z";
  a.modified = "2024-02-03T04:05:06Z";
  a.withdrawn = true;
  a.severities = {{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "nvd"},
                  {"TEXT", "moderate", ""}};
  a.cwes = {"CWE-79", "CWE-89"};
  a.references = {"https://example.com/a", "https://example.com/b"};
  Affected lang;
  lang.ecosystem = "pypi";
  lang.package = "Django";
  lang.status = AffectedStatus::kAffected;
  lang.ranges = {{"ECOSYSTEM",
                  {{VersionEvent::Kind::kIntroduced, "0"},
                   {VersionEvent::Kind::kFixed, "4.2.1"},
                   {VersionEvent::Kind::kIntroduced, "5.0"},
                   {VersionEvent::Kind::kLastAffected, "5.0.3"}}},
                 {"ECOSYSTEM",
                  {{VersionEvent::Kind::kIntroducedAfter, "5.1"},
                   {VersionEvent::Kind::kFixed, "5.1.2"}}},
                 {"GIT", {{VersionEvent::Kind::kLimit, "abcdef"}}}};
  lang.versions = {"4.2.0", "4.1.9"};
  Affected os;
  os.ecosystem = "deb";
  os.distro = "debian:12";
  os.package = "openssl";
  os.status = AffectedStatus::kWillNotFix;
  os.severity = "low";
  Affected unfixed = os;
  unfixed.status = AffectedStatus::kUnfixed;
  Affected not_affected = os;
  not_affected.status = AffectedStatus::kNotAffected;
  a.affected = {lang, os, unfixed, not_affected};
  return a;
}

void expect_same(const Advisory& got, const Advisory& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.aliases, want.aliases);
  EXPECT_EQ(got.related, want.related);
  EXPECT_EQ(got.source, want.source);
  EXPECT_EQ(got.summary, want.summary);
  EXPECT_EQ(got.details, want.details);
  EXPECT_EQ(got.published, want.published);
  EXPECT_EQ(got.modified, want.modified);
  EXPECT_EQ(got.withdrawn, want.withdrawn);
  ASSERT_EQ(got.severities.size(), want.severities.size());
  for (size_t i = 0; i < want.severities.size(); ++i) {
    EXPECT_EQ(got.severities[i].type, want.severities[i].type);
    EXPECT_EQ(got.severities[i].value, want.severities[i].value);
    EXPECT_EQ(got.severities[i].source, want.severities[i].source);
  }
  EXPECT_EQ(got.cwes, want.cwes);
  EXPECT_EQ(got.references, want.references);
  ASSERT_EQ(got.affected.size(), want.affected.size());
  for (size_t i = 0; i < want.affected.size(); ++i) {
    const Affected& g = got.affected[i];
    const Affected& w = want.affected[i];
    EXPECT_EQ(g.ecosystem, w.ecosystem);
    EXPECT_EQ(g.distro, w.distro);
    EXPECT_EQ(g.package, w.package);
    EXPECT_EQ(g.status, w.status) << i;
    EXPECT_EQ(g.versions, w.versions);
    EXPECT_EQ(g.severity, w.severity);
    ASSERT_EQ(g.ranges.size(), w.ranges.size());
    for (size_t r = 0; r < w.ranges.size(); ++r) {
      EXPECT_EQ(g.ranges[r].type, w.ranges[r].type);
      ASSERT_EQ(g.ranges[r].events.size(), w.ranges[r].events.size());
      for (size_t e = 0; e < w.ranges[r].events.size(); ++e) {
        EXPECT_EQ(g.ranges[r].events[e].kind, w.ranges[r].events[e].kind);
        EXPECT_EQ(g.ranges[r].events[e].version, w.ranges[r].events[e].version);
      }
    }
  }
}

TEST(AdvisoryJson, RoundTripsEveryField) {
  const Advisory want = full_advisory();
  const std::string text = advisory_to_json_text(want);
  auto got = advisory_from_json_text(text);
  ASSERT_TRUE(got.has_value()) << got.error().message;
  expect_same(*got, want);
  // Stable bytes: the store's content hash depends on it.
  EXPECT_EQ(advisory_to_json_text(*got), text);
  // Every event kind has its own word (the non-OSV exclusive start included).
  EXPECT_NE(text.find(R"({"kind":"introduced_after","version":"5.1"})"), std::string::npos) << text;
  EXPECT_EQ(event_kind_name(VersionEvent::Kind::kIntroducedAfter), "introduced_after");
}

TEST(AdvisoryJson, DefaultsRoundTripAndMissingMembersDefault) {
  auto empty = advisory_from_json_text(advisory_to_json_text(Advisory{}));
  ASSERT_TRUE(empty.has_value());
  expect_same(*empty, Advisory{});
  auto minimal = advisory_from_json_text(R"({"id":"X-1"})");
  ASSERT_TRUE(minimal.has_value());
  EXPECT_EQ(minimal->id, "X-1");
  EXPECT_TRUE(minimal->affected.empty());
}

TEST(AdvisoryJson, RejectsWrongTypesAndUnknownWords) {
  for (const char* bad : {R"([])", R"({"id":1})", R"({"aliases":"CVE-1"})",
                          R"({"withdrawn":"yes"})", R"({"affected":[{"status":"maybe"}]})",
                          R"({"affected":[{"ranges":[{"events":[{"kind":"patched"}]}]}]})",
                          R"({"affected":[7]})", "not json"}) {
    auto got = advisory_from_json_text(bad);
    EXPECT_FALSE(got.has_value()) << bad;
    if (!got) {
      EXPECT_EQ(got.error().code, ErrorCode::kInvalidArgument) << bad;
    }
  }
  auto nested = advisory_from_json_text(R"({"affected":[{},{"ranges":[{"events":[{"kind":2}]}]}]})");
  ASSERT_FALSE(nested.has_value());
  EXPECT_NE(nested.error().message.find("affected[1].ranges[0].events[0].kind"), std::string::npos)
      << nested.error().message;
}

// --- imports of the shared samples ------------------------------------------------------------

// What one importer hands over for `path`: distinct records (the later of two with the same id
// wins) and their affected entries.
struct Expected {
  uint64_t records = 0;
  uint64_t affected = 0;
  uint64_t skipped = 0;
};

Expected expected_from_importer(std::string_view name, const fs::path& path) {
  Expected out;
  for (const auto& importer : all_importers()) {
    if (importer.name != name) continue;
    CollectingSink sink;
    auto stats = importer.import(path, sink);
    EXPECT_TRUE(stats.has_value()) << path;
    if (!stats) return out;
    std::map<std::string, size_t> advisories;
    for (const auto& a : sink.advisories) advisories[a.id] = a.affected.size();
    std::set<std::string> kev;
    for (const auto& k : sink.kev) kev.insert(k.cve);
    std::set<std::string> epss;
    for (const auto& e : sink.epss) epss.insert(e.cve);
    out.records = advisories.size() + kev.size() + epss.size();
    for (const auto& [id, n] : advisories) out.affected += n;
    out.skipped = stats->skipped;
  }
  return out;
}

struct Sample {
  std::string importer;
  fs::path path;
};

const std::vector<Sample>& samples() {
  static const std::vector<Sample> kSamples = {
      {"rustsec", kData + "/rustsec/crates"},
      {"alpine", kData + "/alpine-secdb"},
      {"kev", kData + "/kev/known_exploited_vulnerabilities.json"},
      {"epss", kData + "/epss/EPSS_CVE_data"},
      {"rubysec", kData + "/rubysec/gems"},
  };
  return kSamples;
}

TEST(VulnDbImport, SharedSamplesCountWhatTheImportersHandOver) {
  TempDir dir("vulndb-store");
  auto db = open_db(dir.file("v.sqlite"));
  ASSERT_NE(db, nullptr);
  ASSERT_EQ(db->generation().value_or(-1), 0);

  std::vector<fs::path> paths;
  for (const auto& s : samples()) paths.push_back(s.path);
  auto summary = db->import(paths);
  ASSERT_TRUE(summary.has_value()) << summary.error().message;
  EXPECT_TRUE(summary->changed);
  EXPECT_EQ(summary->generation, 1);
  EXPECT_EQ(summary->sources.size(), samples().size());

  auto status = db->status();
  ASSERT_TRUE(status.has_value()) << status.error().message;
  EXPECT_EQ(status->generation, 1);
  EXPECT_GT(status->updated_at, 0);
  EXPECT_EQ(status->path, dir.file("v.sqlite"));
  for (const auto& sample : samples()) {
    SCOPED_TRACE(sample.importer);
    const Expected want = expected_from_importer(sample.importer, sample.path);
    ASSERT_GT(want.records, 0u);
    const SourceImport* got = find_source(*summary, sample.importer);
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(got->added, want.records);
    EXPECT_EQ(got->updated, 0u);
    EXPECT_EQ(got->unchanged, 0u);
    EXPECT_EQ(got->skipped, want.skipped);
    EXPECT_EQ(got->paths, std::vector<std::string>{sample.path.string()});
    const SourceStatus* stored = find_source(*status, sample.importer);
    ASSERT_NE(stored, nullptr);
    EXPECT_EQ(stored->advisories, want.records);
    EXPECT_EQ(stored->affected, want.affected);
    EXPECT_GT(stored->imported_at, 0);
    EXPECT_EQ(stored->changed_at, stored->imported_at);
    EXPECT_EQ(stored->origin, sample.path.lexically_normal().string());
  }
  // Independent figures for two of them: the KEV catalog's own count of entries, and RustSec's
  // advisories (tests/vulndb/rustsec_expect.py: 46 usable of the sample's files).
  EXPECT_EQ(find_source(*status, "kev")->advisories, 1404u);
  EXPECT_EQ(find_source(*status, "rustsec")->advisories, 46u);

  // The same feeds again: nothing changes, the generation stays.
  auto again = db->import(paths);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(again->generation, 1);
  for (const auto& s : again->sources) {
    EXPECT_EQ(s.added, 0u) << s.source;
    EXPECT_EQ(s.updated, 0u) << s.source;
    EXPECT_EQ(s.unchanged, find_source(*status, s.source)->advisories) << s.source;
  }
  EXPECT_EQ(db->generation().value_or(-1), 1);
  auto after = db->status();
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->updated_at, status->updated_at);
  for (const auto& s : after->sources) {
    EXPECT_EQ(s.changed_at, find_source(*status, s.source)->changed_at) << s.source;
  }
}

TEST(VulnDbImport, LoadIndexReadsEverything) {
  TempDir dir("vulndb-store");
  auto db = open_db(dir.file("v.sqlite"));
  ASSERT_NE(db, nullptr);
  std::vector<fs::path> paths;
  for (const auto& s : samples()) paths.push_back(s.path);
  ASSERT_TRUE(db->import(paths).has_value());
  auto status = db->status();
  ASSERT_TRUE(status.has_value());
  uint64_t advisories = 0;
  uint64_t affected = 0;
  for (const auto& s : status->sources) {
    if (s.source != "kev" && s.source != "epss") advisories += s.advisories;
    affected += s.affected;
  }
  auto snapshot = db->load_index();
  ASSERT_TRUE(snapshot.has_value()) << snapshot.error().message;
  ASSERT_NE(snapshot->index, nullptr);
  EXPECT_EQ(snapshot->generation, status->generation);
  EXPECT_EQ(snapshot->updated_at, status->updated_at);
  IndexStats stats = snapshot->index->stats();
  EXPECT_EQ(stats.kev, find_source(*status, "kev")->advisories);
  EXPECT_EQ(stats.epss, find_source(*status, "epss")->advisories);
  EXPECT_LE(stats.advisories, advisories);  // withdrawn ones are dropped
  EXPECT_GT(stats.advisories, 0u);
  EXPECT_GT(stats.affected_entries, 0u);
  EXPECT_LE(stats.affected_entries, affected);
}

// --- incremental updates ----------------------------------------------------------------------

std::string kev_entry(const std::string& cve, const std::string& due) {
  return R"({"cveID":")" + cve + R"(","vendorProject":"Acme","product":"Widget",)" +
         R"("dateAdded":"2024-01-01","dueDate":")" + due + R"(","knownRansomwareCampaignUse":"Unknown"})";
}

std::string kev_catalog(const std::vector<std::string>& entries) {
  std::string out = R"({"catalogVersion":"2024.01.01","vulnerabilities":[)";
  for (size_t i = 0; i < entries.size(); ++i) out += (i ? "," : "") + entries[i];
  return out + "]}";
}

ImportSummary import_ok(VulnDb& db, const std::vector<fs::path>& paths,
                        const std::string& origin = "") {
  auto summary = db.import(paths, origin);
  EXPECT_TRUE(summary.has_value()) << (summary ? "" : summary.error().message);
  return summary ? *summary : ImportSummary{};
}

TEST(VulnDbImport, ChangedRecordsAreUpdatedNewOnesAddedMissingOnesKept) {
  TempDir dir("vulndb-store");
  auto db = open_db(dir.file("v.sqlite"));
  ASSERT_NE(db, nullptr);
  const fs::path feed = dir.file("kev.json");
  write_file(feed, kev_catalog({kev_entry("CVE-2024-0001", "2024-02-01"),
                                kev_entry("CVE-2024-0002", "2024-02-01"),
                                kev_entry("CVE-2024-0003", "2024-02-01")}));
  ImportSummary first = import_ok(*db, {feed});
  ASSERT_EQ(first.sources.size(), 1u);
  EXPECT_EQ(first.sources[0].added, 3u);
  EXPECT_EQ(first.generation, 1);

  // One entry changed, one left out, one new.
  write_file(feed, kev_catalog({kev_entry("CVE-2024-0001", "2024-02-01"),
                                kev_entry("CVE-2024-0002", "2024-03-15"),
                                kev_entry("CVE-2024-0004", "2024-02-01")}));
  ImportSummary second = import_ok(*db, {feed}, "https://mirror.example/kev.json");
  ASSERT_EQ(second.sources.size(), 1u);
  EXPECT_EQ(second.sources[0].added, 1u);
  EXPECT_EQ(second.sources[0].updated, 1u);
  EXPECT_EQ(second.sources[0].unchanged, 1u);
  EXPECT_TRUE(second.changed);
  EXPECT_EQ(second.generation, 2);
  auto status = db->status();
  ASSERT_TRUE(status.has_value());
  const SourceStatus* kev = find_source(*status, "kev");
  ASSERT_NE(kev, nullptr);
  EXPECT_EQ(kev->advisories, 4u);  // CVE-2024-0003 is kept
  EXPECT_EQ(kev->origin, "https://mirror.example/kev.json");

  // The update really was stored: importing the same content again changes nothing.
  ImportSummary third = import_ok(*db, {feed});
  EXPECT_EQ(third.sources[0].unchanged, 3u);
  EXPECT_FALSE(third.changed);
  EXPECT_EQ(third.generation, 2);
}

TEST(VulnDbImport, SameIdTwiceInOneImportIsCountedOnceAndTheLaterWins) {
  TempDir dir("vulndb-store");
  auto db = open_db(dir.file("v.sqlite"));
  ASSERT_NE(db, nullptr);
  const fs::path a = dir.file("a/kev.json");
  const fs::path b = dir.file("b/kev.json");
  write_file(a, kev_catalog({kev_entry("CVE-2024-0001", "2024-02-01")}));
  write_file(b, kev_catalog({kev_entry("CVE-2024-0001", "2024-09-09")}));
  ImportSummary both = import_ok(*db, {a, b});
  ASSERT_EQ(both.sources.size(), 1u);
  EXPECT_EQ(both.sources[0].added, 1u);
  EXPECT_EQ(both.sources[0].updated + both.sources[0].unchanged, 0u);
  EXPECT_EQ(both.sources[0].paths.size(), 2u);

  EXPECT_EQ(import_ok(*db, {b}).sources[0].unchanged, 1u);  // b's content is what was kept
  // Against a stored record: a then b again is one update back to... b, i.e. unchanged.
  ImportSummary flip = import_ok(*db, {a, b});
  EXPECT_EQ(flip.sources[0].unchanged, 1u);
  EXPECT_EQ(flip.sources[0].updated, 0u);
  EXPECT_FALSE(flip.changed);
  ImportSummary to_a = import_ok(*db, {b, a});
  EXPECT_EQ(to_a.sources[0].updated, 1u);
  EXPECT_EQ(to_a.sources[0].unchanged, 0u);
  EXPECT_TRUE(to_a.changed);
}

// --- all or nothing ---------------------------------------------------------------------------

TEST(VulnDbImport, AFailingPathLeavesTheDatabaseAsItWas) {
  TempDir dir("vulndb-store");
  auto db = open_db(dir.file("v.sqlite"));
  ASSERT_NE(db, nullptr);
  import_ok(*db, {kData + "/kev/known_exploited_vulnerabilities.json"});
  auto before = db->status();
  ASSERT_TRUE(before.has_value());

  // A KEV file the importer recognizes (by its first bytes) but rejects as a whole, after a
  // feed that imports fine.
  const fs::path broken = dir.file("broken/kev.json");
  write_file(broken, R"({"catalogVersion":"x","vulnerabilities":[{"cveID":"CVE-2024-1")");
  auto failed = db->import(std::vector<fs::path>{kData + "/rustsec/crates", broken});
  ASSERT_FALSE(failed.has_value());
  EXPECT_NE(failed.error().message.find("broken/kev.json"), std::string::npos)
      << failed.error().message;
  auto after = db->status();
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(describe(*after), describe(*before));
  EXPECT_EQ(find_source(*after, "rustsec"), nullptr);

  // Unrecognized and missing paths are refused before anything is written.
  const fs::path notes = dir.file("notes.txt");
  write_file(notes, "not a feed\n");
  auto unrecognized = db->import(std::vector<fs::path>{kData + "/rustsec/crates", notes});
  ASSERT_FALSE(unrecognized.has_value());
  EXPECT_EQ(unrecognized.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(unrecognized.error().message.find("notes.txt"), std::string::npos);
  auto missing = db->import(std::vector<fs::path>{dir.file("nowhere")});
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("nowhere"), std::string::npos);
  auto last = db->status();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(describe(*last), describe(*before));
}

// --- readers and writers ----------------------------------------------------------------------

TEST(VulnDbConcurrency, ReaderSeesTheLastCommitWhileAWriterHoldsTheLock) {
  TempDir dir("vulndb-store");
  const std::string path = dir.file("v.sqlite");
  auto writer = open_db(path);
  ASSERT_NE(writer, nullptr);
  import_ok(*writer, {kData + "/kev/known_exploited_vulnerabilities.json"});
  auto reader = open_db(path, /*read_only=*/true);
  ASSERT_NE(reader, nullptr);
  auto before = reader->status();
  ASSERT_TRUE(before.has_value());

  {
    // Another connection in the middle of a write transaction (as an import is).
    auto raw = metadata::sqlite::Db::open(path);
    ASSERT_TRUE(raw.has_value());
    auto tx = metadata::sqlite::Transaction::begin(**raw);
    ASSERT_TRUE(tx.has_value()) << tx.error().message;
    ASSERT_TRUE((*raw)->exec("UPDATE meta SET generation = 99; DELETE FROM kev;"
                             "UPDATE sources SET records = 0").has_value());
    auto during = reader->status();
    ASSERT_TRUE(during.has_value()) << during.error().message;
    EXPECT_EQ(describe(*during), describe(*before));
    EXPECT_EQ(reader->generation().value_or(-1), 1);
    // Rolled back when tx goes out of scope.
  }
  EXPECT_EQ(reader->generation().value_or(-1), 1);

  // A reader opened before an import sees it once committed.
  const fs::path extra = dir.file("extra/kev.json");
  write_file(extra, kev_catalog({kev_entry("CVE-2099-0001", "2099-01-01")}));
  import_ok(*writer, {extra});
  EXPECT_EQ(reader->generation().value_or(-1), 2);
  auto after = reader->status();
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(find_source(*after, "kev")->advisories, find_source(*before, "kev")->advisories + 1);
}

// --- opening ----------------------------------------------------------------------------------

TEST(VulnDbOpen, ReadOnlyOpenOfAMissingFileSaysHowToCreateIt) {
  TempDir dir("vulndb-store");
  auto db = VulnDb::open(dir.file("missing.sqlite"), /*read_only=*/true);
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code, ErrorCode::kNotFound);
  EXPECT_NE(db.error().message.find("missing.sqlite"), std::string::npos);
  EXPECT_NE(db.error().message.find("bulwark db import"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir.file("missing.sqlite")));
}

TEST(VulnDbOpen, ReadOnlyDatabaseRefusesImportsAndForeignFilesAreRefused) {
  TempDir dir("vulndb-store");
  ASSERT_NE(open_db(dir.file("v.sqlite")), nullptr);  // creates it
  auto reader = open_db(dir.file("v.sqlite"), true);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->generation().value_or(-1), 0);
  EXPECT_FALSE(reader->import(std::vector<fs::path>{kData + "/rustsec/crates"}).has_value());

  write_file(dir.file("other.sqlite"), "this is not a database at all, just text\n");
  EXPECT_FALSE(VulnDb::open(dir.file("other.sqlite"), true).has_value());
  EXPECT_FALSE(VulnDb::open(dir.file("other.sqlite"), false).has_value());
}

TEST(VulnDbOpen, NewerSchemaIsRefused) {
  TempDir dir("vulndb-store");
  ASSERT_NE(open_db(dir.file("v.sqlite")), nullptr);
  {
    auto raw = metadata::sqlite::Db::open(dir.file("v.sqlite"));
    ASSERT_TRUE(raw.has_value());
    ASSERT_TRUE((*raw)->exec("UPDATE schema_version SET version = 999").has_value());
  }
  for (bool read_only : {false, true}) {
    auto db = VulnDb::open(dir.file("v.sqlite"), read_only);
    ASSERT_FALSE(db.has_value());
    EXPECT_EQ(db.error().code, ErrorCode::kUnsupported);
    EXPECT_NE(db.error().message.find("999"), std::string::npos) << db.error().message;
  }
}

}  // namespace
}  // namespace bulwark::vulndb
