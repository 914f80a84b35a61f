#include "registry/manifest_cache.h"

namespace bulwark::registry {

uint64_t ManifestCache::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

std::optional<Digest> ManifestCache::tag(std::string_view repository, std::string_view tag) const {
  std::lock_guard lock(mu_);
  auto repo = repositories_.find(repository);
  if (repo == repositories_.end()) return std::nullopt;
  auto it = repo->second.tags.find(tag);
  if (it == repo->second.tags.end()) return std::nullopt;
  return it->second;
}

std::shared_ptr<const CachedManifest> ManifestCache::manifest(std::string_view repository,
                                                              const Digest& digest) const {
  std::string key = digest.str();
  std::lock_guard lock(mu_);
  auto repo = repositories_.find(repository);
  if (repo == repositories_.end()) return nullptr;
  auto it = repo->second.manifests.find(key);
  return it == repo->second.manifests.end() ? nullptr : it->second;
}

void ManifestCache::put_tag(uint64_t generation, std::string_view repository,
                            std::string_view tag, const Digest& digest) {
  size_t cost = repository.size() + tag.size() + digest.hex().size() + 64;
  std::lock_guard lock(mu_);
  if (generation != generation_) return;
  make_room(cost);
  auto& entries = repositories_[std::string(repository)];
  entries.tags.insert_or_assign(std::string(tag), digest);
  entries.bytes += cost;
  bytes_ += cost;
}

void ManifestCache::put_manifest(uint64_t generation, std::string_view repository,
                                 std::shared_ptr<const CachedManifest> manifest) {
  size_t cost = repository.size() + manifest->content.size() + manifest->media_type.size() + 256;
  if (cost > max_bytes_ / 4) return;  // one huge manifest must not evict everything
  std::string key = manifest->digest.str();
  std::lock_guard lock(mu_);
  if (generation != generation_) return;
  make_room(cost);
  auto& entries = repositories_[std::string(repository)];
  entries.manifests.insert_or_assign(std::move(key), std::move(manifest));
  entries.bytes += cost;
  bytes_ += cost;
}

void ManifestCache::invalidate(std::string_view repository) {
  std::lock_guard lock(mu_);
  ++generation_;
  auto it = repositories_.find(repository);
  if (it != repositories_.end()) {
    bytes_ -= it->second.bytes;
    repositories_.erase(it);
  }
}

void ManifestCache::make_room(size_t bytes) {
  // Costs are estimates; the cache is a hot-set accelerator, so clearing on overflow is enough.
  if (bytes_ + bytes <= max_bytes_) return;
  repositories_.clear();
  bytes_ = 0;
}

}  // namespace bulwark::registry
