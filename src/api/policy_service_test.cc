// PolicyService against a real SQLite store: who may read and change which policy, validation
// with the parser's message, versions appended (never overwritten), rollback, the effective
// source, and one audit event per change (and per refusal) with the documented reason.
#include "api/policy_service.h"

#include <gtest/gtest.h>

#include "api/service_testing.h"
#include "auth/access_testing.h"
#include "auth/login_throttle.h"

namespace bulwark::api {
namespace {

using metadata::Environment;
using metadata::PrincipalKind;
using metadata::Role;

constexpr std::string_view kHighBlocks = "version: 1\nvulnerabilities:\n  high: {action: block}\n";
constexpr std::string_view kLowFlags = "version: 1\nvulnerabilities:\n  low: {action: flag}\n";
constexpr std::string_view kBadAction = "version: 1\nvulnerabilities:\n  high: {action: stop}\n";

class PolicyServiceTest : public ::testing::Test {
 protected:
  PolicyServiceTest()
      : authenticator_(fx_.store(), throttle_),
        service_(fx_.store(), fx_.store(), authenticator_, log_.recorder()) {
    fx_.add_user("root", "root-password", /*admin=*/true);
    fx_.add_user("pat", "pat-password");  // project admin of "team"
    fx_.add_user("dev", "dev-password");  // developer of "team"
    fx_.add_user("eve", "eve-password");  // no role anywhere
    fx_.add_project("team", Environment::kProduction);
    must(fx_.store().set_member({"team", PrincipalKind::kUser, "pat", Role::kProjectAdmin, 0}));
    must(fx_.store().set_member({"team", PrincipalKind::kUser, "dev", Role::kDeveloper, 0}));
  }

  static void must(Result<void> r) { ASSERT_TRUE(r) << r.error().message; }

  Actor user(const std::string& name) { return testing::user_actor(name); }
  Actor root() { return testing::user_actor("root", /*admin=*/true); }
  std::vector<audit::Event> events() { return log_.events(); }
  audit::Event last_event() { return log_.last(); }
  size_t stored(std::string_view scope) {
    auto all = fx_.store().list_policy_versions(scope);
    EXPECT_TRUE(all);
    return all ? all->size() : 0;
  }

  const PolicyTarget team_ = PolicyTarget::of_project("team");
  const PolicyTarget production_ = PolicyTarget::of_environment(Environment::kProduction);
  testing::EventLog log_;
  auth::testing::StoreFixture fx_;
  auth::LoginThrottle throttle_;
  auth::Authenticator authenticator_;
  PolicyService service_;
};

TEST_F(PolicyServiceTest, ProjectAdminSetsAndEveryChangeIsAVersionWithAnEvent) {
  auto v1 = service_.set(user("pat"), team_, std::string(kHighBlocks), "high blocks");
  ASSERT_TRUE(v1) << v1.error().error.message;
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v1->author, "pat");
  EXPECT_EQ(v1->scope, "project:team");
  audit::Event e = last_event();
  EXPECT_EQ(e.action, "policy.update");
  EXPECT_EQ(e.actor, "pat");
  EXPECT_EQ(e.client_address, "192.0.2.1");
  EXPECT_EQ(e.resource.repository, "team");
  EXPECT_EQ(e.outcome, audit::Outcome::kAllowed);
  EXPECT_EQ(e.reason, "targets: project:team version 1; comment: high blocks");

  auto v2 = service_.set(root(), team_, std::string(kLowFlags), "low flags");
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->version, 2);
  auto state = service_.get(user("dev"), team_);
  ASSERT_TRUE(state) << state.error().error.message;
  ASSERT_TRUE(state->current);
  EXPECT_EQ(state->current->document, kLowFlags);
  EXPECT_EQ(state->effective_source, "project:team@2");
  EXPECT_EQ(state->environment, Environment::kProduction);
}

