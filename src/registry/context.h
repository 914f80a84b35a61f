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

#include "audit/coalescer.h"
#include "http/http.h"
#include "metadata/metadata_store.h"
#include "registry/manifest_cache.h"
#include "registry/registry.h"
#include "storage/blob_store.h"

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
};

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

}  // namespace bulwark::registry
