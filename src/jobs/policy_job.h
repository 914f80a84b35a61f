// PolicyEnforcer: keeps each stored image's policy decision (metadata/enforcement_store.h)
// current. For an image it gathers the facts (open vulnerability findings, verified signatures
// and attestations, layers, labels and annotations; for an index, its children's findings),
// evaluates its project's effective policy (policy/effective.h, policy/evaluate.h) and stores the
// decision — which is what quarantines the image or releases it.
//
// When it runs: the "policy" job, queued with every pushed image and index (the first decision
// is pending until the scan and the verification finished), right after an image's scan or
// verification finished (on the same job worker), after a re-match changed its findings, for
// every image of a scope whose policy changed (requeue_if_changed), and inline when a stored
// decision's exception has expired (the pull gate asks for it).
//
// Every change of an image's quarantine state is reported to `on_transition` (the server records
// it in the audit trail).
//
// Thread-safety: thread-safe; evaluations of one image are serialised in this process so an
// older evaluation never overwrites a newer one. Blocking (store reads): worker threads only.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "metadata/enforcement_store.h"
#include "metadata/finding_store.h"
#include "metadata/identity_store.h"
#include "metadata/job_store.h"
#include "metadata/metadata_store.h"
#include "metadata/policy_store.h"
#include "metadata/provenance_store.h"
#include "policy/evaluate.h"
#include "storage/blob_store.h"

namespace bulwark::jobs {

// The job kind that evaluates an image's policy.
inline constexpr std::string_view kPolicyJob = "policy";

// A change of an image's quarantine state.
struct PolicyTransition {
  metadata::ImagePolicyRecord decision;  // the new decision
  bool quarantined = false;              // the new state
  std::vector<std::string> reasons;
};

struct PolicyEnforcerStores {
  storage::BlobStore& blobs;
  metadata::MetadataStore& metadata;
  metadata::FindingStore& findings;
  // nullptr: signature verification is not configured; every image is known to have no
  // verified signature (provenance rules fail instead of waiting forever).
  metadata::ProvenanceStore* provenance;
  metadata::EnforcementStore& enforcement;
  metadata::PolicyStore& policies;
  metadata::IdentityStore& identities;
};

class PolicyEnforcer {
 public:
  // REQUIRES: the stores outlive the enforcer. `trust_fingerprint`: provenance statuses stored
  // under another configuration are stale (pending).
  PolicyEnforcer(PolicyEnforcerStores stores, std::string trust_fingerprint,
                 std::function<void(const PolicyTransition&)> on_transition = {});

  // Evaluates the image now and stores the decision; nullopt when the image is gone or is not an
  // image. An index's platforms are evaluated again after it.
  Result<std::optional<metadata::ImagePolicyRecord>> evaluate(std::string_view repository,
                                                              std::string_view digest);

  // The facts evaluate() uses (for `bulwark policy test`-style explanations and tests). A
  // platform of an index without signatures of its own has the index's verified signatures.
  Result<policy::ImageFacts> facts(std::string_view repository, std::string_view digest);

  // Queues a policy job for every stored image of the repositories under `prefix` (empty: all).
  Result<uint64_t> queue_all(metadata::JobStore& jobs, std::string_view prefix,
                             const std::function<void()>& queued = {});

  // When any policy document changed since the last call, queues every stored image; the first
  // call always does (documents may have changed while no server watched: `bulwark admin
  // policy` works offline). Returns how many were queued.
  Result<uint64_t> requeue_if_changed(metadata::JobStore& jobs,
                                      const std::function<void()>& queued = {});

 private:
  // facts(), also listing an index's children in `children` (when not null).
  Result<policy::ImageFacts> gather(std::string_view repository, std::string_view digest,
                                    std::vector<std::string>* children);
  Result<std::optional<metadata::ImagePolicyRecord>> evaluate_one(std::string_view repository,
                                                                  std::string_view digest,
                                                                  std::vector<std::string>& children);
  Result<std::vector<policy::Finding>> findings_of(std::string_view repository,
                                                   std::string_view digest, bool& scanned);
  policy::ProvenanceFacts provenance_of(std::string_view repository, std::string_view digest);

  PolicyEnforcerStores stores_;
  const std::string trust_fingerprint_;
  const std::function<void(const PolicyTransition&)> on_transition_;
  std::array<std::mutex, 64> image_locks_;
  std::mutex generation_mu_;
  std::optional<int64_t> generation_;  // guarded by generation_mu_
};

}  // namespace bulwark::jobs
