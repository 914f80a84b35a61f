// The vulnerability database and matcher (issue 5), each figure against its floor in the same run:
//   - import: VulnDb::import of every shared feed sample (../shared/data/vulndb) into a fresh
//     database, vs merely parsing the same files (Boost.JSON / yaml-cpp; other files read);
//     plus building the match index (load_index);
//   - match: one 1,000-package image (real advisory package names from the samples, about half at
//     an affected version) through MatchIndex::match, p50/p99 of 200 runs against the 10 ms
//     target, vs a plain std::unordered_map lookup of the same 1,000 keys (the hash floor);
//   - re-match: 10,000 stored images (100-200 indexed packages each: Debian, Alpine, PyPI, Go,
//     npm) in a SqliteMetadataStore; VulnMatcher matches them all, then one small feed update (a
//     new advisory for a package every image has) is imported and the re-match after it is
//     timed against the 10 s target (incremental: only the packages under changed keys), vs only
//     listing the 10,000 stored inventories (the read floor); then a second such update is
//     re-matched on the full path (every image matched again), timed in the same run for
//     comparison. The re-match queues report jobs like the server does; their count is printed.
//
// Usage: vulndb_bench [--data=DIR] [--images=10000] [--runs=200]
//   DIR defaults to the shared vulndb samples (BULWARK_SHARED_DIR/data/vulndb at build time).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/json.hpp>
#include <yaml-cpp/yaml.h>

#include "bench_images.h"
#include "common/temp_dir.h"
#include "jobs/vuln_match.h"
#include "metadata/sqlite/sqlite_metadata_store.h"
#include "storage/fs/fs_blob_store.h"
#include "vulndb/store.h"

