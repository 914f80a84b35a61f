// Lenient field access on yaml-cpp nodes for the one-advisory-per-file YAML feeds (RubySec,
// FriendsOfPHP): the questions yaml-cpp would throw on are asked only of defined nodes.
// Pure functions; thread-safe.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "common/result.h"
#include "vulndb/sources/feed_io.h"

namespace bulwark::vulndb::feed {

// The YAML mapping in `file` (at most `max_bytes`). Errors name the file: unreadable, not valid
// YAML, or not "a <what> mapping".
inline Result<YAML::Node> load_yaml_mapping(const std::filesystem::path& file, size_t max_bytes,
                                            std::string_view what) {
  const std::string where = file.string();
  BULWARK_ASSIGN_OR_RETURN(std::string bytes, read_file(file, max_bytes));
  YAML::Node root;
  try {
    root = YAML::Load(bytes);
  } catch (const YAML::Exception& e) {
    return fail(ErrorCode::kInvalidArgument, where + ": not valid YAML: " + feed::quoted(e.msg));
  }
  if (!root.IsDefined() || !root.IsMap()) {
    return fail(ErrorCode::kInvalidArgument, where + ": not a " + std::string(what) + " mapping");
  }
  return root;
}

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
