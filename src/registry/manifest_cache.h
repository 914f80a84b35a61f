// In-memory cache of manifests on the pull hot path: (repository, tag) -> digest and
// (repository, digest) -> manifest bytes and media type, so that repeated pulls of hot tags are
// answered on the I/O thread without touching the database.
//
// Consistency: writers invalidate after their database change commits; readers that filled from
// the database pass the generation they observed before reading, and the fill is dropped if any
// invalidation happened meanwhile, so a stale read can never be cached after an update.
// Bounded by total bytes (cleared when full). Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/digest.h"

namespace bulwark::registry {

struct CachedManifest {
  Digest digest;
  std::string media_type;
  std::string content;
  std::string digest_str;  // digest.str(), precomputed for headers
};

class ManifestCache {
 public:
  explicit ManifestCache(size_t max_bytes = size_t{32} << 20) : max_bytes_(max_bytes) {}

  uint64_t generation() const;
  std::optional<Digest> tag(std::string_view repository, std::string_view tag) const;
  std::shared_ptr<const CachedManifest> manifest(std::string_view repository,
                                                 const Digest& digest) const;
  // Fills are ignored when `generation` is no longer current.
  void put_tag(uint64_t generation, std::string_view repository, std::string_view tag,
               const Digest& digest);
  void put_manifest(uint64_t generation, std::string_view repository,
                    std::shared_ptr<const CachedManifest> manifest);
  // Drops everything cached for `repository` (called after every mutation in it).
  void invalidate(std::string_view repository);

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <class V>
  using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;
  struct RepositoryEntries {
    StringMap<Digest> tags;
    StringMap<std::shared_ptr<const CachedManifest>> manifests;  // by digest string
    size_t bytes = 0;  // estimated cost of this repository's entries
  };
  void make_room(size_t bytes);  // REQUIRES: mu_ held

  mutable std::mutex mu_;
  uint64_t generation_ = 0;
  size_t max_bytes_;
  size_t bytes_ = 0;
  StringMap<RepositoryEntries> repositories_;
};

}  // namespace bulwark::registry
