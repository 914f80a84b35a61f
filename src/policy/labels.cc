#include "policy/labels.h"

#include <array>
#include <vector>

#include "common/strict_json.h"
#include "policy/parse_internal.h"

namespace bulwark::policy {
namespace {

struct PlaceName {
  LabelPlace place;
  std::string_view name;    // in the document
  std::string_view phrase;  // in messages
};
constexpr std::array<PlaceName, 3> kPlaces = {{
    {LabelPlace::kLabel, "label", "label"},
    {LabelPlace::kAnnotation, "annotation", "annotation"},
    {LabelPlace::kAny, "any", "label or annotation"},
}};

std::string_view phrase(LabelPlace place) {
  for (const PlaceName& p : kPlaces) {
    if (p.place == place) return p.phrase;
  }
  return "label";
}

}  // namespace

Check check_label(const LabelRule& rule, std::string_view label,
                  const std::map<std::string, std::string>& labels,
                  const std::map<std::string, std::string>& annotations) {
  struct Candidate {
    std::string_view where;
    const std::string* value;
  };
  std::vector<Candidate> found;
  if (rule.in != LabelPlace::kAnnotation) {
    if (auto it = labels.find(rule.name); it != labels.end())
      found.push_back({"label", &it->second});
  }
  if (rule.in != LabelPlace::kLabel) {
    if (auto it = annotations.find(rule.name); it != annotations.end()) {
      found.push_back({"annotation", &it->second});
    }
  }
  const std::string prefix = std::string(label) + ": ";
  const std::string what = std::string(phrase(rule.in)) + " " + rule.name;
  if (found.empty()) {
    if (rule.required) return {false, prefix + "required " + what + " missing"};
    return {true, prefix + "optional " + what + " absent"};
  }
  if (!rule.pattern) {
    return {true, prefix + std::string(found.front().where) + " " + rule.name + " present"};
  }
  std::string values;
  for (const Candidate& c : found) {
    if (rule.pattern->full_match(*c.value)) {
      return {true, prefix + std::string(c.where) + " " + rule.name + " = " +
                        quote_untrusted(*c.value) + " matches " + rule.pattern->source};
    }
    values += (values.empty() ? "" : ", ") + std::string(c.where) + " " + rule.name + " = " +
              quote_untrusted(*c.value);
  }
  return {false, prefix + values + " does not match " + rule.pattern->source};
}

namespace internal {

Result<LabelRule> parse_label_rule(const YAML::Node& node, const std::string& path) {
  BULWARK_TRY_VOID(only_keys(node, path, {"name", "in", "required", "pattern", "action"}));
  LabelRule rule;
  rule.action = Action::kFlag;
  if (!node["name"]) return bad(path + ".name", "missing");
  BULWARK_ASSIGN_OR_RETURN(rule.name, scalar(node["name"], path + ".name"));
  if (rule.name.empty()) return bad(path + ".name", "empty");
  if (node["in"]) {
    BULWARK_ASSIGN_OR_RETURN(std::string in, scalar(node["in"], path + ".in"));
    auto it = std::find_if(kPlaces.begin(), kPlaces.end(),
                           [&](const PlaceName& p) { return p.name == in; });
    if (it == kPlaces.end()) {
      return bad(path + ".in", "expected label, annotation or any, not " + quote_untrusted(in));
    }
    rule.in = it->place;
  }
  if (node["required"]) {
    BULWARK_ASSIGN_OR_RETURN(std::string required, scalar(node["required"], path + ".required"));
    if (required != "true" && required != "false") {
      return bad(path + ".required", "expected true or false, not " + quote_untrusted(required));
    }
    rule.required = required == "true";
  }
  if (node["pattern"]) {
    BULWARK_ASSIGN_OR_RETURN(rule.pattern, regex_at(node["pattern"], path + ".pattern"));
  }
  if (node["action"]) {
    BULWARK_ASSIGN_OR_RETURN(rule.action, action_at(node["action"], path + ".action"));
  }
  return rule;
}

}  // namespace internal
}  // namespace bulwark::policy
