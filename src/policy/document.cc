#include "policy/document.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <set>

#include "common/clock.h"
#include "common/config.h"
#include "common/strict_json.h"
#include "policy/parse_internal.h"

namespace bulwark::policy {
namespace internal {

tl::unexpected<Error> bad(const std::string& path, const std::string& why) {
  return fail(ErrorCode::kInvalidArgument, "policy: " + path + ": " + why);
}

Result<std::string> scalar(const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar()) return bad(path, "expected a value");
  return node.Scalar();
}

Result<void> only_keys(const YAML::Node& map, const std::string& path,
                       std::initializer_list<std::string_view> allowed) {
  if (!map.IsMap()) return bad(path, "expected a mapping");
  for (const auto& entry : map) {
    const std::string key = entry.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return bad(path.empty() ? key : path + "." + key, "unknown key");
    }
  }
  return ok();
}

Result<Action> action_at(const YAML::Node& node, const std::string& path) {
  BULWARK_ASSIGN_OR_RETURN(std::string text, scalar(node, path));
  auto action = parse_action(text);
  if (!action) return bad(path, "unknown action " + quote_untrusted(text));
  return *action;
}

Result<std::vector<std::string>> strings_at(const YAML::Node& node, const std::string& path) {
  if (node.IsScalar()) return std::vector<std::string>{node.Scalar()};
  if (!node.IsSequence()) return bad(path, "expected a list");
  std::vector<std::string> out;
  for (size_t i = 0; i < node.size(); ++i) {
    BULWARK_ASSIGN_OR_RETURN(std::string s, scalar(node[i], path + "[" + std::to_string(i) + "]"));
    out.push_back(std::move(s));
  }
  return out;
}

Result<Regex> regex_at(const YAML::Node& node, const std::string& path) {
  BULWARK_ASSIGN_OR_RETURN(std::string text, scalar(node, path));
  auto re = Regex::compile(text);
  if (!re) return bad(path, re.error().message);
  return std::move(*re);
}

Result<int64_t> duration_at(const YAML::Node& node, const std::string& path, int64_t min) {
  BULWARK_ASSIGN_OR_RETURN(std::string text, scalar(node, path));
  auto seconds = parse_duration_seconds(text);
  if (!seconds || *seconds < min) return bad(path, "not a duration " + quote_untrusted(text));
  return *seconds;
}

}  // namespace internal

namespace {

using internal::action_at;
using internal::bad;
using internal::duration_at;
using internal::only_keys;
using internal::scalar;

struct ActionName {
  Action action;
  std::string_view name;
};
constexpr std::array<ActionName, 4> kActions = {{
    {Action::kInform, "inform"},
    {Action::kFlag, "flag"},
    {Action::kBlockInProduction, "block_in_production"},
    {Action::kBlock, "block"},
}};

constexpr std::array<std::string_view, kSeverityCount> kSeverityNames = {"unknown", "low", "medium",
                                                                         "high", "critical"};

constexpr int64_t kDay = 86400;

Result<SeverityRule> severity_rule(const YAML::Node& node, const std::string& path,
                                   SeverityRule rule) {
  BULWARK_TRY_VOID(only_keys(node, path, {"action", "unfixed", "deadline"}));
  if (node["action"]) {
    BULWARK_ASSIGN_OR_RETURN(rule.action, action_at(node["action"], path + ".action"));
  }
  if (node["unfixed"]) {
    BULWARK_ASSIGN_OR_RETURN(Action unfixed, action_at(node["unfixed"], path + ".unfixed"));
    rule.unfixed = unfixed;
  }
  if (node["deadline"]) {
    BULWARK_ASSIGN_OR_RETURN(rule.deadline_seconds, duration_at(node["deadline"], path + ".deadline"));
  }
  return rule;
}

Result<EpssRule> epss_rule(const YAML::Node& node, const std::string& path) {
  BULWARK_TRY_VOID(only_keys(node, path, {"threshold", "action"}));
  EpssRule rule;
  if (!node["threshold"]) return bad(path + ".threshold", "missing");
  BULWARK_ASSIGN_OR_RETURN(std::string text, scalar(node["threshold"], path + ".threshold"));
  char* end = nullptr;
  double threshold = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(threshold) ||
      threshold < 0 || threshold > 1) {
    return bad(path + ".threshold", "not a probability in [0, 1]: " + quote_untrusted(text));
  }
  rule.threshold = threshold;
  if (node["action"]) {
    BULWARK_ASSIGN_OR_RETURN(rule.action, action_at(node["action"], path + ".action"));
  }
  return rule;
}

Result<Exception> exception_at(const YAML::Node& node, const std::string& path) {
  BULWARK_TRY_VOID(
      only_keys(node, path, {"vulnerability", "package", "justification", "approver", "expires"}));
  Exception e;
  for (auto [key, field] :
       {std::pair{"vulnerability", &e.vulnerability}, std::pair{"package", &e.package},
        std::pair{"justification", &e.justification}, std::pair{"approver", &e.approver}}) {
    if (node[key]) {
      BULWARK_ASSIGN_OR_RETURN(*field, scalar(node[key], path + "." + key));
    }
  }
  if (e.vulnerability.empty() && e.package.empty()) {
    return bad(path, "an exception names a vulnerability, a package, or both");
  }
  // Accountability: an exception without a reason, an approver or an end is not accepted.
  for (auto [key, value] :
       {std::pair{"justification", &e.justification}, std::pair{"approver", &e.approver}}) {
    if (value->empty()) return bad(path + "." + key, "missing");
  }
  if (!node["expires"]) return bad(path + ".expires", "missing (exceptions must expire)");
  BULWARK_ASSIGN_OR_RETURN(std::string expires, scalar(node["expires"], path + ".expires"));
  auto t = parse_rfc3339(expires);
  if (!t) return bad(path + ".expires", t.error().message);
  e.expires = *t;
  return e;
}

