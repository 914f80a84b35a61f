#include "auth/authorizer.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <utility>

#include "auth/network.h"
#include "common/strict_json.h"

namespace bulwark::auth {
namespace {

namespace json = boost::json;
using metadata::Environment;
using metadata::Role;

// ---- name tables

struct ActionInfo {
  Action action;
  std::string_view name;
  std::string_view plural;  // for reasons: "production projects accept pushes only from ..."
};
constexpr ActionInfo kActionInfo[] = {
    {Action::kPull, "pull", "pulls"},       {Action::kPush, "push", "pushes"},
    {Action::kDelete, "delete", "deletes"}, {Action::kSign, "sign", "signatures"},
    {Action::kScan, "scan", "scans"},
};

constexpr std::pair<RobotKind, std::string_view> kRobotKindNames[] = {
    {RobotKind::kGeneric, "generic"},
    {RobotKind::kCi, "ci"},
    {RobotKind::kRelease, "release"},
};

// Project roles and robot kinds onto their kPolicy rows; role ranks (higher is more privilege).
constexpr std::pair<Role, Grantee> kRoleRows[] = {
    {Role::kProjectAdmin, Grantee::kProjectAdmin},
    {Role::kMaintainer, Grantee::kMaintainer},
    {Role::kDeveloper, Grantee::kDeveloper},
    {Role::kGuest, Grantee::kGuest},
};
constexpr std::pair<Role, int> kRoleRanks[] = {
    {Role::kProjectAdmin, 4},
    {Role::kMaintainer, 3},
    {Role::kDeveloper, 2},
    {Role::kGuest, 1},
};
constexpr std::pair<RobotKind, Grantee> kRobotRows[] = {
    {RobotKind::kGeneric, Grantee::kGenericRobot},
    {RobotKind::kCi, Grantee::kCiRobot},
    {RobotKind::kRelease, Grantee::kReleaseRobot},
};

template <class K, class V, size_t N>
const V* lookup(const std::pair<K, V> (&table)[N], const K& key) {
  for (const auto& [k, v] : table) {
    if (k == key) return &v;
  }
  return nullptr;
}

const ActionInfo& info(Action action) {
  return *std::find_if(std::begin(kActionInfo), std::end(kActionInfo),
                       [&](const ActionInfo& i) { return i.action == action; });
}

bool is_robot_row(Grantee g) {
  return std::any_of(std::begin(kRobotRows), std::end(kRobotRows),
                     [&](const auto& entry) { return entry.second == g; });
}

// "a", "a and b", "a, b and c".
std::string join_and(const std::vector<std::string_view>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? " and " : ", ";
    out += items[i];
  }
  return out;
}

// ---- reasons, derived from kPolicy so they never disagree with it

// The environment forbids `action` for the asker: say who the environment accepts it from.
std::string environment_rule(Action action, Environment env) {
  std::vector<std::string_view> roles;
  std::vector<std::string_view> robots;
  for (const PolicyRow& row : policy::kPolicy) {
    if (row.grantee == Grantee::kPublicReader || !row.in(env).contains(action)) continue;
    (is_robot_row(row.grantee) ? robots : roles).push_back(row.plural);
  }
  if (robots.size() == std::size(kRobotRows)) robots = {"robots"};
  roles.insert(roles.end(), robots.begin(), robots.end());
  std::string head = std::string(metadata::environment_name(env)) + " projects accept ";
  if (roles.empty()) return head + "no " + std::string(info(action).plural);
  return head + std::string(info(action).plural) + " only from " + join_and(roles);
}

// The role never has `action` in this environment's row: say what the role may do.
std::string role_rule(const PolicyRow& row, Environment env) {
  std::vector<std::string_view> names;
  for (Action a : row.in(env).actions()) names.push_back(action_name(a));
  std::string out = std::string(row.name) + " may only " + join_and(names);
  bool same_everywhere = row.development == row.staging && row.staging == row.production;
  if (!same_everywhere) out += " in " + std::string(metadata::environment_name(env)) + " projects";
  return out;
}

// Why `row` does not allow `action` in `env`: the environment's rule when the grantee may do it
// in some other environment, the grantee's own limits otherwise.
std::string row_refusal(const PolicyRow& row, Action action, Environment env) {
  bool elsewhere = (row.development | row.staging | row.production).contains(action);
  return elsewhere ? environment_rule(action, env) : role_rule(row, env);
}

// ---- decision building

class DecisionBuilder {
 public:
  explicit DecisionBuilder(ActionSet requested) : requested_(requested) {}

