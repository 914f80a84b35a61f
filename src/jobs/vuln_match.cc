// Matching stored images against the vulnerability database (vuln_match.h).
#include "jobs/vuln_match.h"

#include <future>
#include <unordered_map>
#include <unordered_set>

#include <boost/json.hpp>

#include "common/clock.h"
#include "common/log.h"
#include "jobs/artifact.h"
#include "vulndb/report/report.h"

namespace bulwark::jobs {
namespace {

constexpr size_t kPage = 256;  // images per listing page and per recording transaction
constexpr size_t kParallelMatch = 64;  // pages at least this large are matched on two threads
// Incremental re-matching is given up for the full path when more than half the index's keys
// changed, and more than this many (a rebuilt database: nearly everything would be matched again).
constexpr size_t kIncrementalMaxKeys = 1024;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using KeySet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

}  // namespace

vulndb::MatchPackage match_package_of(const metadata::IndexedPackage& p) {
  scan::Package package;
  package.type = p.type;
  package.namespace_ = p.namespace_;
  package.name = p.name;
  package.version = p.version;
  package.source_name = p.source_name;
  package.source_version = p.source_version;
  package.purl = p.purl;
  return vulndb::match_package(package);
}

vulndb::MatchInput match_input_of(const metadata::StoredInventory& inv) {
  vulndb::MatchInput input;
  input.distro = inv.distro;
  input.packages.reserve(inv.packages.size());
  for (const auto& p : inv.packages) input.packages.push_back(match_package_of(p));
  return input;
}

namespace {

// The report attached to the image: Bulwark's JSON for this one image.
Result<std::string> report_document(const metadata::StoredInventory& inv,
                                    const vulndb::DbSnapshot& snap, vulndb::MatchResult result,
                                    int64_t now) {
  const vulndb::ReportFormat* json = vulndb::find_report_format("json");
  if (json == nullptr) return fail(ErrorCode::kInternal, "the json report format is missing");
  vulndb::ScanReport report;
  report.db_generation = snap.generation;
  report.db_updated_at = snap.updated_at;
  report.scanned_at = now;
  report.images.push_back(vulndb::ImageReport{inv.repository + "@" + inv.digest, inv.digest, "",
                                              inv.distro, "", std::move(result), {}});
  return json->write(report);
}

}  // namespace

int64_t DeadlinePolicy::after(vulndb::Severity severity) const {
  struct Row {
    vulndb::Severity severity;
    int64_t DeadlinePolicy::*seconds;
  };
  static constexpr Row kRows[] = {{vulndb::Severity::kCritical, &DeadlinePolicy::critical},
                                  {vulndb::Severity::kHigh, &DeadlinePolicy::high},
                                  {vulndb::Severity::kMedium, &DeadlinePolicy::medium},
                                  {vulndb::Severity::kLow, &DeadlinePolicy::low}};
  for (const auto& row : kRows) {
    if (row.severity == severity) return this->*row.seconds;
  }
  return 0;  // negligible and unrated findings have no deadline
}

VulnMatcher::VulnMatcher(std::filesystem::path db_path, storage::BlobStore& blobs,
                         metadata::MetadataStore& metadata, metadata::FindingStore& findings,
                         DeadlinePolicy deadlines)
    : db_path_(std::move(db_path)),
      blobs_(blobs),
      metadata_(metadata),
      findings_(findings),
      deadlines_(deadlines) {}

Result<vulndb::DbSnapshot> VulnMatcher::snapshot() {
  std::lock_guard lock(mu_);
  if (!db_) {
    std::error_code ec;
    if (!std::filesystem::exists(db_path_, ec)) return vulndb::DbSnapshot{};
    BULWARK_ASSIGN_OR_RETURN(db_, vulndb::VulnDb::open(db_path_, /*read_only=*/true));
  }
  BULWARK_ASSIGN_OR_RETURN(int64_t generation, db_->generation());
  if (snapshot_.index && generation == snapshot_.generation) return snapshot_;
  const int64_t started = unix_millis();
  BULWARK_ASSIGN_OR_RETURN(snapshot_, db_->load_index());
  const auto stats = snapshot_.index->stats();
  log_event(LogLevel::kInfo, "vulnerability database loaded",
            {{"generation", snapshot_.generation},
             {"vulnerabilities", static_cast<int64_t>(stats.vulnerabilities)},
             {"ms", unix_millis() - started}});
  return snapshot_;
}

VulnMatcher::Matched VulnMatcher::match_images(std::vector<metadata::StoredInventory> images,
                                               const vulndb::DbSnapshot& snap) const {
  Matched out;
  out.images = std::move(images);
  // Large pages are matched in two halves on two threads.
  out.results.resize(out.images.size());
  auto match_range = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      out.results[i] = snap.index->match(match_input_of(out.images[i]));
    }
  };
  const size_t n = out.images.size();
  if (n >= kParallelMatch) {
    auto second = std::async(std::launch::async, match_range, n / 2, n);
    match_range(0, n / 2);
    second.get();
  } else {
    match_range(0, n);
  }
  return out;
}

