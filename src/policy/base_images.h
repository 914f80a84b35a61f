// The base-image rule of a policy document: images must be built on an approved golden base
// image, recognised by its layer digests as the image's lowest layers (a prefix match).
//
//   base_images:
//     action: flag                  # default flag; any action
//     approved:
//       - name: debian-12
//         layers: [sha256:<hex>, ...]   # the base image's layers, lowest first
//
// An image index has no layers of its own and is not judged by this rule (its platform
// manifests are). Immutable after parsing; thread-safe to share.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "policy/pattern.h"

namespace bulwark::policy {

enum class Action;

struct ApprovedBaseImage {
  std::string name;
  std::vector<std::string> layers;  // "sha256:<hex>", lowest first; never empty
};

struct BaseImagePolicy {
  Action action{};                          // parse_base_images sets flag by default
  std::vector<ApprovedBaseImage> approved;  // never empty
};

// Whether an image with `layers` (lowest first; empty for an index) is built on an approved base.
// The reason starts with "base_images: ".
Check check_base_image(const BaseImagePolicy& policy, std::span<const std::string> layers);

}  // namespace bulwark::policy
