// kRpmAnalyzer and the rpmdb readers, against independent answers: `rpm -qa` of the shared SQLite
// rpmdb (made by Debian's rpm, /work/shared/data/vulndb/rpmdb), and the `rpm -qa` lists recorded
// from real CentOS 5/6/7/8 containers for the BerkeleyDB files Debian's
// golang-github-knqyf263-go-rpmdb-dev ships (testdata/rpm/*.tsv, made by
// testdata/rpm/extract-go-rpmdb-lists.py). Plus hand-built headers and databases, and hostile input.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <random>
#include <sstream>
#include <tuple>

#include "scan/analyzer.h"
#include "scan/analyzers/rpm_db.h"

namespace bulwark::scan {
extern const Analyzer kRpmAnalyzer;
namespace {

const std::string kGoRpmdb = "/usr/share/gocode/src/github.com/knqyf263/go-rpmdb/pkg/testdata/";
const std::string kSharedRpmdb = std::string(BULWARK_SHARED_DATA) + "/vulndb/rpmdb/";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) ADD_FAILURE() << "cannot read " << path << " (run scripts/install-deps)";
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::vector<std::string>> read_tsv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::string text = read_file(path);
  for (std::string_view line : split_lines(text)) {
    if (line.empty()) continue;
    std::vector<std::string> row;
    size_t start = 0;
    while (true) {
      size_t tab = line.find('\t', start);
      row.emplace_back(line.substr(start, tab - start));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::vector<Package>> scan(std::string_view path, std::string_view content) {
  Findings findings;
  BULWARK_TRY_VOID(kRpmAnalyzer.analyze(FileInput{path, content, 0644}, findings));
  return findings.packages;
}

std::string source_rpm_of(const Package& p) {
  return p.source_name.empty() ? "" : p.source_name + "-" + p.source_version + ".src.rpm";
}

// ---- builders for hand-made headers and databases ----

void put32(std::string& s, size_t off, uint32_t v, bool big) {
  for (int i = 0; i < 4; ++i) s[off + i] = static_cast<char>(v >> (big ? 24 - 8 * i : 8 * i));
}
void put16(std::string& s, size_t off, uint16_t v, bool big) {
  s[off + (big ? 0 : 1)] = static_cast<char>(v >> 8);
  s[off + (big ? 1 : 0)] = static_cast<char>(v);
}

struct Entry {
  uint32_t tag, type;
  std::string data;  // already encoded (strings with their NUL)
  uint32_t count = 1;
};
Entry str(uint32_t tag, std::string_view value) { return {tag, 6, std::string(value) + '\0'}; }
Entry int32(uint32_t tag, uint32_t value) {
  std::string data(4, '\0');
  put32(data, 0, value, true);
  return {tag, 4, data};
}

std::string header_blob(const std::vector<Entry>& entries) {
  std::string store;
  std::string blob(8 + 16 * entries.size(), '\0');
  put32(blob, 0, static_cast<uint32_t>(entries.size()), true);
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].type == 4) store.resize((store.size() + 3) / 4 * 4, '\0');
    put32(blob, 8 + 16 * i, entries[i].tag, true);
    put32(blob, 12 + 16 * i, entries[i].type, true);
    put32(blob, 16 + 16 * i, static_cast<uint32_t>(store.size()), true);
    put32(blob, 20 + 16 * i, entries[i].count, true);
    store += entries[i].data;
  }
  put32(blob, 4, static_cast<uint32_t>(store.size()), true);
  return blob + store;
}

std::string bash_header() {
  return header_blob({str(1000, "bash"), str(1001, "4.4.19"), str(1002, "12.el8"), str(1022, "x86_64"),
                      str(1044, "bash-4.4.19-12.el8.src.rpm"), str(1014, "GPLv3+"), int32(1003, 2)});
}

