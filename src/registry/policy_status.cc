// An image's policy decision and quarantine state over HTTP (issue 7), needing pull on <name>:
//
//   GET /api/v1/repositories/<name>/manifests/<digest>/policy
//       {"repository", "digest", "quarantined", "pending", "outcome", "policy", "evaluatedAt",
//        "message", "reasons", "manual"?: {"reason", "actor", "createdAt"},
//        "decision": {rules, findings, ...: policy::decision_to_json}}
//
// An image without a decision yet is evaluated now (on a worker thread). Manifests that are not
// images (signatures, SBOMs) answer "gated": false: they are never quarantined by policy. Errors
// are in the OCI error format.
#include <boost/json.hpp>

#include "policy/enforcement.h"
#include "registry/context.h"
#include "registry/gate.h"
#include "registry/respond.h"

namespace bulwark::registry {
namespace {

http::Task<http::Response> image_policy(Context& ctx, http::Request& req) {
  if (ctx.options.enforcement == nullptr) {
    co_return oci_error(oci::ErrorCode::kUnsupported, "policy enforcement is not enabled");
  }
  auto name = repository_param(req);
  if (!name) co_return std::move(name.error());
  auto digest = digest_param(req.param("digest"));
  if (!digest) co_return std::move(digest.error());
  struct Found {
    std::optional<metadata::ImagePolicyRecord> decision;
    std::optional<metadata::ManualQuarantine> manual;
  };
  auto found = co_await blocking([&]() -> Result<Found> {
    Found out;
    BULWARK_ASSIGN_OR_RETURN(auto manifest, ctx.metadata.get_manifest(*name, *digest));
    if (!manifest) return fail(ErrorCode::kNotFound, "no such manifest in " + *name);
    metadata::EnforcementStore& store = *ctx.options.enforcement;
    BULWARK_ASSIGN_OR_RETURN(out.manual, store.get_manual_quarantine(*name, digest->str()));
    BULWARK_ASSIGN_OR_RETURN(out.decision, store.get_image_policy(*name, digest->str()));
    if (!out.decision && ctx.options.evaluate_policy) {
      BULWARK_ASSIGN_OR_RETURN(out.decision, ctx.options.evaluate_policy(*name, digest->str()));
    }
    return out;
  });
  if (!found) {
    co_return error_response(found.error(), oci::ErrorCode::kManifestUnknown,
                             oci::ErrorCode::kManifestInvalid);
  }
  boost::json::object body{{"repository", *name}, {"digest", digest->str()}};
  if (!found->decision && !found->manual) {
    body["gated"] = false;
    body["quarantined"] = false;
    body["message"] = "not an image: signatures, SBOMs and other artifacts are not gated";
  } else {
    const policy::ImageStatus status = policy::image_status(found->decision, found->manual);
    body["gated"] = true;
    body["quarantined"] = status.quarantined;
    body["pending"] = status.pending;
    body["outcome"] = status.outcome;
    body["policy"] = found->decision ? found->decision->policy : std::string();
    body["evaluatedAt"] = found->decision ? boost::json::value(found->decision->evaluated_at)
                                          : boost::json::value(nullptr);
    body["message"] = policy::status_message(status, status.reasons.size());
    boost::json::array reasons;
    for (const std::string& r : status.reasons) reasons.emplace_back(r);
    body["reasons"] = std::move(reasons);
    if (found->manual) {
      body["manual"] = boost::json::object{{"reason", found->manual->reason},
                                           {"actor", found->manual->actor},
                                           {"createdAt", found->manual->created_at}};
    }
    if (found->decision) {
      boost::system::error_code ec;
      auto decision = boost::json::parse(found->decision->decision_json, ec);
      body["decision"] = ec ? boost::json::value(nullptr) : std::move(decision);
    }
  }
  co_return json_response(body);
}

}  // namespace

void register_policy_status(http::Router& router, Context& ctx) {
  add_guarded(router, ctx, "GET", "/api/v1/repositories/{name+}/manifests/{digest}/policy",
              needs(auth::Action::kPull), bind_handler(ctx, image_policy));
}

}  // namespace bulwark::registry
