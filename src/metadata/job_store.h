// JobStore: the background job queue (scan on push, and later rescans, replication, GC).
//
// A job names a kind ("sbom") and the manifest it is about. Enqueueing is idempotent per
// (kind, repository, digest) while the job is pending; jobs also enter the queue in the same
// transaction as the manifest that causes them (ManifestPut::jobs), so a crash can never leave a
// pushed image without its job. Workers claim jobs one at a time; a claim that was not completed
// within the lease (the worker died) is claimed again.
//
// Thread-safety: all methods are thread-safe; they block (disk I/O): call them from worker
// threads, never from an I/O thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bulwark::metadata {

struct Job {
  int64_t id = 0;
  std::string kind;
  std::string repository;
  std::string digest;
  int attempts = 0;  // including the current claim
  std::string last_error;
};

enum class JobState { kQueued, kRunning, kDone, kFailed };

struct JobStatus {
  JobState state = JobState::kQueued;
  int attempts = 0;
  std::string last_error;
  int64_t updated_at = 0;
};

class JobStore {
 public:
  virtual ~JobStore() = default;
  // Queues a job unless the same one is already queued or running.
  virtual Result<void> enqueue_job(std::string_view kind, std::string_view repository,
                                   std::string_view digest) = 0;
  // Claims the oldest job that is due (queued and not delayed, or running with an expired lease).
  virtual Result<std::optional<Job>> claim_job(int64_t now, int64_t lease_seconds) = 0;
  // Marks a claimed job done.
  virtual Result<void> complete_job(int64_t id) = 0;
  // Records a failure: queued again after `retry_at` (unix seconds), or failed for good when
  // `retry_at` is nullopt.
  virtual Result<void> fail_job(int64_t id, std::string_view error, std::optional<int64_t> retry_at) = 0;
  // Makes every running job due again: for a single node starting up, whose earlier claims died
  // with its previous process. Returns how many were released.
  virtual Result<int64_t> release_claims() = 0;
  // The newest job of a kind for a manifest, if any.
  virtual Result<std::optional<JobStatus>> job_status(std::string_view kind, std::string_view repository,
                                                      std::string_view digest) = 0;
};

}  // namespace bulwark::metadata
