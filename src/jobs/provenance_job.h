// ProvenanceVerifier: the signature and attestation status of stored images (issue 6). For an
// image it finds the signatures attached to it in its repository (cosign's .sig/.att tags, OCI
// 1.1 referrers: Sigstore bundles and Notation signatures), picks the first trust rule matching
// the repository (provenance_config.h), verifies the signatures, each attestation type the rule
// reports and every other attestation found (under its declared type, for policies that require
// it), and stores the outcome (metadata/provenance_store.h) with the fingerprint of the
// trust configuration it was made under.
//
// When it runs: the "provenance" job, queued with every pushed image (and index), for the image
// a pushed signature or attestation is about, and at startup for every stored image without a
// status under the current configuration (queue_stale) — so a changed configuration re-verifies
// everything, without any push. Verification is crypto-heavy: only ever on job workers.
//
// Results are cached per (repository@digest, trust fingerprint) in a SingleFlightCache: callers
// asking for an image being verified wait for that verification instead of repeating it. A job
// means the image's material changed (or it was never verified), so it drops the cached result
// first (refresh). Verifications of one image are serialised in this process, so a job started
// after a signature push never has its result overwritten by an older one still running.
//
// Thread-safety: all methods are thread-safe; they block (store reads, crypto): call them from
// worker threads.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/single_flight_cache.h"
#include "jobs/provenance_config.h"
#include "metadata/job_store.h"
#include "metadata/metadata_store.h"
#include "metadata/provenance_store.h"
#include "storage/blob_store.h"

namespace bulwark::jobs {

// The job kind that (re-)verifies an image's provenance.
inline constexpr std::string_view kProvenanceJob = "provenance";

// The stored reason when no trust rule applies to the repository (and no Notation policy is
// configured): nothing is verified.
inline constexpr std::string_view kNoTrustRule = "no_trust_rule";

class ProvenanceVerifier {
 public:
  // REQUIRES: the stores outlive the verifier.
  ProvenanceVerifier(storage::BlobStore& blobs, metadata::MetadataStore& metadata,
                     metadata::ProvenanceStore& provenance,
                     std::shared_ptr<const ProvenanceTrust> trust, size_t cache_capacity = 4096);

  const std::string& fingerprint() const { return trust_->fingerprint; }

  // The job: verifies the image again and stores the status (nothing when the image is gone).
  Result<metadata::ProvenanceRecord> refresh(std::string_view repository, std::string_view digest);

  // The image's status under the current configuration: cached, else stored under the current
  // fingerprint, else verified now and stored.
  Result<metadata::ProvenanceRecord> status(std::string_view repository, std::string_view digest);

  // Queues a provenance job for every stored image without a status under the current
  // fingerprint, a page at a time; `queued` (if set) is called after each page that queued some.
  // Returns how many were queued.
  Result<uint64_t> queue_stale(metadata::JobStore& jobs, const std::function<void()>& queued = {});

  // The cache's counters (tests, metrics).
  const SingleFlightCache<metadata::ProvenanceRecord>& cache() const { return cache_; }

 private:
  // Finds, verifies and stores; errors only when the stores fail.
  Result<metadata::ProvenanceRecord> verify_and_store(const std::string& repository,
                                                      const std::string& digest);
  // Through the cache (errors are thrown through it and come back as errors, never cached).
  Result<metadata::ProvenanceRecord> cached(const std::string& repository,
                                            const std::string& digest, bool use_stored);

  storage::BlobStore& blobs_;
  metadata::MetadataStore& metadata_;
  metadata::ProvenanceStore& provenance_;
  const std::shared_ptr<const ProvenanceTrust> trust_;
  SingleFlightCache<metadata::ProvenanceRecord> cache_;
  // Serialises the verifications of one image (striped by a hash of repository@digest).
  std::array<std::mutex, 64> image_locks_;
};

}  // namespace bulwark::jobs