TEST_F(PolicyServiceTest, InvalidDocumentsAreRefusedWithTheParsersMessage) {
  for (std::string doc : {std::string(kBadAction), std::string("  \n"), std::string("[x")}) {
    auto refused = service_.set(user("pat"), team_, doc, "typo");
    ASSERT_FALSE(refused) << doc;
    EXPECT_FALSE(refused.error().denied);
    EXPECT_EQ(refused.error().error.code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(last_event().outcome, audit::Outcome::kError);
  }
  auto refused = service_.set(user("pat"), team_, std::string(kBadAction), "typo");
  EXPECT_NE(refused.error().error.message.find("vulnerabilities.high.action"), std::string::npos)
      << refused.error().error.message;
  EXPECT_EQ(stored("project:team"), 0u);
  auto long_comment = service_.set(user("pat"), team_, std::string(kHighBlocks),
                                   std::string(kMaxPolicyComment + 1, 'x'));
  EXPECT_FALSE(long_comment);
  EXPECT_EQ(stored("project:team"), 0u);
}

TEST_F(PolicyServiceTest, MembersReadOnlyProjectAdminsChangeOutsidersNothing) {
  ASSERT_TRUE(service_.set(user("pat"), team_, std::string(kHighBlocks), ""));
  EXPECT_TRUE(service_.get(user("dev"), team_));
  EXPECT_TRUE(service_.history(user("dev"), team_));
  EXPECT_TRUE(service_.version(user("dev"), team_, 1));

  auto set = service_.set(user("dev"), team_, std::string(kLowFlags), "");
  ASSERT_FALSE(set);
  EXPECT_TRUE(set.error().denied);
  EXPECT_EQ(last_event().outcome, audit::Outcome::kDenied);
  EXPECT_EQ(last_event().actor, "dev");
  EXPECT_FALSE(service_.remove(user("dev"), team_, ""));
  EXPECT_FALSE(service_.rollback(user("dev"), team_, 1, ""));
  EXPECT_EQ(stored("project:team"), 1u);

  auto read = service_.get(user("eve"), team_);
  ASSERT_FALSE(read);
  EXPECT_TRUE(read.error().denied);
  EXPECT_EQ(last_event().action, "policy.get");
  EXPECT_EQ(last_event().outcome, audit::Outcome::kDenied);
  // Refused the same way whether or not the project exists.
  auto ghost = service_.get(user("eve"), PolicyTarget::of_project("ghost"));
  ASSERT_FALSE(ghost);
  EXPECT_TRUE(ghost.error().denied);
  auto missing = service_.get(root(), PolicyTarget::of_project("ghost"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().error.code, ErrorCode::kNotFound);

  Actor robot;
  robot.principal.type = auth::PrincipalType::kRobot;
  robot.principal.name = "robot$team+ci";
  robot.principal.is_admin = true;  // never counts for a robot
  EXPECT_FALSE(service_.get(robot, team_));
  EXPECT_FALSE(service_.set(robot, team_, std::string(kLowFlags), ""));
}

TEST_F(PolicyServiceTest, EnvironmentsAreForSystemAdministrators) {
  auto refused = service_.set(user("pat"), production_, std::string(kLowFlags), "");
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().denied);
  EXPECT_EQ(last_event().resource.repository, "environment:production");
  EXPECT_FALSE(service_.get(user("dev"), production_));
  auto set = service_.set(root(), production_, std::string(kLowFlags), "baseline");
  ASSERT_TRUE(set);
  EXPECT_EQ(set->scope, "environment:production");
  auto state = service_.get(root(), production_);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->effective_source, "environment:production@1");
}

TEST_F(PolicyServiceTest, RemoveFallsBackAndRollbackRestores) {
  ASSERT_TRUE(service_.set(root(), production_, std::string(kLowFlags), ""));
  ASSERT_TRUE(service_.set(user("pat"), team_, std::string(kHighBlocks), "one"));
  auto removed = service_.remove(user("pat"), team_, "use production's");
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->version, 2);
  EXPECT_EQ(removed->document, "");
  EXPECT_EQ(last_event().action, "policy.delete");
  auto state = service_.get(user("pat"), team_);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->effective_source, "environment:production@1");

  auto restored = service_.rollback(user("pat"), team_, 1, "back");
  ASSERT_TRUE(restored) << restored.error().error.message;
  EXPECT_EQ(restored->version, 3);
  EXPECT_EQ(restored->restored_from, 1);
  EXPECT_EQ(restored->document, kHighBlocks);
  EXPECT_EQ(last_event().action, "policy.rollback");
  EXPECT_EQ(last_event().reason, "targets: project:team version 3 restoring 1; comment: back");

  auto missing = service_.rollback(user("pat"), team_, 9, "");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().error.code, ErrorCode::kNotFound);
  EXPECT_EQ(last_event().outcome, audit::Outcome::kError);
  EXPECT_EQ(stored("project:team"), 3u);
}

TEST_F(PolicyServiceTest, UnparsableStoredDocumentsAreShownNotAppliedNorRestored) {
  // Written behind the service's back (e.g. by a newer release with more rule kinds).
  metadata::PolicyVersion raw;
  raw.scope = "project:team";
  raw.document = std::string(kBadAction);
  raw.author = "future";
  ASSERT_TRUE(fx_.store().add_policy_version(raw));
  auto state = service_.get(user("dev"), team_);
  ASSERT_TRUE(state) << state.error().error.message;
  EXPECT_EQ(state->effective_source, "");
  EXPECT_NE(state->effective_error.find("project:team@1"), std::string::npos)
      << state->effective_error;
  ASSERT_TRUE(service_.set(user("pat"), team_, std::string(kHighBlocks), ""));
  auto rollback = service_.rollback(user("pat"), team_, 1, "");
  ASSERT_FALSE(rollback);
  EXPECT_EQ(rollback.error().error.code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(stored("project:team"), 2u);
}

}  // namespace
}  // namespace bulwark::api
