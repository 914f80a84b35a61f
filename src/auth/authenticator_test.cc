#include "auth/authenticator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

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
  // Rows are stamped with the store's wall clock; judge issue times relative to that.
  auto stamp = [&](const std::string& user) {
    return (*testing::StoreFixture::must(fx_.store().get_user(user))).updated_at;
  };
  const int64_t t = stamp("alice");
  EXPECT_TRUE(auth_.still_valid("", kNow, kNow));
  EXPECT_TRUE(auth_.still_valid("alice", t, t));
  EXPECT_FALSE(auth_.still_valid("nobody", t, t));
  // A new password ends the tokens issued before it (same second: kept).
  testing::StoreFixture::must(fx_.store().set_user_password_hash(
      "alice", testing::StoreFixture::must(hash_password("new-password", kFastHash))));
  const int64_t changed = stamp("alice");
  EXPECT_FALSE(auth_.still_valid("alice", changed - 1, changed));
  EXPECT_TRUE(auth_.still_valid("alice", changed, changed));
  testing::StoreFixture::must(fx_.store().set_user_disabled("alice", true));
  EXPECT_FALSE(auth_.still_valid("alice", stamp("alice") + 1, stamp("alice") + 1));
  testing::StoreFixture::must(fx_.store().delete_user("root"));
  EXPECT_FALSE(auth_.still_valid("root", t + 1, t + 1));

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

// ---- external accounts: LDAP, OpenID, federation (with a stand-in for the providers; the real
// directory and provider are exercised by ldap_test, oidc_test and tests/e2e_idp.sh)

constexpr char kGoodIdToken[] = "good-id-token";

class FakeProviders : public IdentityProviders {
 public:
  struct Entry {
    std::string password;
    LdapIdentity identity;
  };
  std::map<std::string, Entry, std::less<>> directory;  // by the name typed
  bool directory_down = false;
  mutable int directory_calls = 0;
  std::vector<FederationRule> rules;

  bool has_directory() const override { return true; }
  Result<LdapIdentity> directory_login(std::string_view name,
                                       std::string_view password) const override {
    ++directory_calls;
    if (directory_down) return fail(ErrorCode::kUnavailable, "ldap://fake/ is unreachable");
    auto it = directory.find(name);
    if (it == directory.end() || it->second.password != password) {
      return fail(ErrorCode::kInvalidArgument, std::string(kLdapBadCredentialsMessage));
    }
    return it->second.identity;
  }
  std::optional<FederationRule> federation_rule(std::string_view name) const override {
    for (const auto& r : rules) {
      if (r.name == name) return r;
    }
    return std::nullopt;
  }
  Result<FederationMatch> match_federation(std::string_view token, int64_t) const override {
    if (token != kGoodIdToken || rules.empty()) {
      return fail(ErrorCode::kNotFound,
                  "no federation rule matches issuer \"https://ci.test\" subject \"other\"");
    }
    FederationMatch m;
    m.rule = rules.front();
    m.claims.issuer = "https://ci.test";
    m.claims.subject = "ci-bot";
    return m;
  }
  Result<std::string> begin_login(std::string_view,
                                  std::span<const std::pair<std::string, std::string>>,
                                  int64_t) override {
    return fail(ErrorCode::kUnsupported, "not in this test");
  }
  Result<OidcIdentity> finish_login(std::string_view, std::string_view, std::string_view,
                                    int64_t) override {
    return fail(ErrorCode::kUnsupported, "not in this test");
  }
};

class ExternalAuthTest : public AuthenticatorTest {
 protected:
  ExternalAuthTest()
      : providers_(std::make_shared<FakeProviders>()),
        ext_(fx_.store(), throttle_, {kFastHash, 256}, providers_) {
    providers_->directory["dave"] = {
        "dave-ldap", {"dave", "uid=dave", "dave@example.test", {"developers", "readers"}}};
    providers_->directory["carol"] = {"carol-ldap", {"carol", "uid=carol", "", {}}};
    providers_->directory["alice"] = {"alice-ldap", {"alice", "uid=alice", "", {"admins"}}};
    providers_->directory["ALICE"] = {"alice-ldap", {"alice", "uid=alice", "", {"admins"}}};
    providers_->rules.push_back(FederationRule{
        "widgets", "https://ci.test", "bulwark", {{"sub", "ci-bot"}}, kCiPermissions, 600});
  }

