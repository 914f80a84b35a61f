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
// Re-matching is incremental when it can be: the matcher keeps the key fingerprints
// (vulndb::MatchIndex::key_fingerprints) of the snapshot its last re-match brought the images to,
// and after an update only the packages looked up under a key whose fingerprint changed (a
// changed, added or removed advisory, an alias group renamed or merged, KEV or EPSS data of its
// vulnerabilities) are matched again; their findings replace the stored ones of those keys only
// (first sightings and deadlines of the others stay as they are), and the images none of whose
// packages changed keep their findings and move to the new generation. Images recorded at any
// other generation, and images with a package looked up under several keys (rpm), are matched
// whole. The first re-match of a process, and an update changing more than half the keys, take
// the full path: every image behind the snapshot matched again.
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
  bool incremental = false;  // only what the update changed was matched (vuln_match.h)
  uint64_t changed_keys = 0;  // incremental: lookup keys whose fingerprint changed
  uint64_t images = 0;      // images matched (incremental: in part or whole)
  uint64_t advanced = 0;    // incremental: images the update did not touch, moved to its generation
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
vulndb::MatchPackage match_package_of(const metadata::IndexedPackage& package);

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
  // behind), brings every indexed image that is behind it up to date: incrementally when the
  // previous re-match's fingerprints allow it and `allow_incremental` (false: the full path,
  // e.g. to compare the two), else by matching each such image again. Returns what was done
  // (images 0 when nothing was behind). Pages are pipelined on both paths: the next page is
  // read and matched on a second thread while this one is recorded. Report jobs are queued for the
  // images whose findings changed; `reports_queued` (if set) is called after a page queued some,
  // to wake the job workers.
  Result<RematchStats> rematch_if_changed(const std::function<void()>& reports_queued = {},
                                          bool allow_incremental = true);

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
    // Per image when the images were matched in part (their inventories hold only the packages
    // matched again): the findings those stand for. Empty: whole images.
    std::vector<metadata::FindingScope> scopes;
  };
  // The full path: every image behind `snap` matched and recorded, page by page.
  Result<RematchStats> rematch_all(const vulndb::DbSnapshot& snap,
                                   const std::function<void()>& reports_queued);
  // The incremental path from generation `from`, whose keys `changed` differ in `snap`.
  Result<RematchStats> rematch_changed(const vulndb::DbSnapshot& snap, int64_t from,
                                       const std::vector<std::string>& changed,
                                       const std::function<void()>& reports_queued);
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
  // The key fingerprints of the snapshot the last re-match brought the images to, and its
  // generation (-1: none yet); guarded by rematch_mu_.
  vulndb::MatchKeyFingerprints fingerprints_;
  int64_t fingerprints_generation_ = -1;
};

}  // namespace bulwark::jobs