void VulnMatcher::build_records(Matched& matched, int64_t generation) const {
  matched.batch.reserve(matched.images.size());
  // Details are serialised lazily, for new and changed findings only.
  for (size_t i = 0; i < matched.images.size(); ++i) {
    metadata::ImageMatch match{matched.images[i].repository, matched.images[i].digest, generation,
                               {}, i < matched.scopes.size() ? matched.scopes[i] : nullptr};
    match.findings.reserve(matched.results[i].findings.size());
    for (const vulndb::Finding& f : matched.results[i].findings) {
      match.findings.push_back(metadata::FindingRecord{
          f.vulnerability, f.package_type, f.package_name, f.installed_version,
          std::string(vulndb::severity_name(f.severity)), f.fixed_version,
          deadlines_.after(f.severity), /*detail_json=*/"", vulndb::finding_fingerprint(f),
          [&f] { return boost::json::serialize(vulndb::finding_json(f)); }});
    }
    matched.batch.push_back(std::move(match));
  }
}

Result<RematchStats> VulnMatcher::record_batch(
    Matched& matched, int64_t generation, std::string_view changed_job,
    std::vector<std::pair<size_t, vulndb::MatchResult>>* keep_changed) {
  RematchStats stats;
  build_records(matched, generation);
  BULWARK_ASSIGN_OR_RETURN(metadata::MatchDiff diff,
                           findings_.record_matches(matched.batch, unix_seconds(), changed_job));
  stats.images = matched.images.size();
  stats.opened = diff.opened;
  stats.resolved = diff.resolved;
  stats.reports = diff.changed.size();
  if (keep_changed != nullptr) {
    for (size_t i : diff.changed) keep_changed->emplace_back(i, std::move(matched.results[i]));
  }
  return stats;
}

Result<void> VulnMatcher::write_report(const metadata::StoredInventory& inv,
                                       const vulndb::DbSnapshot& snap, vulndb::MatchResult result) {
  BULWARK_ASSIGN_OR_RETURN(Digest digest, Digest::parse(inv.digest));
  BULWARK_ASSIGN_OR_RETURN(auto subject, metadata_.get_manifest(inv.repository, digest));
  if (!subject) return ok();  // deleted meanwhile
  BULWARK_ASSIGN_OR_RETURN(std::string document,
                           report_document(inv, snap, std::move(result), unix_seconds()));
  Artifact artifact{std::string(vulndb::kScanReportMediaType), "vulnerability-report.json",
                    std::move(document),
                    boost::json::object{{std::string(kReportGenerationAnnotation),
                                         std::to_string(snap.generation)}}};
  BULWARK_ASSIGN_OR_RETURN(Digest report,
                           attach_artifact(blobs_, metadata_, inv.repository, *subject, artifact));
  BULWARK_ASSIGN_OR_RETURN(auto scan, findings_.get_image_scan(inv.repository, inv.digest));
  if (scan && !scan->report_digest.empty() && scan->report_digest != report.str()) {
    // The previous report is superseded; its referrer goes (a missing one is fine).
    if (auto old = Digest::parse(scan->report_digest)) {
      (void)metadata_.delete_manifest(inv.repository, *old);
    }
  }
  return findings_.set_report_digest(inv.repository, inv.digest, report.str());
}

Result<void> VulnMatcher::match_image(std::string_view repository, std::string_view digest) {
  BULWARK_ASSIGN_OR_RETURN(vulndb::DbSnapshot snap, snapshot());
  if (!snap.index) return ok();
  BULWARK_ASSIGN_OR_RETURN(auto inv, findings_.get_inventory(repository, digest));
  if (!inv) return fail(ErrorCode::kNotFound, "the image has no package index yet");
  std::vector<std::pair<size_t, vulndb::MatchResult>> changed;
  Matched matched = match_images({*inv}, snap);
  BULWARK_TRY_VOID(record_batch(matched, snap.generation, {}, &changed));
  for (auto& [index, result] : changed) BULWARK_TRY_VOID(write_report(*inv, snap, std::move(result)));
  return ok();
}

