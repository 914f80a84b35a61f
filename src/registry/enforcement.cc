// The pull gate: images are served only while their policy lets them through (policy/
// enforcement.h), except to their pusher and to callers who may scan them. Answers are cached
// briefly per image so that a warm pull costs no store read.
#include <chrono>

#include "common/clock.h"
#include "policy/enforcement.h"
#include "registry/context.h"
#include "registry/gate.h"
#include "registry/respond.h"

namespace bulwark::registry {
namespace {

constexpr std::chrono::milliseconds kPendingPoll{250};

// Manifests that are not images (signatures, SBOMs, artifacts): never gated.
GateCache::Entry ungated(uint64_t generation) {
  GateCache::Entry entry;
  entry.gated = false;
  entry.generation = generation;
  return entry;
}

// The image's gate entry from the stores, evaluating it first when it has no decision yet or its
// decision relied on an exception that has expired. Blocking: worker threads only.
Result<GateCache::Entry> read_entry(Context& ctx, const std::string& name,
                                    const std::string& digest) {
  metadata::EnforcementStore& store = *ctx.options.enforcement;
  // Read first: a write racing with this read moves it again, so the entry is never trusted
  // past a change it may have missed.
  const uint64_t generation = store.enforcement_generation();
  BULWARK_ASSIGN_OR_RETURN(auto manual, store.get_manual_quarantine(name, digest));
  BULWARK_ASSIGN_OR_RETURN(auto decision, store.get_image_policy(name, digest));
  const int64_t now = unix_seconds();
  const bool expired = decision && [&] {
    auto until = policy::image_status(decision, std::nullopt).valid_until;
    return until && now >= *until;
  }();
  if ((!decision || expired) && ctx.options.evaluate_policy) {
    BULWARK_ASSIGN_OR_RETURN(auto fresh, ctx.options.evaluate_policy(name, digest));
    if (!fresh && !manual) return ungated(generation);  // not an image
    if (fresh) decision = std::move(fresh);
  }
  if (!decision && !manual) return ungated(generation);
  const policy::ImageStatus status = policy::image_status(decision, manual);
  GateCache::Entry entry;
  entry.generation = generation;
  if (status.quarantined) entry.refusal = policy::status_message(status);
  if (status.pending && status.quarantined) entry.wait_seconds = status.wait_seconds;
  entry.expires_ms = unix_millis() + ctx.options.gate_cache_millis;
  return entry;
}

http::Task<Result<GateCache::Entry>> entry_for(Context& ctx, const std::string& key,
                                               const std::string& name, const std::string& digest,
                                               bool use_cache) {
  if (use_cache) {
    if (auto hit = ctx.gate_cache.get(key, unix_millis(),
                                      ctx.options.enforcement->enforcement_generation())) {
      co_return std::move(*hit);
    }
  }
  auto entry = co_await blocking([&] { return read_entry(ctx, name, digest); });
  if (entry) ctx.gate_cache.put(key, *entry);
  co_return entry;
}

}  // namespace

std::optional<GateCache::Entry> GateCache::get(const std::string& key, int64_t now_ms,
                                               uint64_t generation) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.generation != generation ||
      (it->second.gated && it->second.expires_ms <= now_ms)) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void GateCache::put(const std::string& key, Entry entry) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxEntries) entries_.clear();  // crude but bounded; refills on demand
  entries_.insert_or_assign(key, std::move(entry));
}

void GateCache::erase(const std::string& key) {
  std::lock_guard lock(mu_);
  entries_.erase(key);
}

http::Task<std::optional<http::Response>> enforce_pull(Context& ctx, const http::Request& request,
                                                       const std::string& name,
                                                       const std::string& digest) {
  if (ctx.options.enforcement == nullptr) co_return std::nullopt;
  const std::string key = name + "@" + digest;
  auto entry = co_await entry_for(ctx, key, name, digest, /*use_cache=*/true);
  // `pending: {wait: N}`: give the scan and verification up to N seconds to finish.
  if (entry && entry->refusal && entry->wait_seconds && *entry->wait_seconds > 0) {
    const int64_t deadline = unix_millis() + *entry->wait_seconds * 1000;
    while (entry && entry->refusal && entry->wait_seconds && unix_millis() < deadline) {
      co_await http::sleep_for(kPendingPoll);
      entry = co_await entry_for(ctx, key, name, digest, /*use_cache=*/false);
    }
  }
  if (!entry) {
    co_return error_response(entry.error(), oci::ErrorCode::kUnavailable,
                             oci::ErrorCode::kUnavailable);
  }
  if (!entry->gated || !entry->refusal) co_return std::nullopt;
  // Quarantined: its pusher and those who may scan it still get it (to fix or inspect it).
  auto pusher = co_await blocking([&] { return ctx.options.enforcement->manifest_pusher(name, digest); });
  std::string_view why;
  if (pusher && !request.user.empty() && *pusher == request.user) {
    why = "quarantined image pulled by its pusher";
  } else if (co_await principal_may(ctx, request, name, auth::Action::kScan)) {
    why = "quarantined image pulled by a caller who may scan it";
  }
  if (!why.empty()) {
    audit(ctx, request, "manifest.pull", {name, digest, ""}, audit::Outcome::kAllowed,
          std::string(why) + " (" + *entry->refusal + ")", /*durable=*/false);
    co_return std::nullopt;
  }
  audit(ctx, request, "manifest.pull", {name, digest, ""}, audit::Outcome::kDenied, *entry->refusal,
        /*durable=*/false);
  co_return oci_error(oci::ErrorCode::kDenied, *entry->refusal);
}

}  // namespace bulwark::registry
