#include "jobs/promotion.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <set>

#include "common/clock.h"
#include "common/log.h"
#include "common/strict_json.h"
#include "jobs/sbom_job.h"
#include "oci/manifest.h"
#include "oci/reference.h"
#include "policy/enforcement.h"
#include "trust/cosign_layout.h"

namespace bulwark::jobs {
namespace {

namespace json = boost::json;

// The cosign tags that carry an image's signature material, copied with it.
constexpr struct {
  trust::cosign::TagKind kind;
  std::string_view what;
} kSignatureTags[] = {
    {trust::cosign::TagKind::kSignature, "signature"},
    {trust::cosign::TagKind::kAttestation, "attestation"},
    {trust::cosign::TagKind::kSbom, "cosign sbom"},
    {trust::cosign::TagKind::kReferrersFallback, "referrers fallback index"},
};

// Annotations marking the referrers Bulwark generates for an image in its own repository (SBOMs,
// vulnerability reports): made again in the destination, never copied.
constexpr std::string_view kGeneratedAnnotations[] = {kSbomFormatAnnotation,
                                                      kReportGenerationAnnotation};

bool is_generated(const metadata::ManifestRecord& record) {
  if (record.annotations_json.empty()) return false;
  auto annotations = parse_strict_json(record.annotations_json);
  if (!annotations || !annotations->is_object()) return false;
  for (std::string_view key : kGeneratedAnnotations) {
    if (annotations->get_object().contains(key)) return true;
  }
  return false;
}

// The provenance summary: what the verification under the destination's trust rule found.
json::object provenance_summary(const metadata::ProvenanceRecord& record) {
  json::object out{{"configured", true}, {"verified", record.verified}, {"reason", record.reason}};
  json::array signers;
  auto detail = parse_strict_json(record.detail_json);
  if (detail && detail->is_object()) {
    if (const json::value* list = detail->get_object().if_contains("signatures");
        list != nullptr && list->is_array()) {
      for (const json::value& item : list->get_array()) {
        if (!item.is_object()) continue;
        const json::value* verified = item.get_object().if_contains("verified");
        const json::value* signer = item.get_object().if_contains("signer");
        // Distinct: a key signing both cosign layouts is one signer.
        if (verified && verified->is_bool() && verified->get_bool() && signer &&
            signer->is_string() &&
            std::find(signers.begin(), signers.end(), *signer) == signers.end()) {
          signers.push_back(*signer);
        }
      }
    }
  }
  out["signers"] = std::move(signers);
  return out;
}

json::array string_array(const std::vector<std::string>& items) {
  json::array out;
  for (const std::string& s : items) out.emplace_back(s);
  return out;
}

// A manifest as put into `repository`: the record's bytes and what they reference.
metadata::ManifestPut put_of(const metadata::ManifestRecord& record,
                             const oci::ParsedManifest& parsed, std::string repository,
                             std::vector<Digest> blobs, std::optional<std::string> tag,
                             std::string pusher) {
  metadata::ManifestPut put;
  put.repository = std::move(repository);
  put.digest = record.digest;
  put.media_type = record.media_type;
  put.artifact_type = record.artifact_type;
  put.subject = record.subject;
  put.annotations_json = record.annotations_json;
  put.content = record.content;
  put.blobs = std::move(blobs);
  for (const oci::Descriptor& child : parsed.manifests) put.manifests.push_back(child.digest);
  put.tag = std::move(tag);
  put.pusher = std::move(pusher);
  return put;  // no jobs: the promotion verifies, scans and evaluates it itself
}

}  // namespace

struct Promoter::Copy {
  Copy(const PromotionRequest& r, Digest d) : request(r), digest(std::move(d)) {}
  const PromotionRequest& request;
  Digest digest;
  bool held_before = false;      // the destination held the digest before the promotion
  bool quarantined = false;      // the promotion put its manual quarantine on it
  std::vector<Digest> subjects;  // the image and, for an index, its children
  std::vector<Digest> created;   // manifests this promotion stored in the destination, in order
  std::set<std::string> referrers_before;  // referrers of `subjects` the destination held before
  PromotionResult result;
};

json::object promotion_to_json(const PromotionResult& r) {
  return json::object{{"allowed", r.allowed},
                      {"digest", r.digest},
                      {"source", r.source},
                      {"destination", r.destination},
                      {"tag", r.tag},
                      {"reasons", string_array(r.reasons)},
                      {"policy", r.policy},
                      {"outcome", r.outcome},
                      {"pending", r.pending},
                      {"decision", r.decision},
                      {"provenance", r.provenance},
                      {"copied", string_array(r.copied)},
                      {"notes", string_array(r.notes)}};
}

Promoter::Promoter(
    PromoterServices services,
    std::function<void(const PromotionRequest&, const PromotionResult&)> on_promotion)
    : services_(services), on_promotion_(std::move(on_promotion)) {}

Result<PromotionResult> Promoter::promote(const PromotionRequest& request) {
  const std::string& src = request.source_repository;
  const std::string& dst = request.destination_repository;
  BULWARK_TRY_VOID(oci::validate_repository(src));
  BULWARK_TRY_VOID(oci::validate_repository(dst));
  if (src == dst) {
    return fail(ErrorCode::kInvalidArgument,
                "the destination must be another repository than the source");
  }
  if (request.destination_tag) BULWARK_TRY_VOID(oci::validate_tag(*request.destination_tag));

  // 1. The source, resolved to an image or an image index.
  BULWARK_ASSIGN_OR_RETURN(oci::Reference reference,
                           oci::parse_reference(request.source_reference));
  std::optional<std::string> tag = request.destination_tag;
  Digest digest;
  if (const std::string* source_tag = std::get_if<std::string>(&reference)) {
    BULWARK_ASSIGN_OR_RETURN(auto resolved, services_.metadata.resolve_tag(src, *source_tag));
    if (!resolved) return fail(ErrorCode::kNotFound, "no tag " + *source_tag + " in " + src);
    digest = *resolved;
    if (!tag) tag = *source_tag;
  } else {
    digest = std::get<Digest>(reference);
  }
  // facts() is the policy's own notion of "an image": signatures, SBOMs and other artifacts are
  // not promoted on their own.
  BULWARK_TRY_VOID(services_.enforcer.facts(src, digest.str()));

  std::lock_guard lock(locks_[std::hash<std::string>()(dst + "@" + digest.str()) % locks_.size()]);
  Copy copy(request, digest);
  copy.result.digest = digest.str();
  copy.result.source =
      src + (std::holds_alternative<Digest>(reference) ? "@" : ":") + request.source_reference;
  copy.result.destination = tag ? dst + ":" + *tag : dst + "@" + digest.str();
  copy.result.tag = tag.value_or("");
  auto outcome = run(request, copy);
  if (!outcome) {
    // An operational failure: what was copied must not stay behind half-promoted.
    if (!copy.held_before && !copy.created.empty()) {
      if (auto undone = roll_back(copy); !undone) {
        log_event(
            LogLevel::kError, "promotion roll-back failed",
            {{"repository", dst}, {"digest", digest.str()}, {"detail", undone.error().message}});
      }
    }
    return outcome;
  }
  if (outcome->allowed) {
    if (copy.quarantined) {
      BULWARK_TRY_VOID(services_.enforcement.release_manual_quarantine(dst, digest.str()));
    }
    // Moving the tag: the manifest put again (idempotent for identical bytes) with the tag.
    if (tag) BULWARK_TRY_VOID(copy_manifest(copy, digest, tag, "image"));
  } else if (!copy.held_before) {
    BULWARK_TRY_VOID(roll_back(copy));
    if (!copy.created.empty()) outcome->notes.push_back("what was copied was removed again");
  }
  log_event(LogLevel::kInfo, outcome->allowed ? "image promoted" : "promotion refused",
            {{"source", outcome->source},
             {"destination", outcome->destination},
             {"digest", outcome->digest},
             {"actor", request.actor}});
  if (on_promotion_) on_promotion_(request, *outcome);
  return outcome;
}

Result<PromotionResult> Promoter::run(const PromotionRequest& request, Copy& copy) {
  const std::string& src = request.source_repository;
  const std::string& dst = request.destination_repository;
  const std::string digest = copy.digest.str();
  PromotionResult& result = copy.result;
  metadata::EnforcementStore& enforcement = services_.enforcement;

  // An operator's quarantine, of the source or of the digest already in the destination, is not
  // something a promotion may launder.
  BULWARK_ASSIGN_OR_RETURN(auto source_manual, enforcement.get_manual_quarantine(src, digest));
  BULWARK_ASSIGN_OR_RETURN(auto held, services_.metadata.get_manifest(dst, copy.digest));
  copy.held_before = held.has_value();
  std::optional<metadata::ManualQuarantine> destination_manual;
  if (copy.held_before) {
    BULWARK_ASSIGN_OR_RETURN(destination_manual, enforcement.get_manual_quarantine(dst, digest));
  }
  if (source_manual || destination_manual) {
    const auto& q = source_manual ? *source_manual : *destination_manual;
    result.reasons.push_back("quarantined by hand in " + q.repository + " by " + q.actor + ": " +
                             q.reason);
    return std::move(result);
  }

  // 2. The copy: the image (children first), quarantined at once, then its signatures.
  BULWARK_ASSIGN_OR_RETURN(auto source_record, services_.metadata.get_manifest(src, copy.digest));
  if (!source_record)
    return fail(ErrorCode::kNotFound, "manifest " + digest + " is gone from " + src);
  BULWARK_ASSIGN_OR_RETURN(oci::ParsedManifest parsed,
                           oci::parse_manifest(source_record->content, source_record->media_type));
  copy.subjects.push_back(copy.digest);
  for (const oci::Descriptor& child : parsed.manifests) copy.subjects.push_back(child.digest);
  for (const Digest& subject : copy.subjects) {
    BULWARK_ASSIGN_OR_RETURN(auto referrers,
                             services_.metadata.list_referrers(dst, subject, std::nullopt));
    for (const metadata::ManifestRecord& r : referrers)
      copy.referrers_before.insert(r.digest.str());
  }
  BULWARK_TRY_VOID(
      copy_manifest(copy, copy.digest, std::nullopt, parsed.manifests.empty() ? "image" : "index"));
  if (!copy.held_before) {
    metadata::ManualQuarantine q{dst, digest, std::string(kPromotionInProgress), request.actor,
                                 unix_seconds()};
    BULWARK_ASSIGN_OR_RETURN(copy.quarantined, enforcement.add_manual_quarantine(q));
  }
  for (const Digest& subject : copy.subjects) BULWARK_TRY_VOID(copy_signatures(copy, subject));

  // 3. Verified, scanned and judged again, in the destination.
  if (services_.verifier != nullptr) {
    BULWARK_ASSIGN_OR_RETURN(metadata::ProvenanceRecord verified,
                             services_.verifier->refresh(dst, digest));
    result.provenance = provenance_summary(verified);
  } else {
    result.provenance = json::object{{"configured", false}};
  }
  if (parsed.manifests.empty()) {
    BULWARK_TRY_VOID(rescan(dst, copy.digest));
  } else {
    for (const oci::Descriptor& child : parsed.manifests) {
      // A child that cannot be inventoried (a build attestation, say) stays unscanned: the
      // policy then says so.
      if (auto scanned = rescan(dst, child.digest); !scanned) {
        result.notes.push_back("child " + child.digest.str() +
                               " was not scanned: " + scanned.error().message);
      }
    }
  }
  BULWARK_ASSIGN_OR_RETURN(auto decision, services_.enforcer.evaluate(dst, digest));
  if (!decision) return fail(ErrorCode::kNotFound, "the promoted image disappeared from " + dst);
  const policy::ImageStatus status = policy::image_status(decision, std::nullopt);
  result.policy = decision->policy;
  result.outcome = decision->outcome;
  result.pending = decision->pending;
  result.reasons = status.reasons;
  if (auto detail = parse_strict_json(decision->decision_json); detail && detail->is_object()) {
    result.decision = std::move(detail->get_object());
  }
  // 4. Pending means something could not be established even now: not good enough to promote.
  result.allowed = !status.quarantined && !decision->pending;
  if (decision->pending && result.reasons.empty()) {
    result.reasons.push_back("the policy decision is still pending");
  }
  return std::move(result);
}

Result<void> Promoter::copy_manifest(Copy& copy, const Digest& digest,
                                     std::optional<std::string> tag, std::string_view what) {
  const std::string& src = copy.request.source_repository;
  const std::string& dst = copy.request.destination_repository;
  BULWARK_ASSIGN_OR_RETURN(auto existing, services_.metadata.get_manifest(dst, digest));
  if (existing && !tag) return ok();
  const bool copied = !existing;
  if (!existing) {
    BULWARK_ASSIGN_OR_RETURN(existing, services_.metadata.get_manifest(src, digest));
    if (!existing)
      return fail(ErrorCode::kNotFound, "manifest " + digest.str() + " is gone from " + src);
  }
  BULWARK_ASSIGN_OR_RETURN(oci::ParsedManifest parsed,
                           oci::parse_manifest(existing->content, existing->media_type));
  for (const oci::Descriptor& child : parsed.manifests) {
    BULWARK_TRY_VOID(copy_manifest(copy, child.digest, std::nullopt, "child"));
  }
  // The mount: every blob the source holds is linked, not uploaded. A layer the source does not
  // hold is one the registry never required (non-distributable).
  std::vector<Digest> blobs;
  std::vector<Digest> wanted;
  if (parsed.config) wanted.push_back(parsed.config->digest);
  for (const oci::Descriptor& layer : parsed.layers) wanted.push_back(layer.digest);
  for (const Digest& blob : wanted) {
    const std::string& holder = copied ? src : dst;
    BULWARK_ASSIGN_OR_RETURN(auto size, services_.metadata.blob_in_repository(holder, blob));
    if (!size) continue;
    if (copied) BULWARK_TRY_VOID(services_.metadata.link_blob(dst, blob, *size));
    blobs.push_back(blob);
  }
  BULWARK_TRY_VOID(services_.metadata.put_manifest(
      put_of(*existing, parsed, dst, std::move(blobs), std::move(tag), copy.request.actor)));
  if (copied) {
    copy.created.push_back(digest);
    copy.result.copied.push_back(digest.str() + " (" + std::string(what) + ")");
  }
  return ok();
}

Result<void> Promoter::copy_signatures(Copy& copy, const Digest& subject) {
  const std::string& src = copy.request.source_repository;
  const std::string& dst = copy.request.destination_repository;
  for (const auto& [kind, what] : kSignatureTags) {
    const std::string tag = trust::cosign::tag_for(subject, kind);
    BULWARK_ASSIGN_OR_RETURN(auto in_source, services_.metadata.resolve_tag(src, tag));
    if (!in_source) continue;
    BULWARK_ASSIGN_OR_RETURN(auto in_destination, services_.metadata.resolve_tag(dst, tag));
    if (in_destination == in_source) continue;
    if (in_destination) {
      // Never overwrite signature material the destination has of its own.
      copy.result.notes.push_back("the destination keeps its own " + tag + " (" +
                                  in_destination->str() + "); the source's was not copied");
      continue;
    }
    BULWARK_TRY_VOID(copy_manifest(copy, *in_source, tag, what));
  }
  BULWARK_ASSIGN_OR_RETURN(auto referrers,
                           services_.metadata.list_referrers(src, subject, std::nullopt));
  for (const metadata::ManifestRecord& referrer : referrers) {
    if (is_generated(referrer)) continue;
    BULWARK_TRY_VOID(
        copy_manifest(copy, referrer.digest, std::nullopt, "referrer " + referrer.artifact_type));
  }
  return ok();
}

Result<void> Promoter::rescan(const std::string& repository, const Digest& digest) {
  BULWARK_TRY_VOID(generate_sbom(services_.blobs, services_.metadata, services_.inventory,
                                 repository, digest.str()));
  return services_.matcher.match_image(repository, digest.str());
}

Result<void> Promoter::roll_back(Copy& copy) {
  const std::string& dst = copy.request.destination_repository;
  // Referrers made in the destination meanwhile (the SBOMs and reports of step 3) first, then
  // what was copied, newest first (an index before its children). Blobs stay for GC.
  for (const Digest& subject : copy.subjects) {
    BULWARK_ASSIGN_OR_RETURN(auto referrers,
                             services_.metadata.list_referrers(dst, subject, std::nullopt));
    for (const metadata::ManifestRecord& r : referrers) {
      if (copy.referrers_before.contains(r.digest.str())) continue;
      BULWARK_TRY_VOID(services_.metadata.delete_manifest(dst, r.digest));
    }
  }
  for (auto it = copy.created.rbegin(); it != copy.created.rend(); ++it) {
    BULWARK_TRY_VOID(services_.metadata.delete_manifest(dst, *it));
  }
  return ok();
}

}  // namespace bulwark::jobs