namespace {

using namespace bulwark;
using bench::Clock;
using bench::ms_since;
namespace fs = std::filesystem;

[[noreturn]] void die(const std::string& what) { bench::die("vulndb_bench", what); }

// The shared samples, one path per feed, as in src/vulndb/sources/all_test.cc.
const char* const kFeeds[] = {
    "golang-vulndb/data",         "pypa-advisory-db/vulns", "almalinux-osv/advisories",
    "vunnel-fixtures/debian/input", "alpine-secdb",          "kev",
    "epss/EPSS_CVE_data",         "rustsec/crates",         "rubysec/gems",
    "friendsofphp",               "vunnel-fixtures/nvd",
};

void row(const char* figure, const std::string& value, const std::string& peer,
         const std::string& ratio) {
  std::printf("%-58s %12s %12s %10s\n", figure, value.c_str(), peer.c_str(), ratio.c_str());
}
std::string num(double v, int decimals = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// ---- import ---------------------------------------------------------------------------------

std::vector<fs::path> files_under(const fs::path& root) {
  std::vector<fs::path> files;
  if (fs::is_regular_file(root)) return {root};
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  return files;
}

// The floor under an import: parse each JSON and YAML file, read every other file.
size_t parse_only(const std::vector<fs::path>& roots) {
  size_t parsed = 0;
  for (const auto& root : roots) {
    for (const auto& file : files_under(root)) {
      const auto ext = file.extension();
      std::ifstream in(file, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      const std::string bytes = text.str();
      try {
        if (ext == ".json") {
          boost::system::error_code ec;
          auto v = boost::json::parse(bytes, ec);
          parsed += !ec && !v.is_null();
        } else if (ext == ".yaml" || ext == ".yml") {
          parsed += YAML::Load(bytes).IsDefined();
        } else {
          parsed += !bytes.empty();
        }
      } catch (const std::exception&) {
      }
    }
  }
  return parsed;
}

// Collects what the importers read (to pick real package names and versions).
struct Collector final : vulndb::ImportSink {
  std::vector<vulndb::Advisory> advisories;
  Result<void> add_advisory(vulndb::Advisory a) override {
    advisories.push_back(std::move(a));
    return ok();
  }
  Result<void> add_kev(vulndb::KevEntry) override { return ok(); }
  Result<void> add_epss(vulndb::EpssScore) override { return ok(); }
};

// ---- match input ----------------------------------------------------------------------------

// A package the samples know, with an affected version when one can be named (the range's
// introduced version or an explicitly listed one) and a not-affected one (its fixed version).
struct Known {
  std::string type, distro, name, affected, fixed;
};

std::vector<Known> known_packages(const std::vector<vulndb::Advisory>& advisories) {
  std::vector<Known> out;
  std::set<std::string> seen;
  for (const auto& a : advisories) {
    for (const auto& af : a.affected) {
      if (af.status == vulndb::AffectedStatus::kNotAffected || af.package.empty()) continue;
      Known k{af.ecosystem, af.distro, af.package, "", ""};
      for (const auto& r : af.ranges) {
        if (r.type == "GIT") continue;
        for (const auto& e : r.events) {
          if (e.kind == vulndb::VersionEvent::Kind::kIntroduced && e.version != "0" && k.affected.empty())
            k.affected = e.version;
          if (e.kind == vulndb::VersionEvent::Kind::kFixed && k.fixed.empty()) k.fixed = e.version;
        }
      }
      if (k.affected.empty() && !af.versions.empty()) k.affected = af.versions.front();
      if (k.affected.empty() && af.status != vulndb::AffectedStatus::kAffected)
        k.affected = "1.0-1";  // unfixed / will-not-fix: every version
      if (k.affected.empty() && k.fixed.empty()) continue;
      if (seen.insert(k.type + "|" + k.distro + "|" + k.name).second) out.push_back(std::move(k));
    }
  }
  return out;
}

vulndb::MatchPackage package_of(const std::string& type, const std::string& name,
                                const std::string& version) {
  vulndb::MatchPackage p;
  p.type = type;
  p.name = name;
  p.version = version;
  if (type == "deb" || type == "apk") p.source_name = name;
  p.purl = "pkg:" + type + "/" + name + "@" + version;
  return p;
}

// 1,000 packages for one Alpine 3.10 image with language packages: ~half at affected versions of
// real advisory packages, a quarter at their fixed versions, a quarter names no feed mentions.
vulndb::MatchInput thousand_packages(const std::vector<Known>& known,
                                     const std::vector<std::string>& other_names, size_t n) {
  std::mt19937 rng(7);
  vulndb::MatchInput input;
  input.distro = "alpine:3.10";
  std::vector<const Known*> usable;
  for (const auto& k : known) {
    const bool os = k.type == "deb" || k.type == "apk" || k.type == "rpm";
    if (!os || k.distro == input.distro) usable.push_back(&k);
  }
  if (usable.empty()) die("the samples name no packages to match");
  std::shuffle(usable.begin(), usable.end(), rng);
  size_t u = 0;
  for (size_t i = 0; input.packages.size() < n; ++i) {
    const Known& k = *usable[u++ % usable.size()];
    if (i % 4 < 2 && !k.affected.empty()) {
      input.packages.push_back(package_of(k.type, k.name, k.affected));
    } else if (i % 4 == 2 && !k.fixed.empty()) {
      input.packages.push_back(package_of(k.type, k.name, k.fixed));
    } else {
      input.packages.push_back(
          package_of("npm", other_names[i % other_names.size()] + "-x" + std::to_string(i), "1.0.0"));
    }
  }
  return input;
}

// ---- re-match fleet -------------------------------------------------------------------------

// A Debian tracker export for bookworm over `sources` (3 CVEs each: fixed above "1.4-1", fixed
// below it, open), so that Debian images have a realistic share of findings.
void write_debian_feed(const fs::path& file, const std::vector<std::string>& sources) {
  boost::json::object doc;
  int cve = 1;
  for (size_t i = 0; i < sources.size(); ++i) {
    boost::json::object entries;
    const char* fixed[] = {"1.5-1", "1.0-1", nullptr};
    for (const char* f : fixed) {
      boost::json::object rel{{"status", f ? "resolved" : "open"}, {"urgency", i % 3 ? "low" : "high"},
                              {"repositories", boost::json::object{{"bookworm", "1.4-1"}}}};
      if (f) rel["fixed_version"] = f;
      char id[32];
      std::snprintf(id, sizeof id, "CVE-2090-%05d", cve++);
      entries[id] = boost::json::object{{"description", "bench"}, {"scope", "local"},
                                        {"releases", boost::json::object{{"bookworm", rel}}}};
    }
    doc[sources[i]] = entries;
  }
  std::ofstream(file) << boost::json::serialize(doc);
}

struct Fleet {
  int images = 0;
  size_t rows = 0;
  double fill_s = 0;
};

Fleet fill_fleet(metadata::SqliteMetadataStore& store, int images, const std::vector<Known>& known,
                 const std::vector<std::string>& deb_sources, const std::vector<std::string>& npm_names) {
  std::mt19937 rng(42);
  std::vector<const Known*> apk, lang;
  for (const auto& k : known) {
    if (k.type == "apk" && k.distro == "alpine:3.10") apk.push_back(&k);
    if (k.distro.empty() && (k.type == "pypi" || k.type == "golang")) lang.push_back(&k);
  }
  if (apk.empty() || lang.empty()) die("the samples have no Alpine 3.10 or PyPI/Go packages");
  auto version_of = [&](const Known& k, bool vulnerable) {
    if (vulnerable && !k.affected.empty()) return k.affected;
    return k.fixed.empty() ? k.affected : k.fixed;
  };
  Fleet fleet;
  fleet.images = images;
  auto start = Clock::now();
  for (int i = 0; i < images; ++i) {
    auto m = bench::image_manifest(i);
    if (auto r = store.put_manifest(m); !r) die(r.error().message);
    std::vector<metadata::IndexedPackage> pkgs;
    const int total = 100 + static_cast<int>(rng() % 101);
    const bool debian = i % 4 != 3;  // 3/4 Debian 12, 1/4 Alpine 3.10
    const int os = total * (debian ? 80 : 40) / 100;
    for (int k = 0; k < os; ++k) {
      if (debian) {
        const std::string& src = deb_sources[rng() % deb_sources.size()];
        const std::string version = "1." + std::to_string(rng() % 8) + "-1";
        pkgs.push_back({"deb", "debian", (k % 3 ? src : "lib" + src + "1"), version,
                        "pkg:deb/debian/" + src + "@" + version, src, ""});
      } else {
        const Known& kn = *apk[rng() % apk.size()];
        const std::string v = version_of(kn, rng() % 10 == 0);
        pkgs.push_back({"apk", "alpine", kn.name, v, "pkg:apk/alpine/" + kn.name + "@" + v, kn.name, ""});
      }
    }
    // Language packages: PyPI/Go from the samples (1 in 10 at an affected version), npm names
    // from a real lock file tree, and "requests", which the update below will hit.
    pkgs.push_back({"pypi", "", "requests", "2.31.0", "pkg:pypi/requests@2.31.0"});
    for (int k = static_cast<int>(pkgs.size()); k < total; ++k) {
      if (k % 2) {
        const Known& kn = *lang[rng() % lang.size()];
        const std::string v = version_of(kn, rng() % 10 == 0);
        std::string ns, name = kn.name;
        if (kn.type == "golang" && name.find('/') != std::string::npos) {
          ns = name.substr(0, name.rfind('/'));
          name = name.substr(name.rfind('/') + 1);
        }
        pkgs.push_back({kn.type, ns, name, v, "pkg:" + kn.type + "/" + kn.name + "@" + v});
      } else {
        const std::string& n = npm_names[rng() % npm_names.size()];
        pkgs.push_back({"npm", "", n, "1.0.0", "pkg:npm/" + n + "@1.0.0"});
      }
    }
    fleet.rows += pkgs.size();
    if (auto r = store.put_image_packages(m.repository, m.digest.str(), debian ? "debian:12" : "alpine:3.10", pkgs);
        !r)
      die(r.error().message);
  }
  fleet.fill_s = ms_since(start) / 1000;
  return fleet;
}

std::vector<std::string> npm_tree_names(const fs::path& data) {
  std::vector<std::string> names;
  std::ifstream in(data / "npm-tree/installed-packages.tsv");
  for (std::string line; std::getline(in, line);) {
    auto slash = line.rfind("node_modules/");
    auto tab = line.find('\t');
    if (slash == std::string::npos || tab == std::string::npos) continue;
    names.push_back(line.substr(slash + 13, tab - slash - 13));
  }
  if (names.empty()) names = {"express", "lodash", "react", "debug", "ms"};
  return names;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = BULWARK_SHARED_DIR "/data/vulndb";
  int images = 10000, runs = 200;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.starts_with("--data=")) data = a.substr(7);
    if (a.starts_with("--images=")) images = std::atoi(a.c_str() + 9);
    if (a.starts_with("--runs=")) runs = std::max(1, std::atoi(a.c_str() + 7));
  }
  TempDir dir("vulndb-bench");
  const fs::path db_path = dir.file("vulndb.sqlite");

  // ---- import ----
  std::vector<fs::path> feeds;
  for (const char* f : kFeeds) {
    const fs::path p = fs::path(data) / f;
    bool known = false;
    for (const auto& imp : vulndb::all_importers()) known = known || imp.recognizes(p);
    if (known) feeds.push_back(p);
    else std::fprintf(stderr, "vulndb_bench: skipping %s (no importer recognizes it)\n", p.c_str());
  }
  if (feeds.empty()) die("no feed samples under " + data);
  size_t files = 0, bytes = 0;
  for (const auto& f : feeds) {
    for (const auto& file : files_under(f)) {
      ++files;
      bytes += fs::file_size(file);
    }
  }
  auto db = vulndb::VulnDb::open(db_path, false);
  if (!db) die(db.error().message);
  auto t = Clock::now();
  auto summary = (*db)->import(feeds);
  const double import_ms = ms_since(t);
  if (!summary) die("import: " + summary.error().message);
  uint64_t records = 0;
  for (const auto& s : summary->sources) records += s.added + s.updated + s.unchanged;
  t = Clock::now();
  const size_t parsed = parse_only(feeds);
  const double parse_ms = ms_since(t);
  t = Clock::now();
  auto snap = (*db)->load_index();
  const double index_ms = ms_since(t);
  if (!snap) die("load_index: " + snap.error().message);
  const auto stats = snap->index->stats();

  std::printf("== Vulnerability database (%zu feed paths, %zu files, %.1f MiB; %llu records)\n",
              feeds.size(), files, bytes / 1048576.0, static_cast<unsigned long long>(records));
  std::printf("%-58s %12s %12s %10s\n", "figure", "bulwark", "peer", "ratio");
  row("import all samples (ms) vs parse the files (ms)", num(import_ms, 0), num(parse_ms, 0),
      num(import_ms / parse_ms));
  row("build the match index, load_index (ms)", num(index_ms, 0), "-", "-");
  std::printf("  (index: %llu advisories, %llu vulnerabilities, %llu affected, %llu KEV, %llu EPSS; %zu files parsed)\n",
              (unsigned long long)stats.advisories, (unsigned long long)stats.vulnerabilities,
              (unsigned long long)stats.affected_entries, (unsigned long long)stats.kev,
              (unsigned long long)stats.epss, parsed);

  // ---- match ----
  Collector collected;
  for (const auto& f : feeds) {
    for (const auto& imp : vulndb::all_importers()) {
      if (imp.recognizes(f)) (void)imp.import(f, collected);
    }
  }
  const auto known = known_packages(collected.advisories);
  const auto npm_names = npm_tree_names(data);
  const vulndb::MatchInput input = thousand_packages(known, npm_names, 1000);
  size_t findings = 0;
  auto match_times = bench::sample_ms(runs, [&] { findings = snap->index->match(input).findings.size(); });
  // The floor: one hash lookup per package in a map of every (ecosystem, name) the index knows.
  std::unordered_map<std::string, int> keys;
  for (const auto& k : known) keys.emplace(k.type + "/" + k.distro + "/" + k.name, 1);
  std::vector<std::string> probe;
  for (const auto& p : input.packages) probe.push_back(p.type + "/" + (p.type == "apk" ? input.distro : "") + "/" + p.name);
  size_t hits = 0;
  auto lookup_times = bench::sample_ms(runs, [&] {
    hits = 0;
    for (const auto& k : probe) hits += keys.count(k);
  });
  const double p50 = match_times[match_times.size() / 2], p99 = match_times[match_times.size() * 99 / 100];
  const double floor50 = lookup_times[lookup_times.size() / 2];
  std::printf("  (match input: %zu packages, distro %s; %zu of them are feed packages; %zu findings)\n",
              input.packages.size(), input.distro.c_str(), hits, findings);
  row("match 1,000 packages p50 (ms) vs target 10 ms", num(p50, 3), "10", num(p50 / 10, 3));
  row("match 1,000 packages p99 (ms) vs target 10 ms", num(p99, 3), "10", num(p99 / 10, 3));
  row("match p50 (ms) vs unordered_map lookup of the keys (ms)", num(p50, 3), num(floor50, 4),
      num(p50 / floor50, 0));

  // ---- re-match ----
  if (images <= 0) return 0;
  std::vector<std::string> deb_sources;
  for (int i = 0; i < 3000; ++i) deb_sources.push_back("src" + std::to_string(i));
  const fs::path debian_feed_dir = dir.file("debian-feed");
  fs::create_directories(debian_feed_dir);
  write_debian_feed(debian_feed_dir / "debian.json",
                    std::vector<std::string>(deb_sources.begin(), deb_sources.begin() + 1500));
  const fs::path debian_feed[] = {debian_feed_dir};
  if (auto r = (*db)->import(debian_feed); !r) die("debian feed: " + r.error().message);

  auto opened = metadata::SqliteMetadataStore::open(dir.file("metadata.sqlite"));
  if (!opened) die(opened.error().message);
  auto& store = **opened;
  auto blobs = storage::FsBlobStore::open(dir.file("blobs"));
  if (!blobs) die(blobs.error().message);
  const Fleet fleet = fill_fleet(store, images, known, deb_sources, npm_names);

  jobs::VulnMatcher matcher(db_path, **blobs, store, store, jobs::DeadlinePolicy{});
  t = Clock::now();
  auto first = matcher.rematch_if_changed();
  const double first_s = ms_since(t) / 1000;
  if (!first) die("first re-match: " + first.error().message);

  // The update: a new advisory for a package every image has.
  const fs::path update_dir = dir.file("update");
  fs::create_directories(update_dir);
  std::ofstream(update_dir / "PYSEC-2099-1.json") << R"({
  "id": "PYSEC-2099-1", "modified": "2099-01-01T00:00:00Z", "published": "2099-01-01T00:00:00Z",
  "aliases": ["CVE-2099-12345"], "summary": "bench: a new flaw in requests",
  "affected": [{"package": {"ecosystem": "PyPI", "name": "requests", "purl": "pkg:pypi/requests"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.99.0"}]}]}],
  "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]
})";
  const fs::path update[] = {update_dir};
  t = Clock::now();
  auto updated = (*db)->import(update);
  const double update_import_ms = ms_since(t);
  if (!updated) die("update import: " + updated.error().message);
  if (!updated->changed) die("the update did not change the database");
  t = Clock::now();
  auto second = matcher.rematch_if_changed();
  const double second_s = ms_since(t) / 1000;
  if (!second) die("re-match after the update: " + second.error().message);

  // A second update of the same shape, re-matched on the full path.
  const fs::path update2_dir = dir.file("update2");
  fs::create_directories(update2_dir);
  std::ofstream(update2_dir / "PYSEC-2099-2.json") << R"({
  "id": "PYSEC-2099-2", "modified": "2099-01-02T00:00:00Z", "published": "2099-01-02T00:00:00Z",
  "aliases": ["CVE-2099-12346"], "summary": "bench: another flaw in requests",
  "affected": [{"package": {"ecosystem": "PyPI", "name": "requests", "purl": "pkg:pypi/requests"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.99.1"}]}]}],
  "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:L"}]
})";
  const fs::path update2[] = {update2_dir};
  auto updated2 = (*db)->import(update2);
  if (!updated2 || !updated2->changed) die("the second update did not change the database");
  t = Clock::now();
  auto third = matcher.rematch_if_changed({}, /*allow_incremental=*/false);
  const double third_s = ms_since(t) / 1000;
  if (!third) die("full re-match after the second update: " + third.error().message);

  // The floor: reading the stored inventories, as the re-matcher pages through them.
  size_t listed = 0;
  const double list_s = bench::median_ms(3, [&] {
    listed = 0;
    std::string cursor;
    do {
      auto page = store.list_inventories(cursor, 256);
      if (!page) die(page.error().message);
      listed += page->size();
    } while (!cursor.empty());
  }) / 1000;
  // And the matching alone over the same inventories (no recording, no reports).
  auto snap2 = (*db)->load_index();
  if (!snap2) die(snap2.error().message);
  size_t all_findings = 0;
  t = Clock::now();
  {
    std::string cursor;
    do {
      auto page = store.list_inventories(cursor, 256);
      if (!page) die(page.error().message);
      for (const auto& inv : *page) {
        vulndb::MatchInput in = jobs::match_input_of(inv);
        all_findings += snap2->index->match(in).findings.size();
      }
    } while (!cursor.empty());
  }
  const double list_match_s = ms_since(t) / 1000;

  std::printf("== Re-match: %d stored images, %zu indexed packages (filled in %.1f s)\n", fleet.images,
              fleet.rows, fleet.fill_s);
  std::printf("%-58s %12s %12s %10s\n", "figure", "bulwark", "peer", "ratio");
  row("first match of every image (s)", num(first_s), "-", "-");
  std::printf("  (images %llu, findings opened %llu, reports %llu)\n",
              (unsigned long long)first->images, (unsigned long long)first->opened,
              (unsigned long long)first->reports);
  row("import of the update (ms)", num(update_import_ms, 1), "-", "-");
  row("re-match after the update (s) vs target 10 s", num(second_s), "10", num(second_s / 10));
  std::printf("  (%s, %llu changed keys; images %llu, untouched %llu, opened %llu, resolved %llu, "
              "reports queued %llu)\n",
              second->incremental ? "incremental" : "full path",
              (unsigned long long)second->changed_keys, (unsigned long long)second->images,
              (unsigned long long)second->advanced, (unsigned long long)second->opened,
              (unsigned long long)second->resolved, (unsigned long long)second->reports);
  row("full-path re-match after a 2nd update (s) vs target 10 s", num(third_s), "10",
      num(third_s / 10));
  std::printf("  (images %llu, opened %llu, resolved %llu, reports queued %llu)\n",
              (unsigned long long)third->images, (unsigned long long)third->opened,
              (unsigned long long)third->resolved, (unsigned long long)third->reports);
  row("re-match after the update (s) vs the full path (s)", num(second_s), num(third_s),
      num(second_s / third_s));
  row("re-match after the update (s) vs list the inventories (s)", num(second_s), num(list_s),
      num(second_s / list_s));
  row("  list + match only, no recording (s) vs list (s)", num(list_match_s), num(list_s),
      num(list_match_s / list_s));
  std::printf("  (%zu inventories listed, %zu findings in the match-only pass)\n", listed, all_findings);
  return 0;
}
