// The RBAC decision: which of the requested actions (pull, push, delete, sign, scan) a principal
// may perform on a repository, and for every refused action a reason naming the rule that
// refused it. A pure function over data — the caller (token endpoint, management API) gathers the
// principal (Authenticator), the project record and the principal's effective role first.
//
// The policy is the seed's model as ONE table, kPolicy below: grantee (project role, public
// reader, robot kind) × project environment → allowed actions. Developers push to development
// projects, CI robots to staging, release robots to production; production consumers only pull.
//
// The rules around the table, checked in this order:
//   1. System administrators may do everything, also on projects that do not exist yet (a push
//      creates the project), and from any address (so an allow-list cannot lock them out).
//      Nobody else gets anything on a missing project.
//   1a. Network allow-lists: a request from outside the project's allowed networks, or a robot's
//      request from outside the robot's, gets nothing (network_refusal()). An allow-list that no
//      longer parses refuses everything (fail closed).
//   2. Robots: revoked or expired robots get nothing; a project robot acts only inside its own
//      project; otherwise a robot gets exactly the actions its permission rules grant for the
//      repository (rules whose pattern matches, united), limited by its kind's row — pushes to
//      staging need a ci or release robot, pushes to production a release robot.
//   3. Users with a role in the project (the highest of their own and their groups' memberships)
//      get their role's row.
//   4. Anyone else — anonymous clients and users without a role — gets the public_reader row on a
//      public project and nothing on a private one.
//   The registry catalog (registry:catalog:*) is for system administrators only.
// Roles are nested (each row holds the one below it in every environment), so "the highest role"
// is also the union of the principal's roles; authorizer_test checks this.
//
// Reasons are for audit records, logs and authenticated callers. They may say "project is
// private" where another caller would read "project does not exist"; the HTTP edge must not show
// them to clients that could use the difference to probe for private project names.
//
// Value types and pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/scope.h"
#include "common/result.h"
#include "metadata/identity_store.h"

namespace bulwark::auth {

// ---- actions

enum class Action : uint8_t { kPull, kPush, kDelete, kSign, kScan };
inline constexpr std::array<Action, 5> kAllActions = {Action::kPull, Action::kPush, Action::kDelete,
                                                      Action::kSign, Action::kScan};

// Wire names ("pull", "push", "delete", "sign", "scan") and their parser (nullopt if unknown).
std::string_view action_name(Action action);
std::optional<Action> parse_action(std::string_view name);

// A set of actions (a bit mask); constexpr so the policy table is data.
class ActionSet {
 public:
  constexpr ActionSet() = default;
  constexpr ActionSet(Action a) : bits_(bit(a)) {}  // NOLINT: an action is a one-element set

