// InventoryStore: the package index of stored images — which image contains which package —
// answering "which images contain package P" from an index, not by reading SBOMs.
//
// Rows belong to a manifest and disappear with it.
//
// Thread-safety: all methods are thread-safe; they block (disk I/O): call them from worker
// threads, never from an I/O thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bulwark::metadata {

struct IndexedPackage {
  std::string type;        // purl type
  std::string namespace_;  // purl namespace, may be empty
  std::string name;
  std::string version;
  std::string purl;
  std::string source_name = {};     // OS packages: the source package, if it has another name
  std::string source_version = {};  // OS packages: the source version, if it differs
};

struct PackageHit {
  std::string repository;
  std::string digest;  // the image manifest
  IndexedPackage package;
};

class InventoryStore {
 public:
  virtual ~InventoryStore() = default;
  // Replaces the indexed packages of one manifest (which must exist: kNotFound otherwise) and
  // records the distribution release its OS packages are matched under ("debian:12"; may be
  // empty), which makes it an image the vulnerability re-matcher visits (FindingStore).
  virtual Result<void> put_image_packages(std::string_view repository, std::string_view digest,
                                          std::string_view distro,
                                          const std::vector<IndexedPackage>& packages) = 0;
  // Every indexed package named `name` (exact, case-sensitive), optionally of one purl type,
  // ordered by repository, digest, version. At most `limit` rows.
  virtual Result<std::vector<PackageHit>> find_package(std::string_view name,
                                                       std::optional<std::string_view> type,
                                                       size_t limit) = 0;
};

}  // namespace bulwark::metadata
