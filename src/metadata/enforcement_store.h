// EnforcementStore: what the policy decided about each stored image (policy/evaluate.h), and
// the quarantines an operator ordered by hand. An image is quarantined while its decision blocks
// it (or is pending under a blocking pending-scan rule) or a manual quarantine holds it; only its
// pusher, scanners and admins may then pull it. Rows belong to a manifest and disappear with it.
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
#include "metadata/provenance_store.h"

namespace bulwark::metadata {

struct ImagePolicyRecord {
  std::string repository;
  std::string digest;
  std::string outcome;        // policy::outcome_name: "allow", "flag", "block"
  bool pending = false;       // decided before the scan or verification finished
  std::string decision_json;  // policy::decision_to_json
  std::string policy;         // which document decided: "project:app@3", "defaults"
  int64_t evaluated_at = 0;
};

struct ManualQuarantine {
  std::string repository;
  std::string digest;
  std::string reason;
  std::string actor;
  int64_t created_at = 0;
};

class EnforcementStore {
 public:
  virtual ~EnforcementStore() = default;
  // A number that changes after every decision or manual quarantine this store object wrote.
  // Cheap and non-blocking (callable from I/O threads): caches of gate answers compare it, so a
  // quarantine ordered through this process applies to the next request. Changes made by other
  // processes are not seen here; those caches also bound entry age.
  virtual uint64_t enforcement_generation() const = 0;

  // Who pushed the manifest first (ManifestPut::pusher; "" when unknown or the manifest is gone).
  virtual Result<std::string> manifest_pusher(std::string_view repository,
                                              std::string_view digest) = 0;

  // Stores (replaces) an image's decision. False when the manifest is gone (nothing stored).
  virtual Result<bool> put_image_policy(const ImagePolicyRecord& record) = 0;
  virtual Result<std::optional<ImagePolicyRecord>> get_image_policy(std::string_view repository,
                                                                    std::string_view digest) = 0;

  // Stored images (ProvenanceStore's definition) of the repositories named `prefix` or under
  // `prefix` + "/" (empty: all), in a stable order, `limit` at a time after `cursor` (empty to
  // start); the cursor comes back empty at the end.
  virtual Result<std::vector<ImageRef>> list_images(std::string_view prefix, std::string& cursor,
                                                    size_t limit) = 0;

  // Incident response: the stored images (as list_images) with manifest `digest` in any
  // repository, and those with an open finding of `vulnerability` (its id or one of its
  // aliases); ordered by repository, digest.
  virtual Result<std::vector<ImageRef>> images_with_digest(std::string_view digest) = 0;
  virtual Result<std::vector<ImageRef>> images_with_finding(std::string_view vulnerability) = 0;
  // The digests of the indexes in `repository` that list manifest `digest` (a multi-platform
  // image's platforms are signed through their index), ordered.
  virtual Result<std::vector<std::string>> parent_indexes(std::string_view repository,
                                                          std::string_view digest) = 0;

  // Manual quarantines: add (replacing one already there; false when the manifest is gone),
  // release (false when there was none), look up, list (repository empty: all).
  virtual Result<bool> add_manual_quarantine(const ManualQuarantine& quarantine) = 0;
  virtual Result<bool> release_manual_quarantine(std::string_view repository,
                                                 std::string_view digest) = 0;
  virtual Result<std::optional<ManualQuarantine>> get_manual_quarantine(
      std::string_view repository, std::string_view digest) = 0;
  virtual Result<std::vector<ManualQuarantine>> list_manual_quarantines(
      std::string_view repository) = 0;
};

}  // namespace bulwark::metadata
