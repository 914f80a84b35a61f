#include "registry/registry.h"

#include "common/log.h"
#include "registry/context.h"

namespace bulwark::registry {

Registry::Registry(RegistryOptions options, storage::BlobStore& blobs,
                   metadata::MetadataStore& metadata, auth::AccessService& access,
                   audit::AuditWriter* audit)
    : context_(new Context{std::move(options), blobs, metadata, access, audit, nullptr,
                           ManifestCache(), UploadLocks(), GateCache()}) {
  if (audit != nullptr) {
    context_->coalescer = std::make_unique<audit::EventCoalescer>(
        [audit](audit::Event e) { audit->submit(std::move(e)); });
  }
}

void Registry::flush_audit(bool everything) {
  if (!context_->coalescer) return;
  if (everything) {
    context_->coalescer->flush();
  } else {
    context_->coalescer->flush_expired();
  }
}

Registry::~Registry() = default;

void Registry::register_routes(http::Router& router) {
  using Registration = void (*)(http::Router&, Context&);
  static constexpr Registration kResources[] = {
      register_base, register_catalog,   register_blobs, register_uploads,    register_manifests,
      register_tags, register_referrers, register_token, register_oidc_login, register_inventory,
      register_vulnerabilities, register_provenance, register_policy_status, register_quarantine,
      register_promotion,
  };
  for (auto reg : kResources) reg(router, *context_);
}

Result<size_t> Registry::expire_uploads(int64_t now_unix_seconds, int64_t expiry_seconds) {
  Context& ctx = *context_;
  BULWARK_ASSIGN_OR_RETURN(auto idle,
                           ctx.metadata.list_uploads_idle_since(now_unix_seconds - expiry_seconds));
  size_t removed = 0;
  for (const auto& session : idle) {
    if (!ctx.upload_locks.try_lock(session.id)) continue;  // in use right now
    auto r = ctx.metadata.delete_upload(session.id).and_then([&] {
      return ctx.blobs.delete_upload(session.id);
    });
    ctx.upload_locks.unlock(session.id);
    if (!r) return fail(std::move(r.error()));
    ++removed;
  }
  // Staged bytes whose session row never committed (crash between the two writes).
  BULWARK_ASSIGN_OR_RETURN(auto staged, ctx.blobs.list_uploads());
  for (const auto& id : staged) {
    BULWARK_ASSIGN_OR_RETURN(auto session, ctx.metadata.get_upload(id));
    if (session || !ctx.upload_locks.try_lock(id)) continue;
    auto r = ctx.blobs.delete_upload(id);
    ctx.upload_locks.unlock(id);
    if (!r) return fail(std::move(r.error()));
    ++removed;
  }
  if (removed > 0)
    log_event(LogLevel::kInfo, "expired upload sessions", {{"count", uint64_t{removed}}});
  return removed;
}

}  // namespace bulwark::registry
