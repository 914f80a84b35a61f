// The image inventory over HTTP (issue 4), beside the Distribution API and behind the same gate:
//
//   GET /api/v1/repositories/<name>/manifests/<digest>/sbom[?format=cyclonedx|spdx]
//       The SBOM generated on push (the document attached as a referrer), needing pull on <name>.
//       While the scan is pending or after it failed: 404 SBOM_UNKNOWN saying which.
//   GET /api/v1/packages?name=P[&type=deb][&range=<3.0.13-1][&limit=N]
//       Which stored images contain package P (optionally of one purl type and in a version
//       range: ">=1.2, <1.4" or "vers:deb/<3.0.13-1"), from the package index, only in
//       repositories the caller may pull.
//
// Errors are in the OCI error format, like the rest of the registry.
#include <boost/json.hpp>
#include <map>

#include "common/strict_json.h"
#include "jobs/sbom_job.h"
#include "oci/manifest.h"
#include "oci/media_types.h"
#include "registry/context.h"
#include "registry/gate.h"
#include "registry/pagination.h"
#include "registry/respond.h"
#include "vulndb/version/range.h"
#include "vulndb/version/scheme.h"

namespace bulwark::registry {
namespace {

constexpr size_t kDefaultLimit = 1000;
constexpr size_t kMaxLimit = 10000;

// format query value -> the artifactType of the attached SBOM.
struct SbomKind {
  std::string_view format;
  std::string_view artifact_type;
};
constexpr SbomKind kSbomKinds[] = {
    {"cyclonedx", "application/vnd.cyclonedx+json"},
    {"spdx", "application/spdx+json"},
};

http::Response sbom_unknown(std::string message) {
  http::Response r = oci_error(oci::ErrorCode::kManifestUnknown, message);
  // A clearer code than MANIFEST_UNKNOWN for clients of this endpoint.
  boost::json::object body{
      {"errors", boost::json::array{boost::json::object{{"code", "SBOM_UNKNOWN"},
                                                        {"message", std::move(message)}}}}};
  r.body = boost::json::serialize(body);
  return r;
}

// Why there is no SBOM yet, from the scan job's state.
std::string pending_reason(const std::optional<metadata::JobStatus>& status) {
  if (!status) return "no SBOM: the image was not scanned (pushed before scanning was on?)";
  switch (status->state) {
    case metadata::JobState::kQueued:
      return status->last_error.empty() ? "no SBOM yet: the scan is queued"
                                        : "no SBOM yet: the scan will be retried after: " +
                                              status->last_error;
    case metadata::JobState::kRunning:
      return "no SBOM yet: the scan is running";
    case metadata::JobState::kFailed:
      return "no SBOM: the scan failed: " + status->last_error;
    case metadata::JobState::kDone:
      break;
  }
  return "no SBOM of that format";
}

http::Task<http::Response> get_sbom(Context& ctx, http::Request& req) {
  auto name = repository_param(req);
  if (!name) co_return std::move(name.error());
  auto digest = digest_param(req.param("digest"));
  if (!digest) co_return std::move(digest.error());
  std::string format = req.query_param("format").value_or("cyclonedx");
  const SbomKind* kind = nullptr;
  for (const auto& k : kSbomKinds) {
    if (k.format == format) kind = &k;
  }
  if (kind == nullptr) {
    co_return oci_error(oci::ErrorCode::kUnsupported,
                        "format must be cyclonedx or spdx, not " + quote_untrusted(format));
  }
  struct Found {
    std::optional<std::string> document;
    std::optional<metadata::JobStatus> status;
  };
  auto found = co_await blocking([&]() -> Result<Found> {
    Found out;
    BULWARK_ASSIGN_OR_RETURN(auto subject, ctx.metadata.get_manifest(*name, *digest));
    if (!subject) return fail(ErrorCode::kNotFound, "no such manifest in " + *name);
    BULWARK_ASSIGN_OR_RETURN(auto referrers,
                             ctx.metadata.list_referrers(*name, *digest, kind->artifact_type));
    for (const auto& referrer : referrers) {
      BULWARK_ASSIGN_OR_RETURN(auto manifest, ctx.metadata.get_manifest(*name, referrer.digest));
      if (!manifest) continue;
      auto parsed = oci::parse_manifest(manifest->content, manifest->media_type);
      if (!parsed || parsed->layers.size() != 1 ||
          parsed->annotations_json.find(jobs::kSbomFormatAnnotation) == std::string::npos) {
        continue;  // someone else's referrer of the same type
      }
      BULWARK_ASSIGN_OR_RETURN(auto reader, ctx.blobs.open(parsed->layers[0].digest));
      std::string bytes(reader->size(), '\0');
      size_t at = 0;
      while (at < bytes.size()) {
        BULWARK_ASSIGN_OR_RETURN(size_t n, reader->read(std::span<char>(bytes.data() + at, bytes.size() - at)));
        if (n == 0) return fail(ErrorCode::kCorrupt, "SBOM blob shorter than its size");
        at += n;
      }
      out.document = std::move(bytes);
      return out;
    }
    if (ctx.options.jobs != nullptr) {
      BULWARK_ASSIGN_OR_RETURN(out.status,
                               ctx.options.jobs->job_status(jobs::kSbomJob, *name, digest->str()));
    }
    return out;
  });
  if (!found) {
    co_return error_response(found.error(), oci::ErrorCode::kManifestUnknown,
                             oci::ErrorCode::kManifestInvalid);
  }
  if (!found->document) co_return sbom_unknown(pending_reason(found->status));
  http::Response r;
  r.headers.set("Content-Type", std::string(kind->artifact_type));
  r.body = std::move(*found->document);
  co_return r;
}

http::Task<http::Response> find_packages(Context& ctx, http::Request& req) {
  if (ctx.options.inventory == nullptr) {
    co_return oci_error(oci::ErrorCode::kUnsupported, "the package index is not enabled");
  }
  std::string name = req.query_param("name").value_or("");
  if (name.empty() || name.size() > 512) {
    co_return oci_error(oci::ErrorCode::kBadRequest, "name (the package name) is required");
  }
  std::optional<std::string> type = req.query_param("type");
  if (type && type->empty()) type.reset();
  auto limit = limit_param(req, kDefaultLimit, kMaxLimit);
  if (!limit) co_return std::move(limit.error());
  std::optional<vulndb::VersionRange> range;
  if (auto text = req.query_param("range"); text && !text->empty()) {
    auto parsed = vulndb::parse_version_range(*text);
    if (!parsed) co_return oci_error(oci::ErrorCode::kBadRequest, "range: " + parsed.error().message);
    range = std::move(*parsed);
  }
  auto hits = co_await blocking(
      [&] { return packages_in_range(ctx, name, type, range, kMaxLimit * 10); });
  if (!hits) {
    co_return error_response(hits.error(), oci::ErrorCode::kNameUnknown, oci::ErrorCode::kBadRequest);
  }
  PullableRepositories readable(ctx, req);
  boost::json::array images;
  for (const auto& hit : *hits) {
    if (!co_await readable.contains(hit.repository)) continue;
    if (images.size() == *limit) break;
    images.push_back(boost::json::object{{"repository", hit.repository},
                                         {"digest", hit.digest},
                                         {"type", hit.package.type},
                                         {"namespace", hit.package.namespace_},
                                         {"name", hit.package.name},
                                         {"version", hit.package.version},
                                         {"purl", hit.package.purl}});
  }
  co_return json_response(boost::json::object{{"images", std::move(images)}});
}

}  // namespace

Result<std::vector<metadata::PackageHit>> packages_in_range(
    Context& ctx, std::string_view name, const std::optional<std::string>& type,
    const std::optional<vulndb::VersionRange>& range, size_t limit) {
  if (ctx.options.inventory == nullptr) {
    return fail(ErrorCode::kUnsupported, "the package index is not enabled");
  }
  BULWARK_ASSIGN_OR_RETURN(
      auto hits, ctx.options.inventory->find_package(
                     name, type ? std::optional<std::string_view>(*type) : std::nullopt, limit));
  if (!range) return hits;
  std::erase_if(hits, [&](const metadata::PackageHit& hit) {
    const vulndb::VersionScheme* scheme = vulndb::version_scheme_for(hit.package.type);
    return scheme == nullptr || !range->contains(*scheme, hit.package.version);
  });
  return hits;
}

void register_inventory(http::Router& router, Context& ctx) {
  add_guarded(router, ctx, "GET", "/api/v1/repositories/{name+}/manifests/{digest}/sbom",
              needs(auth::Action::kPull), bind_handler(ctx, get_sbom));
  add_guarded(router, ctx, "GET", "/api/v1/packages", kNeedsLogin, bind_handler(ctx, find_packages));
}

}  // namespace bulwark::registry
