#include "auth/authenticator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/access_testing.h"

namespace bulwark::auth {
namespace {

using metadata::PrincipalKind;
using metadata::Role;
using std::chrono::seconds;
using ::testing::HasSubstr;
using testing::kFastHash;
using testing::kNow;
using ::testing::Not;

const LoginThrottle::Clock::time_point kT0 =
    LoginThrottle::Clock::time_point() + std::chrono::hours(1000);

constexpr char kCiPermissions[] =
    R"({"kind":"ci","rules":[{"repository":"proj/**","actions":["pull","push"]}]})";

class AuthenticatorTest : public ::testing::Test {
 protected:
  AuthenticatorTest()
      : throttle_(throttle_params()), auth_(fx_.store(), throttle_, {kFastHash, 256}) {
    fx_.add_project("proj");
    fx_.add_user("alice", "alice-password");
    fx_.add_user("root", "root-password", /*admin=*/true);
  }

  static ThrottleParams throttle_params() {
    ThrottleParams p;
    p.account = {3, seconds(10), seconds(600)};
    p.address = {6, seconds(10), seconds(600)};
    return p;
  }

  AuthResult login(std::string_view name, std::string_view password,
                   std::string_view address = "192.0.2.1", AuthTime at = {kNow, kT0}) {
    return auth_.authenticate_basic(name, password, address, at);
  }

  void expect_failure(const AuthResult& r, AuthFailureKind kind) {
    ASSERT_FALSE(r) << "authenticated " << r->name;
    EXPECT_EQ(r.error().kind, kind) << r.error().error.message;
  }

  testing::StoreFixture fx_;
  LoginThrottle throttle_;
  Authenticator auth_;
};

// ---- users

TEST_F(AuthenticatorTest, UserWithTheRightPasswordGetsAPrincipal) {
  auto alice = login("alice", "alice-password");
  ASSERT_TRUE(alice) << alice.error().error.message;
  EXPECT_EQ(alice->type, PrincipalType::kUser);
  EXPECT_EQ(alice->name, "alice");
  EXPECT_FALSE(alice->is_admin);
  EXPECT_TRUE(alice->groups.empty());
  EXPECT_FALSE(alice->robot);

  auto root = login("root", "root-password");
  ASSERT_TRUE(root) << root.error().error.message;
  EXPECT_TRUE(root->is_admin);
}

TEST_F(AuthenticatorTest, UnknownUserAndWrongPasswordAreIndistinguishable) {
  uint64_t before = auth_.hash_verifications();
  auto wrong = login("alice", "not-her-password");
  EXPECT_EQ(auth_.hash_verifications(), before + 1);
  auto unknown = login("mallory", "alice-password");
  EXPECT_EQ(auth_.hash_verifications(), before + 2);  // the dummy hash was verified too
  auto unknown_robot = login("robot$proj+nobody", "secret");
  EXPECT_EQ(auth_.hash_verifications(), before + 3);
  auto no_password = login("", "x");
  EXPECT_EQ(auth_.hash_verifications(), before + 4);

  for (const AuthResult* r : {&wrong, &unknown, &unknown_robot, &no_password}) {
    ASSERT_FALSE(*r);
    EXPECT_EQ(r->error().kind, AuthFailureKind::kBadCredentials);
    EXPECT_EQ(r->error().error.code, wrong.error().error.code);
    EXPECT_EQ(r->error().error.message, wrong.error().error.message);
    EXPECT_EQ(r->error().retry_after, seconds(0));
  }
  EXPECT_EQ(wrong.error().error.message, "invalid username or password");
}

TEST_F(AuthenticatorTest, UserWithoutAPasswordCannotLogInWithBasicAuth) {
  fx_.add_user("oidc-person", "");
  expect_failure(login("oidc-person", ""), AuthFailureKind::kBadCredentials);
  expect_failure(login("oidc-person", "anything"), AuthFailureKind::kBadCredentials);
}

TEST_F(AuthenticatorTest, DisabledUserIsToldOnlyAfterTheRightPassword) {
  testing::StoreFixture::must(fx_.store().set_user_disabled("alice", true));
  expect_failure(login("alice", "guess"), AuthFailureKind::kBadCredentials);
  auto r = login("alice", "alice-password");
  expect_failure(r, AuthFailureKind::kDisabled);
  EXPECT_EQ(r.error().error.message, "account is disabled");
}

