// Matching stored images against the vulnerability database (vuln_match.h).
#include "jobs/vuln_match.h"

#include <future>

#include <boost/json.hpp>

#include "common/clock.h"
#include "common/log.h"
#include "jobs/artifact.h"
#include "vulndb/report/report.h"

namespace bulwark::jobs {
namespace {

constexpr size_t kPage = 256;  // images per listing page and per recording transaction
constexpr size_t kParallelMatch = 64;  // pages at least this large are matched on two threads

}  // namespace

vulndb::MatchInput match_input_of(const metadata::StoredInventory& inv) {
  vulndb::MatchInput input;
  input.distro = inv.distro;
  input.packages.reserve(inv.packages.size());
  for (const auto& p : inv.packages) {
    scan::Package package;
    package.type = p.type;
    package.namespace_ = p.namespace_;
    package.name = p.name;
    package.version = p.version;
    package.source_name = p.source_name;
    package.source_version = p.source_version;
    package.purl = p.purl;
    input.packages.push_back(vulndb::match_package(package));
  }
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
    metadata::ImageMatch match{matched.images[i].repository, matched.images[i].digest, generation, {}};
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

Result<RematchStats> VulnMatcher::rematch_if_changed(const std::function<void()>& reports_queued) {
  std::lock_guard lock(rematch_mu_);
  BULWARK_ASSIGN_OR_RETURN(vulndb::DbSnapshot snap, snapshot());
  RematchStats total;
  total.generation = snap.generation;
  if (!snap.index || snap.generation == rematched_generation_) return total;
  const int64_t started = unix_millis();
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
      total.images += stats.images;
      total.opened += stats.opened;
      total.resolved += stats.resolved;
      total.reports += stats.reports;
    }
    if (page.last) break;
  }
  rematched_generation_ = snap.generation;
  if (total.images > 0) {
    log_event(LogLevel::kInfo, "stored images re-matched",
              {{"generation", snap.generation},
               {"images", static_cast<int64_t>(total.images)},
               {"opened", static_cast<int64_t>(total.opened)},
               {"resolved", static_cast<int64_t>(total.resolved)},
               {"reports_queued", static_cast<int64_t>(total.reports)},
               {"ms", unix_millis() - started}});
  }
  return total;
}

}  // namespace bulwark::jobs