Result<void> VulnMatcher::attach_report(std::string_view repository, std::string_view digest) {
  BULWARK_ASSIGN_OR_RETURN(vulndb::DbSnapshot snap, snapshot());
  if (!snap.index) return ok();
  BULWARK_ASSIGN_OR_RETURN(auto inv, findings_.get_inventory(repository, digest));
  if (!inv) return ok();  // deleted meanwhile
  return write_report(*inv, snap, snap.index->match(match_input_of(*inv)));
}

Result<RematchStats> VulnMatcher::rematch_if_changed(const std::function<void()>& reports_queued,
                                                     bool allow_incremental) {
  std::lock_guard lock(rematch_mu_);
  BULWARK_ASSIGN_OR_RETURN(vulndb::DbSnapshot snap, snapshot());
  RematchStats total;
  total.generation = snap.generation;
  if (!snap.index || snap.generation == rematched_generation_) return total;
  const int64_t started = unix_millis();
  vulndb::MatchKeyFingerprints fingerprints = snap.index->key_fingerprints();
  bool incremental = false;
  if (allow_incremental && fingerprints_generation_ >= 0 &&
      fingerprints_generation_ != snap.generation) {
    const std::vector<std::string> changed = vulndb::changed_match_keys(fingerprints_, fingerprints);
    if (changed.size() <= std::max(kIncrementalMaxKeys, fingerprints.size() / 2)) {
      incremental = true;
      BULWARK_ASSIGN_OR_RETURN(
          total, rematch_changed(snap, fingerprints_generation_, changed, reports_queued));
    }
  }
  if (!incremental) {
    BULWARK_ASSIGN_OR_RETURN(total, rematch_all(snap, reports_queued));
  }
  // Every image is at this generation now (or was recorded at it by a match meanwhile).
  fingerprints_ = std::move(fingerprints);
  fingerprints_generation_ = snap.generation;
  rematched_generation_ = snap.generation;
  if (total.images > 0 || total.advanced > 0) {
    log_event(LogLevel::kInfo, "stored images re-matched",
              {{"generation", snap.generation},
               {"incremental", incremental},
               {"changed_keys", static_cast<int64_t>(total.changed_keys)},
               {"images", static_cast<int64_t>(total.images)},
               {"advanced", static_cast<int64_t>(total.advanced)},
               {"opened", static_cast<int64_t>(total.opened)},
               {"resolved", static_cast<int64_t>(total.resolved)},
               {"reports_queued", static_cast<int64_t>(total.reports)},
               {"ms", unix_millis() - started}});
  }
  return total;
}

namespace {

void add_stats(RematchStats& total, const RematchStats& page) {
  total.images += page.images;
  total.opened += page.opened;
  total.resolved += page.resolved;
  total.reports += page.reports;
}

}  // namespace

Result<RematchStats> VulnMatcher::rematch_all(const vulndb::DbSnapshot& snap,
                                              const std::function<void()>& reports_queued) {
  RematchStats total;
  total.generation = snap.generation;
  // One page of the images behind the snapshot, matched.
  struct Page {
    Matched matched;
    bool last = false;
  };
  std::string cursor;
  auto next_page = [this, &cursor, &snap]() -> Result<Page> {
    Page page;
    BULWARK_ASSIGN_OR_RETURN(auto images, findings_.list_inventories(cursor, kPage));
    page.last = cursor.empty();
    std::erase_if(images, [&](const metadata::StoredInventory& inv) {
      return inv.db_generation == snap.generation;
    });
    page.matched = match_images(std::move(images), snap);
    return page;
  };
  // Listing and matching (any thread: the index is immutable) overlap with recording (the
  // store's single writer).
  std::future<Result<Page>> ahead = std::async(std::launch::async, next_page);
  for (;;) {
    BULWARK_ASSIGN_OR_RETURN(Page page, ahead.get());
    if (!page.last) ahead = std::async(std::launch::async, next_page);
    if (!page.matched.images.empty()) {
      BULWARK_ASSIGN_OR_RETURN(RematchStats stats,
                               record_batch(page.matched, snap.generation, kVulnReportJob, nullptr));
      if (stats.reports > 0 && reports_queued) reports_queued();
      add_stats(total, stats);
    }
    if (page.last) break;
  }
  return total;
}

