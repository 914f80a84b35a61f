#include "metadata/identity_store_suite.h"

#include <gmock/gmock.h>

#include <functional>

namespace bulwark::metadata {
namespace {

using testing::ElementsAre;
using testing::IsEmpty;

constexpr int64_t kNextYear = 2000000000;

User user(std::string name) {
  User u;
  u.name = std::move(name);
  u.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
  u.email = u.name + "@example.com";
  return u;
}

RobotAccount robot(std::string name, std::optional<std::string> project) {
  RobotAccount r;
  r.name = std::move(name);
  r.project = std::move(project);
  r.secret_hash = "$argon2id$v=19$secret";
  r.description = "CI pushes";
  r.permissions_json = R"([{"repository":"team/*","actions":["pull","push"]}])";
  r.expires_at = kNextYear;
  r.created_by = "admin";
  return r;
}

Project project(std::string name, Visibility visibility = Visibility::kPrivate,
                Environment environment = Environment::kDevelopment) {
  return Project{std::move(name), visibility, environment, 0, {}};
}

Member member(std::string project, PrincipalKind kind, std::string principal, Role role) {
  return Member{std::move(project), kind, std::move(principal), role, 0};
}

template <class T>
std::vector<std::string> names_of(const Result<std::vector<T>>& rows) {
  std::vector<std::string> out;
  EXPECT_TRUE(rows) << rows.error().message;
  if (rows) {
    for (const T& row : *rows) out.push_back(row.name);
  }
  return out;
}

std::vector<std::string> principals_of(const Result<std::vector<Member>>& rows) {
  std::vector<std::string> out;
  EXPECT_TRUE(rows) << rows.error().message;
  if (rows) {
    for (const Member& m : *rows) {
      out.push_back(m.project + ":" + std::string(principal_kind_name(m.kind)) + ":" + m.principal +
                    ":" + std::string(role_name(m.role)));
    }
  }
  return out;
}

TEST(IdentityNames, RoundTripEveryEnumName) {
  for (Role role : {Role::kProjectAdmin, Role::kMaintainer, Role::kDeveloper, Role::kGuest}) {
    EXPECT_EQ(parse_role(role_name(role)), role);
  }
  for (Environment env :
       {Environment::kDevelopment, Environment::kStaging, Environment::kProduction}) {
    EXPECT_EQ(parse_environment(environment_name(env)), env);
  }
  EXPECT_EQ(parse_visibility("public"), Visibility::kPublic);
  EXPECT_EQ(parse_principal_kind("group"), PrincipalKind::kGroup);
  EXPECT_EQ(parse_role("owner"), std::nullopt);
  EXPECT_EQ(parse_environment("Production"), std::nullopt);
}

TEST_P(IdentityStoreSuite, EmptyStoreHasNothing) {
  EXPECT_EQ(*store().get_user("admin"), std::nullopt);
  EXPECT_EQ(*store().get_robot("robot$x+y"), std::nullopt);
  EXPECT_EQ(*store().get_project("library"), std::nullopt);
  EXPECT_THAT(*store().list_users(), IsEmpty());
  EXPECT_THAT(*store().list_robots(std::nullopt), IsEmpty());
  EXPECT_THAT(*store().list_projects(), IsEmpty());
  EXPECT_THAT(*store().list_members("library"), IsEmpty());
  EXPECT_THAT(*store().list_memberships(PrincipalKind::kUser, "alice"), IsEmpty());
}

TEST_P(IdentityStoreSuite, UsersAreCreatedOnceAndStoredVerbatim) {
  User alice = user("alice");
  alice.admin = true;
  alice.totp_secret = "JBSWY3DPEHPK3PXP";
  ASSERT_OK(store().create_user(alice));
  ASSERT_OK(store().create_user(user("bob")));
  EXPECT_EQ(store().create_user(user("alice")).error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(store().create_user(user("")).error().code, ErrorCode::kInvalidArgument);

  auto got = store().get_user("alice");
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->password_hash, alice.password_hash);
  EXPECT_EQ((*got)->email, "alice@example.com");
  EXPECT_TRUE((*got)->admin);
  EXPECT_FALSE((*got)->disabled);
  EXPECT_EQ((*got)->totp_secret, "JBSWY3DPEHPK3PXP");
  EXPECT_GT((*got)->created_at, 0);
  EXPECT_GE((*got)->updated_at, (*got)->created_at);
  EXPECT_EQ(*store().get_user("Alice"), std::nullopt);  // names are case-sensitive
  EXPECT_THAT(names_of(store().list_users()), ElementsAre("alice", "bob"));
}

TEST_P(IdentityStoreSuite, UserUpdatesChangeOneFieldAndNeedAnExistingUser) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().set_user_password_hash("alice", "$argon2id$new"));
  ASSERT_OK(store().set_user_disabled("alice", true));
  ASSERT_OK(store().set_user_totp_secret("alice", "NEWSECRET"));
  User got = **store().get_user("alice");
  EXPECT_EQ(got.password_hash, "$argon2id$new");
  EXPECT_TRUE(got.disabled);
  EXPECT_EQ(got.totp_secret, "NEWSECRET");
  EXPECT_EQ(got.email, "alice@example.com");
  ASSERT_OK(store().set_user_totp_secret("alice", ""));
  ASSERT_OK(store().set_user_disabled("alice", false));
  got = **store().get_user("alice");
  EXPECT_EQ(got.totp_secret, "");
  EXPECT_FALSE(got.disabled);

  EXPECT_EQ(store().set_user_password_hash("nobody", "x").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().set_user_disabled("nobody", true).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().set_user_totp_secret("nobody", "x").error().code, ErrorCode::kNotFound);
}

TEST_P(IdentityStoreSuite, DeletingAUserRemovesItsMemberships) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_project(project("team")));
  ASSERT_OK(store().set_member(member("team", PrincipalKind::kUser, "alice", Role::kDeveloper)));
  ASSERT_OK(store().set_member(member("team", PrincipalKind::kGroup, "alice", Role::kGuest)));
  EXPECT_TRUE(*store().delete_user("alice"));
  EXPECT_FALSE(*store().delete_user("alice"));
  EXPECT_EQ(*store().get_user("alice"), std::nullopt);
  // The group of the same name is another principal and keeps its role.
  EXPECT_THAT(principals_of(store().list_members("team")), ElementsAre("team:group:alice:guest"));
}

TEST_P(IdentityStoreSuite, RobotsBelongToExistingProjectsAndMustExpire) {
  ASSERT_OK(store().create_project(project("team")));
  ASSERT_OK(store().create_project(project("ops")));
  EXPECT_EQ(store().create_robot(robot("robot$ghost+ci", "ghost")).error().code,
            ErrorCode::kNotFound);
  RobotAccount forever = robot("robot$team+forever", "team");
  forever.expires_at = 0;
  EXPECT_EQ(store().create_robot(forever).error().code, ErrorCode::kInvalidArgument);

  ASSERT_OK(store().create_robot(robot("robot$team+ci", "team")));
  ASSERT_OK(store().create_robot(robot("robot$team+release", "team")));
  ASSERT_OK(store().create_robot(robot("robot$ops+deploy", "ops")));
  ASSERT_OK(store().create_robot(robot("robot$system", std::nullopt)));
  EXPECT_EQ(store().create_robot(robot("robot$team+ci", "team")).error().code,
            ErrorCode::kAlreadyExists);

  auto got = store().get_robot("robot$team+ci");
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->project, std::optional<std::string>("team"));
  EXPECT_EQ((*got)->secret_hash, "$argon2id$v=19$secret");
  EXPECT_EQ((*got)->permissions_json, robot("x", "y").permissions_json);
  EXPECT_EQ((*got)->description, "CI pushes");
  EXPECT_EQ((*got)->created_by, "admin");
  EXPECT_EQ((*got)->expires_at, kNextYear);
  EXPECT_EQ((*got)->revoked_at, std::nullopt);
  EXPECT_EQ((**store().get_robot("robot$system")).project, std::nullopt);

  EXPECT_THAT(names_of(store().list_robots("team")),
              ElementsAre("robot$team+ci", "robot$team+release"));
  EXPECT_THAT(
      names_of(store().list_robots(std::nullopt)),
      ElementsAre("robot$ops+deploy", "robot$system", "robot$team+ci", "robot$team+release"));
}

TEST_P(IdentityStoreSuite, RevokedRobotsStayRevokedAndCannotBeRotated) {
  ASSERT_OK(store().create_project(project("team")));
  ASSERT_OK(store().create_robot(robot("robot$team+ci", "team")));
  ASSERT_OK(store().rotate_robot_secret("robot$team+ci", "$argon2id$rotated", std::nullopt));
  EXPECT_EQ((**store().get_robot("robot$team+ci")).secret_hash, "$argon2id$rotated");
  EXPECT_EQ((**store().get_robot("robot$team+ci")).expires_at, kNextYear);
  ASSERT_OK(store().rotate_robot_secret("robot$team+ci", "$argon2id$again", kNextYear + 5));
  EXPECT_EQ((**store().get_robot("robot$team+ci")).expires_at, kNextYear + 5);

  ASSERT_OK(store().revoke_robot("robot$team+ci", 1700000000));
  ASSERT_OK(store().revoke_robot("robot$team+ci", 1800000000));  // keeps the first time
  EXPECT_EQ((**store().get_robot("robot$team+ci")).revoked_at, std::optional<int64_t>(1700000000));
  EXPECT_EQ(store().rotate_robot_secret("robot$team+ci", "$argon2id$x", std::nullopt).error().code,
            ErrorCode::kConflict);
  EXPECT_EQ((**store().get_robot("robot$team+ci")).secret_hash, "$argon2id$again");

  EXPECT_EQ(store().revoke_robot("robot$none", 1).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().rotate_robot_secret("robot$none", "x", std::nullopt).error().code,
            ErrorCode::kNotFound);
}

TEST_P(IdentityStoreSuite, ProjectsAreCreatedOnceAndUpdatedFieldByField) {
  ASSERT_OK(store().create_project(project("library", Visibility::kPublic)));
  ASSERT_OK(store().create_project(project("app", Visibility::kPrivate, Environment::kStaging)));
  EXPECT_EQ(store().create_project(project("library")).error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(store().create_project(project("a/b")).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(store().create_project(project("")).error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(names_of(store().list_projects()), ElementsAre("app", "library"));

  Project got = **store().get_project("app");
  EXPECT_EQ(got.visibility, Visibility::kPrivate);
  EXPECT_EQ(got.environment, Environment::kStaging);
  EXPECT_GT(got.created_at, 0);

  ASSERT_OK(store().update_project(
      "app", ProjectUpdate{std::nullopt, Environment::kProduction, std::nullopt}));
  got = **store().get_project("app");
  EXPECT_EQ(got.visibility, Visibility::kPrivate);
  EXPECT_EQ(got.environment, Environment::kProduction);
  ASSERT_OK(store().update_project("app",
                                   ProjectUpdate{Visibility::kPublic, std::nullopt, std::nullopt}));
  got = **store().get_project("app");
  EXPECT_EQ(got.visibility, Visibility::kPublic);
  EXPECT_EQ(got.environment, Environment::kProduction);
  EXPECT_EQ(store().update_project("nope", ProjectUpdate{Visibility::kPublic, {}, {}}).error().code,
            ErrorCode::kNotFound);
}

TEST_P(IdentityStoreSuite, ProjectsHoldingRepositoriesCannotBeDeleted) {
  for (const char* name : {"team", "solo", "other", "empty"}) {
    ASSERT_OK(store().create_project(project(name)));
  }
  Digest layer = Digest::of("layer");
  ASSERT_OK(harness().metadata().link_blob("team/app", layer, 5));
  ASSERT_OK(harness().metadata().link_blob("solo", layer, 5));
  ASSERT_OK(harness().metadata().link_blob("otherwise/app", layer, 5));  // not in "other"

  EXPECT_EQ(store().delete_project("team").error().code, ErrorCode::kConflict);
  EXPECT_EQ(store().delete_project("solo").error().code, ErrorCode::kConflict);
  EXPECT_TRUE(*store().get_project("team"));
  ASSERT_OK(store().delete_project("other"));
  EXPECT_EQ(*store().get_project("other"), std::nullopt);
  EXPECT_EQ(store().delete_project("other").error().code, ErrorCode::kNotFound);

  // An empty project takes its members and robots with it.
  ASSERT_OK(store().set_member(member("empty", PrincipalKind::kUser, "alice", Role::kGuest)));
  ASSERT_OK(store().create_robot(robot("robot$empty+ci", "empty")));
  ASSERT_OK(store().delete_project("empty"));
  EXPECT_THAT(*store().list_memberships(PrincipalKind::kUser, "alice"), IsEmpty());
  EXPECT_EQ(*store().get_robot("robot$empty+ci"), std::nullopt);
  // Recreating the name starts from nothing.
  ASSERT_OK(store().create_project(project("empty")));
  EXPECT_THAT(*store().list_members("empty"), IsEmpty());
}

TEST_P(IdentityStoreSuite, MembersAreUpsertedAndListedBothWays) {
  ASSERT_OK(store().create_project(project("team")));
  ASSERT_OK(store().create_project(project("ops")));
  EXPECT_EQ(
      store().set_member(member("ghost", PrincipalKind::kUser, "a", Role::kGuest)).error().code,
      ErrorCode::kNotFound);
  ASSERT_OK(store().set_member(member("team", PrincipalKind::kUser, "alice", Role::kGuest)));
  ASSERT_OK(store().set_member(member("team", PrincipalKind::kUser, "alice", Role::kMaintainer)));
  ASSERT_OK(store().set_member(member("team", PrincipalKind::kGroup, "devs", Role::kDeveloper)));
  ASSERT_OK(store().set_member(member("ops", PrincipalKind::kUser, "alice", Role::kProjectAdmin)));

  EXPECT_THAT(principals_of(store().list_members("team")),
              ElementsAre("team:group:devs:developer", "team:user:alice:maintainer"));
  EXPECT_THAT(principals_of(store().list_memberships(PrincipalKind::kUser, "alice")),
              ElementsAre("ops:user:alice:project_admin", "team:user:alice:maintainer"));
  EXPECT_THAT(principals_of(store().list_memberships(PrincipalKind::kGroup, "alice")), IsEmpty());

  EXPECT_TRUE(*store().remove_member("team", PrincipalKind::kUser, "alice"));
  EXPECT_FALSE(*store().remove_member("team", PrincipalKind::kUser, "alice"));
  EXPECT_THAT(principals_of(store().list_members("team")),
              ElementsAre("team:group:devs:developer"));
}

TEST_P(IdentityStoreSuite, EveryCommittedChangeAdvancesTheGeneration) {
  // Each step is a committed identity change; reads and refused changes leave the value alone.
  const std::vector<std::pair<std::string, std::function<bool()>>> changes = {
      {"create user", [&] { return store().create_user(user("alice")).has_value(); }},
      {"set password", [&] { return store().set_user_password_hash("alice", "h2").has_value(); }},
      {"disable", [&] { return store().set_user_disabled("alice", true).has_value(); }},
      {"totp", [&] { return store().set_user_totp_secret("alice", "s").has_value(); }},
      {"create project", [&] { return store().create_project(project("team")).has_value(); }},
      {"update project",
       [&] {
         return store()
             .update_project("team", {Visibility::kPublic, std::nullopt, std::nullopt})
             .has_value();
       }},
      {"set member",
       [&] {
         return store()
             .set_member(member("team", PrincipalKind::kUser, "alice", Role::kGuest))
             .has_value();
       }},
      {"remove member",
       [&] { return store().remove_member("team", PrincipalKind::kUser, "alice").has_value(); }},
      {"create robot",
       [&] { return store().create_robot(robot("robot$team+ci", "team")).has_value(); }},
      {"rotate robot",
       [&] { return store().rotate_robot_secret("robot$team+ci", "h", std::nullopt).has_value(); }},
      {"revoke robot", [&] { return store().revoke_robot("robot$team+ci", 5).has_value(); }},
      {"delete user", [&] { return store().delete_user("alice").has_value(); }},
      {"delete project", [&] { return store().delete_project("team").has_value(); }},
  };
  for (const auto& [what, change] : changes) {
    uint64_t before = store().identity_generation();
    ASSERT_TRUE(change()) << what;
    EXPECT_GT(store().identity_generation(), before) << what;
  }
  uint64_t settled = store().identity_generation();
  ASSERT_TRUE(store().list_users());
  ASSERT_TRUE(store().get_project("team"));
  EXPECT_FALSE(store().create_robot(robot("robot$x", "missing")));  // refused: no project
  EXPECT_EQ(store().identity_generation(), settled);
  harness().reopen();
  EXPECT_GE(store().identity_generation(), settled);  // never goes back across a restart
}

TEST_P(IdentityStoreSuite, ExternalUsersAreProvisionedAndNeverTakeOverLocalOnes) {
  User ext;
  ext.name = "carol";
  ext.source = "ldap";
  ext.email = "carol@example.org";
  ext.external_groups = {"developers", "ops"};
  ASSERT_OK(store().upsert_external_user(ext));
  auto carol = **store().get_user("carol");
  EXPECT_EQ(carol.source, "ldap");
  EXPECT_TRUE(carol.password_hash.empty());
  EXPECT_FALSE(carol.admin);
  EXPECT_THAT(carol.external_groups, ElementsAre("developers", "ops"));
  ASSERT_OK(store().set_user_disabled("carol", true));
  ext.external_groups = {"ops"};
  ASSERT_OK(store().upsert_external_user(ext));  // the next login refreshes the groups ...
  carol = **store().get_user("carol");
  EXPECT_THAT(carol.external_groups, ElementsAre("ops"));
  EXPECT_TRUE(carol.disabled);  // ... but keeps what an administrator decided

  ASSERT_OK(store().create_user(user("alice")));
  User impostor = ext;
  impostor.name = "alice";
  auto taken = store().upsert_external_user(impostor);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, ErrorCode::kConflict);
  EXPECT_EQ((**store().get_user("alice")).source, "local");
  impostor.source = "local";
  EXPECT_FALSE(store().upsert_external_user(impostor));
  ext.external_groups = {"bad\nname"};
  EXPECT_FALSE(store().upsert_external_user(ext));
}

TEST_P(IdentityStoreSuite, NetworkAllowListsRoundTrip) {
  Project p = project("team");
  p.allowed_networks = {"10.0.0.0/8", "2001:db8::/32"};
  ASSERT_OK(store().create_project(p));
  EXPECT_THAT((**store().get_project("team")).allowed_networks,
              ElementsAre("10.0.0.0/8", "2001:db8::/32"));
  ASSERT_OK(store().update_project("team", {std::nullopt, std::nullopt, NetworkList{}}));
  EXPECT_THAT((**store().get_project("team")).allowed_networks, IsEmpty());
  ASSERT_OK(store().update_project("team", {Visibility::kPublic, std::nullopt, std::nullopt}));
  EXPECT_THAT((**store().get_project("team")).allowed_networks, IsEmpty());

  RobotAccount r = robot("robot$team+ci", "team");
  r.allowed_networks = {"192.0.2.7"};
  ASSERT_OK(store().create_robot(r));
  EXPECT_THAT((**store().get_robot("robot$team+ci")).allowed_networks, ElementsAre("192.0.2.7"));
  ASSERT_OK(store().set_robot_networks("robot$team+ci", {"198.51.100.0/24"}));
  EXPECT_THAT((**store().get_robot("robot$team+ci")).allowed_networks,
              ElementsAre("198.51.100.0/24"));
  EXPECT_EQ(store().set_robot_networks("robot$nobody", {}).error().code, ErrorCode::kNotFound);
}

TEST_P(IdentityStoreSuite, DataSurvivesReopen) {
  ASSERT_OK(store().create_user(user("alice")));
  ASSERT_OK(store().create_project(project("team", Visibility::kPublic, Environment::kStaging)));
  ASSERT_OK(store().create_robot(robot("robot$team+ci", "team")));
  ASSERT_OK(store().set_member(member("team", PrincipalKind::kUser, "alice", Role::kDeveloper)));
  harness().reopen();
  EXPECT_EQ((**store().get_user("alice")).email, "alice@example.com");
  EXPECT_EQ((**store().get_project("team")).environment, Environment::kStaging);
  EXPECT_EQ((**store().get_robot("robot$team+ci")).expires_at, kNextYear);
  EXPECT_THAT(principals_of(store().list_members("team")),
              ElementsAre("team:user:alice:developer"));
}

}  // namespace
}  // namespace bulwark::metadata
