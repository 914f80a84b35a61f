// AdminService against a real SQLite store: authorisation (administrator, project admin,
// developer, self-service), validation, the stored results (hashes, never secrets), and one
// audit event per change with the right outcome and no secret in it.
#include "api/admin_service.h"

#include <gtest/gtest.h>

#include "api/service_testing.h"
#include "auth/access_testing.h"
#include "auth/login_throttle.h"
#include "auth/password.h"
#include "auth/totp.h"
#include "common/clock.h"
#include "common/encoding.h"

namespace bulwark::api {
namespace {

using auth::testing::kFastHash;
using metadata::Environment;
using metadata::PrincipalKind;
using metadata::Role;
using metadata::Visibility;

class AdminServiceTest : public ::testing::Test {
 protected:
  AdminServiceTest()
      : authenticator_(fx_.store(), throttle_),
        service_(fx_.store(), authenticator_, log_.recorder(), AdminOptions{"Bulwark", kFastHash}) {
    fx_.add_user("root", "root-password", /*admin=*/true);
    fx_.add_user("pat", "pat-password");  // project admin of "team"
    fx_.add_user("dev", "dev-password");  // developer of "team"
    fx_.add_project("team");
    fx_.add_project("other");
    fx_.add_project("open", Environment::kDevelopment, Visibility::kPublic);
    must(fx_.store().set_member({"team", PrincipalKind::kUser, "pat", Role::kProjectAdmin, 0}));
    must(fx_.store().set_member({"team", PrincipalKind::kUser, "dev", Role::kDeveloper, 0}));
  }

  static void must(Result<void> r) { ASSERT_TRUE(r) << r.error().message; }

  Actor user(const std::string& name, bool admin = false) {
    return testing::user_actor(name, admin);
  }
  Actor root() { return user("root", true); }
  std::vector<audit::Event> events() { return log_.events(); }
  audit::Event last_event() { return log_.last(); }
  void expect_no_secret_in_events(const std::string& secret) {
    for (const audit::Event& e : events()) {
      EXPECT_EQ(e.reason.find(secret), std::string::npos) << e.action;
      EXPECT_EQ(e.actor.find(secret), std::string::npos) << e.action;
    }
  }
  NewRobot robot_spec(const std::string& project, const std::string& name) {
    NewRobot r;
    r.project = project;
    r.name = name;
    r.kind = "ci";
    r.rules = {{project + "/*", {"pull", "push"}}};
    r.lifetime_seconds = 86400;
    return r;
  }

