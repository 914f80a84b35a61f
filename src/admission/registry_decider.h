// RegistryDecider: the server's ImageDecider. An image of this registry (its reference names one
// of the configured registry hosts) is resolved to a digest (tags through the metadata store; a
// digest reference must exist) and allowed unless it is quarantined (policy/enforcement.h: its
// stored policy decision blocks, none was made yet, or an operator quarantined it), with the
// decision's reasons. Images of other registries are denied or allowed (with a warning) as
// `foreign_images` says; they are not evaluated. References that do not parse, repositories
// and tags this registry does not hold are denied. Store failures are errors.
//
// Verdicts are reused for `cache_millis` per image reference (warm admission answers without a
// database read: kube-apiserver sends the same images again and again), and only while the
// EnforcementStore's generation stays the one they were decided under: a quarantine or decision
// written by this process applies at once, a moved tag (or a change by another process) within
// that time — as in the registry's pull gate.
// Failures are never cached.
//
// Thread-safety: decide() and decide_all() are thread-safe (the stores are; the cache has its
// own mutex); they block.
// set_registry_hosts() is not synchronised: call it before the first decision.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "admission/decider.h"
#include "metadata/enforcement_store.h"
#include "metadata/metadata_store.h"

namespace bulwark::admission {

struct RegistryDeciderOptions {
  // The host[:port] names under which clusters pull from this registry ("registry.example:5000").
  // Compared case-insensitively with the reference's host.
  std::vector<std::string> registry_hosts;
  bool allow_foreign_images = false;  // admission.foreign_images: allow
  int64_t cache_millis = 1000;        // 0: every decision reads the stores
  std::function<int64_t()> now_millis;  // default: the steady clock
};

class RegistryDecider final : public ImageDecider {
 public:
  RegistryDecider(RegistryDeciderOptions options, metadata::MetadataStore& metadata,
                  metadata::EnforcementStore& enforcement);

  Result<ImageVerdict> decide(const ImageRequest& request) override;
  // Resolves each distinct image string once and evaluates each (repository, digest) once.
  std::vector<Result<ImageVerdict>> decide_all(const std::vector<ImageRequest>& requests) override;

  // Replaces the registry host names (the server learns its port only once it listens).
  void set_registry_hosts(std::vector<std::string> hosts);

 private:
  // The reference resolved: `final` when the verdict is already decided (foreign, invalid, not
  // found), else repository and digest are set and the enforcement status decides.
  struct Resolved {
    ImageVerdict verdict;
    bool final = false;
  };
  Result<Resolved> resolve(const ImageRequest& request);
  // resolve() and evaluate() for one image string, through the cache.
  Result<ImageVerdict> decide_uncached(const ImageRequest& request);
  std::optional<ImageVerdict> cached(const std::string& image, int64_t now);
  void remember(const ImageVerdict& verdict, int64_t now, uint64_t generation);
  // Fills allowed and reasons of `verdict` (repository and digest set) from the stored status.
  Result<void> evaluate(ImageVerdict& verdict);
  bool ours(std::string_view host) const;

  RegistryDeciderOptions options_;
  metadata::MetadataStore& metadata_;
  metadata::EnforcementStore& enforcement_;

  struct CacheEntry {
    ImageVerdict verdict;
    int64_t expires = 0;
    uint64_t generation = 0;  // the EnforcementStore's, read before deciding
  };
  static constexpr size_t kMaxCacheEntries = 65536;  // cleared when full
  std::mutex cache_mu_;
  std::unordered_map<std::string, CacheEntry> cache_;  // by image string; guarded by cache_mu_
};

// The default registry host names for a server listening on `listen` ("HOST:PORT", with the
// bound `port` when the configured one is 0): "HOST:PORT" and "localhost:PORT".
std::vector<std::string> default_registry_hosts(const std::string& listen, int port);

}  // namespace bulwark::admission
