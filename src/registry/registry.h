// The OCI Distribution API (distribution-spec v1.1 plus Docker v2 conventions).
//
// Registry wires the stores into the route table; each resource lives in its own file
// (base, blobs, uploads, manifests, tags, catalog, referrers) and receives the shared Context.
// Handlers run on I/O threads and move every blocking store call onto the worker pool.
//
// Thread-safety: after register_routes() the Registry is used concurrently by all I/O threads;
// it holds no mutable state of its own besides the internally synchronised Context members.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/writer.h"
#include "auth/access.h"
#include "common/result.h"
#include "http/router.h"
#include "metadata/enforcement_store.h"
#include "metadata/finding_store.h"
#include "metadata/inventory_store.h"
#include "metadata/job_store.h"
#include "metadata/metadata_store.h"
#include "metadata/provenance_store.h"
#include "storage/blob_store.h"

namespace bulwark::registry {

// A promotion asked for over the API (the Promoter's request, without the registry depending on
// jobs): the source repository and its tag or digest, the destination repository and tag
// (nullopt: the source's tag), who asks and from where.
struct PromotionCall {
  std::string source_repository;
  std::string source_reference;
  std::string destination_repository;
  std::optional<std::string> destination_tag;
  std::string actor;
  std::string client_address;
};
// Its outcome: whether it was allowed, and the result as JSON text (jobs::promotion_to_json).
struct PromotionAnswer {
  bool allowed = false;
  std::string json;
};

struct RegistryOptions {
  uint64_t manifest_max_bytes = uint64_t{4} << 20;
  // The resolution of an upload session's idle clock: a chunk rewrites the session's recorded
  // activity only once that is at least this many seconds old, so that a chunked push does not
  // pay a synchronous metadata commit per PATCH. Keep it a small part of the upload expiry.
  int64_t upload_activity_resolution_seconds = 60;
  // The token endpoint URL named in Bearer challenges; empty: derived from each request's scheme
  // and Host header ("http://<host>/auth/token").
  std::string token_realm;
  // Background jobs (JobStore kinds) queued with every new image manifest, in the push's own
  // transaction (e.g. "sbom"); artifacts and signatures queue none, indexes index_push_jobs.
  std::vector<std::string> image_push_jobs;
  // Jobs queued with every new image index without a subject or artifactType (multi-platform
  // images are signed by their index).
  std::vector<std::string> index_push_jobs;
  // Jobs queued, in the push's own transaction, for the image whose signatures or attestations
  // a pushed manifest adds: its subject, or the image `signature_tag_subject` derives from the
  // tag it is pushed under (cosign's sha256-<hex>.sig/.att; nullopt for other tags). A manifest
  // under such a tag is a signature, not an image: it gets no image_push_jobs.
  std::vector<std::string> signature_push_jobs;
  std::function<std::optional<Digest>(std::string_view tag)> signature_tag_subject;
  // Called after a push queued jobs, to wake the workers (may be empty). Must not block.
  std::function<void()> jobs_queued;
  // The package index and job queue behind /api/v1/packages and .../sbom (nullptr: not served).
  metadata::InventoryStore* inventory = nullptr;
  metadata::JobStore* jobs = nullptr;
  // Vulnerability findings behind .../vulnerabilities and /api/v1/vulnerabilities/* (nullptr:
  // not served).
  metadata::FindingStore* findings = nullptr;
  // Provenance statuses behind .../provenance (nullptr: not served): those stored under
  // `trust_fingerprint` (the current trust configuration) are current; for an image without one
  // a `provenance_job` is queued and the answer is "pending".
  metadata::ProvenanceStore* provenance = nullptr;
  std::string trust_fingerprint;
  std::string provenance_job;
  // Enforcement (policy/enforcement.h; nullptr: images are not gated): image pulls are refused
  // while the image is quarantined, except to its pusher and to callers who may scan it.
  metadata::EnforcementStore* enforcement = nullptr;
  // Evaluates an image's policy now and stores the decision; nullopt when the manifest is gone
  // or is not an image (signatures, SBOMs and other artifacts are never gated). Called on a
  // worker thread for an image without a decision and for a decision whose exception expired.
  std::function<Result<std::optional<metadata::ImagePolicyRecord>>(std::string_view repository,
                                                                   std::string_view digest)>
      evaluate_policy;
  // How long a gate answer is reused for the same image (a quarantine ordered elsewhere takes
  // effect within this time).
  int64_t gate_cache_millis = 1000;
  // POST /api/v1/promotions (promotion.cc; empty: not served): promotes an image (jobs/promotion.h)
  // once the caller was found to hold pull on the source and push on the destination. Called on a
  // worker thread; a refusal is an answer (allowed false), not an error.
  std::function<Result<PromotionAnswer>(const PromotionCall&)> promote;
};

struct Context;

class Registry {
 public:
  // Every route is behind `access` (gate.h); pushes, pulls and deletes are recorded by `audit`
  // (nullptr: not recorded).
  // REQUIRES: blobs, metadata, access and audit outlive the Registry.
  Registry(RegistryOptions options, storage::BlobStore& blobs, metadata::MetadataStore& metadata,
           auth::AccessService& access, audit::AuditWriter* audit);
  ~Registry();

  void register_routes(http::Router& router);

  // Passes on the summaries of repeated audit events whose window has ended (call about once a
  // second), or all pending ones (`everything`, at shutdown, before the AuditWriter stops).
  void flush_audit(bool everything);

  // Removes upload sessions idle for longer than `expiry_seconds` (the current uploads.expiry
  // setting), staged bytes and metadata. Blocking; call from a maintenance thread. Returns the
  // number removed.
  Result<size_t> expire_uploads(int64_t now_unix_seconds, int64_t expiry_seconds);

 private:
  std::unique_ptr<Context> context_;
};

}  // namespace bulwark::registry