  AuthResult ext_login(std::string_view name, std::string_view password,
                       std::string_view address = "192.0.2.1") {
    return ext_.authenticate_basic(name, password, address, {kNow, kT0});
  }

  std::shared_ptr<FakeProviders> providers_;
  Authenticator ext_;
};

TEST_F(ExternalAuthTest, DirectoryUsersAreProvisionedWithTheirGroups) {
  auto dave = ext_login("dave", "dave-ldap");
  ASSERT_TRUE(dave) << dave.error().error.message;
  EXPECT_EQ(dave->type, PrincipalType::kUser);
  EXPECT_EQ(dave->name, "dave");
  EXPECT_FALSE(dave->is_admin);
  EXPECT_EQ(dave->groups, (std::vector<std::string>{"developers", "readers"}));
  auto row = testing::StoreFixture::must(fx_.store().get_user("dave"));
  ASSERT_TRUE(row);
  EXPECT_EQ(row->source, "ldap");
  EXPECT_EQ(row->email, "dave@example.test");
  EXPECT_TRUE(row->password_hash.empty());
  EXPECT_EQ(row->external_groups, dave->groups);

  // Groups give roles.
  testing::StoreFixture::must(
      fx_.store().set_member({"proj", PrincipalKind::kGroup, "developers", Role::kDeveloper, 0}));
  EXPECT_EQ(testing::StoreFixture::must(ext_.effective_role(*dave, "proj")), Role::kDeveloper);
}

TEST_F(ExternalAuthTest, AnUnchangedLoginDoesNotWriteTheStore) {
  ASSERT_TRUE(ext_login("dave", "dave-ldap"));
  uint64_t generation = fx_.store().identity_generation();
  ASSERT_TRUE(ext_login("dave", "dave-ldap"));
  EXPECT_EQ(fx_.store().identity_generation(), generation);
  providers_->directory["dave"].identity.groups = {"developers"};  // left a group
  auto dave = ext_login("dave", "dave-ldap");
  ASSERT_TRUE(dave);
  EXPECT_EQ(dave->groups, (std::vector<std::string>{"developers"}));
  EXPECT_NE(fx_.store().identity_generation(), generation);
}

TEST_F(ExternalAuthTest, LocalUsersAreNeverCheckedAgainstTheDirectory) {
  expect_failure(ext_login("alice", "alice-ldap"), AuthFailureKind::kBadCredentials);
  EXPECT_EQ(providers_->directory_calls, 0);
  auto alice = ext_login("alice", "alice-password");
  ASSERT_TRUE(alice);
  EXPECT_TRUE(alice->groups.empty());
  EXPECT_EQ(testing::StoreFixture::must(fx_.store().get_user("alice"))->source, "local");
}

TEST_F(ExternalAuthTest, ADirectoryLoginNeverTakesOverALocalAccount) {
  // "ALICE" is no local user, but the directory spells the account "alice", which is local.
  auto r = ext_login("ALICE", "alice-ldap");
  expect_failure(r, AuthFailureKind::kBadCredentials);
  EXPECT_EQ(providers_->directory_calls, 1);
  auto row = testing::StoreFixture::must(fx_.store().get_user("alice"));
  EXPECT_EQ(row->source, "local");
  EXPECT_TRUE(row->external_groups.empty());
}

