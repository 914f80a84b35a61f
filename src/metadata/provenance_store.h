// ProvenanceStore: each stored image's signature status as the provenance job last verified it
// (jobs/provenance_job.h), and under which trust configuration (its fingerprint), so a changed
// configuration is noticed across restarts and the images it affects verified again.
//
// An image is an image manifest (whose config is an image config) or an index, without a subject
// and not stored under one of cosign's signature tags (sha256-<hex>.sig/.att/.sbom). Rows belong
// to a manifest and disappear with it.
//
// Thread-safety: all methods are thread-safe; they block (disk I/O): call them from worker
// threads, never from an I/O thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bulwark::metadata {

struct ProvenanceRecord {
  std::string repository;
  std::string digest;
  std::string trust_fingerprint;  // of the configuration it was verified under
  bool verified = false;          // at least one signature verified
  std::string reason;             // trust::reason_name: "verified", or why not
  std::string detail_json;        // the verification (trust::verification_to_json) as JSON text
  int64_t verified_at = 0;        // unix seconds
};

struct ImageRef {
  std::string repository;
  std::string digest;
};

class ProvenanceStore {
 public:
  virtual ~ProvenanceStore() = default;
  // Stores (replaces) an image's status. False when the manifest is gone (nothing stored).
  virtual Result<bool> put_provenance(const ProvenanceRecord& record) = 0;
  virtual Result<std::optional<ProvenanceRecord>> get_provenance(std::string_view repository,
                                                                 std::string_view digest) = 0;
  // Images without a status under `fingerprint` (none stored, or one under another
  // configuration), in a stable order, `limit` at a time after `cursor` (empty to start); the
  // cursor comes back empty at the end.
  virtual Result<std::vector<ImageRef>> list_images_to_verify(std::string_view fingerprint,
                                                              std::string& cursor,
                                                              size_t limit) = 0;
};

}  // namespace bulwark::metadata