  testing::EventLog log_;
  auth::testing::StoreFixture fx_;
  auth::LoginThrottle throttle_;
  auth::Authenticator authenticator_;
  AdminService service_;
};

TEST_F(AdminServiceTest, AdministratorCreatesUserWithGeneratedPassword) {
  auto created = service_.create_user(root(), NewUser{"alice", "a@example.com", false, {}});
  ASSERT_TRUE(created) << created.error().error.message;
  ASSERT_TRUE(created->generated_password);
  EXPECT_GE(created->generated_password->size(), 32u);
  EXPECT_EQ(created->user.name, "alice");
  EXPECT_TRUE(created->user.password_set);
  auto stored = fx_.store().get_user("alice");
  ASSERT_TRUE(stored && *stored);
  EXPECT_TRUE(auth::verify_password((*stored)->password_hash, *created->generated_password));
  EXPECT_EQ(last_event().action, "user.create");
  EXPECT_EQ(last_event().outcome, audit::Outcome::kAllowed);
  EXPECT_EQ(last_event().reason, "targets: alice");
  EXPECT_EQ(last_event().actor, "root");
  EXPECT_EQ(last_event().client_address, "192.0.2.1");
  expect_no_secret_in_events(*created->generated_password);
}

TEST_F(AdminServiceTest, GivenPasswordIsHashedAndNeverRecorded) {
  auto created = service_.create_user(root(), NewUser{"bob", "", true, "a given passphrase"});
  ASSERT_TRUE(created);
  EXPECT_FALSE(created->generated_password);
  EXPECT_TRUE(created->user.admin);
  auto stored = fx_.store().get_user("bob");
  EXPECT_TRUE(auth::verify_password((*stored)->password_hash, "a given passphrase"));
  expect_no_secret_in_events("a given passphrase");
}

TEST_F(AdminServiceTest, DuplicateAndInvalidUsersAreRefusedAndRecordedAsErrors) {
  auto dup = service_.create_user(root(), NewUser{"dev", "", false, {}});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().error.code, ErrorCode::kAlreadyExists);
  EXPECT_FALSE(dup.error().denied);
  EXPECT_EQ(last_event().outcome, audit::Outcome::kError);
  auto bad = service_.create_user(root(), NewUser{"robot$x+y", "", false, {}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().error.code, ErrorCode::kInvalidArgument);
  auto empty = service_.create_user(root(), NewUser{"carol", "", false, std::string()});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().error.code, ErrorCode::kInvalidArgument);
}

TEST_F(AdminServiceTest, NonAdministratorsCannotManageUsers) {
  for (const char* who : {"pat", "dev"}) {
    auto r = service_.create_user(user(who), NewUser{"mallory", "", true, {}});
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().denied) << who;
    EXPECT_EQ(last_event().outcome, audit::Outcome::kDenied);
    EXPECT_EQ(last_event().action, "user.create");
  }
  EXPECT_FALSE(*fx_.store().get_user("mallory"));
  EXPECT_TRUE(service_.list_users(user("dev")).error().denied);
  EXPECT_TRUE(service_.delete_user(user("pat"), "dev").error().denied);
  EXPECT_TRUE(service_.set_user_disabled(user("pat"), "dev", true).error().denied);
  EXPECT_TRUE(service_.set_password(user("dev"), "pat", "new password!").error().denied);
  EXPECT_TRUE(service_.get_user(user("dev"), "pat").error().denied);
}

TEST_F(AdminServiceTest, UsersManageTheirOwnPasswordAndSecondFactor) {
  ASSERT_TRUE(service_.get_user(user("dev"), "dev"));
  auto set = service_.set_password(user("dev"), "dev", "my own new passphrase");
  ASSERT_TRUE(set);
  EXPECT_FALSE(*set);
  auto stored = fx_.store().get_user("dev");
  EXPECT_TRUE(auth::verify_password((*stored)->password_hash, "my own new passphrase"));

  auto enrolled = service_.enrol_totp(user("dev"), "dev");
  ASSERT_TRUE(enrolled) << enrolled.error().error.message;
  EXPECT_TRUE(enrolled->uri.starts_with("otpauth://totp/Bulwark:dev?secret=" + enrolled->secret));
  stored = fx_.store().get_user("dev");
  EXPECT_EQ((*stored)->totp_secret, enrolled->secret);
  // The secret works: a code computed from it verifies.
  auto raw = base32_decode(enrolled->secret);
  ASSERT_TRUE(raw);
  const int64_t now = unix_seconds();
  EXPECT_TRUE(auth::totp_verify(*raw, auth::totp_code(*raw, now), now));
  EXPECT_TRUE(service_.get_user(root(), "dev")->totp_enrolled);
  expect_no_secret_in_events(enrolled->secret);

  auto again = service_.enrol_totp(user("dev"), "dev");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().error.code, ErrorCode::kConflict);
  EXPECT_TRUE(service_.enrol_totp(user("dev"), "pat").error().denied);
  ASSERT_TRUE(service_.remove_totp(user("dev"), "dev"));
  EXPECT_EQ((*fx_.store().get_user("dev"))->totp_secret, "");
  EXPECT_EQ(service_.remove_totp(root(), "dev").error().error.code, ErrorCode::kConflict);
}

