// Lenient field access on yaml-cpp nodes for the one-advisory-per-file YAML feeds (RubySec,
// FriendsOfPHP): the questions yaml-cpp would throw on are asked only of defined nodes.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace bulwark::vulndb::feed {

// The scalar `node` as written (null, "~" and a missing node are empty); nullopt for a list/map.
inline std::optional<std::string> yaml_text(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return std::string();
  if (!node.IsScalar()) return std::nullopt;
  return node.Scalar();
}

// The scalars of the list `node` (a missing or null node is empty); nullopt when `node` is not a
// list of scalars.
inline std::optional<std::vector<std::string>> yaml_texts(const YAML::Node& node) {
  std::vector<std::string> out;
  if (!node.IsDefined() || node.IsNull()) return out;
  if (!node.IsSequence()) return std::nullopt;
  for (const auto& item : node) {
    if (!item.IsDefined() || !item.IsScalar()) return std::nullopt;
    out.push_back(item.Scalar());
  }
  return out;
}

}  // namespace bulwark::vulndb::feed
