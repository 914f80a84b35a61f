// State shared by the registry's resource handlers (internal to src/registry).
//
// Thread-safety: the stores are thread-safe; ManifestCache and UploadLocks synchronise themselves.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <optional>
#include <unordered_map>

#include "audit/coalescer.h"
#include "http/http.h"
#include "metadata/metadata_store.h"
#include "registry/manifest_cache.h"
#include "registry/registry.h"
#include "storage/blob_store.h"
#include "vulndb/version/range.h"

namespace bulwark::registry {

// Marks upload sessions busy so that two requests never append to one session at once.
class UploadLocks {
 public:
  // True if the caller now holds `id`; false if another request holds it.
  bool try_lock(const std::string& id);
  void unlock(const std::string& id);

 private:
  std::mutex mu_;
  std::set<std::string, std::less<>> busy_;
};

// The pull gate's recent answers per repository@digest: an image's status for
// RegistryOptions::gate_cache_millis, and "not an image" (content-addressed) until evicted; any
// answer only while the EnforcementStore's generation is the one it was read under (a decision or
// quarantine written by this process applies to the next pull). Bounded; thread-safe.
class GateCache {
 public:
  struct Entry {
    bool gated = true;                  // false: not an image, never gated
    std::optional<std::string> refusal;  // the reason pulls are refused (quarantined)
    std::optional<int64_t> wait_seconds;  // pending under `pending: {wait: N}`
    int64_t expires_ms = 0;             // for gated entries
    uint64_t generation = 0;            // EnforcementStore::enforcement_generation() read before
  };
  std::optional<Entry> get(const std::string& key, int64_t now_ms, uint64_t generation);
  void put(const std::string& key, Entry entry);
  void erase(const std::string& key);

 private:
  static constexpr size_t kMaxEntries = 65536;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
};

struct Context {
  RegistryOptions options;
  storage::BlobStore& blobs;
  metadata::MetadataStore& metadata;
  auth::AccessService& access;
  audit::AuditWriter* audit;  // nullptr: events are not recorded
  // Folds repeated identical queued events (pulls, token issues) before they reach `audit`;
  // set when `audit` is.
  std::unique_ptr<audit::EventCoalescer> coalescer;
  ManifestCache manifests_cache;
  UploadLocks upload_locks;
  GateCache gate_cache;
};

// The pull gate (enforcement.cc): nullopt when `request`'s caller may pull `digest` of `name`,
// else the OCI DENIED response saying why. Waits (without holding a thread) while the image's
// decision is pending under a `pending: {wait: N}` rule.
http::Task<std::optional<http::Response>> enforce_pull(Context& ctx, const http::Request& request,
                                                       const std::string& name,
                                                       const std::string& digest);

// Registration functions, one per resource file.
void register_base(http::Router& router, Context& ctx);
void register_blobs(http::Router& router, Context& ctx);
void register_uploads(http::Router& router, Context& ctx);
void register_manifests(http::Router& router, Context& ctx);
void register_tags(http::Router& router, Context& ctx);
void register_catalog(http::Router& router, Context& ctx);
void register_referrers(http::Router& router, Context& ctx);
void register_token(http::Router& router, Context& ctx);
void register_oidc_login(http::Router& router, Context& ctx);
void register_inventory(http::Router& router, Context& ctx);
void register_vulnerabilities(http::Router& router, Context& ctx);
void register_provenance(http::Router& router, Context& ctx);
void register_policy_status(http::Router& router, Context& ctx);
void register_quarantine(http::Router& router, Context& ctx);
void register_promotion(http::Router& router, Context& ctx);

// The package index's images holding package `name` (optionally of one purl type) at a version
// in `range` (inventory.cc; ordered by repository, digest, version). Blocking.
Result<std::vector<metadata::PackageHit>> packages_in_range(
    Context& ctx, std::string_view name, const std::optional<std::string>& type,
    const std::optional<vulndb::VersionRange>& range, size_t limit);

}  // namespace bulwark::registry