TEST_F(AuthenticatorTest, TotpUsersMustUseManagementTokens) {
  testing::StoreFixture::must(fx_.store().set_user_totp_secret("alice", "0123456789abcdefghij"));
  expect_failure(login("alice", "guess"), AuthFailureKind::kBadCredentials);
  auto r = login("alice", "alice-password");
  expect_failure(r, AuthFailureKind::kSecondFactorRequired);
  EXPECT_THAT(r.error().error.message, HasSubstr("two-factor"));
}

TEST_F(AuthenticatorTest, OutdatedHashIsUpgradedOnSuccessfulLogin) {
  PasswordParams older{kFastHash.opslimit + 1, kFastHash.memlimit};
  fx_.add_user("bob", "bob-password", false, older);
  auto stored = [&] {
    return (*testing::StoreFixture::must(fx_.store().get_user("bob"))).password_hash;
  };
  ASSERT_TRUE(needs_rehash(stored(), kFastHash));
  ASSERT_TRUE(login("bob", "bob-password"));
  EXPECT_FALSE(needs_rehash(stored(), kFastHash));
  EXPECT_TRUE(login("bob", "bob-password"));  // the new hash still verifies
  EXPECT_FALSE(login("bob", "wrong"));
}

TEST_F(AuthenticatorTest, FailureMessagesNeverEchoTheSecret) {
  fx_.add_robot("proj", "bad", "robot-secret-value", "{not json");
  testing::StoreFixture::must(fx_.store().set_user_totp_secret("root", "totp-secret-bytes"));
  const std::pair<const char*, const char*> attempts[] = {
      {"alice", "wrong-password-value"},
      {"nobody", "wrong-password-value"},
      {"robot$proj+bad", "robot-secret-value"},
      {"root", "root-password"},
  };
  for (const auto& [name, secret] : attempts) {
    auto r = login(name, secret);
    ASSERT_FALSE(r) << name;
    EXPECT_THAT(r.error().error.message, Not(HasSubstr(secret)));
    EXPECT_THAT(r.error().error.message, Not(HasSubstr("$argon2id")));
    EXPECT_THAT(r.error().error.message, Not(HasSubstr("totp-secret")));
    EXPECT_THAT(r.error().error.message, Not(HasSubstr("not json")));
  }
}

// ---- throttling

TEST_F(AuthenticatorTest, ThrottleIsCheckedBeforeAnyHashIsVerified) {
  for (int i = 0; i < 4; ++i)
    expect_failure(login("alice", "guess"), AuthFailureKind::kBadCredentials);
  // Four failures, three free: the account now waits 10 s — even with the right password, and
  // without spending an argon2id verification on the attempt.
  uint64_t before = auth_.hash_verifications();
  auto r = login("alice", "alice-password", "198.51.100.7");
  expect_failure(r, AuthFailureKind::kThrottled);
  EXPECT_EQ(r.error().retry_after, seconds(10));
  EXPECT_EQ(auth_.hash_verifications(), before);
  EXPECT_THAT(r.error().error.message, HasSubstr("retry in 10 s"));

  auto later = login("alice", "alice-password", "198.51.100.7", {kNow + 10, kT0 + seconds(10)});
  ASSERT_TRUE(later) << later.error().error.message;
  // Success reset the account: the next failure is free again.
  expect_failure(login("alice", "guess", "198.51.100.7", {kNow + 10, kT0 + seconds(10)}),
                 AuthFailureKind::kBadCredentials);
  EXPECT_TRUE(login("alice", "alice-password", "198.51.100.7", {kNow + 10, kT0 + seconds(10)}));
}

TEST_F(AuthenticatorTest, UnknownAccountsAreThrottledExactlyLikeKnownOnes) {
  std::vector<std::string> known, unknown;
  for (int i = 0; i < 5; ++i) {
    auto a = login("alice", "guess", "192.0.2." + std::to_string(10 + i));
    auto b = login("mallory", "guess", "192.0.2." + std::to_string(20 + i));
    known.push_back(a.error().error.message + "/" + std::to_string(a.error().retry_after.count()));
    unknown.push_back(b.error().error.message + "/" +
                      std::to_string(b.error().retry_after.count()));
  }
  EXPECT_EQ(known, unknown);
  EXPECT_THAT(known.back(), HasSubstr("retry in"));
}

TEST_F(AuthenticatorTest, OneAddressSprayingManyAccountsIsThrottled) {
  for (int i = 0; i < 7; ++i) {
    expect_failure(login("user" + std::to_string(i), "guess", "203.0.113.5"),
                   AuthFailureKind::kBadCredentials);
  }
  expect_failure(login("alice", "alice-password", "203.0.113.5"), AuthFailureKind::kThrottled);
  EXPECT_TRUE(login("alice", "alice-password", "203.0.113.6"));  // other addresses unaffected
}

