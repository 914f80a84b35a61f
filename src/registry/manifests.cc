// GET/HEAD/PUT/DELETE /v2/<name>/manifests/<reference> — manifests by tag or digest.
//
// The bytes as pushed are the truth: they are hashed and stored verbatim and parsed only to
// validate them and to index what they reference. Pulls of hot tags are answered from the
// ManifestCache without leaving the I/O thread.
#include <boost/algorithm/string/predicate.hpp>

#include "oci/manifest.h"
#include "oci/media_types.h"
#include "oci/reference.h"
#include "registry/context.h"
#include "registry/gate.h"
#include "registry/respond.h"

namespace bulwark::registry {
namespace {

// The OCI empty descriptor's content ("{}"), which artifact clients reference as a config.
constexpr std::string_view kEmptyJson = "{}";

bool is_non_distributable(std::string_view media_type) {
  return media_type.find("nondistributable") != std::string_view::npos ||
         media_type.find("foreign") != std::string_view::npos;
}

// True when the Accept headers (none, or one listing */*, type/*, or the type itself with q>0)
// admit `media_type`.
bool accepts(const http::Headers& headers, std::string_view media_type) {
  if (!headers.get("Accept")) return true;
  std::string_view type_prefix = media_type.substr(0, media_type.find('/'));
  for (const auto& [key, value] : headers.all()) {
    if (!boost::iequals(key, "Accept")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      auto semi = item.find(';');
      std::string_view range = item.substr(0, semi);
      std::string_view params = semi == std::string_view::npos ? "" : item.substr(semi);
      while (!range.empty() && range.front() == ' ') range.remove_prefix(1);
      while (!range.empty() && range.back() == ' ') range.remove_suffix(1);
      bool q_zero = params.find("q=0") != std::string_view::npos &&
                    params.find("q=0.") == std::string_view::npos;
      if (q_zero) continue;
      if (range == "*/*" || boost::iequals(range, media_type)) return true;
      if (range.size() == type_prefix.size() + 2 && range.ends_with("/*") &&
          boost::iequals(range.substr(0, type_prefix.size()), type_prefix)) {
        return true;
      }
    }
  }
  return false;
}

http::Response manifest_response(const CachedManifest& m) {
  http::Response r;
  r.headers.set("Content-Type", m.media_type);
  r.headers.set("Docker-Content-Digest", m.digest_str);
  r.headers.set("ETag", "\"" + m.digest_str + "\"");
  r.body = m.content;
  return r;
}

// Resolves a reference to the manifest, cache first.
http::Task<Result<std::shared_ptr<const CachedManifest>>> load_manifest(
    Context& ctx, const std::string& name, const oci::Reference& reference) {
  uint64_t generation = ctx.manifests_cache.generation();
  std::optional<Digest> digest;
  const std::string* tag = std::get_if<std::string>(&reference);
  if (tag) {
    digest = ctx.manifests_cache.tag(name, *tag);
  } else {
    digest = std::get<Digest>(reference);
  }
  if (digest) {
    if (auto hit = ctx.manifests_cache.manifest(name, *digest)) co_return hit;
  }
  auto loaded = co_await blocking([&]() -> Result<std::shared_ptr<const CachedManifest>> {
    if (!digest) {
      BULWARK_ASSIGN_OR_RETURN(digest, ctx.metadata.resolve_tag(name, *tag));
      if (!digest) return fail(ErrorCode::kNotFound, "manifest unknown");
      ctx.manifests_cache.put_tag(generation, name, *tag, *digest);
    }
    BULWARK_ASSIGN_OR_RETURN(auto record, ctx.metadata.get_manifest(name, *digest));
    if (!record) return fail(ErrorCode::kNotFound, "manifest unknown");
    auto m = std::make_shared<CachedManifest>();
    m->digest = record->digest;
    m->digest_str = record->digest.str();
    m->media_type = std::move(record->media_type);
    m->content = std::move(record->content);
    ctx.manifests_cache.put_manifest(generation, name, m);
    return std::shared_ptr<const CachedManifest>(std::move(m));
  });
  co_return loaded;
}

struct ManifestTarget {
  std::string name;
  oci::Reference reference;
};

// The validated {name} and {reference} route parameters.
Parsed<ManifestTarget> manifest_target(const http::Request& req) {
  auto name = repository_param(req);
  if (!name) return tl::unexpected(std::move(name.error()));
  std::string_view text = req.param("reference");
  auto reference = oci::parse_reference(text);
  if (!reference) {
    bool is_digest = text.find(':') != std::string_view::npos;
    return tl::unexpected(oci_error(
        is_digest ? oci::ErrorCode::kDigestInvalid : oci::ErrorCode::kManifestInvalid,
        reference.error().message));
  }
  return ManifestTarget{std::move(*name), std::move(*reference)};
}

http::Task<http::Response> get_manifest(Context& ctx, http::Request& req) {
  auto target = manifest_target(req);
  if (!target) co_return std::move(target.error());
  const std::string& name = target->name;
  const oci::Reference& reference = target->reference;
  auto m = co_await load_manifest(ctx, name, reference);
  if (!m) {
    co_return error_response(m.error(), oci::ErrorCode::kManifestUnknown,
                             oci::ErrorCode::kManifestInvalid);
  }
  if (!accepts(req.headers, (*m)->media_type)) {
    co_return oci_error(oci::ErrorCode::kManifestUnknown,
                        "manifest is stored as " + (*m)->media_type +
                            ", which the Accept header does not allow");
  }
  if (req.method == "GET") {  // HEAD is a client's existence check, not a pull
    if (auto refused = co_await enforce_pull(ctx, req, name, (*m)->digest_str)) {
      co_return std::move(*refused);
    }
    const std::string* tag = std::get_if<std::string>(&reference);
    audit(ctx, req, "manifest.pull", {name, (*m)->digest_str, tag ? *tag : ""},
          audit::Outcome::kAllowed, "", /*durable=*/false);
  }
  co_return manifest_response(**m);
}

// The blobs a manifest references that must exist in the repository.
std::vector<Digest> required_blobs(const oci::ParsedManifest& parsed) {
  std::vector<Digest> out;
  if (parsed.config) out.push_back(parsed.config->digest);
  for (const auto& layer : parsed.layers) {
    if (!is_non_distributable(layer.media_type)) out.push_back(layer.digest);
  }
  return out;
}

http::Task<http::Response> put_manifest(Context& ctx, http::Request& req) {
  auto target = manifest_target(req);
  if (!target) co_return std::move(target.error());
  const std::string& name = target->name;
  const oci::Reference& reference = target->reference;
  auto body = co_await read_body(req, ctx.options.manifest_max_bytes);
  if (!body) {
    if (body.error().code == ErrorCode::kTooLarge) {
      co_return oci_error(oci::ErrorCode::kManifestTooLarge,
                          "manifest exceeds " + std::to_string(ctx.options.manifest_max_bytes) +
                              " bytes");
    }
    co_return error_response(body.error(), oci::ErrorCode::kManifestInvalid,
                             oci::ErrorCode::kManifestInvalid);
  }
  std::string content_type(req.headers.get("Content-Type").value_or(""));
  if (auto semi = content_type.find(';'); semi != std::string::npos) content_type.resize(semi);
  auto parsed = oci::parse_manifest(*body, content_type);
  if (!parsed) co_return oci_error(oci::ErrorCode::kManifestInvalid, parsed.error().message);

  metadata::ManifestPut put;
  put.repository = name;
  if (const Digest* want = std::get_if<Digest>(&reference)) {
    put.digest = Digest::of(*body, want->algorithm());
    if (put.digest != *want) {
      co_return oci_error(oci::ErrorCode::kDigestInvalid,
                          "manifest content hashes to " + put.digest.str() + ", not " + want->str());
    }
  } else {
    put.digest = Digest::of(*body);
    put.tag = std::get<std::string>(reference);
  }
  put.media_type = parsed->media_type;
  put.artifact_type = parsed->artifact_type;
  if (parsed->subject) put.subject = parsed->subject->digest;
  put.annotations_json = parsed->annotations_json;
  put.blobs = required_blobs(*parsed);
  for (const auto& child : parsed->manifests) put.manifests.push_back(child.digest);
  put.content = std::move(*body);
  put.pusher = req.user;
  // The image whose signatures this manifest adds to, if it is a signature.
  std::optional<Digest> signed_image = put.subject;
  if (!signed_image && put.tag && ctx.options.signature_tag_subject) {
    signed_image = ctx.options.signature_tag_subject(*put.tag);
  }
  if (parsed->kind == oci::ManifestKind::kImageManifest && !signed_image &&
      oci::media::is_image_config(parsed->config ? parsed->config->media_type : "")) {
    put.jobs = ctx.options.image_push_jobs;
  }
  if (parsed->kind == oci::ManifestKind::kIndex && !signed_image && put.artifact_type.empty()) {
    put.jobs = ctx.options.index_push_jobs;
  }
  if (signed_image) {
    for (const std::string& kind : ctx.options.signature_push_jobs) {
      put.related_jobs.emplace_back(kind, *signed_image);
    }
  }

  const Digest empty_digest = Digest::of(kEmptyJson);
  bool uses_empty_config = parsed->config && parsed->config->digest == empty_digest;
  auto stored = co_await blocking([&]() -> Result<void> {
    if (uses_empty_config) {
      // Artifacts reference the well-known empty JSON blob; supply it rather than reject.
      BULWARK_TRY_VOID(ctx.blobs.put(empty_digest, kEmptyJson));
      BULWARK_TRY_VOID(ctx.metadata.link_blob(put.repository, empty_digest, kEmptyJson.size()));
    }
    BULWARK_TRY_VOID(ctx.metadata.put_manifest(put));
    audit(ctx, req, "manifest.push", {name, put.digest.str(), put.tag.value_or("")},
          audit::Outcome::kAllowed, "", /*durable=*/true);
    return ok();
  });
  ctx.manifests_cache.invalidate(name);
  if (!stored) {
    co_return error_response(stored.error(), oci::ErrorCode::kManifestUnknown,
                             oci::ErrorCode::kManifestInvalid);
  }
  if ((!put.jobs.empty() || !put.related_jobs.empty()) && ctx.options.jobs_queued) {
    ctx.options.jobs_queued();
  }
  http::Response r = empty_response(201);
  r.headers.set("Location", "/v2/" + name + "/manifests/" + put.digest.str());
  r.headers.set("Docker-Content-Digest", put.digest.str());
  if (put.subject) r.headers.set("OCI-Subject", put.subject->str());
  co_return r;
}

http::Task<http::Response> delete_manifest(Context& ctx, http::Request& req) {
  auto target = manifest_target(req);
  if (!target) co_return std::move(target.error());
  const std::string& name = target->name;
  const oci::Reference& reference = target->reference;
  auto deleted = co_await blocking([&]() -> Result<bool> {
    bool existed = false;
    if (const auto* tag = std::get_if<std::string>(&reference)) {
      BULWARK_ASSIGN_OR_RETURN(existed, ctx.metadata.delete_tag(name, *tag));
      if (existed) {
        audit(ctx, req, "tag.delete", {name, "", *tag}, audit::Outcome::kAllowed, "", true);
      }
    } else {
      const Digest& digest = std::get<Digest>(reference);
      BULWARK_ASSIGN_OR_RETURN(auto result, ctx.metadata.delete_manifest(name, digest));
      existed = result.existed;
      if (existed) {
        audit(ctx, req, "manifest.delete", {name, digest.str(), ""}, audit::Outcome::kAllowed,
              "", true);
      }
    }
    return existed;
  });
  ctx.manifests_cache.invalidate(name);
  if (!deleted) {
    co_return error_response(deleted.error(), oci::ErrorCode::kManifestUnknown,
                             oci::ErrorCode::kManifestInvalid);
  }
  if (!*deleted) co_return oci_error(oci::ErrorCode::kManifestUnknown);
  co_return empty_response(202);
}

}  // namespace

void register_manifests(http::Router& router, Context& ctx) {
  auto bind = [&ctx](auto fn) { return bind_handler(ctx, fn); };
  const std::string pattern = "/v2/{name+}/manifests/{reference}";
  add_guarded(router, ctx, "GET", pattern, needs(auth::Action::kPull), bind(get_manifest));
  add_guarded(router, ctx, "PUT", pattern, needs(auth::Action::kPush), bind(put_manifest));
  add_guarded(router, ctx, "DELETE", pattern, needs(auth::Action::kDelete), bind(delete_manifest));
}

}  // namespace bulwark::registry