Result<RematchStats> VulnMatcher::rematch_changed(const vulndb::DbSnapshot& snap, int64_t from,
                                                  const std::vector<std::string>& changed,
                                                  const std::function<void()>& reports_queued) {
  RematchStats total;
  total.generation = snap.generation;
  total.incremental = true;
  total.changed_keys = changed.size();
  const KeySet changed_keys(changed.begin(), changed.end());
  // Whether a package is looked up under a changed key, remembered per distinct package name
  // and distribution (images share most of their packages).
  std::unordered_map<std::string, bool, StringHash, std::equal_to<>> touched_by_name;
  std::string name_key;
  auto touched = [&](const metadata::StoredInventory& image, const metadata::IndexedPackage& p) {
    name_key.assign(p.type).append("\x1f").append(p.namespace_).append("\x1f").append(p.name);
    name_key.append("\x1f").append(p.source_name).append("\x1f").append(image.distro);
    if (auto it = touched_by_name.find(std::string_view(name_key)); it != touched_by_name.end()) {
      return it->second;
    }
    bool hit = false;
    for (const std::string& key : vulndb::match_keys_of(match_package_of(p), image.distro)) {
      hit = hit || changed_keys.contains(key);
    }
    touched_by_name.emplace(name_key, hit);
    return hit;
  };
  // Images at `from` keep only their touched packages; images at any other generation but the
  // snapshot's keep all theirs (they are matched whole).
  auto keep = [&](const metadata::StoredInventory& image, const metadata::IndexedPackage& p) {
    if (image.db_generation == from) return touched(image, p);
    return image.db_generation != snap.generation;
  };
  std::vector<metadata::StoredInventory> whole;
  std::vector<metadata::MatchedImage> untouched, refetch;
  // One page of images: the touched ones matched in part (the others sorted out).
  struct Page {
    Matched matched;
    bool last = false;
  };
  std::string cursor;
  auto next_page = [&]() -> Result<Page> {
    Page page;
    BULWARK_ASSIGN_OR_RETURN(auto images, findings_.select_packages(cursor, kPage, keep));
    page.last = cursor.empty();
    std::vector<metadata::StoredInventory> partial;
    for (metadata::StoredInventory& image : images) {
      if (image.db_generation == snap.generation) continue;
      if (image.db_generation != from) {
        whole.push_back(std::move(image));
      } else if (image.packages.empty()) {
        untouched.push_back({std::move(image.repository), std::move(image.digest)});
      } else if (std::any_of(image.packages.begin(), image.packages.end(), [&](const auto& p) {
                   return vulndb::match_keys_of(match_package_of(p), image.distro).size() > 1;
                 })) {
        // A package looked up under several keys may merge findings across them: all of it.
        refetch.push_back({std::move(image.repository), std::move(image.digest)});
      } else {
        partial.push_back(std::move(image));
      }
    }
    page.matched = match_images(std::move(partial), snap);
    for (const metadata::StoredInventory& image : page.matched.images) {
      page.matched.scopes.push_back([&changed_keys, distro = image.distro](std::string_view type,
                                                                           std::string_view name) {
        return changed_keys.contains(vulndb::finding_match_key(type, name, distro));
      });
    }
    return page;
  };
  auto record = [&](Matched& matched) -> Result<void> {
    if (matched.images.empty()) return ok();
    BULWARK_ASSIGN_OR_RETURN(RematchStats stats,
                             record_batch(matched, snap.generation, kVulnReportJob, nullptr));
    if (stats.reports > 0 && reports_queued) reports_queued();
    add_stats(total, stats);
    return ok();
  };
  // Touched packages only, their findings replacing the stored ones of the changed keys. As on
  // the full path, the next page is read and matched on a second thread (one at a time: the
  // lists above and `touched` are only used by it) while this one is recorded.
  std::future<Result<Page>> ahead = std::async(std::launch::async, next_page);
  for (;;) {
    BULWARK_ASSIGN_OR_RETURN(Page page, ahead.get());
    if (!page.last) ahead = std::async(std::launch::async, next_page);
    // (On an error, the pending page's future waits for it as it goes, before the lists do.)
    BULWARK_TRY_VOID(record(page.matched));
    if (page.last) break;
  }
  // Whole images: behind in another way, or needing their full inventory.
  for (const metadata::MatchedImage& image : refetch) {
    BULWARK_ASSIGN_OR_RETURN(auto inv, findings_.get_inventory(image.repository, image.digest));
    if (inv) whole.push_back(std::move(*inv));
  }
  for (size_t begin = 0; begin < whole.size(); begin += kPage) {
    const size_t end = std::min(whole.size(), begin + kPage);
    Matched matched = match_images(
        std::vector<metadata::StoredInventory>(std::make_move_iterator(whole.begin() + begin),
                                               std::make_move_iterator(whole.begin() + end)),
        snap);
    BULWARK_TRY_VOID(record(matched));
  }
  // Last, once the touched images are recorded: the others keep their findings.
  BULWARK_ASSIGN_OR_RETURN(total.advanced, findings_.advance_generation(untouched, from,
                                                                        snap.generation,
                                                                        unix_seconds()));
  return total;
}

}  // namespace bulwark::jobs
