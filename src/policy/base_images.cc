#include "policy/base_images.h"

#include <algorithm>

#include "common/digest.h"
#include "common/strict_json.h"
#include "policy/parse_internal.h"

namespace bulwark::policy {

Check check_base_image(const BaseImagePolicy& policy, std::span<const std::string> layers) {
  if (layers.empty()) {
    return {true,
            "base_images: not judged: an image index has no layers of its own (its platform "
            "images are judged one by one)"};
  }
  // The longest approved base that is a prefix of the image's layers (the most specific one).
  const ApprovedBaseImage* best = nullptr;
  for (const ApprovedBaseImage& base : policy.approved) {
    if (base.layers.size() > layers.size()) continue;
    if (!std::equal(base.layers.begin(), base.layers.end(), layers.begin())) continue;
    if (!best || base.layers.size() > best->layers.size()) best = &base;
  }
  if (best) {
    return {true, "base_images: built on " + best->name + " (its " +
                      std::to_string(best->layers.size()) + " layer(s) are the image's lowest)"};
  }
  std::string names;
  for (const ApprovedBaseImage& base : policy.approved) {
    names += (names.empty() ? "" : ", ") + base.name;
  }
  return {false, "base_images: lowest layer " + layers.front() +
                     " matches no approved base image (approved: " + names + ")"};
}

namespace internal {

Result<BaseImagePolicy> parse_base_images(const YAML::Node& node, const std::string& path) {
  BULWARK_TRY_VOID(only_keys(node, path, {"action", "approved"}));
  BaseImagePolicy policy;
  policy.action = Action::kFlag;
  if (node["action"]) {
    BULWARK_ASSIGN_OR_RETURN(policy.action, action_at(node["action"], path + ".action"));
  }
  const YAML::Node list = node["approved"];
  if (!list) return bad(path + ".approved", "missing");
  if (!list.IsSequence() || list.size() == 0) {
    return bad(path + ".approved", "expected a non-empty list");
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string at = path + ".approved[" + std::to_string(i) + "]";
    BULWARK_TRY_VOID(only_keys(list[i], at, {"name", "layers"}));
    ApprovedBaseImage base;
    if (!list[i]["name"]) return bad(at + ".name", "missing");
    BULWARK_ASSIGN_OR_RETURN(base.name, scalar(list[i]["name"], at + ".name"));
    if (!list[i]["layers"]) return bad(at + ".layers", "missing");
    BULWARK_ASSIGN_OR_RETURN(base.layers, strings_at(list[i]["layers"], at + ".layers"));
    if (base.layers.empty()) return bad(at + ".layers", "empty");
    for (size_t j = 0; j < base.layers.size(); ++j) {
      if (!Digest::parse(base.layers[j])) {
        return bad(at + ".layers[" + std::to_string(j) + "]",
                   "not a digest: " + quote_untrusted(base.layers[j]));
      }
    }
    policy.approved.push_back(std::move(base));
  }
  return policy;
}

}  // namespace internal
}  // namespace bulwark::policy
