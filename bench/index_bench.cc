// The package index (InventoryStore) over 10,000 stored images: "which images contain package P
// (in version range R)", the first question after a new CVE. Measures the indexed query, the same
// question with the range filter applied as the registry applies it, and — the peer — the same
// SQL forced to scan the table (NOT INDEXED), in one run, and prints the ratio.
//
// Usage: index_bench [--images=10000] [--packages=120]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "bench_images.h"
#include "common/temp_dir.h"
#include "metadata/sqlite/sqlite_metadata_store.h"
#include "vulndb/version/range.h"
#include "vulndb/version/scheme.h"

namespace {

using namespace bulwark;
using bench::Clock;
using bench::median_ms;
using bench::ms_since;

[[noreturn]] void die(const std::string& what) { bench::die("index_bench", what); }

}  // namespace

int main(int argc, char** argv) {
  int images = 10000, per_image = 120;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.starts_with("--images=")) images = std::atoi(a.c_str() + 9);
    if (a.starts_with("--packages=")) per_image = std::atoi(a.c_str() + 11);
  }
  TempDir dir("index-bench");
  auto opened = metadata::SqliteMetadataStore::open(dir.file("metadata.sqlite"));
  if (!opened) die(opened.error().message);
  auto& store = **opened;

  // A pool of 3,000 package names; each image holds `per_image` of them at one of 8 versions.
  std::mt19937 rng(42);
  std::vector<std::string> names;
  for (int i = 0; i < 3000; ++i) names.push_back("pkg" + std::to_string(i));
  names[0] = "openssl";
  auto fill_start = Clock::now();
  for (int i = 0; i < images; ++i) {
    metadata::ManifestPut m = bench::image_manifest(i);
    if (auto r = store.put_manifest(m); !r) die(r.error().message);
    std::vector<metadata::IndexedPackage> pkgs;
    pkgs.push_back({"deb", "", "openssl", "3.0." + std::to_string(i % 16) + "-1~deb12u1", ""});
    for (int k = 1; k < per_image; ++k) {
      const std::string& name = names[1 + rng() % (names.size() - 1)];
      pkgs.push_back({"deb", "", name, "1." + std::to_string(rng() % 8) + "-1", ""});
    }
    if (auto r = store.put_image_packages(m.repository, m.digest.str(), "debian:12", pkgs); !r) die(r.error().message);
  }
  double fill_s = ms_since(fill_start) / 1000;

  auto range = vulndb::parse_version_range("<3.0.13-1~deb12u1");
  if (!range) die(range.error().message);
  const vulndb::VersionScheme* deb = vulndb::version_scheme_for("deb");
  size_t hits = 0, in_range = 0;
  double indexed = median_ms(21, [&] {
    auto r = store.find_package("openssl", std::string_view("deb"), 1'000'000);
    if (!r) die(r.error().message);
    hits = r->size();
  });
  double ranged = median_ms(21, [&] {
    auto r = store.find_package("openssl", std::string_view("deb"), 1'000'000);
    if (!r) die(r.error().message);
    in_range = 0;
    for (const auto& h : *r) in_range += range->contains(*deb, h.package.version);
  });
  double rare = median_ms(21, [&] {
    auto r = store.find_package(names[1234], std::nullopt, 1'000'000);
    if (!r) die(r.error().message);
  });

  // The peer: the same question without the index (a scan of every indexed row).
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(dir.file("metadata.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    die("open");
  sqlite3_stmt* scan = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT r.name, p.manifest_digest, p.version FROM image_packages p NOT INDEXED "
                     "JOIN repositories r ON r.id = p.repository_id WHERE p.name = 'openssl' AND "
                     "p.type = 'deb'",
                     -1, &scan, nullptr);
  size_t scanned_hits = 0;
  double scanned = median_ms(5, [&] {
    scanned_hits = 0;
    while (sqlite3_step(scan) == SQLITE_ROW) ++scanned_hits;
    sqlite3_reset(scan);
  });
  sqlite3_finalize(scan);
  sqlite3_close(db);
  if (scanned_hits != hits) die("the scan and the index disagree");

  std::printf("package index: %d images x %d packages (%d rows), filled in %.1f s\n", images,
              per_image, images * per_image, fill_s);
  std::printf("%-52s %10.2f ms  (%zu images)\n", "images with openssl (index)", indexed, hits);
  std::printf("%-52s %10.2f ms  (%zu images)\n", "... in range <3.0.13-1~deb12u1 (index + deb order)",
              ranged, in_range);
  std::printf("%-52s %10.2f ms\n", "images with a rarer package (index)", rare);
  std::printf("%-52s %10.2f ms\n", "peer: the same query scanning the table", scanned);
  std::printf("%-52s %10.1fx\n", "scan / index", scanned / indexed);
  return 0;
}