// A BerkeleyDB hash database of 512-byte pages: metadata, one hash page with one key/value pair
// whose value lies on overflow pages 2.. (each `chunk` bytes), or inline when `inline_value`.
std::string bdb(const std::string& value, bool big, size_t chunk = 400, bool inline_value = false) {
  constexpr size_t kPage = 512;
  size_t overflow_pages = inline_value ? 0 : (value.size() + chunk - 1) / chunk;
  std::string db(kPage * (2 + overflow_pages), '\0');
  put32(db, 12, 0x061561, big);
  put32(db, 20, kPage, big);
  db[25] = 8;
  put32(db, 32, static_cast<uint32_t>(1 + overflow_pages), big);
  size_t page1 = kPage;
  db[page1 + 25] = 13;
  put16(db, page1 + 20, 2, big);
  size_t key_at = kPage - 5;
  db[page1 + key_at] = 1;
  put32(db, page1 + key_at + 1, 7, big);
  size_t value_at;
  if (inline_value) {
    value_at = key_at - 1 - value.size();
    db[page1 + value_at] = 1;
    db.replace(page1 + value_at + 1, value.size(), value);
  } else {
    value_at = key_at - 12;
    db[page1 + value_at] = 3;
    put32(db, page1 + value_at + 4, 2, big);
    put32(db, page1 + value_at + 8, static_cast<uint32_t>(value.size()), big);
  }
  put16(db, page1 + 26, static_cast<uint16_t>(key_at), big);
  put16(db, page1 + 28, static_cast<uint16_t>(value_at), big);
  for (size_t i = 0; i < overflow_pages; ++i) {
    size_t at = kPage * (2 + i);
    std::string part = value.substr(i * chunk, chunk);
    db[at + 25] = 7;
    put32(db, at + 16, i + 1 < overflow_pages ? static_cast<uint32_t>(3 + i) : 0, big);
    put16(db, at + 22, static_cast<uint16_t>(part.size()), big);
    db.replace(at + 26, part.size(), part);
  }
  return db;
}

// An ndb Packages.db holding `blobs`.
std::string ndb(const std::vector<std::string>& blobs) {
  std::string db(4096, '\0');
  put32(db, 0, 'R' | 'p' << 8 | 'm' << 16 | 'P' << 24, false);
  put32(db, 12, 1, false);
  for (size_t slot = 2; slot < 256; ++slot) put32(db, slot * 16, 'S' | 'l' << 8 | 'o' << 16 | 't' << 24, false);
  for (size_t i = 0; i < blobs.size(); ++i) {
    size_t begin = db.size();
    std::string block(16 + blobs[i].size() + 12, '\0');
    put32(block, 0, 'B' | 'l' << 8 | 'b' << 16 | 'S' << 24, false);
    put32(block, 4, static_cast<uint32_t>(i + 1), false);
    put32(block, 12, static_cast<uint32_t>(blobs[i].size()), false);
    block.replace(16, blobs[i].size(), blobs[i]);
    put32(block, 16 + blobs[i].size() + 4, static_cast<uint32_t>(blobs[i].size()), false);
    put32(block, 16 + blobs[i].size() + 8, 'B' | 'l' << 8 | 'b' << 16 | 'E' << 24, false);
    block.resize((block.size() + 15) / 16 * 16, '\0');
    db += block;
    size_t slot = (2 + i) * 16;
    put32(db, slot + 4, static_cast<uint32_t>(i + 1), false);
    put32(db, slot + 8, static_cast<uint32_t>(begin / 16), false);
    put32(db, slot + 12, static_cast<uint32_t>(block.size() / 16), false);
  }
  return db;
}

// ---- paths ----

TEST(RpmAnalyzerTest, WantsTheThreeBackendsInBothLocations) {
  for (std::string_view path : {"var/lib/rpm/Packages", "var/lib/rpm/Packages.db", "var/lib/rpm/rpmdb.sqlite",
                                "usr/lib/sysimage/rpm/Packages", "usr/lib/sysimage/rpm/rpmdb.sqlite",
                                "usr/lib/sysimage/rpm/Packages.db"}) {
    EXPECT_TRUE(kRpmAnalyzer.wants(path, 0644, 1000)) << path;
  }
  for (std::string_view path : {"var/lib/rpm/Name", "var/lib/rpm/rpmdb.sqlite-wal", "x/var/lib/rpm/Packages",
                                "var/lib/rpm/sub/Packages", "Packages", "var/lib/rpm/"}) {
    EXPECT_FALSE(kRpmAnalyzer.wants(path, 0644, 1000)) << path;
  }
}