TEST_F(AuthenticatorTest, RefusalsAfterTheRightPasswordDoNotCountAsGuesses) {
  testing::StoreFixture::must(fx_.store().set_user_disabled("alice", true));
  for (int i = 0; i < 10; ++i)
    expect_failure(login("alice", "alice-password"), AuthFailureKind::kDisabled);
}

// ---- robots

TEST_F(AuthenticatorTest, RobotWithTheRightSecretGetsItsPermissions) {
  std::string name = fx_.add_robot("proj", "ci", "s3cret-robot-value", kCiPermissions);
  auto r = login(name, "s3cret-robot-value");
  ASSERT_TRUE(r) << r.error().error.message;
  EXPECT_EQ(r->type, PrincipalType::kRobot);
  EXPECT_EQ(r->name, "robot$proj+ci");
  EXPECT_FALSE(r->is_admin);
  ASSERT_TRUE(r->robot);
  EXPECT_EQ(r->robot->project, "proj");
  EXPECT_EQ(r->robot->expires_at, kNow + 3600);
  EXPECT_EQ(r->robot->permissions.kind, RobotKind::kCi);
  ASSERT_EQ(r->robot->permissions.rules.size(), 1u);
  EXPECT_EQ(r->robot->permissions.rules[0].repository, "proj/**");

  auto wrong = login(name, "s3cret-robot-valuf");
  expect_failure(wrong, AuthFailureKind::kBadCredentials);
  EXPECT_EQ(wrong.error().error.message, "invalid username or password");
}

TEST_F(AuthenticatorTest, RobotExpiryIsCheckedAtEveryCall) {
  std::string name = fx_.add_robot("proj", "ci", "secret-value-123", kCiPermissions, kNow + 60);
  EXPECT_TRUE(login(name, "secret-value-123", "192.0.2.1", {kNow + 59, kT0}));
  auto r = login(name, "secret-value-123", "192.0.2.1", {kNow + 60, kT0});
  expect_failure(r, AuthFailureKind::kRobotExpired);
  EXPECT_EQ(r.error().error.message, "robot account has expired");
  expect_failure(login(name, "wrong-secret", "192.0.2.1", {kNow + 60, kT0}),
                 AuthFailureKind::kBadCredentials);
}

TEST_F(AuthenticatorTest, RobotRevocationTakesEffectOnTheNextCall) {
  std::string name = fx_.add_robot("proj", "ci", "secret-value-123", kCiPermissions);
  ASSERT_TRUE(login(name, "secret-value-123"));
  testing::StoreFixture::must(fx_.store().revoke_robot(name, kNow));
  auto r = login(name, "secret-value-123");
  expect_failure(r, AuthFailureKind::kRobotRevoked);
  EXPECT_EQ(r.error().error.message, "robot account was revoked");
}