TEST_F(ExternalAuthTest, WrongDirectoryPasswordAndUnknownNameAreIndistinguishable) {
  uint64_t before = ext_.hash_verifications();
  auto wrong = ext_login("dave", "not-daves");
  auto unknown = ext_login("mallory", "dave-ldap");
  auto wrong_local = ext_login("alice", "not-hers");
  ASSERT_FALSE(wrong);
  ASSERT_FALSE(unknown);
  ASSERT_FALSE(wrong_local);
  for (const auto* r : {&unknown, &wrong_local}) {
    EXPECT_EQ(r->error().kind, wrong.error().kind);
    EXPECT_EQ(r->error().error.code, wrong.error().error.code);
    EXPECT_EQ(r->error().error.message, wrong.error().error.message);
  }
  EXPECT_EQ(ext_.hash_verifications(), before + 3);  // each failure costs one argon2 check
  // Directory failures count against the throttle like local ones (3 free per account here).
  ext_login("dave", "guess-2", "192.0.2.2");
  ext_login("dave", "guess-3", "192.0.2.3");
  ext_login("dave", "guess-4", "192.0.2.4");
  int calls = providers_->directory_calls;
  expect_failure(ext_login("dave", "dave-ldap", "192.0.2.5"), AuthFailureKind::kThrottled);
  EXPECT_EQ(providers_->directory_calls, calls);  // a throttled attempt never reaches LDAP
}

TEST_F(ExternalAuthTest, ADirectoryOutageIsUnavailableAndNoGuess) {
  providers_->directory_down = true;
  for (int i = 0; i < 5; ++i) {
    auto r = ext_login("dave", "dave-ldap");
    expect_failure(r, AuthFailureKind::kUnavailable);
    EXPECT_THAT(r.error().error.message, Not(HasSubstr("dave-ldap")));
  }
  providers_->directory_down = false;
  EXPECT_TRUE(ext_login("dave", "dave-ldap"));  // the outage did not throttle the account
}

TEST_F(ExternalAuthTest, ExternalUsersKeepTheirGroupsBetweenLoginsAndCanBeDisabled) {
  ASSERT_TRUE(ext_login("dave", "dave-ldap"));
  auto later = ext_.principal_for("dave", kNow);
  ASSERT_TRUE(later);
  EXPECT_EQ(later->groups, (std::vector<std::string>{"developers", "readers"}));
  const int64_t stamped = testing::StoreFixture::must(fx_.store().get_user("dave"))->updated_at;
  EXPECT_TRUE(ext_.still_valid("dave", stamped, stamped));
  testing::StoreFixture::must(fx_.store().set_user_disabled("dave", true));
  expect_failure(ext_.principal_for("dave", kNow), AuthFailureKind::kDisabled);
  EXPECT_FALSE(ext_.still_valid("dave", stamped + 1, stamped + 1));
  expect_failure(ext_login("dave", "dave-ldap"), AuthFailureKind::kDisabled);
  // Provisioning kept the administrator's decision.
  EXPECT_TRUE(testing::StoreFixture::must(fx_.store().get_user("dave"))->disabled);
}

TEST_F(ExternalAuthTest, FederationPrincipalsComeFromTheirRule) {
  FederationMatch match;
  auto p = ext_.authenticate_federated(kGoodIdToken, kNow, &match);
  ASSERT_TRUE(p) << p.error().error.message;
  EXPECT_EQ(p->name, "federation:widgets");
  EXPECT_EQ(p->type, PrincipalType::kRobot);
  ASSERT_TRUE(p->robot);
  EXPECT_EQ(p->robot->permissions.kind, RobotKind::kCi);
  EXPECT_FALSE(p->robot->project);
  EXPECT_EQ(p->robot->expires_at, kNow + 600);
  EXPECT_EQ(match.rule.name, "widgets");
  EXPECT_EQ(match.claims.subject, "ci-bot");
  EXPECT_EQ(testing::StoreFixture::must(ext_.effective_role(*p, "proj")), std::nullopt);

  auto refused = ext_.authenticate_federated("other-token", kNow);
  expect_failure(refused, AuthFailureKind::kBadCredentials);
  EXPECT_THAT(refused.error().error.message, HasSubstr("no federation rule matches"));
  // Without providers nothing is exchanged.
  expect_failure(auth_.authenticate_federated(kGoodIdToken, kNow),
                 AuthFailureKind::kBadCredentials);
}