// ---- independent answers ----

TEST(RpmAnalyzerTest, SqliteRpmdbEqualsRpmQa) {
  std::string db = read_file(kSharedRpmdb + "root-sqlite/var/lib/rpm/rpmdb.sqlite");
  using Row = std::vector<std::string>;  // NAME EPOCH VERSION RELEASE ARCH SOURCERPM
  std::vector<Row> expected = read_tsv(kSharedRpmdb + "expected-sqlite.tsv");
  ASSERT_EQ(expected.size(), 12u);
  for (std::string_view path : {"var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite"}) {
    auto packages = scan(path, db);
    ASSERT_TRUE(packages) << packages.error().message;
    std::vector<Row> got;
    for (const Package& p : *packages) {
      EXPECT_EQ(p.type, "rpm");
      size_t dash = p.version.rfind('-');
      got.push_back({p.name, std::to_string(p.epoch.value_or(0)), p.version.substr(0, dash),
                     p.version.substr(dash + 1), p.arch, source_rpm_of(p)});
    }
    std::sort(got.begin(), got.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(got, expected);
    for (const Package& p : *packages) {
      if (p.name == "openssl-libs") {
        EXPECT_EQ(p.epoch, 1u);
        EXPECT_EQ(p.source_name, "openssl");
        EXPECT_EQ(p.source_version, "1.1.1k-5.el8_5");
        EXPECT_EQ(p.licenses, std::vector<std::string>{"OpenSSL and ASL 2.0"});
      }
      if (p.name == "bash") {
        EXPECT_FALSE(p.epoch.has_value());
      }
    }
  }
}

class RecordedCentosTest : public testing::TestWithParam<std::string> {};

// The recorded lists are in rpm -qa order, which for BerkeleyDB is the database's page order: the
// analyzer must give the same packages in the same order, gpg-pubkey entries excepted.
TEST_P(RecordedCentosTest, BerkeleyDbEqualsRecordedRpmQa) {
  std::string db = read_file(kGoRpmdb + GetParam() + "/Packages");
  ASSERT_FALSE(db.empty());
  // EPOCH NAME VERSION RELEASE ARCH SOURCERPM LICENSE MODULARITYLABEL
  using Row = std::vector<std::string>;
  std::vector<Row> expected;
  size_t expected_keys = 0;
  for (Row& row : read_tsv(std::string(SCAN_OS_TESTDATA) + "/rpm/" + GetParam() + ".tsv")) {
    row.resize(8);
    if (row[1] == "gpg-pubkey") {
      ++expected_keys;
    } else {
      expected.push_back(std::move(row));
    }
  }
  ASSERT_GT(expected.size(), 100u);

  auto packages = scan("var/lib/rpm/Packages", db);
  ASSERT_TRUE(packages) << packages.error().message;
  std::vector<Row> got;
  for (const Package& p : *packages) {
    size_t dash = p.version.rfind('-');
    got.push_back({std::to_string(p.epoch.value_or(0)), p.name, p.version.substr(0, dash),
                   p.version.substr(dash + 1), p.arch, source_rpm_of(p),
                   p.licenses.empty() ? "" : p.licenses[0], p.modularity_label});
  }
  EXPECT_EQ(got, expected);

  // The keys are there and decodable; the analyzer drops them on purpose.
  size_t keys = 0;
  ASSERT_TRUE(read_rpm_bdb(db, [&](std::string_view blob) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(RpmHeader header, parse_rpm_header(blob));
    keys += header.name == "gpg-pubkey";
    return ok();
  }));
  EXPECT_EQ(keys, expected_keys);
}