TEST_F(AdminServiceTest, TheLastEnabledAdministratorStays) {
  auto disable = service_.set_user_disabled(root(), "root", true);
  ASSERT_FALSE(disable);
  EXPECT_EQ(disable.error().error.code, ErrorCode::kConflict);
  EXPECT_EQ(service_.delete_user(root(), "root").error().error.code, ErrorCode::kConflict);
  ASSERT_TRUE(service_.create_user(root(), NewUser{"root2", "", true, {}}));
  EXPECT_TRUE(service_.set_user_disabled(root(), "root", true));
  EXPECT_TRUE(service_.set_user_disabled(root(), "root", false));
  EXPECT_EQ(service_.delete_user(root(), "ghost").error().error.code, ErrorCode::kNotFound);
}

TEST_F(AdminServiceTest, ProjectAdminsManageTheirOwnProjectOnly) {
  const Actor pat = user("pat");
  ASSERT_TRUE(
      service_.set_member(pat, {"team", PrincipalKind::kGroup, "ops", Role::kMaintainer, 0}));
  EXPECT_EQ(last_event().action, "member.set");
  EXPECT_EQ(last_event().resource.repository, "team");
  auto elsewhere =
      service_.set_member(pat, {"other", PrincipalKind::kUser, "pat", Role::kGuest, 0});
  ASSERT_FALSE(elsewhere);
  EXPECT_TRUE(elsewhere.error().denied);
  EXPECT_EQ(last_event().outcome, audit::Outcome::kDenied);
  // A project that does not exist is refused the same way: no probing for project names.
  auto missing = service_.set_member(pat, {"ghost", PrincipalKind::kUser, "pat", Role::kGuest, 0});
  EXPECT_TRUE(missing.error().denied);
  EXPECT_EQ(missing.error().error.message,
            elsewhere.error().error.message.replace(elsewhere.error().error.message.find("other"),
                                                    5, "ghost"));

  metadata::ProjectUpdate update;
  update.visibility = Visibility::kPublic;
  update.allowed_networks = metadata::NetworkList{"10.0.0.0/8"};
  auto updated = service_.update_project(pat, "team", update);
  ASSERT_TRUE(updated) << updated.error().error.message;
  EXPECT_EQ(updated->visibility, Visibility::kPublic);
  EXPECT_EQ(updated->allowed_networks, metadata::NetworkList{"10.0.0.0/8"});
  EXPECT_TRUE(service_.update_project(pat, "other", update).error().denied);
  EXPECT_TRUE(service_.create_project(pat, NewProject{"mine", {}, {}, {}}).error().denied);
  EXPECT_TRUE(service_.delete_project(pat, "team").error().denied);

  // Developers may look, not change.
  EXPECT_TRUE(service_.list_members(user("dev"), "team"));
  EXPECT_TRUE(service_.list_members(user("dev"), "other").error().denied);
  EXPECT_TRUE(
      service_
          .set_member(user("dev"), {"team", PrincipalKind::kUser, "dev", Role::kProjectAdmin, 0})
          .error()
          .denied);
  EXPECT_EQ(*authenticator_.effective_role(user("dev").principal, "team"), Role::kDeveloper);
}

TEST_F(AdminServiceTest, ProjectValidationAndListing) {
  EXPECT_EQ(service_.create_project(root(), NewProject{"Team/x", {}, {}, {}}).error().error.code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(service_.create_project(root(), NewProject{"team", {}, {}, {}}).error().error.code,
            ErrorCode::kAlreadyExists);
  NewProject bad_net{"netted", {}, {}, {"10.1.2.3/8"}};
  EXPECT_EQ(service_.create_project(root(), bad_net).error().error.code,
            ErrorCode::kInvalidArgument);
  NewProject good{"netted", Visibility::kPublic, Environment::kStaging, {"10.0.0.0/8", "::1"}};
  auto created = service_.create_project(root(), good);
  ASSERT_TRUE(created) << created.error().error.message;
  EXPECT_EQ(created->environment, Environment::kStaging);
  EXPECT_EQ(service_.update_project(root(), "netted", {}).error().error.code,
            ErrorCode::kInvalidArgument);
  metadata::ProjectUpdate clear;
  clear.allowed_networks = metadata::NetworkList{};
  EXPECT_TRUE(service_.update_project(root(), "netted", clear)->allowed_networks.empty());

  auto seen = service_.list_projects(user("dev"));
  ASSERT_TRUE(seen);
  std::vector<std::string> names;
  for (const auto& p : *seen) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"netted", "open", "team"}));
  EXPECT_EQ(service_.list_projects(root())->size(), 4u);
  EXPECT_TRUE(service_.get_project(user("dev"), "other").error().denied);
  EXPECT_EQ(service_.get_project(root(), "ghost").error().error.code, ErrorCode::kNotFound);
  ASSERT_TRUE(service_.delete_project(root(), "netted"));
  EXPECT_EQ(service_.delete_project(root(), "netted").error().error.code, ErrorCode::kNotFound);
}

