// Incident response over HTTP (issue 7): quarantines ordered by hand, of one image or of every
// image a selector finds, in one call, and their release.
//
//   PUT    /api/v1/repositories/<name>/manifests/<digest>/quarantine  {"reason"}   delete on <name>
//   DELETE /api/v1/repositories/<name>/manifests/<digest>/quarantine              delete on <name>
//   POST   /api/v1/quarantine          {"reason", and one selector}
//   POST   /api/v1/quarantine/release  {one selector}
//   GET    /api/v1/quarantine[?repository=R]
//
// Selectors: {"digest": D} (every repository holding it), {"repository": R} (every image in
// it), {"package": {"name", "type"?, "range"?}} (every image whose package index has it in the
// version range, ranges as /api/v1/packages takes them), {"vulnerability": V} (every image with
// an open finding of V or of an alias of V). Each image needs the delete action on its repository
// (those who may delete an image may hold it back); the others are listed as skipped, with why.
// Every quarantine and release is a durable audit event. Quarantined images refuse pulls except
// to their pusher and to scanners (enforcement.cc); a manual quarantine outranks any policy.
#include <boost/json.hpp>

#include "common/clock.h"
#include "common/strict_json.h"
#include "registry/context.h"
#include "registry/gate.h"
#include "registry/respond.h"
#include "vulndb/version/range.h"

