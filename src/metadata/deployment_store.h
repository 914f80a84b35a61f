// DeploymentStore: where images run — every image the Kubernetes admission webhook admitted, by
// cluster, namespace, workload ("Deployment/web") and the image reference as the pod spec wrote
// it, with the digest it resolved to and when it was first and last admitted. Records outlive
// the image (incident response asks where a deleted digest ran).
//
// Thread-safety: all methods are thread-safe; they block (disk I/O): call them from worker
// threads, never from an I/O thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bulwark::metadata {

struct Deployment {
  std::string cluster;
  std::string namespace_name;
  std::string workload;    // "<Kind>/<name>" ("Pod/web-1", "Deployment/web")
  std::string image;       // as written in the pod spec
  std::string repository;  // in this registry
  std::string digest;      // "sha256:<hex>"
  int64_t first_admitted = 0;
  int64_t last_admitted = 0;
};

class DeploymentStore {
 public:
  virtual ~DeploymentStore() = default;
  // Records admissions at `now` in one transaction: new rows get first_admitted = now, existing
  // ones (same cluster, namespace, workload, image) their digest, repository and last_admitted.
  virtual Result<void> record_deployments(const std::vector<Deployment>& deployments,
                                          int64_t now) = 0;
  // Where `digest` was admitted, most recent first.
  virtual Result<std::vector<Deployment>> deployments_of(std::string_view digest) = 0;
};

}  // namespace bulwark::metadata