Result<PendingRule> pending_rule(const YAML::Node& node) {
  PendingRule rule;
  if (node.IsMap()) {
    BULWARK_TRY_VOID(only_keys(node, "pending", {"wait"}));
    if (!node["wait"]) return bad("pending.wait", "missing");
    rule.mode = PendingRule::Mode::kWait;
    BULWARK_ASSIGN_OR_RETURN(rule.wait_seconds, duration_at(node["wait"], "pending.wait", 1));
    return rule;
  }
  BULWARK_ASSIGN_OR_RETURN(std::string mode, scalar(node, "pending"));
  if (mode == "block") return rule;
  if (mode == "allow") {
    rule.mode = PendingRule::Mode::kAllow;
    return rule;
  }
  return bad("pending", "expected block, allow or {wait: N}, not " + quote_untrusted(mode));
}

// Parses each element of the list at `key` with `parse`, into `out`.
template <typename T, typename Parse>
Result<void> list_at(const YAML::Node& root, const std::string& key, Parse parse,
                     std::vector<T>& out) {
  const YAML::Node list = root[key];
  if (!list) return ok();
  if (!list.IsSequence()) return bad(key, "expected a list");
  for (size_t i = 0; i < list.size(); ++i) {
    BULWARK_ASSIGN_OR_RETURN(T item, parse(list[i], key + "[" + std::to_string(i) + "]"));
    out.push_back(std::move(item));
  }
  return ok();
}

}  // namespace

std::string_view action_name(Action action) {
  for (const ActionName& a : kActions) {
    if (a.action == action) return a.name;
  }
  return "unknown";
}

std::optional<Action> parse_action(std::string_view name) {
  for (const ActionName& a : kActions) {
    if (a.name == name) return a.action;
  }
  return std::nullopt;
}

std::string_view severity_name(Severity severity) {
  return kSeverityNames[static_cast<size_t>(severity)];
}

std::optional<Severity> parse_severity(std::string_view name) {
  for (size_t i = 0; i < kSeverityCount; ++i) {
    if (kSeverityNames[i] == name) return static_cast<Severity>(i);
  }
  return std::nullopt;
}

PolicyDocument default_policy() {
  PolicyDocument d;
  d.severities[static_cast<size_t>(Severity::kCritical)] = {Action::kBlock, std::nullopt, 1 * kDay};
  d.severities[static_cast<size_t>(Severity::kHigh)] = {Action::kBlockInProduction, std::nullopt,
                                                        7 * kDay};
  d.severities[static_cast<size_t>(Severity::kMedium)] = {Action::kFlag, std::nullopt, 30 * kDay};
  d.severities[static_cast<size_t>(Severity::kLow)] = {Action::kInform, std::nullopt, 0};
  d.severities[static_cast<size_t>(Severity::kUnknown)] = {Action::kInform, std::nullopt, 0};
  return d;
}

Result<PolicyDocument> parse_policy(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return fail(ErrorCode::kInvalidArgument, std::string("policy: not YAML: ") + e.what());
  }
  PolicyDocument doc = default_policy();
  try {
    BULWARK_TRY_VOID(only_keys(root, "",
                               {"version", "vulnerabilities", "exceptions", "provenance",
                                "base_images", "labels", "pending"}));
    if (!root["version"]) return bad("version", "missing");
    BULWARK_ASSIGN_OR_RETURN(std::string version, scalar(root["version"], "version"));
    if (version != "1") return bad("version", "unsupported version " + quote_untrusted(version));
    if (const YAML::Node v = root["vulnerabilities"]; v) {
      BULWARK_TRY_VOID(only_keys(v, "vulnerabilities",
                                 {"critical", "high", "medium", "low", "unknown", "kev", "epss"}));
      for (size_t i = 0; i < kSeverityCount; ++i) {
        const std::string name(kSeverityNames[i]);
        if (!v[name]) continue;
        BULWARK_ASSIGN_OR_RETURN(
            doc.severities[i],
            severity_rule(v[name], "vulnerabilities." + name, doc.severities[i]));
      }
      if (v["kev"]) {
        BULWARK_ASSIGN_OR_RETURN(std::string kev, scalar(v["kev"], "vulnerabilities.kev"));
        if (kev == "none") {
          doc.kev.reset();
        } else {
          BULWARK_ASSIGN_OR_RETURN(Action a, action_at(v["kev"], "vulnerabilities.kev"));
          doc.kev = a;
        }
      }
      if (v["epss"]) {
        BULWARK_ASSIGN_OR_RETURN(doc.epss, epss_rule(v["epss"], "vulnerabilities.epss"));
      }
    }
    BULWARK_TRY_VOID(list_at(root, "exceptions", exception_at, doc.exceptions));
    BULWARK_TRY_VOID(
        list_at(root, "provenance", internal::parse_provenance_rule, doc.provenance));
    if (root["base_images"]) {
      BULWARK_ASSIGN_OR_RETURN(doc.base_images,
                               internal::parse_base_images(root["base_images"], "base_images"));
    }
    BULWARK_TRY_VOID(list_at(root, "labels", internal::parse_label_rule, doc.labels));
    if (root["pending"]) {
      BULWARK_ASSIGN_OR_RETURN(doc.pending, pending_rule(root["pending"]));
    }
  } catch (const YAML::Exception& e) {
    return fail(ErrorCode::kInvalidArgument, std::string("policy: ") + e.what());
  }
  return doc;
}

}  // namespace bulwark::policy
