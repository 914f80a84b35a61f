#include "auth/authorizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>

namespace bulwark::auth {
namespace {

using metadata::Environment;
using metadata::Project;
using metadata::Role;
using metadata::Visibility;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1'750'000'000;

// "pull push" -> the set. The expectations below are spelled out by hand, independently of
// kPolicy, so a wrong table cell fails a test.
ActionSet set(std::string_view names) {
  ActionSet out;
  std::istringstream in{std::string(names)};
  for (std::string word; in >> word;) {
    std::optional<Action> a = parse_action(word);
    EXPECT_TRUE(a) << word;
    if (a) out |= *a;
  }
  return out;
}
const ActionSet kAll = set("pull push delete sign scan");
const ActionSet kNone;

Principal user(std::string name = "alice", bool admin = false) {
  Principal p;
  p.type = PrincipalType::kUser;
  p.name = std::move(name);
  p.is_admin = admin;
  return p;
}

Principal robot(RobotKind kind, std::vector<RobotRule> rules,
                std::optional<std::string> project = std::nullopt, int64_t expires_at = kNow + 1,
                std::optional<int64_t> revoked_at = std::nullopt) {
  Principal p;
  p.type = PrincipalType::kRobot;
  p.name = "robot$proj+bot";
  p.robot = RobotFacts{{kind, std::move(rules)}, std::move(project), expires_at, revoked_at, {}};
  return p;
}
Principal robot_with_everything(RobotKind kind) {
  return robot(kind, {{"proj/**", kEveryAction}}, "proj");
}

Project project(Environment env, Visibility vis) { return Project{"proj", vis, env, 0, {}}; }

Decision decide(const Principal& p, const Project* proj, std::optional<Role> role,
                ActionSet requested, std::string_view repository = "proj/app") {
  return authorize(p, AccessContext{repository, proj, role, kNow, "192.0.2.1"}, requested);
}

std::string env_name(Environment e) { return std::string(metadata::environment_name(e)); }

constexpr Environment kEnvs[] = {Environment::kDevelopment, Environment::kStaging,
                                 Environment::kProduction};
constexpr Visibility kVisibilities[] = {Visibility::kPublic, Visibility::kPrivate};

// Every non-empty subset of the five actions.
std::vector<ActionSet> all_requests() {
  std::vector<ActionSet> out;
  for (unsigned mask = 1; mask < 32; ++mask) {
    ActionSet s;
    for (size_t i = 0; i < kAllActions.size(); ++i) {
      if (mask & (1u << i)) s |= kAllActions[i];
    }
    out.push_back(s);
  }
  return out;
}

// Asserts that for every possible request the principal gets exactly request ∩ expected, that
// every refused action has a reason and that nothing else is refused.
void expect_cell(const Principal& p, const Project* proj, std::optional<Role> role,
                 ActionSet expected) {
  for (ActionSet requested : all_requests()) {
    Decision d = decide(p, proj, role, requested);
    ASSERT_EQ(d.granted.str(), (requested & expected).str()) << "requested " << requested.str();
    ActionSet refused;
    for (const Refusal& r : d.refused) {
      EXPECT_FALSE(r.reason.empty()) << action_name(r.action);
      refused |= r.action;
    }
    ASSERT_EQ(refused.str(), (requested - expected).str()) << "requested " << requested.str();
  }
}

// ---- the matrix

struct RoleCell {
  Role role;
  Environment env;
  const char* granted;
};
// The seed's model, cell by cell.
const RoleCell kRoleMatrix[] = {
    {Role::kProjectAdmin, Environment::kDevelopment, "pull push delete sign scan"},
    {Role::kProjectAdmin, Environment::kStaging, "pull push delete sign scan"},
    {Role::kProjectAdmin, Environment::kProduction, "pull delete sign scan"},
    {Role::kMaintainer, Environment::kDevelopment, "pull push delete sign scan"},
    {Role::kMaintainer, Environment::kStaging, "pull sign scan"},
    {Role::kMaintainer, Environment::kProduction, "pull"},
    {Role::kDeveloper, Environment::kDevelopment, "pull push scan"},
    {Role::kDeveloper, Environment::kStaging, "pull"},
    {Role::kDeveloper, Environment::kProduction, "pull"},
    {Role::kGuest, Environment::kDevelopment, "pull"},
    {Role::kGuest, Environment::kStaging, "pull"},
    {Role::kGuest, Environment::kProduction, "pull"},
};

TEST(AuthorizerMatrix, ProjectRolesInEveryEnvironmentAndVisibility) {
  int cells = 0;
  for (const RoleCell& cell : kRoleMatrix) {
    for (Visibility vis : kVisibilities) {
      SCOPED_TRACE(std::string(metadata::role_name(cell.role)) + " in " + env_name(cell.env) + " " +
                   std::string(metadata::visibility_name(vis)));
      Project proj = project(cell.env, vis);
      expect_cell(user(), &proj, cell.role, set(cell.granted));
      ++cells;
    }
  }
  EXPECT_EQ(cells, 4 * 3 * 2);
}

TEST(AuthorizerMatrix, NonMembersAndAnonymousPullPublicProjectsOnly) {
  for (Environment env : kEnvs) {
    for (Visibility vis : kVisibilities) {
      SCOPED_TRACE(env_name(env) + " " + std::string(metadata::visibility_name(vis)));
      Project proj = project(env, vis);
      ActionSet expected = vis == Visibility::kPublic ? set("pull") : kNone;
      expect_cell(user(), &proj, std::nullopt, expected);
      expect_cell(Principal::anonymous(), &proj, std::nullopt, expected);
      // A role recorded for an anonymous principal (a caller bug) grants nothing extra.
      expect_cell(Principal::anonymous(), &proj, Role::kProjectAdmin, expected);
    }
  }
}

TEST(AuthorizerMatrix, SystemAdminsMayDoEverythingEverywhere) {
  for (Environment env : kEnvs) {
    for (Visibility vis : kVisibilities) {
      Project proj = project(env, vis);
      expect_cell(user("root", true), &proj, std::nullopt, kAll);
      expect_cell(user("root", true), &proj, Role::kGuest, kAll);
    }
  }
  expect_cell(user("root", true), nullptr, std::nullopt, kAll);  // pushing creates the project
}

TEST(AuthorizerMatrix, MissingProjectGrantsNobodyButAdminsAnything) {
  expect_cell(user(), nullptr, std::nullopt, kNone);
  expect_cell(user(), nullptr, Role::kProjectAdmin, kNone);
  expect_cell(Principal::anonymous(), nullptr, std::nullopt, kNone);
  expect_cell(robot_with_everything(RobotKind::kRelease), nullptr, std::nullopt, kNone);
  Decision d = decide(user(), nullptr, std::nullopt, kAll);
  for (const Refusal& r : d.refused) EXPECT_EQ(r.reason, "project does not exist");
}

struct RobotCell {
  RobotKind kind;
  Environment env;
  const char* granted;
};
const RobotCell kRobotMatrix[] = {
    {RobotKind::kGeneric, Environment::kDevelopment, "pull push delete sign scan"},
    {RobotKind::kGeneric, Environment::kStaging, "pull delete sign scan"},
    {RobotKind::kGeneric, Environment::kProduction, "pull delete sign scan"},
    {RobotKind::kCi, Environment::kDevelopment, "pull push delete sign scan"},
    {RobotKind::kCi, Environment::kStaging, "pull push delete sign scan"},
    {RobotKind::kCi, Environment::kProduction, "pull delete sign scan"},
    {RobotKind::kRelease, Environment::kDevelopment, "pull push delete sign scan"},
    {RobotKind::kRelease, Environment::kStaging, "pull push delete sign scan"},
    {RobotKind::kRelease, Environment::kProduction, "pull push delete sign scan"},
};

TEST(AuthorizerMatrix, RobotsWithFullPermissionsByKindEnvironmentAndVisibility) {
  for (const RobotCell& cell : kRobotMatrix) {
    for (Visibility vis : kVisibilities) {
      SCOPED_TRACE(std::string(robot_kind_name(cell.kind)) + " robot in " + env_name(cell.env) +
                   " " + std::string(metadata::visibility_name(vis)));
      Project proj = project(cell.env, vis);
      expect_cell(robot_with_everything(cell.kind), &proj, std::nullopt, set(cell.granted));
      // Project roles never apply to robots.
      expect_cell(robot_with_everything(cell.kind), &proj, Role::kGuest, set(cell.granted));
    }
  }
}

TEST(AuthorizerMatrix, RobotsGetExactlyWhatTheirMatchingRulesGrant) {
  for (Environment env : kEnvs) {
    for (Visibility vis : kVisibilities) {
      SCOPED_TRACE(env_name(env) + " " + std::string(metadata::visibility_name(vis)));
      Project proj = project(env, vis);
      // Rules matching the repository are united; others are ignored.
      Principal r = robot(RobotKind::kRelease, {{"proj/app", set("pull")},
                                                {"proj/*", set("sign")},
                                                {"proj/other", set("delete")},
                                                {"elsewhere/**", kEveryAction}});
      expect_cell(r, &proj, std::nullopt, set("pull sign"));
      // No matching rule: nothing, even on a public project.
      expect_cell(robot(RobotKind::kRelease, {{"proj/other", kEveryAction}}), &proj, std::nullopt,
                  kNone);
      // Revoked, expired and foreign-project robots get nothing.
      expect_cell(robot(RobotKind::kRelease, {{"proj/**", kEveryAction}}, "proj", kNow + 1, kNow),
                  &proj, std::nullopt, kNone);
      expect_cell(robot(RobotKind::kRelease, {{"proj/**", kEveryAction}}, "proj", kNow), &proj,
                  std::nullopt, kNone);
      expect_cell(robot(RobotKind::kRelease, {{"**", kEveryAction}}, "other"), &proj, std::nullopt,
                  kNone);
      // A system robot (no owning project) may act wherever its rules match.
      expect_cell(robot(RobotKind::kRelease, {{"**", kEveryAction}}), &proj, std::nullopt, kAll);
    }
  }
}

TEST(AuthorizerPolicy, RolesAreNestedSoTheHighestRoleIsTheUnion) {
  const Role ranked[] = {Role::kProjectAdmin, Role::kMaintainer, Role::kDeveloper, Role::kGuest};
  for (size_t i = 0; i + 1 < std::size(ranked); ++i) {
    EXPECT_TRUE(role_outranks(ranked[i], ranked[i + 1]));
    EXPECT_FALSE(role_outranks(ranked[i + 1], ranked[i]));
    for (Environment env : kEnvs) {
      ActionSet higher = policy_row(grantee_of(ranked[i])).in(env);
      ActionSet lower = policy_row(grantee_of(ranked[i + 1])).in(env);
      EXPECT_EQ((higher & lower).str(), lower.str()) << env_name(env);
    }
  }
}

// ---- reasons

std::string reason_for(const Principal& p, const Project* proj, std::optional<Role> role, Action a,
                       std::string_view repository = "proj/app") {
  Decision d = decide(p, proj, role, a, repository);
  const std::string* r = d.reason(a);
  EXPECT_NE(r, nullptr) << "granted " << action_name(a);
  return r ? *r : "";
}

TEST(AuthorizerReasons, NameTheRoleRule) {
  Project dev = project(Environment::kDevelopment, Visibility::kPrivate);
  Project prod = project(Environment::kProduction, Visibility::kPrivate);
  EXPECT_EQ(reason_for(user(), &prod, Role::kGuest, Action::kPush), "guest may only pull");
  EXPECT_EQ(reason_for(user(), &dev, Role::kGuest, Action::kScan), "guest may only pull");
  EXPECT_EQ(reason_for(user(), &dev, Role::kDeveloper, Action::kDelete),
            "developer may only pull, push and scan in development projects");
  EXPECT_EQ(reason_for(user(), &prod, Role::kDeveloper, Action::kSign),
            "developer may only pull in production projects");
}

TEST(AuthorizerReasons, NameTheEnvironmentRule) {
  Project staging = project(Environment::kStaging, Visibility::kPrivate);
  Project prod = project(Environment::kProduction, Visibility::kPublic);
  EXPECT_EQ(reason_for(user(), &prod, Role::kProjectAdmin, Action::kPush),
            "production projects accept pushes only from release robots");
  EXPECT_EQ(reason_for(user(), &staging, Role::kMaintainer, Action::kPush),
            "staging projects accept pushes only from project admins, CI robots and release "
            "robots");
  EXPECT_EQ(reason_for(user(), &staging, Role::kDeveloper, Action::kPush),
            "staging projects accept pushes only from project admins, CI robots and release "
            "robots");
  EXPECT_EQ(reason_for(user(), &prod, Role::kMaintainer, Action::kDelete),
            "production projects accept deletes only from project admins and robots");
  EXPECT_EQ(reason_for(robot_with_everything(RobotKind::kCi), &prod, std::nullopt, Action::kPush),
            "production projects accept pushes only from release robots");
  EXPECT_EQ(
      reason_for(robot_with_everything(RobotKind::kGeneric), &staging, std::nullopt, Action::kPush),
      "staging projects accept pushes only from project admins, CI robots and release robots");
}

TEST(AuthorizerReasons, NameVisibilityAndMembership) {
  Project priv = project(Environment::kDevelopment, Visibility::kPrivate);
  Project pub = project(Environment::kDevelopment, Visibility::kPublic);
  EXPECT_EQ(reason_for(Principal::anonymous(), &priv, std::nullopt, Action::kPull),
            "project is private");
  EXPECT_EQ(reason_for(user(), &priv, std::nullopt, Action::kPull), "project is private");
  EXPECT_EQ(reason_for(Principal::anonymous(), &pub, std::nullopt, Action::kPush),
            "anonymous clients may only pull from public projects");
  EXPECT_EQ(reason_for(user(), &pub, std::nullopt, Action::kDelete),
            "non-members may only pull from public projects");
}

TEST(AuthorizerReasons, SayWhyARobotIsRefused) {
  Project proj = project(Environment::kDevelopment, Visibility::kPrivate);
  EXPECT_EQ(reason_for(robot(RobotKind::kCi, {{"proj/**", kEveryAction}}, "proj", kNow + 1, kNow),
                       &proj, std::nullopt, Action::kPull),
            "robot account was revoked");
  // Expiry is exclusive: at expires_at the robot is already expired.
  EXPECT_EQ(reason_for(robot(RobotKind::kCi, {{"proj/**", kEveryAction}}, "proj", kNow), &proj,
                       std::nullopt, Action::kPull),
            "robot account has expired");
  EXPECT_EQ(reason_for(robot(RobotKind::kCi, {{"**", kEveryAction}}, "other"), &proj, std::nullopt,
                       Action::kPull),
            "robot account belongs to project \"other\"");
  EXPECT_EQ(reason_for(robot(RobotKind::kCi, {{"proj/app", set("pull")}}, "proj"), &proj,
                       std::nullopt, Action::kDelete),
            "robot permissions do not grant delete on \"proj/app\"");
}

TEST(AuthorizerReasons, GrantedActionsHaveNoReasonAndRefusalsComeInActionOrder) {
  Project proj = project(Environment::kProduction, Visibility::kPrivate);
  Decision d = decide(user(), &proj, Role::kMaintainer, kAll);
  EXPECT_EQ(d.granted, set("pull"));
  EXPECT_EQ(d.reason(Action::kPull), nullptr);
  ASSERT_EQ(d.refused.size(), 4u);
  EXPECT_EQ(d.refused[0].action, Action::kPush);
  EXPECT_EQ(d.refused[3].action, Action::kScan);
}

// ---- scopes (the token endpoint's view)

Scope scope(std::string_view text) {
  auto s = parse_scope(text);
  EXPECT_TRUE(s) << text;
  return s ? *s : Scope{};
}

TEST(AuthorizerScopes, CatalogIsForSystemAdminsOnly) {
  AccessContext none{};
  ScopeDecision admin = authorize_scope(user("root", true), scope("registry:catalog:*"), none);
  EXPECT_EQ(to_string(admin.granted), "registry:catalog:*");
  EXPECT_TRUE(admin.refused.empty());
  for (const Principal& p :
       {user(), Principal::anonymous(), robot_with_everything(RobotKind::kRelease)}) {
    ScopeDecision d = authorize_scope(p, scope("registry:catalog:*"), none);
    EXPECT_TRUE(d.granted.actions.empty());
    ASSERT_EQ(d.refused.size(), 1u);
    EXPECT_EQ(d.refused[0].reason, "only system administrators may list the catalog");
  }
}

TEST(AuthorizerScopes, RepositoryScopesAreNarrowedInRequestOrder) {
  Project proj = project(Environment::kDevelopment, Visibility::kPrivate);
  AccessContext ctx{"proj/app", &proj, Role::kDeveloper, kNow, "192.0.2.1"};
  ScopeDecision d =
      authorize_scope(user(), scope("repository:proj/app:delete,push,frob,pull"), ctx);
  EXPECT_EQ(to_string(d.granted), "repository:proj/app:push,pull");
  ASSERT_EQ(d.refused.size(), 2u);
  EXPECT_EQ(d.refused[0].action, "frob");
  EXPECT_EQ(d.refused[0].reason, "unknown action \"frob\"");
  EXPECT_EQ(d.refused[1].action, "delete");
  // "*" is not a repository action.
  ScopeDecision star = authorize_scope(user("root", true), scope("repository:proj/app:*"), ctx);
  EXPECT_TRUE(star.granted.actions.empty());
}

TEST(AuthorizerScopes, RefusesEverythingWhenNothingIsAllowed) {
  Project proj = project(Environment::kProduction, Visibility::kPrivate);
  AccessContext ctx{"proj/app", &proj, std::nullopt, kNow, "192.0.2.1"};
  ScopeDecision d =
      authorize_scope(Principal::anonymous(), scope("repository:proj/app:pull,push"), ctx);
  EXPECT_EQ(to_string(d.granted), "repository:proj/app:");
  EXPECT_EQ(d.refused.size(), 2u);
}

// ---- network allow-lists

TEST(AuthorizerNetworks, ProjectAllowListRefusesEveryoneButAdminsFromOutside) {
  Project proj = project(Environment::kDevelopment, Visibility::kPublic);
  proj.allowed_networks = {"10.0.0.0/8", "2001:db8::/32"};
  auto from = [&](const Principal& p, std::optional<Role> role, std::string_view address) {
    return authorize(p, AccessContext{"proj/app", &proj, role, kNow, address},
                     Action::kPull | Action::kPush);
  };
  EXPECT_EQ(from(user(), Role::kDeveloper, "10.1.2.3").granted, Action::kPull | Action::kPush);
  EXPECT_EQ(from(user(), Role::kDeveloper, "2001:db8::7").granted, Action::kPull | Action::kPush);
  Decision outside = from(user(), Role::kDeveloper, "192.0.2.1");
  EXPECT_TRUE(outside.granted.empty());
  ASSERT_NE(outside.reason(Action::kPull), nullptr);
  EXPECT_EQ(*outside.reason(Action::kPull),
            "client address \"192.0.2.1\" is outside the allowed networks of project \"proj\"");
  EXPECT_TRUE(from(Principal::anonymous(), std::nullopt, "192.0.2.1").granted.empty());
  EXPECT_EQ(from(Principal::anonymous(), std::nullopt, "10.0.0.1").granted, ActionSet(Action::kPull));
  EXPECT_TRUE(from(robot_with_everything(RobotKind::kCi), std::nullopt, "192.0.2.1").granted.empty());
  // System administrators cannot be locked out by an allow-list.
  EXPECT_EQ(from(user("root", true), std::nullopt, "192.0.2.1").granted, Action::kPull | Action::kPush);
  EXPECT_EQ(network_refusal(user("root", true), AccessContext{"proj/app", &proj, {}, kNow, "x"}),
            std::nullopt);
}

TEST(AuthorizerNetworks, RobotAllowListAppliesOnTopOfTheProjects) {
  Project proj = project(Environment::kDevelopment, Visibility::kPrivate);
  Principal bot = robot_with_everything(RobotKind::kCi);
  bot.robot->allowed_networks = {"192.0.2.0/24"};
  auto pull_from = [&](std::string_view address) {
    return authorize(bot, AccessContext{"proj/app", &proj, std::nullopt, kNow, address},
                     ActionSet(Action::kPull));
  };
  EXPECT_EQ(pull_from("192.0.2.44").granted, ActionSet(Action::kPull));
  Decision d = pull_from("198.51.100.1");
  EXPECT_TRUE(d.granted.empty());
  EXPECT_EQ(*d.reason(Action::kPull), "client address \"198.51.100.1\" is outside the allowed "
                                      "networks of robot account \"robot$proj+bot\"");
  proj.allowed_networks = {"10.0.0.0/8"};  // both lists must admit the address
  EXPECT_TRUE(pull_from("192.0.2.44").granted.empty());
}

TEST(AuthorizerNetworks, AnUnusableAllowListFailsClosed) {
  Project proj = project(Environment::kDevelopment, Visibility::kPublic);
  proj.allowed_networks = {"10.0.0.0/8", "not-a-network"};
  Decision d = authorize(Principal::anonymous(),
                         AccessContext{"proj/app", &proj, std::nullopt, kNow, "10.0.0.1"},
                         ActionSet(Action::kPull));
  EXPECT_TRUE(d.granted.empty());
  EXPECT_THAT(*d.reason(Action::kPull), testing::HasSubstr("unusable network allow-list"));
}

// ---- robot permissions and patterns

TEST(RobotPatterns, StarStaysInsideAPathComponentDoubleStarCrossesThem) {
  EXPECT_TRUE(repository_matches("proj/app", "proj/app"));
  EXPECT_FALSE(repository_matches("proj/app", "proj/app2"));
  EXPECT_FALSE(repository_matches("proj/app", "proj/ap"));
  EXPECT_TRUE(repository_matches("proj/*", "proj/app"));
  EXPECT_FALSE(repository_matches("proj/*", "proj/team/app"));
  EXPECT_FALSE(repository_matches("proj/*", "proj"));
  EXPECT_FALSE(repository_matches("proj/*", "project/app"));
  EXPECT_TRUE(repository_matches("proj/**", "proj/team/app"));
  EXPECT_TRUE(repository_matches("proj/**", "proj/app"));
  EXPECT_FALSE(repository_matches("proj/**", "projx/app"));
  EXPECT_TRUE(repository_matches("proj/app-*", "proj/app-web"));
  EXPECT_TRUE(repository_matches("*/app", "team/app"));
  EXPECT_FALSE(repository_matches("*/app", "a/b/app"));
  EXPECT_TRUE(repository_matches("**", "a/b/c"));
  EXPECT_TRUE(repository_matches("a/**/c", "a/b/x/c"));
}

TEST(RobotPatterns, PathologicalPatternsAreFast) {
  std::string name(250, 'a');
  std::string pattern;
  for (int i = 0; i < 60; ++i) pattern += "*a";
  pattern += "b";
  EXPECT_FALSE(repository_matches(pattern, name));  // exponential for a backtracking matcher
  EXPECT_TRUE(repository_matches(pattern.substr(0, pattern.size() - 1), name));
}

TEST(RobotPermissionsJson, AcceptsBothFormsAndRoundTrips) {
  auto bare = parse_robot_permissions(R"([{"repository":"team/*","actions":["pull","push"]}])");
  ASSERT_TRUE(bare) << bare.error().message;
  EXPECT_EQ(bare->kind, RobotKind::kGeneric);
  ASSERT_EQ(bare->rules.size(), 1u);
  EXPECT_EQ(bare->rules[0].repository, "team/*");
  EXPECT_EQ(bare->rules[0].actions, set("pull push"));

  auto full = parse_robot_permissions(
      R"({"kind":"release","rules":[{"repository":"proj/**","actions":["*"]},)"
      R"({"repository":"lib/x","actions":[]}]})");
  ASSERT_TRUE(full) << full.error().message;
  EXPECT_EQ(full->kind, RobotKind::kRelease);
  EXPECT_EQ(full->rules[0].actions, kAll);
  EXPECT_TRUE(full->rules[1].actions.empty());

  auto again = parse_robot_permissions(to_json(*full));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->kind, full->kind);
  ASSERT_EQ(again->rules.size(), 2u);
  EXPECT_EQ(again->rules[0].repository, "proj/**");
  EXPECT_EQ(again->rules[0].actions, kAll);
}

TEST(RobotPermissionsJson, RefusesAnythingAmbiguous) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"kind":"ci"})", "\"rules\" is missing"},
      {R"({"kind":"admin","rules":[]})", "\"kind\" must be"},
      {R"({"kind":"ci","rules":[],"extra":1})", "unknown key"},
      {R"([{"repository":"p/*","actions":["pull","pwn"]}])", "unknown action \"pwn\""},
      {R"([{"repository":"p/*","actions":"pull"}])", "must be an array"},
      {R"([{"repository":"","actions":["pull"]}])", "invalid repository pattern"},
      {R"([{"repository":"P/[a]","actions":["pull"]}])", "invalid repository pattern"},
      {R"([{"repository":"p/*","actions":["pull"],"repos":"x"}])", "unknown rule key"},
      {R"([{"actions":["pull"]}])", "needs \"repository\""},
      {R"({"kind":"ci","kind":"release","rules":[]})", "duplicate key"},
      {R"("release")", "not an object"},
      {"{", "not valid JSON"},
  };
  for (const auto& [text, why] : cases) {
    auto r = parse_robot_permissions(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(r.error().message, HasSubstr(why)) << text;
  }
}

TEST(Actions, NamesRoundTrip) {
  for (Action a : kAllActions) EXPECT_EQ(parse_action(action_name(a)), a);
  EXPECT_EQ(parse_action("Pull"), std::nullopt);
  EXPECT_EQ(parse_action("*"), std::nullopt);
  EXPECT_EQ(kAll.str(), "pull push delete sign scan");
  EXPECT_EQ(project_of("proj/team/app"), "proj");
  EXPECT_EQ(project_of("solo"), "solo");
}

}  // namespace
}  // namespace bulwark::auth