  constexpr bool contains(Action a) const { return (bits_ & bit(a)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr ActionSet operator|(ActionSet o) const { return from_bits(bits_ | o.bits_); }
  constexpr ActionSet operator&(ActionSet o) const { return from_bits(bits_ & o.bits_); }
  constexpr ActionSet operator-(ActionSet o) const { return from_bits(bits_ & ~o.bits_); }
  constexpr ActionSet& operator|=(ActionSet o) { return *this = *this | o; }
  friend constexpr bool operator==(ActionSet, ActionSet) = default;

  // Members in kAllActions order.
  std::vector<Action> actions() const;
  // "pull push scan" (kAllActions order; "" when empty).
  std::string str() const;

 private:
  static constexpr uint8_t bit(Action a) { return static_cast<uint8_t>(1u << static_cast<int>(a)); }
  static constexpr ActionSet from_bits(unsigned bits) {
    ActionSet s;
    s.bits_ = static_cast<uint8_t>(bits);
    return s;
  }
  uint8_t bits_ = 0;
};
constexpr ActionSet operator|(Action a, Action b) { return ActionSet(a) | ActionSet(b); }

inline constexpr ActionSet kEveryAction =
    Action::kPull | Action::kPush | Action::kDelete | Action::kSign | Action::kScan;

// ---- principals

enum class PrincipalType { kAnonymous, kUser, kRobot };

// What a robot is for; limits where it may push (see kPolicy).
enum class RobotKind { kGeneric, kCi, kRelease };
// "generic" | "ci" | "release", and the parser.
std::string_view robot_kind_name(RobotKind kind);
std::optional<RobotKind> parse_robot_kind(std::string_view name);

// One permission entry: the actions granted on repositories matching `repository`, a pattern in
// which "*" matches any run of characters except '/', "**" any run including '/', and every other
// character itself ("proj/*" matches "proj/app" but not "proj/team/app"; "proj/**" matches both).
struct RobotRule {
  std::string repository;
  ActionSet actions;
};

// A robot's parsed permissions_json. Accepted forms:
//   {"kind": "generic"|"ci"|"release", "rules": [{"repository": "proj/*", "actions": [...]}, ...]}
//   [{"repository": ..., "actions": [...]}, ...]          (a bare rule list: kind "generic")
// Actions are the five names or "*" (all five). Unknown keys, actions or kinds, empty patterns and
// duplicate keys are refused (kInvalidArgument): a permission typo must not widen or silently
// narrow access.
struct RobotPermissions {
  RobotKind kind = RobotKind::kGeneric;
  std::vector<RobotRule> rules;
};
Result<RobotPermissions> parse_robot_permissions(std::string_view json);
// The canonical JSON form (object form), accepted by parse_robot_permissions.
std::string to_json(const RobotPermissions& permissions);

// True when `repository` matches `pattern` (RobotRule's pattern language).
bool repository_matches(std::string_view pattern, std::string_view repository);

// What the authorizer knows of a robot account.
struct RobotFacts {
  RobotPermissions permissions;
  std::optional<std::string> project;  // owning project; nullopt for a system robot
  int64_t expires_at = 0;              // unix seconds
  std::optional<int64_t> revoked_at;
  std::vector<std::string> allowed_networks;  // empty: any address (auth/network.h syntax)
};

// Who is asking. Built by the Authenticator (or Principal::anonymous()).
struct Principal {
  PrincipalType type = PrincipalType::kAnonymous;
  std::string name;                 // user or robot name; "" when anonymous
  bool is_admin = false;            // system administrator (users only)
  std::vector<std::string> groups;  // users only (OIDC/LDAP groups; empty for local users)
  std::optional<RobotFacts> robot;  // robots only

  static Principal anonymous() { return {}; }
};

// ---- the policy table

// The rows of kPolicy. Role rows come first, in metadata::Role order.
enum class Grantee {
  kProjectAdmin,
  kMaintainer,
  kDeveloper,
  kGuest,
  kPublicReader,  // anonymous clients and non-members, on public projects
  kGenericRobot,  // robot rows: the most a robot of that kind may get from its permissions
  kCiRobot,
  kReleaseRobot,
};

struct PolicyRow {
  Grantee grantee;
  std::string_view name;    // e.g. "developer", for reasons
  std::string_view plural;  // e.g. "developers", for reasons
  ActionSet development;
  ActionSet staging;
  ActionSet production;

  constexpr ActionSet in(metadata::Environment env) const {
    return env == metadata::Environment::kDevelopment ? development
           : env == metadata::Environment::kStaging   ? staging
                                                      : production;
  }
};

// The table lives in namespace `policy` so its cells can use the short action names.
namespace policy {
inline constexpr ActionSet kPull = Action::kPull;
inline constexpr ActionSet kPush = Action::kPush;
inline constexpr ActionSet kDelete = Action::kDelete;
inline constexpr ActionSet kSign = Action::kSign;
inline constexpr ActionSet kScan = Action::kScan;

// clang-format off
inline constexpr PolicyRow kPolicy[] = {
  // grantee               name             plural            development                             staging                                 production
  {Grantee::kProjectAdmin, "project_admin", "project admins", kPull | kPush | kDelete | kSign | kScan, kPull | kPush | kDelete | kSign | kScan, kPull | kDelete | kSign | kScan},
  {Grantee::kMaintainer,   "maintainer",    "maintainers",    kPull | kPush | kDelete | kSign | kScan, kPull | kSign | kScan,                  kPull},
  {Grantee::kDeveloper,    "developer",     "developers",     kPull | kPush | kScan,                  kPull,                                  kPull},
  {Grantee::kGuest,        "guest",         "guests",         kPull,                                  kPull,                                  kPull},
  {Grantee::kPublicReader, "public reader", "public readers", kPull,                                  kPull,                                  kPull},
  {Grantee::kGenericRobot, "generic robot", "generic robots", kPull | kPush | kDelete | kSign | kScan, kPull | kDelete | kSign | kScan,         kPull | kDelete | kSign | kScan},
  {Grantee::kCiRobot,      "ci robot",      "CI robots",      kPull | kPush | kDelete | kSign | kScan, kPull | kPush | kDelete | kSign | kScan, kPull | kDelete | kSign | kScan},
  {Grantee::kReleaseRobot, "release robot", "release robots", kPull | kPush | kDelete | kSign | kScan, kPull | kPush | kDelete | kSign | kScan, kPull | kPush | kDelete | kSign | kScan},
};
// clang-format on
}  // namespace policy

// The row of `grantee` / of a project role.
const PolicyRow& policy_row(Grantee grantee);
Grantee grantee_of(metadata::Role role);
Grantee grantee_of(RobotKind kind);

// Orders roles by privilege: true when `a` grants more than `b` (project_admin > maintainer >
// developer > guest).
bool role_outranks(metadata::Role a, metadata::Role b);

// ---- decisions

// Where the request is aimed.
struct AccessContext {
  std::string_view repository;                 // full repository name ("proj/app")
  const metadata::Project* project = nullptr;  // its project; nullptr when it does not exist
  std::optional<metadata::Role> role;          // the principal's effective role in `project`
  int64_t now = 0;                             // unix seconds (robot expiry)
  std::string_view client_address;             // IP address of the request (allow-lists)
};

struct Refusal {
  Action action;
  std::string reason;  // names the rule, e.g. "guest may only pull"
};

struct Decision {
  ActionSet granted;
  std::vector<Refusal> refused;  // one per requested action not granted, in kAllActions order

  // The reason `action` was refused, or nullptr when it was granted or not requested.
  const std::string* reason(Action action) const;
};

using metadata::project_of;  // the project a repository belongs to

// Why a request from context.client_address is outside the project's or the robot's allowed
// networks; nullopt when the address is allowed (or no allow-list applies). System
// administrators are never refused here.
std::optional<std::string> network_refusal(const Principal& principal,
                                           const AccessContext& context);

// Which of `requested` the principal may do in `context`.
// REQUIRES: context.project is nullptr or the project named project_of(context.repository).
Decision authorize(const Principal& principal, const AccessContext& context, ActionSet requested);

// A token-endpoint scope decided: `granted` is `requested` narrowed to the allowed actions (the
// token's access entry); `refused` gives each dropped action name and why. "repository" scopes
// (any resource class) go through authorize() — names that are not one of the five actions are
// refused as unknown — and "registry:catalog" scopes grant "*" to system administrators only.
// `context` is ignored for registry scopes.
struct ScopeRefusal {
  std::string action;
  std::string reason;
};
struct ScopeDecision {
  Scope granted;
  std::vector<ScopeRefusal> refused;
};
ScopeDecision authorize_scope(const Principal& principal, const Scope& requested,
                              const AccessContext& context);

}  // namespace bulwark::auth
