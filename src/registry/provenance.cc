// An image's signature and attestation status over HTTP (issue 6), needing pull on <name>:
//
//   GET /api/v1/repositories/<name>/manifests/<digest>/provenance
//       {"repository", "digest", "status": "verified" | "unverified" | "pending",
//        "trustFingerprint" (of the configuration the answer is under), "verifiedAt",
//        "reason", "signatures", "attestations", "attestationTypes", "problems", "rule", ...}
//
// The status is what the provenance job (jobs/provenance_job.h) stored under the current trust
// configuration. None stored yet, or one made under another configuration: "pending", and a job
// is queued (idempotent) — verification never runs on the request's threads. Without a trust
// configuration every image is "unverified" with reason no_trust_rule. Errors are in the OCI
// error format, like the rest of the registry.
#include <boost/json.hpp>

#include "registry/context.h"
#include "registry/gate.h"
#include "registry/respond.h"

namespace bulwark::registry {
namespace {

// The state of the image's last provenance job, as .../vulnerabilities names job states.
std::string_view job_state_name(metadata::JobState state) {
  static constexpr std::pair<metadata::JobState, std::string_view> kNames[] = {
      {metadata::JobState::kQueued, "queued"},
      {metadata::JobState::kRunning, "running"},
      {metadata::JobState::kDone, "done"},
      {metadata::JobState::kFailed, "failed"}};
  for (const auto& [s, name] : kNames) {
    if (s == state) return name;
  }
  return "failed";
}

http::Task<http::Response> image_provenance(Context& ctx, http::Request& req) {
  if (ctx.options.provenance == nullptr) {
    co_return oci_error(oci::ErrorCode::kUnsupported, "provenance status is not enabled");
  }
  auto name = repository_param(req);
  if (!name) co_return std::move(name.error());
  auto digest = digest_param(req.param("digest"));
  if (!digest) co_return std::move(digest.error());
  const bool enabled = !ctx.options.provenance_job.empty();
  struct Found {
    std::optional<metadata::ProvenanceRecord> record;  // current ones only
    std::optional<metadata::JobStatus> job;
    bool queued = false;
  };
  auto found = co_await blocking([&]() -> Result<Found> {
    Found out;
    BULWARK_ASSIGN_OR_RETURN(auto manifest, ctx.metadata.get_manifest(*name, *digest));
    if (!manifest) return fail(ErrorCode::kNotFound, "no such manifest in " + *name);
    if (!enabled) return out;
    BULWARK_ASSIGN_OR_RETURN(out.record, ctx.options.provenance->get_provenance(*name, digest->str()));
    if (out.record && out.record->trust_fingerprint != ctx.options.trust_fingerprint) {
      out.record.reset();
    }
    if (!out.record && ctx.options.jobs != nullptr) {
      BULWARK_TRY_VOID(
          ctx.options.jobs->enqueue_job(ctx.options.provenance_job, *name, digest->str()));
      out.queued = true;
      BULWARK_ASSIGN_OR_RETURN(
          out.job, ctx.options.jobs->job_status(ctx.options.provenance_job, *name, digest->str()));
    }
    return out;
  });
  if (!found) {
    co_return error_response(found.error(), oci::ErrorCode::kManifestUnknown,
                             oci::ErrorCode::kManifestInvalid);
  }
  if (found->queued && ctx.options.jobs_queued) ctx.options.jobs_queued();

  boost::json::object body;
  if (found->record) {
    boost::system::error_code ec;
    if (auto detail = boost::json::parse(found->record->detail_json, ec); !ec && detail.is_object()) {
      body = std::move(detail.as_object());
    }
  }
  body["repository"] = *name;
  body["digest"] = digest->str();
  body["trustFingerprint"] = ctx.options.trust_fingerprint;
  if (!enabled) {
    body["status"] = "unverified";
    body["verified"] = false;
    body["reason"] = "no_trust_rule";
    body["message"] = "the server has no trust configuration (trust: rules)";
    body["verifiedAt"] = nullptr;
  } else if (found->record) {
    body["status"] = found->record->verified ? "verified" : "unverified";
    body["verified"] = found->record->verified;
    body["reason"] = found->record->reason;
    body["verifiedAt"] = found->record->verified_at;
  } else {
    body["status"] = "pending";
    body["verifiedAt"] = nullptr;
    if (found->job) {
      boost::json::object job{{"state", job_state_name(found->job->state)},
                              {"attempts", found->job->attempts}};
      if (!found->job->last_error.empty()) job["error"] = found->job->last_error;
      body["job"] = std::move(job);
    }
  }
  co_return json_response(body);
}

}  // namespace

void register_provenance(http::Router& router, Context& ctx) {
  add_guarded(router, ctx, "GET", "/api/v1/repositories/{name+}/manifests/{digest}/provenance",
              needs(auth::Action::kPull), bind_handler(ctx, image_provenance));
}

}  // namespace bulwark::registry