  // Grants the requested actions in `allowed`; refuses the other requested, still undecided
  // actions with `why(action)`.
  template <class Why>
  Decision finish(ActionSet allowed, Why&& why) {
    Decision d;
    d.granted = requested_ & allowed;
    for (Action a : (requested_ - allowed).actions()) d.refused.push_back({a, why(a)});
    return d;
  }
  Decision refuse_all(const std::string& reason) {
    return finish(ActionSet{}, [&](Action) { return reason; });
  }
  Decision grant_all() {
    return finish(kEveryAction, [](Action) { return std::string(); });
  }

 private:
  ActionSet requested_;
};

Decision authorize_robot(const Principal& principal, const AccessContext& ctx,
                         DecisionBuilder& out) {
  const RobotFacts& robot = *principal.robot;
  if (ctx.project == nullptr) return out.refuse_all("project does not exist");
  if (robot.project && *robot.project != ctx.project->name) {
    return out.refuse_all("robot account belongs to project " + quote_untrusted(*robot.project));
  }
  ActionSet permitted;
  for (const RobotRule& rule : robot.permissions.rules) {
    if (repository_matches(rule.repository, ctx.repository)) permitted |= rule.actions;
  }
  const PolicyRow& row = policy_row(grantee_of(robot.permissions.kind));
  ActionSet ceiling = row.in(ctx.project->environment);
  return out.finish(permitted & ceiling, [&](Action a) {
    if (!permitted.contains(a)) {
      return "robot permissions do not grant " + std::string(action_name(a)) + " on " +
             quote_untrusted(ctx.repository);
    }
    return environment_rule(a, ctx.project->environment);
  });
}

Decision authorize_user_or_anonymous(const Principal& principal, const AccessContext& ctx,
                                     DecisionBuilder& out) {
  if (ctx.project == nullptr) return out.refuse_all("project does not exist");
  Environment env = ctx.project->environment;
  if (ctx.role && principal.type == PrincipalType::kUser) {
    const PolicyRow& row = policy_row(grantee_of(*ctx.role));
    return out.finish(row.in(env), [&](Action a) { return row_refusal(row, a, env); });
  }
  if (ctx.project->visibility != metadata::Visibility::kPublic) {
    return out.refuse_all("project is private");
  }
  const PolicyRow& row = policy_row(Grantee::kPublicReader);
  std::string who =
      principal.type == PrincipalType::kAnonymous ? "anonymous clients" : "non-members";
  std::vector<std::string_view> names;
  for (Action a : row.in(env).actions()) names.push_back(action_name(a));
  std::string reason = who + " may only " + join_and(names) + " from public projects";
  return out.finish(row.in(env), [&](Action) { return reason; });
}

// ---- robot permissions JSON

Result<ActionSet> parse_rule_actions(const json::value& v) {
  const json::array* list = v.if_array();
  if (list == nullptr) return fail(ErrorCode::kInvalidArgument, "\"actions\" must be an array");
  ActionSet out;
  for (const json::value& a : *list) {
    const json::string* name = a.if_string();
    if (name == nullptr) return fail(ErrorCode::kInvalidArgument, "an action is not a string");
    if (*name == "*") {
      out |= kEveryAction;
      continue;
    }
    std::optional<Action> action = parse_action(*name);
    if (!action) {
      return fail(ErrorCode::kInvalidArgument, "unknown action " + quote_untrusted(*name));
    }
    out |= *action;
  }
  return out;
}

bool valid_pattern(std::string_view p) {
  constexpr size_t kMaxPatternBytes = 255;
  return !p.empty() && p.size() <= kMaxPatternBytes && std::all_of(p.begin(), p.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
           c == '/' || c == '*';
  });
}

Result<RobotRule> parse_rule(const json::value& v) {
  const json::object* o = v.if_object();
  if (o == nullptr) return fail(ErrorCode::kInvalidArgument, "a rule is not an object");
  for (const auto& [key, _] : *o) {
    if (key != "repository" && key != "actions") {
      return fail(ErrorCode::kInvalidArgument, "unknown rule key " + quote_untrusted(key));
    }
  }
  const json::value* repo = o->if_contains("repository");
  const json::value* actions = o->if_contains("actions");
  if (repo == nullptr || !repo->is_string() || actions == nullptr) {
    return fail(ErrorCode::kInvalidArgument, "a rule needs \"repository\" and \"actions\"");
  }
  std::string_view pattern = repo->get_string();
  if (!valid_pattern(pattern)) {
    return fail(ErrorCode::kInvalidArgument,
                "invalid repository pattern " + quote_untrusted(pattern));
  }
  BULWARK_ASSIGN_OR_RETURN(ActionSet set, parse_rule_actions(*actions));
  return RobotRule{std::string(pattern), set};
}

