// The Kubernetes admission webhook (AdmissionReview v1 over the server's TLS listener):
//
//   POST /admission/validate   allows a workload iff every container image is allowed by the
//                              ImageDecider; a denial's status message names each denied image
//                              with its reasons; flagged and foreign-but-allowed images become
//                              warnings. Each image of this registry admitted by a CREATE or
//                              UPDATE that is not a dry run is recorded (DeploymentStore:
//                              cluster, namespace, "<Kind>/<name>", image, digest, time); an
//                              admission already recorded with the same digest less than
//                              `record_interval_seconds` ago is not written again (every pod of
//                              a ReplicaSet repeats its template), so last_admitted is exact to
//                              that interval.
//   POST /admission/mutate     the same verdicts, and when admitted a JSONPatch pinning every
//                              tag reference of this registry to what it resolved to, written
//                              "host/repo:tag@sha256:..." (the tag stays for people to read;
//                              runtimes pull by the digest). Nothing is recorded: the validating
//                              call that follows decides, on the pinned references.
//
// When an image cannot be decided (a store failure) the review is allowed if `fail_open`, with
// a warning, else denied with the error. Bad JSON or a shape that is not an AdmissionReview v1
// of a known pod-carrying kind is a 400 with a text body. Kinds without a pod spec are allowed
// with a message. Denials (and fail-open admissions) are reported to `on_refusal` (the server
// records them in the audit trail).
//
// No registry credentials are asked for: the kube-apiserver reaches the webhook over TLS and
// answers only say what policy decided about images. Authenticating the apiserver with a client
// certificate is left for later; the routes exist only when `admission.enabled` is true.
//
// Thread-safety: after construction all members are thread-safe; review() blocks (decider and
// store calls) and the routes run it on the worker pool.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "admission/decider.h"
#include "common/result.h"
#include "http/router.h"
#include "metadata/deployment_store.h"

namespace bulwark::admission {

struct WebhookOptions {
  std::string cluster = "default";  // recorded with every deployment
  bool fail_open = false;
  // An AdmissionReview holds the object and its old version (etcd caps each at 1.5 MiB).
  size_t max_body_bytes = size_t{6} << 20;
  std::function<int64_t()> now;  // unix seconds; default: the system clock
  int64_t record_interval_seconds = 60;
  // Told of every denied review ("admission.deny") and of every review admitted only because
  // `fail_open` ("admission.fail_open"), with the workload ("<cluster>/<namespace>/<Kind>/<name>")
  // and the message naming each image and why: the audit trail's copy of the decision. Admitted
  // reviews are recorded as deployments instead. May be empty; must not block.
  std::function<void(std::string_view action, const std::string& workload,
                     const std::string& message)>
      on_refusal;
};

enum class Mode { kValidate, kMutate };

class Webhook {
 public:
  // `deployments` may be null (nothing recorded). Both must outlive the Webhook.
  Webhook(WebhookOptions options, ImageDecider& decider, metadata::DeploymentStore* deployments);

  // Routes POST /admission/validate and /admission/mutate.
  void register_routes(http::Router& router);

  // The AdmissionReview answer (JSON) to one request body, or kInvalidArgument for a body that
  // is not a well-formed AdmissionReview v1 (answered 400). Blocks.
  Result<std::string> review(std::string_view body, Mode mode);

 private:
  // Writes the admissions not recorded with the same digest within the interval.
  void record(const std::vector<metadata::Deployment>& admitted, const std::string& workload);

  WebhookOptions options_;
  ImageDecider& decider_;
  metadata::DeploymentStore* deployments_;

  // What was last written per cluster/namespace/workload/image: (digest, unix seconds).
  static constexpr size_t kMaxRecorded = 65536;  // cleared when full
  std::mutex recorded_mu_;
  std::unordered_map<std::string, std::pair<std::string, int64_t>> recorded_;  // by recorded_mu_
};

}  // namespace bulwark::admission