INSTANTIATE_TEST_SUITE_P(GoRpmdb, RecordedCentosTest,
                         testing::Values("centos5-plain", "centos6-plain", "centos7-httpd24",
                                         "centos8-modularitylabel"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(RpmAnalyzerTest, NdbHoldsTheSamePackagesAsSqlite) {
  std::string sqlite = read_file(kSharedRpmdb + "root-sqlite/var/lib/rpm/rpmdb.sqlite");
  std::vector<std::string> blobs;
  ASSERT_TRUE(read_rpm_sqlite(sqlite, [&](std::string_view blob) -> Result<void> {
    blobs.emplace_back(blob);
    return ok();
  }));
  ASSERT_EQ(blobs.size(), 12u);
  auto from_sqlite = scan("var/lib/rpm/rpmdb.sqlite", sqlite);
  auto from_ndb = scan("usr/lib/sysimage/rpm/Packages.db", ndb(blobs));
  ASSERT_TRUE(from_sqlite && from_ndb) << (from_ndb ? "" : from_ndb.error().message);
  ASSERT_EQ(from_ndb->size(), 12u);
  for (size_t i = 0; i < 12; ++i) {
    EXPECT_EQ((*from_ndb)[i].name, (*from_sqlite)[i].name);
    EXPECT_EQ((*from_ndb)[i].version, (*from_sqlite)[i].version);
  }
}

// ---- hand-built headers and databases ----

TEST(RpmHeaderTest, DecodesTheScannerTags) {
  auto header = parse_rpm_header(header_blob(
      {str(1000, "nodejs"), str(1001, "10.21.0"), str(1002, "3.module_el8.2.0+391+8da3adc6"), int32(1003, 1),
       str(1022, "x86_64"), str(1044, "nodejs-10.21.0-3.module_el8.2.0+391+8da3adc6.src.rpm"),
       str(1014, "MIT and ASL 2.0"), str(5096, "nodejs:10:8020020200707141642:6a468ee4")}));
  ASSERT_TRUE(header) << header.error().message;
  EXPECT_EQ(header->name, "nodejs");
  EXPECT_EQ(header->version, "10.21.0");
  EXPECT_EQ(header->release, "3.module_el8.2.0+391+8da3adc6");
  EXPECT_EQ(header->epoch, 1u);
  EXPECT_EQ(header->arch, "x86_64");
  EXPECT_EQ(header->license, "MIT and ASL 2.0");
  EXPECT_EQ(header->modularity_label, "nodejs:10:8020020200707141642:6a468ee4");
}

TEST(RpmHeaderTest, LaterEntryWinsAndNoneIsEmpty) {
  auto header = parse_rpm_header(header_blob({str(1000, "a"), str(1001, "1"), str(1044, "(none)"),
                                              str(1014, "(none)"), str(1001, "2")}));
  ASSERT_TRUE(header);
  EXPECT_EQ(header->version, "2");
  EXPECT_EQ(header->source_rpm, "");
  EXPECT_EQ(header->license, "");
  EXPECT_FALSE(header->epoch.has_value());
}

TEST(RpmHeaderTest, RejectsMalformedHeaders) {
  std::string good = bash_header();
  ASSERT_TRUE(parse_rpm_header(good));
  EXPECT_FALSE(parse_rpm_header(""));
  EXPECT_FALSE(parse_rpm_header(good.substr(0, 7)));
  EXPECT_FALSE(parse_rpm_header(good.substr(0, good.size() - 1)));  // data store cut short
  std::string bad = good;
  put32(bad, 0, 0x7fffffff, true);  // huge index count
  EXPECT_FALSE(parse_rpm_header(bad));
  bad = good;
  put32(bad, 4, 0xffffffff, true);  // huge data size
  EXPECT_FALSE(parse_rpm_header(bad));
  bad = good;
  put32(bad, 16, 0xfffffff0, true);  // NAME's offset out of the store
  EXPECT_FALSE(parse_rpm_header(bad));
  bad = good;
  put32(bad, 12, 4, true);  // NAME as an integer
  EXPECT_FALSE(parse_rpm_header(bad));
  bad = good;
  put32(bad, 8 + 16 * 6 + 8, static_cast<uint32_t>(good.size() - 8 - 16 * 7 - 2), true);  // EPOCH past the end
  EXPECT_FALSE(parse_rpm_header(bad));
  std::string unterminated = header_blob({str(1001, "1"), str(1000, "name")});
  unterminated.back() = 'x';
  EXPECT_FALSE(parse_rpm_header(unterminated));
  EXPECT_FALSE(parse_rpm_header(header_blob({str(1001, "1"), str(1002, "2")})));  // no NAME
}

TEST(RpmBdbTest, ReadsOverflowChainsInlineValuesAndBothByteOrders) {
  for (bool big : {false, true}) {
    for (bool inline_value : {false, true}) {
      std::string header = bash_header();
      auto packages = scan("var/lib/rpm/Packages", bdb(header, big, 100, inline_value));
      ASSERT_TRUE(packages) << packages.error().message;
      ASSERT_EQ(packages->size(), 1u);
      EXPECT_EQ((*packages)[0].name, "bash");
      EXPECT_EQ((*packages)[0].version, "4.4.19-12.el8");
      EXPECT_EQ((*packages)[0].epoch, 2u);
      EXPECT_EQ((*packages)[0].source_name, "bash");
      EXPECT_EQ((*packages)[0].source_version, "4.4.19-12.el8");
      EXPECT_EQ((*packages)[0].licenses, std::vector<std::string>{"GPLv3+"});
    }
  }
}

// ---- hostile input: errors, never crashes or endless loops ----

TEST(RpmHostileTest, CyclicAndBrokenOverflowChains) {
  std::string header = bash_header();
  std::string db = bdb(header, false, 50);
  ASSERT_GE(db.size() / 512, 5u);  // metadata, hash page, three or more overflow pages
  size_t pages = db.size() / 512;
  std::string cyclic = db;
  put32(cyclic, 512 * (pages - 1) + 16, 2, false);  // the last overflow page points back to the first
  EXPECT_FALSE(scan("var/lib/rpm/Packages", cyclic));
  std::string self = db;
  put32(self, 512 * 2 + 16, 2, false);  // the first points to itself
  EXPECT_FALSE(scan("var/lib/rpm/Packages", self));
  std::string to_hash_page = db;
  put32(to_hash_page, 512 * 2 + 16, 1, false);  // a chain into the hash page
  EXPECT_FALSE(scan("var/lib/rpm/Packages", to_hash_page));
  std::string out_of_file = db;
  put32(out_of_file, 512 * 2 + 16, 0x7fffffff, false);
  EXPECT_FALSE(scan("var/lib/rpm/Packages", out_of_file));
  std::string long_page = db;
  put16(long_page, 512 * 2 + 22, 0xffff, false);  // more bytes than a page holds
  EXPECT_FALSE(scan("var/lib/rpm/Packages", long_page));
  std::string huge_item = db;
  put32(huge_item, 512 + 512 - 5 - 12 + 8, 0xffffffff, false);
  EXPECT_FALSE(scan("var/lib/rpm/Packages", huge_item));
}

TEST(RpmHostileTest, BadBdbMetadataAndPages) {
  std::string db = bdb(bash_header(), false);
  EXPECT_FALSE(scan("var/lib/rpm/Packages", db.substr(0, 100)));
  EXPECT_FALSE(scan("var/lib/rpm/Packages", db.substr(0, 1024)));  // last page number past the end
  std::string bad_size = db;
  put32(bad_size, 20, 1000, false);
  EXPECT_FALSE(scan("var/lib/rpm/Packages", bad_size));
  std::string encrypted = db;
  encrypted[24] = 1;
  EXPECT_FALSE(scan("var/lib/rpm/Packages", encrypted));
  std::string odd_entries = db;
  put16(odd_entries, 512 + 20, 3, false);
  EXPECT_FALSE(scan("var/lib/rpm/Packages", odd_entries));
  std::string many_entries = db;
  put16(many_entries, 512 + 20, 0xfffe, false);
  EXPECT_FALSE(scan("var/lib/rpm/Packages", many_entries));
  std::string item_in_index = db;
  put16(item_in_index, 512 + 28, 27, false);
  EXPECT_FALSE(scan("var/lib/rpm/Packages", item_in_index));
  EXPECT_FALSE(scan("var/lib/rpm/Packages", std::string(8192, '\xff')));
}

TEST(RpmHostileTest, NdbOutOfRange) {
  std::string db = ndb({bash_header()});
  ASSERT_TRUE(scan("var/lib/rpm/Packages.db", db));
  EXPECT_FALSE(scan("var/lib/rpm/Packages.db", db.substr(0, 4096 + 20)));
  std::string pages = db;
  put32(pages, 12, 0xffffffff, false);
  EXPECT_FALSE(scan("var/lib/rpm/Packages.db", pages));
  std::string offset = db;
  put32(offset, 32 + 8, 0xffffffff, false);
  EXPECT_FALSE(scan("var/lib/rpm/Packages.db", offset));
  std::string length = db;
  put32(length, 4096 + 12, 0xfffffff0, false);
  EXPECT_FALSE(scan("var/lib/rpm/Packages.db", length));
  std::string index = db;
  put32(index, 4096 + 4, 9, false);
  EXPECT_FALSE(scan("var/lib/rpm/Packages.db", index));
  std::string slot = db;
  slot[48] = 'X';
  EXPECT_FALSE(scan("var/lib/rpm/Packages.db", slot));
}

std::string serialize(const std::vector<const char*>& statements) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  for (const char* sql : statements) EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  sqlite3_int64 size = 0;
  unsigned char* bytes = sqlite3_serialize(db, "main", &size, 0);
  std::string out(reinterpret_cast<char*>(bytes), static_cast<size_t>(size));
  sqlite3_free(bytes);
  sqlite3_close(db);
  return out;
}

TEST(RpmHostileTest, SqliteGarbageViewsAndEndlessQueries) {
  EXPECT_FALSE(scan("var/lib/rpm/rpmdb.sqlite", "not a database"));
  EXPECT_FALSE(scan("var/lib/rpm/rpmdb.sqlite", std::string("SQLite format 3\0", 16) + std::string(4000, '\x7f')));
  std::string real = read_file(kSharedRpmdb + "root-sqlite/var/lib/rpm/rpmdb.sqlite");
  EXPECT_FALSE(scan("var/lib/rpm/rpmdb.sqlite", real.substr(0, real.size() / 2)));
  EXPECT_FALSE(scan("var/lib/rpm/rpmdb.sqlite", serialize({"CREATE TABLE Other(x)"})));
  // A view that never ends is refused before it runs.
  EXPECT_FALSE(scan("var/lib/rpm/rpmdb.sqlite",
                    serialize({"CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                               "FROM c) SELECT x AS hnum, x AS blob FROM c"})));
  // Rows that are not headers are warned about, not fatal.
  Findings findings;
  std::string junk = serialize({"CREATE TABLE Packages(hnum INTEGER PRIMARY KEY, blob BLOB)",
                                "INSERT INTO Packages(blob) VALUES (x'00000001')"});
  ASSERT_TRUE(kRpmAnalyzer.analyze(FileInput{"var/lib/rpm/rpmdb.sqlite", junk, 0644}, findings));
  EXPECT_TRUE(findings.packages.empty());
  EXPECT_EQ(findings.warnings.size(), 1u);
}

// Random corruption of real data: whatever comes out, it must come out (run under ASan/UBSan in
// the sanitizer build to check the reads, too).
TEST(RpmHostileTest, RandomCorruptionNeverCrashes) {
  std::mt19937 random(12345);
  std::string db = read_file(kGoRpmdb + "centos5-plain/Packages");
  ASSERT_FALSE(db.empty());
  for (int round = 0; round < 40; ++round) {
    std::string mutated = db;
    size_t page = random() % (mutated.size() / 4096);
    for (int i = 0; i < 64; ++i) mutated[page * 4096 + random() % 4096] = static_cast<char>(random());
    (void)scan("var/lib/rpm/Packages", mutated);
  }
  std::string header = bash_header();
  for (int round = 0; round < 5000; ++round) {
    std::string mutated = header;
    for (int i = 0; i < 4; ++i) mutated[random() % mutated.size()] = static_cast<char>(random());
    (void)parse_rpm_header(mutated.substr(0, random() % (mutated.size() + 1)));
  }
  SUCCEED();
}

}  // namespace
}  // namespace bulwark::scan