Result<std::vector<RobotRule>> parse_rules(const json::value& v) {
  const json::array* list = v.if_array();
  if (list == nullptr) return fail(ErrorCode::kInvalidArgument, "\"rules\" must be an array");
  std::vector<RobotRule> rules;
  for (const json::value& entry : *list) {
    BULWARK_ASSIGN_OR_RETURN(RobotRule rule, parse_rule(entry));
    rules.push_back(std::move(rule));
  }
  return rules;
}

Result<RobotPermissions> parse_permissions_value(const json::value& doc) {
  RobotPermissions out;
  if (doc.is_array()) {
    BULWARK_ASSIGN_OR_RETURN(out.rules, parse_rules(doc));
    return out;
  }
  const json::object* o = doc.if_object();
  if (o == nullptr) return fail(ErrorCode::kInvalidArgument, "not an object or a rule list");
  for (const auto& [key, _] : *o) {
    if (key != "kind" && key != "rules") {
      return fail(ErrorCode::kInvalidArgument, "unknown key " + quote_untrusted(key));
    }
  }
  if (const json::value* kind = o->if_contains("kind")) {
    std::optional<RobotKind> parsed =
        kind->is_string() ? parse_robot_kind(kind->get_string()) : std::nullopt;
    if (!parsed)
      return fail(ErrorCode::kInvalidArgument, "\"kind\" must be generic, ci or release");
    out.kind = *parsed;
  }
  const json::value* rules = o->if_contains("rules");
  if (rules == nullptr) return fail(ErrorCode::kInvalidArgument, "\"rules\" is missing");
  BULWARK_ASSIGN_OR_RETURN(out.rules, parse_rules(*rules));
  return out;
}

}  // namespace

std::string_view action_name(Action action) { return info(action).name; }

std::optional<Action> parse_action(std::string_view name) {
  for (const ActionInfo& i : kActionInfo) {
    if (i.name == name) return i.action;
  }
  return std::nullopt;
}

std::vector<Action> ActionSet::actions() const {
  std::vector<Action> out;
  for (Action a : kAllActions) {
    if (contains(a)) out.push_back(a);
  }
  return out;
}

std::string ActionSet::str() const {
  std::string out;
  for (Action a : actions()) {
    if (!out.empty()) out += ' ';
    out += action_name(a);
  }
  return out;
}

std::string_view robot_kind_name(RobotKind kind) { return *lookup(kRobotKindNames, kind); }

std::optional<RobotKind> parse_robot_kind(std::string_view name) {
  for (const auto& [kind, n] : kRobotKindNames) {
    if (n == name) return kind;
  }
  return std::nullopt;
}

Result<RobotPermissions> parse_robot_permissions(std::string_view text) {
  auto doc = parse_strict_json(text);
  if (!doc) return fail(ErrorCode::kInvalidArgument, "robot permissions: " + doc.error().message);
  auto parsed = parse_permissions_value(*doc);
  if (!parsed) {
    return fail(ErrorCode::kInvalidArgument, "robot permissions: " + parsed.error().message);
  }
  return parsed;
}

std::string to_json(const RobotPermissions& permissions) {
  json::array rules;
  for (const RobotRule& rule : permissions.rules) {
    json::array actions;
    for (Action a : rule.actions.actions()) actions.emplace_back(action_name(a));
    rules.push_back(json::object{{"repository", rule.repository}, {"actions", std::move(actions)}});
  }
  return json::serialize(
      json::object{{"kind", robot_kind_name(permissions.kind)}, {"rules", std::move(rules)}});
}

bool repository_matches(std::string_view pattern, std::string_view repository) {
  // Dynamic programming over (pattern prefix, name prefix): O(|pattern|·|name|), no backtracking
  // blow-up whatever the pattern. match[j] == pattern[0..i) matches repository[0..j).
  const size_t n = repository.size();
  std::vector<char> match(n + 1, 0);
  match[0] = 1;
  for (size_t i = 0; i < pattern.size();) {
    std::vector<char> next(n + 1, 0);
    if (pattern[i] == '*') {
      bool crosses = i + 1 < pattern.size() && pattern[i + 1] == '*';
      i += crosses ? 2 : 1;
      // next[j]: some k <= j with match[k] and repository[k..j) free of '/' unless crossing.
      bool reachable = false;
      for (size_t j = 0; j <= n; ++j) {
        if (j > 0 && !crosses && repository[j - 1] == '/') reachable = false;
        reachable = reachable || match[j];
        next[j] = reachable;
      }
    } else {
      for (size_t j = 1; j <= n; ++j) next[j] = match[j - 1] && repository[j - 1] == pattern[i];
      ++i;
    }
    match = std::move(next);
  }
  return match[n] != 0;
}