TEST_F(AdminServiceTest, RobotsAreCreatedWithAHashedSecretShownOnce) {
  const Actor pat = user("pat");
  NewRobot spec = robot_spec("team", "ci");
  spec.allowed_networks = {"192.0.2.0/24"};
  auto issued = service_.create_robot(pat, spec);
  ASSERT_TRUE(issued) << issued.error().error.message;
  EXPECT_EQ(issued->name, "robot$team+ci");
  auto stored = fx_.store().get_robot("robot$team+ci");
  ASSERT_TRUE(stored && *stored);
  EXPECT_TRUE(auth::verify_password((*stored)->secret_hash, issued->secret));
  EXPECT_EQ((*stored)->created_by, "pat");
  EXPECT_EQ((*stored)->allowed_networks, metadata::NetworkList{"192.0.2.0/24"});
  EXPECT_EQ((*stored)->permissions_json,
            R"({"kind":"ci","rules":[{"repository":"team/*","actions":["pull","push"]}]})");
  EXPECT_NEAR(static_cast<double>(issued->expires_at), static_cast<double>(unix_seconds() + 86400),
              5);
  expect_no_secret_in_events(issued->secret);
  EXPECT_EQ(last_event().action, "robot.create");
  EXPECT_EQ(last_event().reason, "targets: robot$team+ci");

  auto listed = service_.list_robots(pat, std::string_view("team"));
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].kind, "ci");
  EXPECT_EQ((*listed)[0].status, "active");
  EXPECT_TRUE(service_.list_robots(pat, std::nullopt).error().denied);
  EXPECT_TRUE(service_.list_robots(pat, std::string_view("other")).error().denied);
  EXPECT_TRUE(service_.create_robot(pat, robot_spec("other", "ci")).error().denied);
  EXPECT_TRUE(service_.create_robot(user("dev"), robot_spec("team", "dev")).error().denied);
  EXPECT_EQ(service_.create_robot(pat, spec).error().error.code, ErrorCode::kAlreadyExists);
}

TEST_F(AdminServiceTest, RobotInputIsValidated) {
  auto code_of = [&](const NewRobot& r) {
    return service_.create_robot(root(), r).error().error.code;
  };
  NewRobot r = robot_spec("team", "x");
  r.rules = {{"other/*", {"pull"}}};
  EXPECT_EQ(code_of(r), ErrorCode::kInvalidArgument);
  r = robot_spec("team", "x");
  r.rules = {{"team/*", {"pull", "fly"}}};
  EXPECT_EQ(code_of(r), ErrorCode::kInvalidArgument);
  r = robot_spec("team", "x");
  r.rules.clear();
  EXPECT_EQ(code_of(r), ErrorCode::kInvalidArgument);
  r = robot_spec("team", "x");
  r.lifetime_seconds = 0;
  EXPECT_EQ(code_of(r), ErrorCode::kInvalidArgument);
  r = robot_spec("team", "x");
  r.kind = "superuser";
  EXPECT_EQ(code_of(r), ErrorCode::kInvalidArgument);
  r = robot_spec("team", "x");
  r.allowed_networks = {"not-a-network"};
  EXPECT_EQ(code_of(r), ErrorCode::kInvalidArgument);
  r = robot_spec("team", "Bad Name");
  EXPECT_EQ(code_of(r), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of(robot_spec("ghost", "x")), ErrorCode::kNotFound);
  EXPECT_TRUE(service_.list_robots(root(), std::nullopt)->empty());
}

TEST_F(AdminServiceTest, RotateRevokeAndNetworks) {
  const Actor pat = user("pat");
  auto issued = service_.create_robot(pat, robot_spec("team", "ci"));
  ASSERT_TRUE(issued);
  auto rotated = service_.rotate_robot(pat, "robot$team+ci", 3600);
  ASSERT_TRUE(rotated) << rotated.error().error.message;
  EXPECT_NE(rotated->secret, issued->secret);
  auto stored = *fx_.store().get_robot("robot$team+ci");
  EXPECT_TRUE(auth::verify_password(stored->secret_hash, rotated->secret));
  EXPECT_FALSE(auth::verify_password(stored->secret_hash, issued->secret));
  EXPECT_EQ(stored->expires_at, rotated->expires_at);

  auto nets = service_.set_robot_networks(pat, "robot$team+ci", {"198.51.100.0/24"});
  ASSERT_TRUE(nets) << nets.error().error.message;
  EXPECT_EQ(nets->allowed_networks, metadata::NetworkList{"198.51.100.0/24"});
  EXPECT_EQ(service_.set_robot_networks(pat, "robot$team+ci", {"300.0.0.0/8"}).error().error.code,
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(service_.rotate_robot(user("dev"), "robot$team+ci", std::nullopt).error().denied);
  EXPECT_TRUE(service_.revoke_robot(user("dev"), "robot$team+ci").error().denied);

  auto revoked = service_.revoke_robot(pat, "robot$team+ci");
  ASSERT_TRUE(revoked);
  EXPECT_FALSE(revoked->already_revoked);
  EXPECT_TRUE((*fx_.store().get_robot("robot$team+ci"))->revoked_at);
  EXPECT_TRUE(service_.revoke_robot(pat, "robot$team+ci")->already_revoked);
  EXPECT_EQ(service_.rotate_robot(pat, "robot$team+ci", std::nullopt).error().error.code,
            ErrorCode::kConflict);
  EXPECT_EQ(service_.revoke_robot(pat, "robot$team+nope").error().error.code, ErrorCode::kNotFound);
  // A system robot (no project in its name) is the administrators' alone.
  EXPECT_TRUE(service_.revoke_robot(pat, "robot$system").error().denied);
  expect_no_secret_in_events(rotated->secret);
}

TEST_F(AdminServiceTest, RotatingAnExpiredRobotNeedsANewExpiry) {
  fx_.add_robot("team", "old", "old-secret", R"({"kind":"generic","rules":[]})", 1000);
  auto r = service_.rotate_robot(root(), "robot$team+old", std::nullopt);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().error.code, ErrorCode::kConflict);
  EXPECT_NE(r.error().error.message.find("--expires"), std::string::npos);
  EXPECT_TRUE(service_.rotate_robot(root(), "robot$team+old", 600));
}

TEST_F(AdminServiceTest, ReadsAreRecordedOnlyWhenRefused) {
  const size_t before = events().size();
  ASSERT_TRUE(service_.list_users(root()));
  ASSERT_TRUE(service_.list_projects(user("dev")));
  EXPECT_EQ(events().size(), before);
  ASSERT_FALSE(service_.list_users(user("dev")));
  ASSERT_EQ(events().size(), before + 1);
  EXPECT_EQ(last_event().action, "user.list");
  EXPECT_EQ(last_event().outcome, audit::Outcome::kDenied);
}

TEST_F(AdminServiceTest, RobotsActNowhere) {
  Actor robot;
  robot.principal.type = auth::PrincipalType::kRobot;
  robot.principal.name = "robot$team+ci";
  EXPECT_TRUE(service_.list_projects(robot).error().denied);
  EXPECT_TRUE(service_.list_members(robot, "team").error().denied);
  EXPECT_TRUE(service_.create_robot(robot, robot_spec("team", "x")).error().denied);
}

}  // namespace
}  // namespace bulwark::api
