// VulnMatcher: matches stored images against the vulnerability database and records the
// findings (FindingStore), on push (after the "sbom" job indexed the image) and again whenever
// the database changes, from the package index: no layer is read again.
//
// Each image whose findings changed gets a fresh report (Bulwark's JSON, vulndb/report) attached
// as a referrer, replacing the previous one: at once for a pushed image, and through a
// "vuln-report" job (queued with the recorded findings, in the same transaction) after a
// re-match, so that findings of every stored image are current first and the artifacts follow.
// Deadlines come from the DeadlinePolicy by severity. Without a database file nothing is
// matched (images are matched once one appears).
//
// Thread-safety: all methods are thread-safe; the database snapshot is shared by concurrent
// matches and reloaded (once) when the database generation moves. They block: call them from
// worker threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "metadata/finding_store.h"
#include "metadata/metadata_store.h"
#include "storage/blob_store.h"
#include "vulndb/severity.h"
#include "vulndb/store.h"

namespace bulwark::jobs {

// Seconds from first sighting to the remediation deadline, by severity; 0: none.
struct DeadlinePolicy {
  int64_t critical = 1 * 86400;
  int64_t high = 7 * 86400;
  int64_t medium = 30 * 86400;
  int64_t low = 0;
  int64_t after(vulndb::Severity severity) const;
};

struct RematchStats {
  int64_t generation = 0;   // of the database the images were matched against
  uint64_t images = 0;      // images matched
  uint64_t opened = 0;      // findings first seen
  uint64_t resolved = 0;    // findings no longer seen
  uint64_t reports = 0;     // report referrers replaced (match_image) or queued (re-match)
};

// The job kind that rewrites an image's report referrer after a re-match changed its findings.
inline constexpr std::string_view kVulnReportJob = "vuln-report";

// Annotation on the report referrer naming the database generation it was matched against.
inline constexpr std::string_view kReportGenerationAnnotation = "dev.bulwark.vulndb.generation";

// The matcher's view of an indexed image (rpm versions are stored with their epoch already).
vulndb::MatchInput match_input_of(const metadata::StoredInventory& inventory);

class VulnMatcher {
 public:
  // REQUIRES: blobs, metadata and findings outlive the matcher.
  VulnMatcher(std::filesystem::path db_path, storage::BlobStore& blobs,
              metadata::MetadataStore& metadata, metadata::FindingStore& findings,
              DeadlinePolicy deadlines);

  // Matches one indexed image now (after the "sbom" job) and attaches its report. No database
  // yet: nothing to do.
  Result<void> match_image(std::string_view repository, std::string_view digest);

  // The "vuln-report" job: matches the image against the current snapshot again (cheap: from
  // the package index) and attaches that report, replacing the previous one.
  Result<void> attach_report(std::string_view repository, std::string_view digest);

  // When the database generation differs from the one last re-matched (or images were left
  // behind), re-matches every indexed image that is behind it. Returns what was done (images
  // 0 when nothing was behind). Pages are pipelined: the next page is listed and matched on a
  // second thread while this one is recorded. Report jobs are queued for the images whose
  // findings changed;
  // `reports_queued` (if set) is called after a page queued some, to wake the job workers.
  Result<RematchStats> rematch_if_changed(const std::function<void()>& reports_queued = {});

 private:
  // The current snapshot, reloaded when the generation moved; null index when there is no
  // database file.
  Result<vulndb::DbSnapshot> snapshot();
  // Images matched and their findings ready to record (each record's lazy detail points into
  // `results`, which moving the struct keeps in place).
  struct Matched {
    std::vector<metadata::StoredInventory> images;
    std::vector<vulndb::MatchResult> results;
    std::vector<metadata::ImageMatch> batch;
  };
  // Matches `images` (batch left empty). Thread-safe: reads only the immutable snapshot.
  Matched match_images(std::vector<metadata::StoredInventory> images,
                       const vulndb::DbSnapshot& snap) const;
  // Fills matched.batch: the records, with fingerprints and lazy details.
  void build_records(Matched& matched, int64_t generation) const;
  // Records a matched batch (building its records first); the results of the images whose
  // findings changed are moved to `keep_changed` with their indexes when it is not null.
  Result<RematchStats> record_batch(Matched& matched, int64_t generation, std::string_view changed_job,
                                    std::vector<std::pair<size_t, vulndb::MatchResult>>* keep_changed);
  // Attaches `result` as the image's report and retires the previous one.
  Result<void> write_report(const metadata::StoredInventory& inv, const vulndb::DbSnapshot& snap,
                            vulndb::MatchResult result);

  std::filesystem::path db_path_;
  storage::BlobStore& blobs_;
  metadata::MetadataStore& metadata_;
  metadata::FindingStore& findings_;
  DeadlinePolicy deadlines_;

  std::mutex mu_;                      // guards the members below
  std::unique_ptr<vulndb::VulnDb> db_;  // opened read-only once the file exists
  vulndb::DbSnapshot snapshot_;
  std::mutex rematch_mu_;              // one re-match at a time
  int64_t rematched_generation_ = -1;  // guarded by rematch_mu_
};

}  // namespace bulwark::jobs
