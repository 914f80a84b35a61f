#include "jobs/policy_job.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "common/clock.h"
#include "common/log.h"
#include "common/strict_json.h"
#include "jobs/provenance_job.h"
#include "jobs/stored_artifacts.h"
#include "oci/manifest.h"
#include "oci/media_types.h"
#include "policy/effective.h"
#include "policy/enforcement.h"
#include "trust/cosign_layout.h"

namespace bulwark::jobs {
namespace {

namespace json = boost::json;

constexpr size_t kQueuePage = 500;
constexpr uint64_t kConfigMaxBytes = 4 << 20;

const json::object* object_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

std::string string_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

// String values of a JSON object (labels, annotations); other values are skipped.
std::map<std::string, std::string> string_map(const json::object* o) {
  std::map<std::string, std::string> out;
  if (o == nullptr) return out;
  for (const auto& [key, value] : *o) {
    if (value.is_string()) out.emplace(std::string(key), std::string(value.get_string()));
  }
  return out;
}

// A stored finding (its detail is the report's finding object) as the policy sees it.
policy::Finding policy_finding(const metadata::StoredFinding& stored) {
  policy::Finding f;
  f.vulnerability = stored.finding.vulnerability;
  f.package = stored.finding.package_name;
  f.severity = policy::parse_severity(stored.finding.severity).value_or(policy::Severity::kUnknown);
  f.fix_available = !stored.finding.fixed_version.empty();
  f.first_seen = stored.first_seen;
  auto detail = parse_strict_json(stored.finding.detail_json);
  if (detail && detail->is_object()) {
    const json::object& d = detail->get_object();
    if (const json::value* aliases = d.if_contains("aliases"); aliases && aliases->is_array()) {
      for (const json::value& a : aliases->get_array()) {
        if (a.is_string()) f.aliases.emplace_back(a.get_string());
      }
    }
    f.known_exploited = object_at(d, "kev") != nullptr;
    if (const json::object* epss = object_at(d, "epss")) {
      if (const json::value* score = epss->if_contains("score"); score && score->is_number()) {
        f.epss = score->to_number<double>();
      }
    }
  }
  return f;
}

// Verified entries of a stored verification's "signatures" or "attestations" list.
std::vector<policy::SignerFact> verified_entries(const json::object& detail, std::string_view key) {
  std::vector<policy::SignerFact> out;
  const json::value* list = detail.if_contains(key);
  if (list == nullptr || !list->is_array()) return out;
  for (const json::value& item : list->get_array()) {
    if (!item.is_object()) continue;
    const json::object& o = item.get_object();
    const json::value* verified = o.if_contains("verified");
    if (verified == nullptr || !verified->is_bool() || !verified->get_bool()) continue;
    out.push_back({string_at(o, "format"), string_at(o, "signer"), string_at(o, "issuer"),
                   string_at(o, "predicateType")});
  }
  return out;
}

// The earliest expiry, after `now`, of an exception that waived a finding: the decision may
// change then.
std::optional<int64_t> valid_until(const policy::ImageDecision& decision, int64_t now) {
  std::optional<int64_t> until;
  for (const policy::FindingDecision& f : decision.vulnerabilities.findings) {
    if (f.exception == nullptr || f.exception->expires <= now) continue;
    if (!until || f.exception->expires < *until) until = f.exception->expires;
  }
  return until;
}

// Whether a manifest is an image the policy judges (the ProvenanceStore's notion): an image
// manifest with an image config, or an index, that is about no other manifest (no subject) and
// is not one of cosign's signature or attestation layouts. Signatures, SBOMs and other artifacts
// are pulled to verify images and are never gated.
bool is_image(const metadata::ManifestRecord& record, const oci::ParsedManifest& manifest) {
  if (record.subject) return false;
  if (manifest.kind == oci::ManifestKind::kIndex) return manifest.artifact_type.empty();
  if (!manifest.config || !oci::media::is_image_config(manifest.config->media_type)) return false;
  if (manifest.layers.empty()) return true;
  return !std::all_of(manifest.layers.begin(), manifest.layers.end(), [](const oci::Descriptor& l) {
    return l.media_type == trust::cosign::kSimpleSigningMediaType ||
           l.media_type == trust::cosign::kDsseMediaType;
  });
}

}  // namespace

PolicyEnforcer::PolicyEnforcer(PolicyEnforcerStores stores, std::string trust_fingerprint,
                               std::function<void(const PolicyTransition&)> on_transition)
    : stores_(stores),
      trust_fingerprint_(std::move(trust_fingerprint)),
      on_transition_(std::move(on_transition)) {}

Result<std::vector<policy::Finding>> PolicyEnforcer::findings_of(std::string_view repository,
                                                                 std::string_view digest,
                                                                 bool& scanned) {
  BULWARK_ASSIGN_OR_RETURN(auto scan, stores_.findings.get_image_scan(repository, digest));
  scanned = scan.has_value() && scan->matched_at.has_value();
  std::vector<policy::Finding> out;
  if (!scanned) return out;
  BULWARK_ASSIGN_OR_RETURN(auto stored, stores_.findings.list_findings(repository, digest, false));
  out.reserve(stored.size());
  for (const metadata::StoredFinding& s : stored) out.push_back(policy_finding(s));
  return out;
}

policy::ProvenanceFacts PolicyEnforcer::provenance_of(std::string_view repository,
                                                      std::string_view digest) {
  policy::ProvenanceFacts facts;
  if (stores_.provenance == nullptr) {
    facts.known = true;
    facts.unsigned_reason = "signature verification is not configured (the trust: section)";
    return facts;
  }
  auto stored = stores_.provenance->get_provenance(repository, digest);
  if (!stored || !*stored || (*stored)->trust_fingerprint != trust_fingerprint_) return facts;
  facts.known = true;
  const metadata::ProvenanceRecord& record = **stored;
  auto detail = parse_strict_json(record.detail_json);
  if (detail && detail->is_object()) {
    facts.signatures = verified_entries(detail->get_object(), "signatures");
    facts.attestations = verified_entries(detail->get_object(), "attestations");
    if (!record.verified) {
      std::string message = string_at(detail->get_object(), "message");
      facts.unsigned_reason = record.reason + (message.empty() ? "" : ": " + message);
    }
  } else if (!record.verified) {
    facts.unsigned_reason = record.reason;
  }
  return facts;
}

Result<policy::ImageFacts> PolicyEnforcer::facts(std::string_view repository,
                                                 std::string_view digest_text) {
  return gather(repository, digest_text, nullptr);
}

Result<policy::ImageFacts> PolicyEnforcer::gather(std::string_view repository,
                                                  std::string_view digest_text,
                                                  std::vector<std::string>* children) {
  BULWARK_ASSIGN_OR_RETURN(Digest digest, Digest::parse(digest_text));
  BULWARK_ASSIGN_OR_RETURN(auto record, stores_.metadata.get_manifest(repository, digest));
  if (!record) return fail(ErrorCode::kNotFound, "manifest " + std::string(digest_text) + " not found");
  BULWARK_ASSIGN_OR_RETURN(oci::ParsedManifest manifest,
                           oci::parse_manifest(record->content, record->media_type));
  if (!is_image(*record, manifest)) {
    return fail(ErrorCode::kNotFound, "manifest " + std::string(digest_text) + " is not an image");
  }
  policy::ImageFacts facts;
  facts.repository = std::string(repository);
  facts.digest = std::string(digest_text);
  if (!manifest.annotations_json.empty()) {
    auto annotations = parse_strict_json(manifest.annotations_json);
    if (annotations && annotations->is_object()) facts.annotations = string_map(&annotations->get_object());
  }
  if (manifest.kind == oci::ManifestKind::kImageManifest) {
    BULWARK_ASSIGN_OR_RETURN(facts.findings, findings_of(repository, digest_text, facts.scanned));
    for (const oci::Descriptor& layer : manifest.layers) facts.layers.push_back(layer.digest.str());
    if (manifest.config) {
      StoredArtifacts artifacts(stores_.blobs, stores_.metadata, std::string(repository));
      auto config = artifacts.blob(manifest.config->digest, kConfigMaxBytes);
      if (config) {
        auto parsed = parse_strict_json(*config);
        if (parsed && parsed->is_object()) {
          if (const json::object* inner = object_at(parsed->get_object(), "config")) {
            facts.labels = string_map(object_at(*inner, "Labels"));
          }
        }
      }
    }
  } else {
    // An index: scanned when every child is; its findings are its children's.
    facts.scanned = true;
    for (const oci::Descriptor& child : manifest.manifests) {
      if (children != nullptr) children->push_back(child.digest.str());
      bool child_scanned = false;
      BULWARK_ASSIGN_OR_RETURN(auto found,
                               findings_of(repository, child.digest.str(), child_scanned));
      facts.scanned = facts.scanned && child_scanned;
      facts.findings.insert(facts.findings.end(), found.begin(), found.end());
    }
  }
  facts.provenance = provenance_of(repository, digest_text);
  if (manifest.kind == oci::ManifestKind::kImageManifest && facts.provenance.signatures.empty()) {
    // A platform of a multi-platform image is signed through its index: the index's verified
    // signatures and attestations speak for it too.
    BULWARK_ASSIGN_OR_RETURN(auto parents, stores_.enforcement.parent_indexes(repository, digest_text));
    for (const std::string& parent : parents) {
      policy::ProvenanceFacts index = provenance_of(repository, parent);
      if (!index.known) continue;
      facts.provenance.known = true;
      facts.provenance.signatures.insert(facts.provenance.signatures.end(),
                                         index.signatures.begin(), index.signatures.end());
      facts.provenance.attestations.insert(facts.provenance.attestations.end(),
                                           index.attestations.begin(), index.attestations.end());
    }
  }
  return facts;
}

Result<std::optional<metadata::ImagePolicyRecord>> PolicyEnforcer::evaluate(
    std::string_view repository, std::string_view digest) {
  std::vector<std::string> children;
  BULWARK_ASSIGN_OR_RETURN(auto record, evaluate_one(repository, digest, children));
  // An index's signatures speak for its platforms (gather): decide them again too.
  for (const std::string& child : children) {
    std::vector<std::string> none;
    BULWARK_TRY_VOID(evaluate_one(repository, child, none));
  }
  return record;
}

Result<std::optional<metadata::ImagePolicyRecord>> PolicyEnforcer::evaluate_one(
    std::string_view repository, std::string_view digest, std::vector<std::string>& children) {
  const std::string key = std::string(repository) + "@" + std::string(digest);
  std::lock_guard lock(image_locks_[std::hash<std::string>()(key) % image_locks_.size()]);
  auto facts_or = gather(repository, digest, &children);
  if (!facts_or) {
    if (facts_or.error().code == ErrorCode::kNotFound) return std::optional<metadata::ImagePolicyRecord>();
    return fail(std::move(facts_or.error()));
  }
  const std::string_view project = metadata::project_of(repository);
  auto effective_or = policy::effective_policy(stores_.policies, stores_.identities, project);
  if (!effective_or && effective_or.error().code == ErrorCode::kNotFound) {
    // A repository outside any project (an administrator's): development rules.
    effective_or = policy::effective_policy_in(stores_.policies, project,
                                               metadata::Environment::kDevelopment);
  }
  if (!effective_or) return fail(std::move(effective_or.error()));
  const policy::EffectivePolicy& effective = *effective_or;
  const int64_t now = unix_seconds();
  const policy::Context context{effective.production, now};
  const policy::ImageDecision decision = policy::evaluate_image(effective.document, *facts_or, context);
  json::object detail = policy::decision_to_json(decision);
  detail["policy"] = effective.source;
  detail["environment"] = metadata::environment_name(effective.environment);
  if (auto until = valid_until(decision, now)) detail["validUntil"] = *until;

  metadata::ImagePolicyRecord record;
  record.repository = std::string(repository);
  record.digest = std::string(digest);
  record.outcome = std::string(policy::outcome_name(decision.outcome));
  record.pending = decision.pending;
  record.decision_json = json::serialize(detail);
  record.policy = effective.source;
  record.evaluated_at = now;

  BULWARK_ASSIGN_OR_RETURN(auto previous, stores_.enforcement.get_image_policy(repository, digest));
  BULWARK_ASSIGN_OR_RETURN(bool stored, stores_.enforcement.put_image_policy(record));
  if (!stored) return std::optional<metadata::ImagePolicyRecord>();
  const policy::ImageStatus before = policy::image_status(previous, std::nullopt);
  const policy::ImageStatus after = policy::image_status(record, std::nullopt);
  // A first decision that lets the image through is not news; every other change is.
  const bool changed = previous ? before.quarantined != after.quarantined : after.quarantined;
  if (changed) {
    log_event(LogLevel::kInfo, after.quarantined ? "image quarantined" : "image released",
              {{"repository", repository}, {"digest", digest}, {"policy", record.policy},
               {"outcome", record.outcome}});
    if (on_transition_) on_transition_({record, after.quarantined, after.reasons});
  }
  return std::optional<metadata::ImagePolicyRecord>(std::move(record));
}

Result<uint64_t> PolicyEnforcer::queue_all(metadata::JobStore& jobs, std::string_view prefix,
                                           const std::function<void()>& queued) {
  uint64_t total = 0;
  std::string cursor;
  do {
    BULWARK_ASSIGN_OR_RETURN(auto page, stores_.enforcement.list_images(prefix, cursor, kQueuePage));
    for (const metadata::ImageRef& image : page) {
      BULWARK_TRY_VOID(jobs.enqueue_job(kPolicyJob, image.repository, image.digest));
    }
    total += page.size();
    if (!page.empty() && queued) queued();
  } while (!cursor.empty());
  return total;
}

Result<uint64_t> PolicyEnforcer::requeue_if_changed(metadata::JobStore& jobs,
                                                    const std::function<void()>& queued) {
  std::lock_guard lock(generation_mu_);
  BULWARK_ASSIGN_OR_RETURN(int64_t generation, stores_.policies.policy_generation());
  const bool moved = !generation_.has_value() || *generation_ != generation;
  generation_ = generation;
  if (!moved) return uint64_t{0};
  BULWARK_ASSIGN_OR_RETURN(uint64_t total, queue_all(jobs, "", queued));
  log_event(LogLevel::kInfo, "policies changed: images queued for evaluation",
            {{"images", static_cast<int64_t>(total)}});
  return total;
}

}  // namespace bulwark::jobs
