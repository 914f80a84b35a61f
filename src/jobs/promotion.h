// Promoter: copies an image from one repository into another (staging/app:1.0 → prod/app:1.0)
// only when the destination's policy lets it through there (issue 7, "Promotion").
//
// promote() runs synchronously on the calling (worker) thread:
//   1. resolves the source (tag or digest) to an image or image index;
//   2. copies it into the destination without a tag: every blob is linked (a mount: the bytes
//      are already in the blob store, nothing is uploaded), an index's children before the
//      index, then the image's signatures and attestations (cosign's sha256-<hex>.sig/.att/.sbom
//      tags and the referrers fallback tag, and every OCI referrer of the digest except the SBOMs
//      and vulnerability reports Bulwark generates itself, which are made again in the
//      destination). Unless the destination already held the digest, a manual quarantine
//      ("promotion in progress") holds it from the moment it exists there;
//   3. verifies its signatures again under the destination's trust rule (when verification is
//      configured), inventories it again and matches it against the current vulnerability
//      database (generate_sbom + VulnMatcher::match_image in the destination, per child for an
//      index), and evaluates the destination project's policy (PolicyEnforcer::evaluate);
//   4. refuses when the decision blocks or is still pending (something could not be decided: no
//      vulnerability database, say), or when an operator quarantined the source or the
//      destination digest by hand: what step 2 added is removed again (manifests, signatures,
//      generated referrers; blobs are left to garbage collection) unless the destination held
//      the digest before. Otherwise it releases the quarantine and moves the destination tag.
// Every promotion, allowed or refused, is reported to `on_promotion` (the server's audit trail:
// "image.promote"). Operational failures are errors (and leave what was copied quarantined or
// removed, never tagged).
//
// Thread-safety: thread-safe; promotions into the same destination repository and digest are
// serialised in this process. Blocking (store reads, crypto, layer reads): worker threads only.
#pragma once

#include <array>
#include <boost/json/object.hpp>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "jobs/policy_job.h"
#include "jobs/provenance_job.h"
#include "jobs/vuln_match.h"
#include "metadata/enforcement_store.h"
#include "metadata/inventory_store.h"
#include "metadata/metadata_store.h"
#include "storage/blob_store.h"

namespace bulwark::jobs {

// The manual quarantine's reason while a promotion is in progress.
inline constexpr std::string_view kPromotionInProgress = "promotion in progress";

struct PromotionRequest {
  std::string source_repository;  // "staging/app"
  std::string source_reference;   // a tag ("1.0") or a digest ("sha256:...")
  std::string destination_repository;
  // The tag to move in the destination; nullopt: the source's tag (a source named by digest is
  // then promoted by digest only: nothing is tagged).
  std::optional<std::string> destination_tag;
  std::string actor;           // who asked (audit, and the destination manifest's pusher)
  std::string client_address;  // for the audit trail; may be empty
};

struct PromotionResult {
  bool allowed = false;
  std::string digest;                // of the promoted image
  std::string source;                // "staging/app:1.0" or "staging/app@sha256:..."
  std::string destination;           // "prod/app:1.0", or "prod/app@sha256:..." without a tag
  std::string tag;                   // the destination tag ("" when promoted by digest only)
  std::vector<std::string> reasons;  // why it was refused (or what the policy flagged)
  std::string policy;                // which document decided ("project:prod@2", "defaults")
  std::string outcome;               // the decision's outcome ("allow", "flag", "block"), if any
  bool pending = false;              // the decision was still pending
  boost::json::object decision;      // policy::decision_to_json (+ policy, environment)
  // {"verified": bool, "reason": ..., "signers": [...]} or {"configured": false}.
  boost::json::object provenance;
  std::vector<std::string> copied;  // manifests copied ("sha256:... (image)", "... (signature)")
  std::vector<std::string> notes;   // anything worth knowing that did not decide
};

// The result as the API answers it: {"allowed", "digest", "source", "destination", "reasons",
// "policy", "outcome", "pending", "decision", "provenance", "copied", "notes"}.
boost::json::object promotion_to_json(const PromotionResult& result);

struct PromoterServices {
  storage::BlobStore& blobs;
  metadata::MetadataStore& metadata;
  metadata::InventoryStore& inventory;
  metadata::EnforcementStore& enforcement;
  VulnMatcher& matcher;
  PolicyEnforcer& enforcer;
  // nullptr: signature verification is not configured (the policy then knows no signature).
  ProvenanceVerifier* verifier;
};

class Promoter {
 public:
  // REQUIRES: the services outlive the promoter.
  Promoter(PromoterServices services,
           std::function<void(const PromotionRequest&, const PromotionResult&)> on_promotion = {});

  // Errors: kInvalidArgument (bad names, same repository as the source, no tag to promote by),
  // kNotFound (no such source, or not an image), store failures. A refusal is not an error.
  Result<PromotionResult> promote(const PromotionRequest& request);

 private:
  struct Copy;  // the state of one promotion (promotion.cc)
  Result<PromotionResult> run(const PromotionRequest& request, Copy& copy);
  Result<void> copy_manifest(Copy& copy, const Digest& digest, std::optional<std::string> tag,
                             std::string_view what);
  Result<void> copy_signatures(Copy& copy, const Digest& subject);
  Result<void> rescan(const std::string& repository, const Digest& digest);
  Result<void> roll_back(Copy& copy);

  PromoterServices services_;
  const std::function<void(const PromotionRequest&, const PromotionResult&)> on_promotion_;
  std::array<std::mutex, 64> locks_;  // by destination repository@digest
};

}  // namespace bulwark::jobs