namespace bulwark::registry {
namespace {

namespace json = boost::json;

constexpr size_t kBodyMax = 64 * 1024;
constexpr size_t kMaxImages = 10000;

http::Response bad_request(std::string message) {
  return oci_error(oci::ErrorCode::kBadRequest, message);
}

// The request's JSON object body.
http::Task<Parsed<json::object>> object_body(http::Request& req, bool required) {
  auto body = co_await read_body(req, kBodyMax);
  if (!body) co_return tl::unexpected(bad_request(body.error().message));
  if (body->empty() && !required) co_return json::object{};
  auto parsed = parse_strict_json(*body);
  if (!parsed || !parsed->is_object()) {
    co_return tl::unexpected(bad_request("the body must be a JSON object"));
  }
  co_return std::move(parsed->get_object());
}

std::optional<std::string> string_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

// Reads the reason of a quarantine (required, one line of at most 1000 characters).
Parsed<std::string> reason_of(const json::object& body) {
  auto reason = string_field(body, "reason");
  if (!reason || reason->empty() || reason->size() > 1000 ||
      reason->find('\n') != std::string::npos) {
    return tl::unexpected(bad_request("reason (one line saying why, at most 1000 characters) is required"));
  }
  return std::move(*reason);
}

// The images a selector names (before access checks). Blocking.
Result<std::vector<metadata::ImageRef>> select_images(Context& ctx, const json::object& body,
                                                      std::string& selector) {
  metadata::EnforcementStore& store = *ctx.options.enforcement;
  size_t given = 0;
  for (std::string_view key : {"digest", "repository", "package", "vulnerability"}) {
    if (body.contains(key)) ++given;
  }
  if (given != 1) {
    return fail(ErrorCode::kInvalidArgument,
                "give exactly one selector: digest, repository, package or vulnerability");
  }
  if (auto digest = string_field(body, "digest")) {
    BULWARK_ASSIGN_OR_RETURN(Digest d, Digest::parse(*digest));
    selector = "digest " + d.str();
    return store.images_with_digest(d.str());
  }
  if (auto repository = string_field(body, "repository")) {
    selector = "repository " + *repository;
    std::vector<metadata::ImageRef> out;
    std::string cursor;
    do {
      BULWARK_ASSIGN_OR_RETURN(auto page, store.list_images(*repository, cursor, 1000));
      for (auto& image : page) {
        if (image.repository == *repository) out.push_back(std::move(image));
      }
    } while (!cursor.empty() && out.size() < kMaxImages);
    return out;
  }
  if (auto vulnerability = string_field(body, "vulnerability")) {
    if (vulnerability->empty() || vulnerability->size() > 256) {
      return fail(ErrorCode::kInvalidArgument, "vulnerability must be an id such as CVE-2024-1234");
    }
    selector = "vulnerability " + *vulnerability;
    return store.images_with_finding(*vulnerability);
  }
  const json::value* package = body.if_contains("package");
  if (package == nullptr || !package->is_object()) {
    return fail(ErrorCode::kInvalidArgument,
                "package must be an object {\"name\", \"type\"?, \"range\"?}; digest, repository "
                "and vulnerability strings");
  }
  auto name = string_field(package->get_object(), "name");
  if (!name || name->empty()) return fail(ErrorCode::kInvalidArgument, "package.name is required");
  auto type = string_field(package->get_object(), "type");
  std::optional<vulndb::VersionRange> range;
  if (auto text = string_field(package->get_object(), "range"); text && !text->empty()) {
    auto parsed = vulndb::parse_version_range(*text);
    if (!parsed) return fail(ErrorCode::kInvalidArgument, "package.range: " + parsed.error().message);
    range = std::move(*parsed);
  }
  selector = "package " + *name + (range ? " " + *string_field(package->get_object(), "range") : "");
  BULWARK_ASSIGN_OR_RETURN(auto hits, packages_in_range(ctx, *name, type, range, kMaxImages));
  std::vector<metadata::ImageRef> out;
  for (const auto& hit : hits) {
    if (out.empty() || out.back().repository != hit.repository || out.back().digest != hit.digest) {
      out.push_back({hit.repository, hit.digest});
    }
  }
  return out;
}

// Quarantines (or releases) `images` the caller may delete; returns the answer body.
http::Task<json::object> apply(Context& ctx, const http::Request& req,
                               std::vector<metadata::ImageRef> images, bool quarantine,
                               const std::string& reason, const std::string& selector) {
  json::array done;
  json::array skipped;
  for (const metadata::ImageRef& image : images) {
    json::object item{{"repository", image.repository}, {"digest", image.digest}};
    const bool allowed = co_await may(ctx, req, image.repository, auth::Action::kDelete);
    if (!allowed) {
      item["reason"] = "not allowed: quarantining needs the delete action on " + image.repository;
      skipped.push_back(std::move(item));
      continue;
    }
    auto changed = co_await blocking([&]() -> Result<bool> {
      metadata::EnforcementStore& store = *ctx.options.enforcement;
      bool result = false;
      if (quarantine) {
        BULWARK_ASSIGN_OR_RETURN(result, store.add_manual_quarantine({image.repository, image.digest,
                                                                      reason, req.user,
                                                                      unix_seconds()}));
      } else {
        BULWARK_ASSIGN_OR_RETURN(result, store.release_manual_quarantine(image.repository, image.digest));
      }
      if (result) {
        audit(ctx, req, quarantine ? "image.quarantine" : "image.release",
              {image.repository, image.digest, ""},
              quarantine ? audit::Outcome::kDenied : audit::Outcome::kAllowed,
              (quarantine ? "manual quarantine (" + selector + "): " + reason
                          : "manual quarantine released (" + selector + ")"),
              /*durable=*/true);
      }
      return result;
    });
    ctx.gate_cache.erase(image.repository + "@" + image.digest);
    if (!changed) {
      item["reason"] = changed.error().message;
      skipped.push_back(std::move(item));
    } else if (!*changed) {
      item["reason"] = quarantine ? "gone" : "was not quarantined by hand";
      skipped.push_back(std::move(item));
    } else {
      done.push_back(std::move(item));
    }
  }
  co_return json::object{{"selector", selector},
                         {quarantine ? "quarantined" : "released", std::move(done)},
                         {"skipped", std::move(skipped)}};
}

http::Task<http::Response> bulk(Context& ctx, http::Request& req, bool quarantine) {
  if (ctx.options.enforcement == nullptr) {
    co_return oci_error(oci::ErrorCode::kUnsupported, "policy enforcement is not enabled");
  }
  auto body = co_await object_body(req, /*required=*/true);
  if (!body) co_return std::move(body.error());
  std::string reason;
  if (quarantine) {
    auto r = reason_of(*body);
    if (!r) co_return std::move(r.error());
    reason = std::move(*r);
  }
  std::string selector;
  auto images = co_await blocking([&] { return select_images(ctx, *body, selector); });
  if (!images) {
    if (images.error().code == ErrorCode::kInvalidArgument) co_return bad_request(images.error().message);
    co_return error_response(images.error(), oci::ErrorCode::kNameUnknown, oci::ErrorCode::kBadRequest);
  }
  co_return json_response(co_await apply(ctx, req, std::move(*images), quarantine, reason, selector));
}

http::Task<http::Response> one(Context& ctx, http::Request& req, bool quarantine) {
  if (ctx.options.enforcement == nullptr) {
    co_return oci_error(oci::ErrorCode::kUnsupported, "policy enforcement is not enabled");
  }
  auto name = repository_param(req);
  if (!name) co_return std::move(name.error());
  auto digest = digest_param(req.param("digest"));
  if (!digest) co_return std::move(digest.error());
  std::string reason;
  if (quarantine) {
    auto body = co_await object_body(req, /*required=*/true);
    if (!body) co_return std::move(body.error());
    auto r = reason_of(*body);
    if (!r) co_return std::move(r.error());
    reason = std::move(*r);
  }
  auto exists = co_await blocking([&] { return ctx.metadata.get_manifest(*name, *digest); });
  if (!exists) co_return error_response(exists.error(), oci::ErrorCode::kManifestUnknown, oci::ErrorCode::kManifestInvalid);
  if (!*exists) co_return oci_error(oci::ErrorCode::kManifestUnknown, "no such manifest in " + *name);
  std::vector<metadata::ImageRef> image(1, metadata::ImageRef{*name, digest->str()});
  const std::string selector = "digest " + digest->str();
  json::object result = co_await apply(ctx, req, std::move(image), quarantine, reason, selector);
  const bool changed = !result.at(quarantine ? "quarantined" : "released").as_array().empty();
  if (!quarantine && !changed) {
    co_return oci_error(oci::ErrorCode::kManifestUnknown, "the image is not quarantined by hand");
  }
  co_return json_response(result);
}

http::Task<http::Response> list(Context& ctx, http::Request& req) {
  if (ctx.options.enforcement == nullptr) {
    co_return oci_error(oci::ErrorCode::kUnsupported, "policy enforcement is not enabled");
  }
  const std::string repository = req.query_param("repository").value_or("");
  auto rows = co_await blocking([&] { return ctx.options.enforcement->list_manual_quarantines(repository); });
  if (!rows) co_return error_response(rows.error(), oci::ErrorCode::kNameUnknown, oci::ErrorCode::kBadRequest);
  PullableRepositories readable(ctx, req);
  json::array out;
  for (const metadata::ManualQuarantine& q : *rows) {
    if (!co_await readable.contains(q.repository)) continue;
    out.push_back(json::object{{"repository", q.repository}, {"digest", q.digest},
                               {"reason", q.reason}, {"actor", q.actor}, {"createdAt", q.created_at}});
  }
  co_return json_response(json::object{{"quarantines", std::move(out)}});
}

}  // namespace

void register_quarantine(http::Router& router, Context& ctx) {
  const std::string one_path = "/api/v1/repositories/{name+}/manifests/{digest}/quarantine";
  add_guarded(router, ctx, "PUT", one_path, needs(auth::Action::kDelete),
              [&ctx](http::Request& req) { return one(ctx, req, true); });
  add_guarded(router, ctx, "DELETE", one_path, needs(auth::Action::kDelete),
              [&ctx](http::Request& req) { return one(ctx, req, false); });
  add_guarded(router, ctx, "POST", "/api/v1/quarantine", kNeedsLogin,
              [&ctx](http::Request& req) { return bulk(ctx, req, true); });
  add_guarded(router, ctx, "POST", "/api/v1/quarantine/release", kNeedsLogin,
              [&ctx](http::Request& req) { return bulk(ctx, req, false); });
  add_guarded(router, ctx, "GET", "/api/v1/quarantine", kNeedsLogin,
              [&ctx](http::Request& req) { return list(ctx, req); });
}

}  // namespace bulwark::registry
