#include "admission/review.h"

#include <array>
#include <boost/json.hpp>

#include "common/encoding.h"
#include "common/strict_json.h"

namespace bulwark::admission {
namespace {

namespace json = boost::json;

constexpr std::string_view kApiVersion = "admission.k8s.io/v1";
// Real objects nest about 15 deep (managedFields); anything far deeper is not a workload.
constexpr size_t kMaxDepth = 128;

// Where each kind that runs pods keeps its pod spec, as object keys from the object's root.
struct PodSpecKind {
  std::string_view group;
  std::string_view kind;
  std::array<std::string_view, 5> path;  // unused tail entries are empty
};
constexpr PodSpecKind kPodSpecKinds[] = {
    {"", "Pod", {"spec"}},
    {"", "ReplicationController", {"spec", "template", "spec"}},
    {"apps", "Deployment", {"spec", "template", "spec"}},
    {"apps", "StatefulSet", {"spec", "template", "spec"}},
    {"apps", "DaemonSet", {"spec", "template", "spec"}},
    {"apps", "ReplicaSet", {"spec", "template", "spec"}},
    {"batch", "Job", {"spec", "template", "spec"}},
    {"batch", "CronJob", {"spec", "jobTemplate", "spec", "template", "spec"}},
};

// Every container list of a pod spec.
constexpr std::string_view kContainerLists[] = {"containers", "initContainers",
                                                "ephemeralContainers"};

Error bad(std::string_view where, std::string_view what) {
  return Error{ErrorCode::kInvalidArgument, std::string(where) + ": " + std::string(what)};
}

// A string member: "" when absent or null; an error when another type.
Result<std::string> string_member(const json::object& object, std::string_view key,
                                  std::string_view where) {
  const json::value* v = object.if_contains(key);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string()) return fail(bad(std::string(where) + "." + std::string(key), "must be a string"));
  return std::string(v->get_string());
}

// An object member: null when absent or null; an error when another type.
Result<const json::object*> object_member(const json::object& object, std::string_view key,
                                          std::string_view where) {
  const json::value* v = object.if_contains(key);
  if (v == nullptr || v->is_null()) return static_cast<const json::object*>(nullptr);
  if (!v->is_object()) {
    return fail(bad(std::string(where) + "." + std::string(key), "must be an object"));
  }
  return &v->get_object();
}

Result<void> read_containers(const json::object& pod_spec, const std::string& where,
                             const std::string& pointer, std::vector<ContainerImage>& out) {
  for (std::string_view list : kContainerLists) {
    const json::value* v = pod_spec.if_contains(list);
    if (v == nullptr || v->is_null()) continue;
    const std::string list_where = where + "." + std::string(list);
    if (!v->is_array()) return fail(bad(list_where, "must be an array"));
    const json::array& containers = v->get_array();
    for (size_t i = 0; i < containers.size(); ++i) {
      const std::string at = list_where + "[" + std::to_string(i) + "]";
      if (!containers[i].is_object()) return fail(bad(at, "must be an object"));
      const json::object& container = containers[i].get_object();
      BULWARK_ASSIGN_OR_RETURN(std::string image, string_member(container, "image", at));
      // A template may leave the image to a controller or config tool to fill in: nothing runs
      // from it as it stands.
      if (image.empty()) continue;
      BULWARK_ASSIGN_OR_RETURN(std::string name, string_member(container, "name", at));
      out.push_back(ContainerImage{std::move(image), std::move(name), std::string(list),
                                   pointer + "/" + std::string(list) + "/" +
                                       std::to_string(i) + "/image"});
    }
  }
  return ok();
}

}  // namespace

