// Enforcement: what an image's stored policy decision (metadata/enforcement_store.h) and any
// manual quarantine mean for the one who wants it — the registry's pull gate and the Kubernetes
// admission webhook ask the same question and give the same reasons.
//
// An image is quarantined when an operator quarantined it by hand, when its decision blocks it,
// or when it has no decision yet or a pending one whose `pending` rule blocks. A pending decision
// under `pending: {wait: N}` asks the caller to wait up to N seconds for the evaluation and ask
// again (after which it is refused).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "metadata/enforcement_store.h"

namespace bulwark::policy {

struct ImageStatus {
  bool quarantined = false;
  bool manual = false;                  // an operator's quarantine holds it
  bool pending = false;                 // no final decision yet
  std::optional<int64_t> wait_seconds;  // pending under `pending: {wait: N}`: wait, then ask again
  std::optional<int64_t> valid_until;   // an exception the decision relied on expires then
  std::string outcome;                  // the decision's outcome ("allow", "flag", "block"), if any
  std::string policy;                   // which document decided ("project:app@3", "defaults")
  std::vector<std::string> reasons;     // why (the decision's reasons, or the operator's)
};

ImageStatus image_status(const std::optional<metadata::ImagePolicyRecord>& decision,
                         const std::optional<metadata::ManualQuarantine>& manual);

// One line for an OCI error or an AdmissionReview status: "image quarantined by policy
// project:app@3: CVE-2024-1234 in openssl: critical, fix available (block)" (reasons joined by
// "; ", at most `max_reasons`, then "and N more").
std::string status_message(const ImageStatus& status, size_t max_reasons = 3);

}  // namespace bulwark::policy