const PolicyRow& policy_row(Grantee grantee) {
  return *std::find_if(std::begin(policy::kPolicy), std::end(policy::kPolicy),
                       [&](const PolicyRow& row) { return row.grantee == grantee; });
}

Grantee grantee_of(Role role) { return *lookup(kRoleRows, role); }
Grantee grantee_of(RobotKind kind) { return *lookup(kRobotRows, kind); }

bool role_outranks(Role a, Role b) { return *lookup(kRoleRanks, a) > *lookup(kRoleRanks, b); }

const std::string* Decision::reason(Action action) const {
  for (const Refusal& r : refused) {
    if (r.action == action) return &r.reason;
  }
  return nullptr;
}

std::optional<std::string> network_refusal(const Principal& principal,
                                           const AccessContext& context) {
  if (principal.type == PrincipalType::kUser && principal.is_admin) return std::nullopt;
  // Each allow-list that applies: whose it is and its entries.
  std::vector<std::pair<std::string, const std::vector<std::string>*>> lists;
  if (context.project != nullptr && !context.project->allowed_networks.empty()) {
    lists.emplace_back("project " + quote_untrusted(context.project->name),
                       &context.project->allowed_networks);
  }
  if (principal.robot && !principal.robot->allowed_networks.empty()) {
    lists.emplace_back("robot account " + quote_untrusted(principal.name),
                       &principal.robot->allowed_networks);
  }
  for (const auto& [whose, entries] : lists) {
    auto networks = NetworkSet::parse(*entries);
    if (!networks) return whose + " has an unusable network allow-list (" + networks.error().message + ")";
    if (!networks->contains(context.client_address)) {
      return "client address " + quote_untrusted(context.client_address) +
             " is outside the allowed networks of " + whose;
    }
  }
  return std::nullopt;
}

Decision authorize(const Principal& principal, const AccessContext& context, ActionSet requested) {
  DecisionBuilder out(requested);
  if (principal.type == PrincipalType::kUser && principal.is_admin) return out.grant_all();
  if (auto refused = network_refusal(principal, context)) return out.refuse_all(*refused);
  if (principal.type == PrincipalType::kRobot) {
    if (!principal.robot) return out.refuse_all("robot account has no permissions");
    if (principal.robot->revoked_at) return out.refuse_all("robot account was revoked");
    if (context.now >= principal.robot->expires_at) {
      return out.refuse_all("robot account has expired");
    }
    return authorize_robot(principal, context, out);
  }
  return authorize_user_or_anonymous(principal, context, out);
}

ScopeDecision authorize_scope(const Principal& principal, const Scope& requested,
                              const AccessContext& context) {
  ScopeDecision out;
  std::vector<std::string> allowed;
  auto refuse = [&](const std::string& action, std::string reason) {
    out.refused.push_back({action, std::move(reason)});
  };
  if (requested.type == "registry" && requested.name == "catalog") {
    bool admin = principal.type == PrincipalType::kUser && principal.is_admin;
    for (const std::string& a : requested.actions) {
      if (a != "*") {
        refuse(a, "unknown action " + quote_untrusted(a) + " on the catalog");
      } else if (admin) {
        allowed.push_back(a);
      } else {
        refuse(a, "only system administrators may list the catalog");
      }
    }
  } else if (requested.type == "repository") {
    ActionSet wanted;
    for (const std::string& a : requested.actions) {
      if (std::optional<Action> action = parse_action(a)) {
        wanted |= *action;
      } else {
        refuse(a, "unknown action " + quote_untrusted(a));
      }
    }
    Decision d = authorize(principal, context, wanted);
    for (Action a : d.granted.actions()) allowed.emplace_back(action_name(a));
    for (Refusal& r : d.refused) refuse(std::string(action_name(r.action)), std::move(r.reason));
  } else {
    for (const std::string& a : requested.actions) refuse(a, "unknown resource type");
  }
  out.granted = grant(requested, allowed);
  return out;
}

}  // namespace bulwark::auth
