// Promotion over HTTP (issue 7):
//
//   POST /api/v1/promotions  {"source": "staging/app:1.0" | "staging/app@sha256:…",
//                             "destination": "prod/app:1.0" | "prod/app"}
//
// The caller needs pull on the source repository and push on the destination's (refused: 403
// DENIED in the OCI error format; 401 with a challenge without credentials). The destination tag
// defaults to the source's. The image is copied (blobs mounted), verified, matched and judged by
// the destination's policy (jobs/promotion.h) on a worker thread:
//   200 {"allowed": true, "digest", "source", "destination", "reasons", "policy", "outcome",
//        "pending", "decision", "provenance", "copied", "notes"}  — promoted, the tag moved;
//   409 the same object with "allowed": false and the reasons — refused by policy (or by an
//        operator's quarantine); nothing is left tagged in the destination.
// 409 Conflict rather than 422: the request is well-formed, the destination's state (its policy)
// is what refuses it, and the same request succeeds once that changes. Errors (bad names, no such
// source, store failures) are in the OCI error format.
#include <boost/json.hpp>

#include "common/strict_json.h"
#include "oci/reference.h"
#include "registry/context.h"
#include "registry/gate.h"
#include "registry/respond.h"

namespace bulwark::registry {
namespace {

namespace json = boost::json;

constexpr size_t kBodyMax = 16 * 1024;

// "repo:tag", "repo@sha256:…" or "repo": the repository and the reference, if one was given.
struct ImageName {
  std::string repository;
  std::optional<std::string> reference;  // a tag or a digest
};

Result<ImageName> parse_image_name(std::string_view text, std::string_view field) {
  ImageName out;
  std::string_view repository = text;
  if (auto at = text.find('@'); at != std::string_view::npos) {
    repository = text.substr(0, at);
    out.reference = std::string(text.substr(at + 1));
    BULWARK_TRY_VOID(Digest::parse(*out.reference));
  } else if (auto colon = text.rfind(':');
             colon != std::string_view::npos && text.find('/', colon) == std::string_view::npos) {
    repository = text.substr(0, colon);
    out.reference = std::string(text.substr(colon + 1));
    if (auto valid = oci::validate_tag(*out.reference); !valid) {
      return fail(ErrorCode::kInvalidArgument, std::string(field) + ": " + valid.error().message);
    }
  }
  if (auto valid = oci::validate_repository(repository); !valid) {
    return fail(ErrorCode::kInvalidArgument, std::string(field) + ": " + valid.error().message);
  }
  out.repository = std::string(repository);
  return out;
}

http::Task<http::Response> promote(Context& ctx, http::Request& req) {
  if (!ctx.options.promote) {
    co_return oci_error(oci::ErrorCode::kUnsupported, "promotion is not enabled on this server");
  }
  auto body = co_await read_body(req, kBodyMax);
  if (!body) co_return oci_error(oci::ErrorCode::kBadRequest, body.error().message);
  auto parsed = parse_strict_json(*body);
  if (!parsed || !parsed->is_object()) {
    co_return oci_error(oci::ErrorCode::kBadRequest, "the body must be a JSON object");
  }
  const json::object& o = parsed->get_object();
  for (const auto& [key, value] : o) {
    if (key != "source" && key != "destination") {
      co_return oci_error(oci::ErrorCode::kBadRequest, "unknown field " + std::string(key));
    }
    if (!value.is_string()) {
      co_return oci_error(oci::ErrorCode::kBadRequest, std::string(key) + " must be a string");
    }
  }
  if (!o.contains("source") || !o.contains("destination")) {
    co_return oci_error(oci::ErrorCode::kBadRequest, "source and destination are required");
  }
  auto source = parse_image_name(o.at("source").get_string(), "source");
  if (!source) co_return oci_error(oci::ErrorCode::kNameInvalid, source.error().message);
  if (!source->reference) {
    co_return oci_error(oci::ErrorCode::kNameInvalid, "source: name a tag or a digest");
  }
  auto destination = parse_image_name(o.at("destination").get_string(), "destination");
  if (!destination) co_return oci_error(oci::ErrorCode::kNameInvalid, destination.error().message);
  if (destination->reference && destination->reference->find(':') != std::string::npos) {
    co_return oci_error(oci::ErrorCode::kNameInvalid,
                        "destination: a tag, not a digest (the digest is the source's)");
  }
  // Both refusals are audited by may() (access.denied).
  if (!co_await may(ctx, req, source->repository, auth::Action::kPull)) {
    co_return oci_error(oci::ErrorCode::kDenied, "no pull access to " + source->repository);
  }
  if (!co_await may(ctx, req, destination->repository, auth::Action::kPush)) {
    co_return oci_error(oci::ErrorCode::kDenied, "no push access to " + destination->repository);
  }
  PromotionCall call{source->repository,     *source->reference, destination->repository,
                     destination->reference, req.user,           client_ip(req.remote)};
  auto answer = co_await blocking([&] { return ctx.options.promote(call); });
  // The destination's tags may have moved.
  ctx.manifests_cache.invalidate(destination->repository);
  if (!answer) {
    co_return error_response(answer.error(), oci::ErrorCode::kManifestUnknown,
                             oci::ErrorCode::kManifestInvalid);
  }
  http::Response r;
  r.status = answer->allowed ? 200 : 409;
  r.headers.set("Content-Type", "application/json");
  r.body = std::move(answer->json);
  co_return r;
}

}  // namespace

void register_promotion(http::Router& router, Context& ctx) {
  add_guarded(router, ctx, "POST", "/api/v1/promotions", kNeedsLogin, bind_handler(ctx, promote));
}

}  // namespace bulwark::registry