TEST_F(AuthenticatorTest, RobotWithUnusablePermissionsIsRefused) {
  std::string name = fx_.add_robot("proj", "typo", "secret-value-123",
                                   R"([{"repository":"proj/*","actions":["pul"]}])");
  expect_failure(login(name, "secret-value-123"), AuthFailureKind::kMisconfigured);
}

TEST_F(AuthenticatorTest, RotatedRobotSecretReplacesTheOldOne) {
  std::string name = fx_.add_robot("proj", "ci", "old-secret-value", kCiPermissions);
  testing::StoreFixture::must(fx_.store().rotate_robot_secret(
      name, testing::StoreFixture::must(hash_password("new-secret-value", kFastHash)),
      std::nullopt));
  expect_failure(login(name, "old-secret-value"), AuthFailureKind::kBadCredentials);
  EXPECT_TRUE(login(name, "new-secret-value"));
}

// ---- roles

TEST_F(AuthenticatorTest, EffectiveRoleIsTheHighestOfUserAndGroupMemberships) {
  fx_.add_project("other");
  auto member = [&](std::string project, PrincipalKind kind, std::string who, Role role) {
    testing::StoreFixture::must(fx_.store().set_member({project, kind, who, role, 0}));
  };
  member("proj", PrincipalKind::kUser, "alice", Role::kDeveloper);
  member("other", PrincipalKind::kUser, "alice", Role::kProjectAdmin);
  member("proj", PrincipalKind::kGroup, "release-managers", Role::kMaintainer);
  member("proj", PrincipalKind::kGroup, "auditors", Role::kGuest);

  auto alice = *login("alice", "alice-password");
  auto role = [&](const Principal& p, std::string_view project) {
    return testing::StoreFixture::must(auth_.effective_role(p, project));
  };
  EXPECT_EQ(role(alice, "proj"), Role::kDeveloper);
  EXPECT_EQ(role(alice, "other"), Role::kProjectAdmin);
  EXPECT_EQ(role(alice, "missing"), std::nullopt);

  alice.groups = {"auditors"};
  EXPECT_EQ(role(alice, "proj"), Role::kDeveloper);  // the group's guest role is lower
  alice.groups = {"auditors", "release-managers"};
  EXPECT_EQ(role(alice, "proj"), Role::kMaintainer);

  Principal outsider;
  outsider.type = PrincipalType::kUser;
  outsider.name = "carol";
  outsider.groups = {"auditors"};
  EXPECT_EQ(role(outsider, "proj"), Role::kGuest);  // through the group alone

  // Robots act by their permissions, anonymous clients by visibility: no roles.
  member("proj", PrincipalKind::kUser, "robot$proj+ci", Role::kProjectAdmin);
  std::string bot = fx_.add_robot("proj", "ci", "secret-value-123", kCiPermissions);
  EXPECT_EQ(role(*login(bot, "secret-value-123"), "proj"), std::nullopt);
  EXPECT_EQ(role(Principal::anonymous(), "proj"), std::nullopt);
}

// ---- later look-ups: principal_for and the revocation hook

TEST_F(AuthenticatorTest, PrincipalForReReadsTheAccount) {
  auto alice = auth_.principal_for("alice", kNow);
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->name, "alice");
  EXPECT_EQ(auth_.principal_for("", kNow)->type, PrincipalType::kAnonymous);
  EXPECT_FALSE(auth_.principal_for("nobody", kNow));
  testing::StoreFixture::must(fx_.store().set_user_disabled("alice", true));
  expect_failure(auth_.principal_for("alice", kNow), AuthFailureKind::kDisabled);

  std::string bot = fx_.add_robot("proj", "ci", "secret-value-123", kCiPermissions);
  auto robot = auth_.principal_for(bot, kNow);
  ASSERT_TRUE(robot);
  EXPECT_EQ(robot->robot->permissions.kind, RobotKind::kCi);
  expect_failure(auth_.principal_for(bot, kNow + 3600), AuthFailureKind::kRobotExpired);
}

TEST_F(AuthenticatorTest, StillValidFollowsTheAccountState) {
  EXPECT_TRUE(auth_.still_valid("", kNow, kNow));
  EXPECT_TRUE(auth_.still_valid("alice", kNow, kNow));
  EXPECT_FALSE(auth_.still_valid("nobody", kNow, kNow));
  testing::StoreFixture::must(fx_.store().set_user_disabled("alice", true));
  EXPECT_FALSE(auth_.still_valid("alice", kNow, kNow));
  testing::StoreFixture::must(fx_.store().delete_user("root"));
  EXPECT_FALSE(auth_.still_valid("root", kNow, kNow));

  // Robot rows are stamped with the store's wall clock; judge issue times relative to that.
  std::string bot = fx_.add_robot("proj", "ci", "secret-value-123", kCiPermissions, INT64_MAX);
  int64_t created = (*testing::StoreFixture::must(fx_.store().get_robot(bot))).created_at;
  EXPECT_TRUE(auth_.still_valid(bot, created, created));
  EXPECT_FALSE(auth_.still_valid(bot, created, INT64_MAX));  // expired by then
  testing::StoreFixture::must(fx_.store().rotate_robot_secret(
      bot, testing::StoreFixture::must(hash_password("rotated-secret", kFastHash)), std::nullopt));
  int64_t rotated = (*testing::StoreFixture::must(fx_.store().get_robot(bot))).updated_at;
  EXPECT_FALSE(auth_.still_valid(bot, rotated - 1, rotated));  // issued before the rotation
  EXPECT_TRUE(auth_.still_valid(bot, rotated, rotated));       // same second: kept
  EXPECT_TRUE(auth_.still_valid(bot, rotated + 1, rotated + 1));
  testing::StoreFixture::must(fx_.store().revoke_robot(bot, rotated + 2));
  EXPECT_FALSE(auth_.still_valid(bot, rotated + 5, rotated + 5));
}

}  // namespace
}  // namespace bulwark::auth