Result<AdmissionRequest> parse_admission_review(std::string_view body) {
  auto parsed = parse_strict_json(body, kMaxDepth);
  if (!parsed) return fail(ErrorCode::kInvalidArgument, "AdmissionReview: " + parsed.error().message);
  if (!parsed->is_object()) return fail(bad("AdmissionReview", "must be a JSON object"));
  const json::object& review = parsed->get_object();
  BULWARK_ASSIGN_OR_RETURN(std::string api_version, string_member(review, "apiVersion", "AdmissionReview"));
  if (api_version != kApiVersion) {
    return fail(bad("AdmissionReview.apiVersion",
                    "must be " + std::string(kApiVersion) + ", not " + quote_untrusted(api_version) +
                        " (set admissionReviewVersions: [\"v1\"] in the webhook configuration)"));
  }
  BULWARK_ASSIGN_OR_RETURN(std::string kind, string_member(review, "kind", "AdmissionReview"));
  if (kind != "AdmissionReview") {
    return fail(bad("AdmissionReview.kind", "must be AdmissionReview, not " + quote_untrusted(kind)));
  }
  BULWARK_ASSIGN_OR_RETURN(const json::object* request, object_member(review, "request", "AdmissionReview"));
  if (request == nullptr) return fail(bad("AdmissionReview", "has no request"));

  AdmissionRequest out;
  BULWARK_ASSIGN_OR_RETURN(out.uid, string_member(*request, "uid", "request"));
  if (out.uid.empty()) return fail(bad("request.uid", "is required"));
  BULWARK_ASSIGN_OR_RETURN(const json::object* gvk, object_member(*request, "kind", "request"));
  if (gvk == nullptr) return fail(bad("request.kind", "is required"));
  BULWARK_ASSIGN_OR_RETURN(out.group, string_member(*gvk, "group", "request.kind"));
  BULWARK_ASSIGN_OR_RETURN(out.version, string_member(*gvk, "version", "request.kind"));
  BULWARK_ASSIGN_OR_RETURN(out.kind, string_member(*gvk, "kind", "request.kind"));
  if (out.kind.empty()) return fail(bad("request.kind.kind", "is required"));
  BULWARK_ASSIGN_OR_RETURN(out.namespace_name, string_member(*request, "namespace", "request"));
  BULWARK_ASSIGN_OR_RETURN(out.operation, string_member(*request, "operation", "request"));
  if (out.operation.empty()) return fail(bad("request.operation", "is required"));
  if (const json::value* dry = request->if_contains("dryRun"); dry != nullptr && !dry->is_null()) {
    if (!dry->is_bool()) return fail(bad("request.dryRun", "must be true or false"));
    out.dry_run = dry->get_bool();
  }
  BULWARK_ASSIGN_OR_RETURN(out.name, string_member(*request, "name", "request"));

  BULWARK_ASSIGN_OR_RETURN(const json::object* object, object_member(*request, "object", "request"));
  if (object != nullptr) {
    BULWARK_ASSIGN_OR_RETURN(const json::object* metadata,
                             object_member(*object, "metadata", "request.object"));
    if (metadata != nullptr) {
      BULWARK_ASSIGN_OR_RETURN(std::string name,
                               string_member(*metadata, "name", "request.object.metadata"));
      if (name.empty()) {
        BULWARK_ASSIGN_OR_RETURN(
            name, string_member(*metadata, "generateName", "request.object.metadata"));
      }
      if (!name.empty()) out.name = std::move(name);
    }
  }

  const PodSpecKind* spec_kind = nullptr;
  for (const PodSpecKind& k : kPodSpecKinds) {
    if (k.group == out.group && k.kind == out.kind) spec_kind = &k;
  }
  out.supported = spec_kind != nullptr;
  if (spec_kind == nullptr || object == nullptr) return out;

  const json::object* node = object;
  std::string where = "request.object";
  std::string pointer;
  for (std::string_view key : spec_kind->path) {
    if (key.empty()) break;
    BULWARK_ASSIGN_OR_RETURN(const json::object* next, object_member(*node, key, where));
    where += "." + std::string(key);
    if (next == nullptr) return fail(bad(where, "is required for a " + out.kind));
    node = next;
    pointer += "/" + pointer_token(key);
  }
  BULWARK_TRY_VOID(read_containers(*node, where, pointer, out.images));
  return out;
}

std::string pointer_token(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string json_patch(const std::vector<PatchOp>& ops) {
  json::array patch;
  for (const PatchOp& op : ops) {
    patch.push_back(json::object{{"op", "replace"}, {"path", op.pointer}, {"value", op.value}});
  }
  return json::serialize(patch);
}

std::string admission_response_json(const AdmissionResponse& r) {
  json::object response{{"uid", r.uid}, {"allowed", r.allowed}};
  if (!r.allowed) {
    response["status"] = json::object{{"code", r.code}, {"message", r.message}};
  } else if (!r.message.empty()) {
    response["status"] = json::object{{"code", 200}, {"message", r.message}};
  }
  if (!r.warnings.empty()) {
    json::array warnings;
    for (const std::string& w : r.warnings) warnings.emplace_back(w);
    response["warnings"] = std::move(warnings);
  }
  if (r.allowed && !r.patch.empty()) {
    response["patchType"] = "JSONPatch";
    response["patch"] = base64_encode(json_patch(r.patch));
  }
  return json::serialize(json::object{{"apiVersion", kApiVersion},
                                      {"kind", "AdmissionReview"},
                                      {"response", std::move(response)}});
}

}  // namespace bulwark::admission
