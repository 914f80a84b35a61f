// ImageDecider: whether one container image may run, with the reasons — the question the
// admission webhook asks for every image of a review. The server's decider is RegistryDecider
// (registry_decider.h); tests supply their own.
//
// Thread-safety: implementations are thread-safe; decide() may block (database reads): call it
// on worker threads, never on an I/O thread.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace bulwark::admission {

struct ImageRequest {
  std::string image;  // as the pod spec writes it
  std::string cluster;
  std::string namespace_name;
  std::string workload;  // "Deployment/web"
};

struct ImageVerdict {
  std::string image;       // as requested
  std::string repository;  // in this registry ("" for a foreign image)
  std::string digest;      // what the reference resolved to ("" when unknown or foreign)
  bool allowed = false;
  // Why it is denied; for an allowed image, what the cluster should be warned about (flagged by
  // policy, not from this registry). Empty: allowed without remarks.
  std::vector<std::string> reasons;
};

class ImageDecider {
 public:
  virtual ~ImageDecider() = default;
  // The verdict for one image; an error when it could not be decided (a store failure), which
  // the webhook answers as configured (admission.fail_open).
  virtual Result<ImageVerdict> decide(const ImageRequest& request) = 0;
  // Verdicts for the images of one review, in order. The default decides each distinct image
  // string once; deciders that resolve references override it to decide each digest once.
  virtual std::vector<Result<ImageVerdict>> decide_all(const std::vector<ImageRequest>& requests);
};

}  // namespace bulwark::admission
