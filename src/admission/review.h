// The Kubernetes AdmissionReview (admission.k8s.io/v1) as the webhook reads and answers it: the
// request's identity (uid, kind, namespace, name, operation, dry run) and every container image
// of the object's pod spec, with the JSON pointer of its `image` field (for JSONPatch).
//
// Which kinds carry a pod spec, and where, is one table (kPodSpecKinds in review.cc): Pod
// (spec), Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job
// (spec.template.spec) and CronJob (spec.jobTemplate.spec.template.spec); every container list
// of a pod spec is read (containers, initContainers, ephemeralContainers). Other kinds are
// reported as unsupported (the webhook admits them with a message).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bulwark::admission {

// One container's image as the pod spec writes it.
struct ContainerImage {
  std::string image;      // as written ("registry:5000/team/web:1")
  std::string container;  // the container's name
  std::string list;       // "containers", "initContainers" or "ephemeralContainers"
  std::string pointer;    // RFC 6901 pointer to the image field: "/spec/containers/0/image"
};

struct AdmissionRequest {
  std::string uid;
  std::string group;  // request.kind: "" for the core group, "apps", "batch"
  std::string version;
  std::string kind;            // "Deployment"
  std::string namespace_name;  // request.namespace ("" for cluster-scoped objects)
  std::string name;            // the object's metadata.name, else generateName, else request.name
  std::string operation;       // CREATE, UPDATE, DELETE, CONNECT
  bool dry_run = false;
  bool supported = false;  // the kind carries a pod spec (its images are listed)
  std::vector<ContainerImage> images;

  // "<Kind>/<name>", how deployments are recorded ("Deployment/web").
  std::string workload() const { return kind + "/" + name; }
};

// Parses an AdmissionReview v1 request body (strict JSON: duplicate keys are errors).
// kInvalidArgument with a message naming what is wrong ("request.object.spec.containers[1]:
// must be an object") for malformed JSON, another apiVersion or kind, or a pod spec of the
// wrong shape. DELETE and CONNECT reviews (no object) parse with no images.
Result<AdmissionRequest> parse_admission_review(std::string_view body);

// One JSONPatch (RFC 6902) "replace" of a string value.
struct PatchOp {
  std::string pointer;
  std::string value;
};

// The answer: an AdmissionReview v1 with `response`. A denial carries status {code, message};
// an admission may carry a status message (an unsupported kind), warnings and a JSONPatch
// (sent base64-encoded with patchType JSONPatch).
struct AdmissionResponse {
  std::string uid;
  bool allowed = false;
  int code = 403;        // status.code of a denial
  std::string message;   // status.message ("" for none)
  std::vector<std::string> warnings;
  std::vector<PatchOp> patch;
};
std::string admission_response_json(const AdmissionResponse& response);

// The JSONPatch document for `ops`: [{"op":"replace","path":...,"value":...}, ...].
std::string json_patch(const std::vector<PatchOp>& ops);

// Escapes one reference token of an RFC 6901 pointer ('~' -> "~0", '/' -> "~1").
std::string pointer_token(std::string_view token);

}  // namespace bulwark::admission