TEST_F(ExternalAuthTest, FederationTokensLiveAsLongAsTheRuleSaysAndDieWithIt) {
  const std::string subject = "federation:widgets";
  auto later = ext_.principal_for(subject, kNow + 100);
  ASSERT_TRUE(later);
  EXPECT_EQ(later->robot->permissions.rules.size(), 1u);
  EXPECT_TRUE(ext_.still_valid(subject, kNow, kNow + 599));
  EXPECT_FALSE(ext_.still_valid(subject, kNow, kNow + 600));
  EXPECT_FALSE(ext_.still_valid("federation:gone", kNow, kNow));
  expect_failure(ext_.principal_for("federation:gone", kNow), AuthFailureKind::kBadCredentials);
  // Another registry configuration without the rule (a restart after editing the config).
  EXPECT_FALSE(auth_.still_valid(subject, kNow, kNow));
  expect_failure(auth_.principal_for(subject, kNow), AuthFailureKind::kBadCredentials);
  providers_->rules.clear();
  EXPECT_FALSE(ext_.still_valid(subject, kNow, kNow + 1));
}

TEST_F(ExternalAuthTest, NoPasswordLogsInAsAFederationPrincipal) {
  fx_.add_user("federation:widgets", "pw");  // even if an administrator made such a user
  uint64_t before = ext_.hash_verifications();
  expect_failure(ext_login("federation:widgets", "pw"), AuthFailureKind::kBadCredentials);
  EXPECT_EQ(ext_.hash_verifications(), before + 1);
  EXPECT_EQ(providers_->directory_calls, 0);
}

TEST_F(ExternalAuthTest, OpenIdLoginsAreProvisionedAndNeverTakeOverOtherAccounts) {
  OidcIdentity erin;
  erin.username = "erin";
  erin.issuer = "https://login.example.test";
  erin.subject = "u-1001";
  erin.email = "erin@example.test";
  erin.email_verified = false;
  erin.groups = {"developers", "developers", "ops"};
  auto p = ext_.provision_oidc_user(erin);
  ASSERT_TRUE(p) << p.error().error.message;
  EXPECT_EQ(p->groups, (std::vector<std::string>{"developers", "ops"}));
  auto row = testing::StoreFixture::must(fx_.store().get_user("erin"));
  ASSERT_TRUE(row);
  EXPECT_EQ(row->source, "oidc:https://login.example.test#u-1001");
  erin.groups = {"ops"};
  ASSERT_TRUE(ext_.provision_oidc_user(erin));  // the same person again: groups refreshed
  EXPECT_EQ(testing::StoreFixture::must(fx_.store().get_user("erin"))->external_groups,
            (std::vector<std::string>{"ops"}));
  // Another person who now carries the name at the provider, or another provider's "erin",
  // does not get erin's account.
  OidcIdentity renamed = erin;
  renamed.subject = "u-2002";
  expect_failure(ext_.provision_oidc_user(renamed), AuthFailureKind::kDisabled);
  OidcIdentity elsewhere = erin;
  elsewhere.issuer = "https://other-idp.example.test";
  auto taken = ext_.provision_oidc_user(elsewhere);
  expect_failure(taken, AuthFailureKind::kDisabled);
  EXPECT_EQ(taken.error().error.code, ErrorCode::kConflict);
  EXPECT_EQ(row->email, "");  // unverified addresses are not recorded
  // An OpenID user has no password: Basic credentials never open it.
  expect_failure(ext_login("erin", ""), AuthFailureKind::kBadCredentials);

  OidcIdentity alice;
  alice.username = "alice";
  auto local = ext_.provision_oidc_user(alice);
  expect_failure(local, AuthFailureKind::kDisabled);
  EXPECT_EQ(local.error().error.code, ErrorCode::kConflict);
  ASSERT_TRUE(ext_login("dave", "dave-ldap"));
  OidcIdentity dave;
  dave.username = "dave";
  expect_failure(ext_.provision_oidc_user(dave), AuthFailureKind::kDisabled);

  for (std::string bad : {"", "robot$proj+x", "federation:widgets", "two\nlines"}) {
    OidcIdentity id;
    id.username = bad;
    expect_failure(ext_.provision_oidc_user(id), AuthFailureKind::kBadCredentials);
  }
}

}  // namespace
}  // namespace bulwark::auth
