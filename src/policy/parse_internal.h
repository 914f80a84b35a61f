// Internal to the policy module: the YAML field readers every section parser shares (each error
// names the field: "policy: provenance[0].signers[1].identity: bad regular expression ..."), and
// the section parsers document.cc calls (defined beside each rule kind's evaluation).
//
// Stateless; thread-safe. yaml-cpp stays a private dependency of bulwark_policy: include this
// header only from the module's .cc files.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "policy/base_images.h"
#include "policy/document.h"
#include "policy/labels.h"
#include "policy/pattern.h"
#include "policy/provenance.h"

namespace bulwark::policy::internal {

// kInvalidArgument "policy: <path>: <why>".
tl::unexpected<Error> bad(const std::string& path, const std::string& why);
// A scalar's text; an error naming `path` when the node is not a scalar.
Result<std::string> scalar(const YAML::Node& node, const std::string& path);
// Refuses keys of `map` not in `allowed`, and non-map nodes.
Result<void> only_keys(const YAML::Node& map, const std::string& path,
                       std::initializer_list<std::string_view> allowed);
Result<Action> action_at(const YAML::Node& node, const std::string& path);
// A list of scalars (a single scalar counts as a one-element list).
Result<std::vector<std::string>> strings_at(const YAML::Node& node, const std::string& path);
Result<Regex> regex_at(const YAML::Node& node, const std::string& path);
// "90", "30s", "2m", ... (common/config.h's durations), at least `min` seconds.
Result<int64_t> duration_at(const YAML::Node& node, const std::string& path, int64_t min = 0);

// Section parsers (path: the node's own path, e.g. "provenance[0]").
Result<ProvenanceRule> parse_provenance_rule(const YAML::Node& node, const std::string& path);
Result<BaseImagePolicy> parse_base_images(const YAML::Node& node, const std::string& path);
Result<LabelRule> parse_label_rule(const YAML::Node& node, const std::string& path);

}  // namespace bulwark::policy::internal
