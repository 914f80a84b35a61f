// FindingStore: what vulnerability matching found in each stored image, over time.
//
// A finding is open from the first match that saw it (first_seen) until a match no longer sees
// it (resolved_at); its remediation deadline is first_seen plus the policy's time for its
// severity. An image's matches are recorded with the vulnerability-database generation they
// used, so the re-matcher knows which images are behind the database. Rows belong to a manifest
// and disappear with it.
//
// Thread-safety: all methods are thread-safe; they block (disk I/O): call them from worker
// threads, never from an I/O thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "metadata/inventory_store.h"

namespace bulwark::metadata {

// One image's inventory as stored for re-matching (from the package index).
struct StoredInventory {
  std::string repository;
  std::string digest;
  std::string distro;  // the match distribution ("debian:12"), may be empty
  std::optional<int64_t> db_generation;  // of the last match, if any
  std::vector<IndexedPackage> packages;
};

// A finding as the matcher reports it now.
struct FindingRecord {
  std::string vulnerability;
  std::string package_type;
  std::string package_name;
  std::string installed_version;
  std::string severity;       // severity name ("high")
  std::string fixed_version;  // empty: no fix
  int64_t deadline_after = 0;  // seconds from first_seen the policy allows; 0: no deadline
  std::string detail_json;    // the whole finding as the report's JSON object
  // Recording: a fingerprint of the detail, compared with the stored one, and the detail made
  // only when it must be written (a new or changed finding); when `make_detail` is empty,
  // detail_json is written as it is.
  uint64_t fingerprint = 0;
  std::function<std::string()> make_detail = {};
};

struct StoredFinding {
  std::string repository;
  std::string digest;
  FindingRecord finding;
  int64_t first_seen = 0;
  std::optional<int64_t> resolved_at;
  std::optional<int64_t> deadline;  // first_seen + deadline_after, when there is one
};

// Which stored findings a partial match speaks for, by the finding's package type and name.
using FindingScope = std::function<bool(std::string_view package_type, std::string_view package_name)>;

// One image's match result, to be recorded.
struct ImageMatch {
  std::string repository;
  std::string digest;
  int64_t db_generation = 0;
  std::vector<FindingRecord> findings;
  // Empty: `findings` are all the image's findings. Otherwise they are all its findings in this
  // scope (every one of them must be in it); open findings outside it are left as they are.
  FindingScope scope = {};
};

// A stored image by name (FindingStore::advance_generation).
struct MatchedImage {
  std::string repository;
  std::string digest;
};

struct MatchDiff {
  uint64_t opened = 0;    // findings seen for the first time (or again after being resolved)
  uint64_t resolved = 0;  // open findings no longer seen
  uint64_t kept = 0;      // open findings seen again
  std::vector<size_t> changed;  // indexes (into the recorded batch) of images whose open set changed
};

struct ImageScanRecord {
  std::string distro;
  int64_t indexed_at = 0;
  std::optional<int64_t> db_generation;
  std::optional<int64_t> matched_at;
  std::string report_digest;  // the report referrer's manifest digest, if one is attached
};

// Finding counts of one repository and severity (summed over its images).
struct SeveritySummary {
  std::string repository;
  std::string severity;
  uint64_t open = 0;
  uint64_t overdue = 0;   // open past their deadline
  uint64_t resolved = 0;
  int64_t remediation_seconds = 0;  // sum of (resolved_at - first_seen) over resolved findings
};

class FindingStore {
 public:
  virtual ~FindingStore() = default;

  // Stored inventories in a stable order, `limit` at a time after `cursor` (empty to start);
  // the returned cursor is empty at the end.
  virtual Result<std::vector<StoredInventory>> list_inventories(std::string& cursor, size_t limit) = 0;
  // Stored images, paged like list_inventories, with only the packages `keep` accepts (it sees
  // the image without packages and one package at a time, on the calling thread); images none
  // of whose packages are kept are returned with none.
  virtual Result<std::vector<StoredInventory>> select_packages(
      std::string& cursor, size_t limit,
      const std::function<bool(const StoredInventory& image, const IndexedPackage& package)>& keep) = 0;
  // Records that `images` whose last match used generation `from` were matched against `to` at
  // `now` with the same findings (nothing they contain changed between the two); images gone or
  // recorded meanwhile at another generation are left alone. Returns how many moved.
  virtual Result<uint64_t> advance_generation(const std::vector<MatchedImage>& images, int64_t from,
                                              int64_t to, int64_t now) = 0;
  // One image's stored inventory, if it was indexed.
  virtual Result<std::optional<StoredInventory>> get_inventory(std::string_view repository,
                                                               std::string_view digest) = 0;
  // Records the matches of a batch of images in one transaction: opens, keeps and resolves
  // findings at time `now`. Images that are gone are skipped. When `changed_job` is not empty, a
  // job of that kind (JobStore) is queued for every changed image in the same transaction (the
  // report referrer is rewritten in the background, after the findings are current).
  virtual Result<MatchDiff> record_matches(const std::vector<ImageMatch>& batch, int64_t now,
                                           std::string_view changed_job = {}) = 0;
  virtual Result<void> set_report_digest(std::string_view repository, std::string_view digest,
                                         std::string_view report_digest) = 0;
  virtual Result<std::optional<ImageScanRecord>> get_image_scan(std::string_view repository,
                                                                std::string_view digest) = 0;
  // An image's findings, open ones first (worst severity first), then resolved ones if asked.
  virtual Result<std::vector<StoredFinding>> list_findings(std::string_view repository,
                                                           std::string_view digest,
                                                           bool include_resolved) = 0;
  // Open findings past their deadline at `now`, oldest deadline first.
  virtual Result<std::vector<StoredFinding>> overdue_findings(int64_t now, size_t limit) = 0;
  // Per repository and severity: open, overdue at `now`, resolved, and the time resolved ones
  // took (for mean time to remediate), ordered by repository then severity (worst first).
  virtual Result<std::vector<SeveritySummary>> findings_summary(int64_t now) = 0;
};

}  // namespace bulwark::metadata
