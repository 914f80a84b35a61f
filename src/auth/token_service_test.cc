#include "auth/token_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <set>

#include "auth/access_testing.h"
#include "auth/authenticator.h"
#include "common/encoding.h"

namespace bulwark::auth {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::kNow;

const RevocationCheck kAlwaysValid = [](std::string_view, int64_t, int64_t) { return true; };

Principal user(std::string name) {
  Principal p;
  p.type = PrincipalType::kUser;
  p.name = std::move(name);
  return p;
}

std::vector<Scope> scopes(std::initializer_list<std::string_view> texts) {
  std::vector<Scope> out;
  for (std::string_view t : texts) out.push_back(testing::StoreFixture::must(parse_scope(t)));
  return out;
}

json::object payload_of(const std::string& token) {
  size_t a = token.find('.');
  size_t b = token.find('.', a + 1);
  auto decoded = base64url_decode(token.substr(a + 1, b - a - 1));
  EXPECT_TRUE(decoded);
  return json::parse(decoded.value_or("{}")).as_object();
}

SigningKey fresh_key() { return testing::StoreFixture::must(SigningKey::generate()); }

class TokenServiceTest : public ::testing::Test {
 protected:
  TokenServiceTest() : service_(fresh_key(), options(), kAlwaysValid) {}

  static TokenServiceOptions options() {
    TokenServiceOptions o;
    o.issuer = "bulwark-test";
    o.service = "registry.example";
    o.leeway = 0;
    return o;
  }

  TokenService service_;
};

// ---- access tokens

TEST_F(TokenServiceTest, IssuedTokenCarriesTheSpecClaims) {
  auto issued = service_.issue(user("alice"), scopes({"repository:proj/app:pull,push"}), kNow);
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_EQ(issued->expires_in, 300);
  EXPECT_EQ(issued->issued_at, kNow);
  EXPECT_EQ(issued->issued_at_rfc3339(), "2025-06-15T15:06:40Z");

  json::object claims = payload_of(issued->token);
  EXPECT_EQ(claims.at("iss"), "bulwark-test");
  EXPECT_EQ(claims.at("sub"), "alice");
  EXPECT_EQ(claims.at("aud"), "registry.example");
  EXPECT_EQ(claims.at("exp").to_number<int64_t>(), kNow + 300);
  EXPECT_EQ(claims.at("nbf").to_number<int64_t>(), kNow);
  EXPECT_EQ(claims.at("iat").to_number<int64_t>(), kNow);
  EXPECT_EQ(claims.at("jti").as_string().size(), 32u);
  EXPECT_EQ(json::serialize(claims.at("access")),
            R"([{"type":"repository","name":"proj/app","actions":["pull","push"]}])");
}

TEST_F(TokenServiceTest, VerifyReturnsWhatWasIssued) {
  auto granted = scopes({"repository:proj/app:pull", "registry:catalog:*", "repository:x/y:push"});
  granted.back().actions.clear();  // a requested scope of which nothing was granted
  auto issued = service_.issue(user("alice"), granted, kNow);
  ASSERT_TRUE(issued);
  auto claims = service_.verify(issued->token, kNow + 10);
  ASSERT_TRUE(claims) << claims.error().message;
  EXPECT_EQ(claims->subject, "alice");
  EXPECT_EQ(claims->access, granted);
  EXPECT_EQ(claims->issued_at, kNow);
  EXPECT_EQ(claims->expires_at, kNow + 300);
  EXPECT_EQ(claims->jti, payload_of(issued->token).at("jti").as_string());

  auto anonymous =
      service_.issue(Principal::anonymous(), scopes({"repository:pub/app:pull"}), kNow);
  auto anon_claims = service_.verify(anonymous->token, kNow);
  ASSERT_TRUE(anon_claims) << anon_claims.error().message;
  EXPECT_EQ(anon_claims->subject, "");
}

TEST_F(TokenServiceTest, EveryTokenHasItsOwnJti) {
  std::set<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    ids.insert(
        std::string(payload_of(service_.issue(user("a"), {}, kNow)->token).at("jti").as_string()));
  }
  EXPECT_EQ(ids.size(), 20u);
}

TEST_F(TokenServiceTest, ExpiresAfterItsLifetime) {
  TokenServiceOptions o = options();
  o.token_lifetime = 60;
  TokenService short_lived(fresh_key(), o, kAlwaysValid);
  auto issued = short_lived.issue(user("alice"), {}, kNow);
  EXPECT_EQ(issued->expires_in, 60);
  EXPECT_TRUE(short_lived.verify(issued->token, kNow + 59));
  auto expired = short_lived.verify(issued->token, kNow + 60);
  ASSERT_FALSE(expired);
  EXPECT_THAT(expired.error().message, HasSubstr("expired"));
}

TEST_F(TokenServiceTest, LifetimeSourceIsConsultedAtEachIssue) {
  std::atomic<int64_t> current{120};
  TokenServiceOptions o = options();
  o.token_lifetime_source = [&current] { return current.load(); };
  TokenService service(fresh_key(), o, kAlwaysValid);
  auto first = service.issue(user("alice"), {}, kNow);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->expires_in, 120);
  EXPECT_EQ(payload_of(first->token).at("exp").as_int64(), kNow + 120);
  current = 180;
  auto second = service.issue(user("alice"), {}, kNow);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->expires_in, 180);
  auto given = service.issue(user("alice"), {}, kNow, 60);  // an explicit lifetime wins
  ASSERT_TRUE(given);
  EXPECT_EQ(given->expires_in, 60);
}

TEST_F(TokenServiceTest, RefreshLifetimeSourceIsConsultedAtEachIssue) {
  std::atomic<int64_t> current{3600};
  TokenServiceOptions o = options();
  o.refresh_lifetime_source = [&current] { return current.load(); };
  TokenService service(fresh_key(), o, kAlwaysValid);
  auto refresh = service.issue_refresh(user("alice"), kNow);
  ASSERT_TRUE(refresh);
  EXPECT_TRUE(service.redeem_refresh(*refresh, kNow + 3599));
  EXPECT_FALSE(service.redeem_refresh(*refresh, kNow + 3600));
  current = 7200;
  auto longer = service.issue_refresh(user("alice"), kNow);
  ASSERT_TRUE(longer);
  EXPECT_TRUE(service.redeem_refresh(*longer, kNow + 7199));
}

TEST_F(TokenServiceTest, RefusesWrongIssuerAudienceAndKey) {
  SigningKey key = fresh_key();
  TokenServiceOptions other_issuer = options();
  other_issuer.issuer = "someone-else";
  TokenServiceOptions other_service = options();
  other_service.service = "other-registry";
  TokenService a(key, options(), kAlwaysValid);
  TokenService b(key, other_issuer, kAlwaysValid);
  TokenService c(key, other_service, kAlwaysValid);

  auto token = a.issue(user("alice"), {}, kNow)->token;
  EXPECT_TRUE(a.verify(token, kNow));
  auto wrong_iss = b.verify(token, kNow);
  ASSERT_FALSE(wrong_iss);
  EXPECT_THAT(wrong_iss.error().message, HasSubstr("iss"));
  auto wrong_aud = c.verify(token, kNow);
  ASSERT_FALSE(wrong_aud);
  EXPECT_THAT(wrong_aud.error().message, HasSubstr("aud"));
  auto foreign = service_.verify(token, kNow);  // same claims, another key
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, ErrorCode::kNotFound);
}

TEST_F(TokenServiceTest, RefusesTamperedAndUnsignedTokens) {
  auto token = service_.issue(user("alice"), scopes({"repository:proj/app:pull"}), kNow)->token;
  size_t a = token.find('.');
  size_t b = token.find('.', a + 1);
  // Widen the access claim without re-signing.
  json::object claims = payload_of(token);
  claims["access"] = json::parse(
      R"([{"type":"repository","name":"proj/app","actions":["pull","push","delete"]}])");
  std::string widened =
      token.substr(0, a + 1) + base64url_encode(json::serialize(claims)) + token.substr(b);
  EXPECT_FALSE(service_.verify(widened, kNow));
  // alg none with an empty signature.
  std::string none = base64url_encode(std::string(R"({"alg":"none","typ":"JWT"})")) + "." +
                     base64url_encode(json::serialize(claims)) + ".";
  auto refused = service_.verify(none, kNow);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnsupported);
  EXPECT_FALSE(service_.verify("", kNow));
  EXPECT_FALSE(service_.verify(std::string(kMaxTokenBytes + 1, 'a'), kNow));
}

// ---- revocation through the real identity store

class TokenRevocationTest : public ::testing::Test {
 protected:
  TokenRevocationTest()
      : auth_(fx_.store(), throttle_, {testing::kFastHash, 256}),
        service_(fresh_key(), TokenServiceOptions{},
                 [this](std::string_view subject, int64_t issued_at, int64_t now) {
                   return auth_.still_valid(subject, issued_at, now);
                 }) {
    fx_.add_project("proj");
    fx_.add_user("alice", "alice-password");
  }

  // The store stamps rows with the wall clock, so these tests run on it too.
  static AuthTime now() { return AuthTime::current(); }

  testing::StoreFixture fx_;
  LoginThrottle throttle_;
  Authenticator auth_;
  TokenService service_;
};

TEST_F(TokenRevocationTest, RevokingARobotInvalidatesItsTokensOnTheNextRequest) {
  std::string bot = fx_.add_robot(
      "proj", "release", "robot-secret-value",
      R"({"kind":"release","rules":[{"repository":"proj/*","actions":["pull","push"]}]})",
      now().unix_seconds + 3600);
  AuthTime t = now();
  auto robot = auth_.authenticate_basic(bot, "robot-secret-value", "192.0.2.1", t);
  ASSERT_TRUE(robot) << robot.error().error.message;
  auto token = service_.issue(*robot, scopes({"repository:proj/app:pull,push"}), t.unix_seconds);
  ASSERT_TRUE(token);
  auto refresh = service_.issue_refresh(*robot, t.unix_seconds);
  ASSERT_TRUE(refresh);
  EXPECT_TRUE(service_.verify(token->token, t.unix_seconds));
  EXPECT_TRUE(service_.redeem_refresh(*refresh, t.unix_seconds));

  testing::StoreFixture::must(fx_.store().revoke_robot(bot, t.unix_seconds));
  auto after = service_.verify(token->token, t.unix_seconds);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().message, "token was revoked");
  EXPECT_FALSE(service_.redeem_refresh(*refresh, t.unix_seconds));
}

TEST_F(TokenRevocationTest, DisablingOrDeletingAUserInvalidatesItsTokens) {
  fx_.add_user("bob", "bob-password");
  int64_t t = now().unix_seconds;
  auto alice = service_.issue(user("alice"), {}, t)->token;
  auto bob = service_.issue(user("bob"), {}, t)->token;
  EXPECT_TRUE(service_.verify(alice, t));
  testing::StoreFixture::must(fx_.store().set_user_disabled("alice", true));
  testing::StoreFixture::must(fx_.store().delete_user("bob"));
  EXPECT_FALSE(service_.verify(alice, t));
  EXPECT_FALSE(service_.verify(bob, t));
  // Anonymous tokens have no account to revoke.
  auto anonymous = service_.issue(Principal::anonymous(), {}, t)->token;
  EXPECT_TRUE(service_.verify(anonymous, t));
}

// ---- the signing key file

TEST(TokenServiceKeyFile, CreatedWithMode0600AndReusedOnReopen) {
  testing::StoreFixture fx;
  fs::path file = fx.dir() / "token-key.pem";
  auto first = TokenService::open(file, {}, kAlwaysValid);
  ASSERT_TRUE(first) << first.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto token = (*first)->issue(user("alice"), {}, kNow)->token;
  auto second = TokenService::open(file, {}, kAlwaysValid);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ((*second)->public_key().key_id(), (*first)->public_key().key_id());
  EXPECT_TRUE((*second)->verify(token, kNow));  // tokens survive a restart
}

TEST(TokenServiceKeyFile, RefusesAKeyOthersCanRead) {
  testing::StoreFixture fx;
  fs::path file = fx.dir() / "token-key.pem";
  ASSERT_TRUE(TokenService::load_or_create_key(file));
  fs::permissions(file, fs::perms::group_read, fs::perm_options::add);
  auto r = TokenService::open(file, {}, kAlwaysValid);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_THAT(r.error().message, HasSubstr("chmod 600"));
}

// ---- refresh tokens

TEST_F(TokenServiceTest, RefreshTokensNameTheirSubjectUntilTheyExpire) {
  TokenServiceOptions o = options();
  o.refresh_lifetime = 1000;
  TokenService s(fresh_key(), o, kAlwaysValid);
  auto refresh = s.issue_refresh(user("alice"), kNow);
  ASSERT_TRUE(refresh);
  EXPECT_GE(refresh->size(), 43u);  // 256 bits, base64url
  for (int i = 0; i < 3; ++i) {     // clients reuse them
    auto grant = s.redeem_refresh(*refresh, kNow + 999);
    ASSERT_TRUE(grant) << grant.error().message;
    EXPECT_EQ(grant->subject, "alice");
    EXPECT_EQ(grant->issued_at, kNow);
  }
  auto expired = s.redeem_refresh(*refresh, kNow + 1000);
  auto unknown = s.redeem_refresh("not-a-refresh-token", kNow);
  ASSERT_FALSE(expired);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(expired.error().message, unknown.error().message);
  EXPECT_FALSE(s.redeem_refresh(*refresh, kNow));  // expired tokens are forgotten
  EXPECT_FALSE(s.issue_refresh(Principal::anonymous(), kNow));
}

TEST_F(TokenServiceTest, RefreshTableIsBoundedDroppingTheOldestFirst) {
  TokenServiceOptions o = options();
  o.max_refresh_tokens = 2;
  TokenService s(fresh_key(), o, kAlwaysValid);
  auto oldest = *s.issue_refresh(user("a"), kNow);
  auto middle = *s.issue_refresh(user("b"), kNow + 1);
  auto newest = *s.issue_refresh(user("c"), kNow + 2);
  EXPECT_FALSE(s.redeem_refresh(oldest, kNow + 3));
  EXPECT_EQ(s.redeem_refresh(middle, kNow + 3)->subject, "b");
  EXPECT_EQ(s.redeem_refresh(newest, kNow + 3)->subject, "c");
}

TEST_F(TokenServiceTest, RefreshConsultsTheRevocationHook) {
  std::string revoked_subject;
  TokenService s(fresh_key(), options(), [&](std::string_view subject, int64_t, int64_t) {
    return subject != revoked_subject;
  });
  auto refresh = *s.issue_refresh(user("alice"), kNow);
  EXPECT_TRUE(s.redeem_refresh(refresh, kNow));
  revoked_subject = "alice";
  EXPECT_FALSE(s.redeem_refresh(refresh, kNow));
  revoked_subject.clear();
  EXPECT_FALSE(s.redeem_refresh(refresh, kNow));  // a refused refresh token is dropped for good
}

}  // namespace
}  // namespace bulwark::auth

namespace bulwark::auth {
namespace {

// Refresh tokens kept in the metadata store outlive the service that issued them (a restart, or
// another node) and expired ones are refused and swept.
TEST(StoredRefreshTokens, SurviveANewServiceOnTheSameStoreAndExpire) {
  testing::StoreFixture fx;
  fx.add_user("alice", "alice-password");
  const SigningKey key = fresh_key();
  TokenServiceOptions o;
  o.refresh_store = &fx.store();
  o.refresh_lifetime = 100;
  Principal alice;
  alice.type = PrincipalType::kUser;
  alice.name = "alice";
  const int64_t t = testing::kNow;
  std::string refresh;
  {
    TokenService first(key, o, kAlwaysValid);
    auto issued = first.issue_refresh(alice, t);
    ASSERT_TRUE(issued) << issued.error().message;
    refresh = *issued;
  }
  TokenService second(key, o, kAlwaysValid);  // "after the restart"
  auto grant = second.redeem_refresh(refresh, t + 50);
  ASSERT_TRUE(grant) << grant.error().message;
  EXPECT_EQ(grant->subject, "alice");
  EXPECT_EQ(grant->issued_at, t);
  // Only the hash is stored.
  auto row = fx.store().get_refresh_token(Digest::of(refresh).hex());
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((**row).subject, "alice");
  EXPECT_EQ((**row).expires_at, t + 100);
  EXPECT_FALSE(second.redeem_refresh("made-up-token", t + 50));
  // Expired: refused, and the row is gone.
  auto expired = second.redeem_refresh(refresh, t + 100);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(*fx.store().get_refresh_token(Digest::of(refresh).hex()));
  // Issuing sweeps expired rows of others too.
  auto old = second.issue_refresh(alice, t);
  ASSERT_TRUE(old);
  TokenService third(key, o, kAlwaysValid);
  ASSERT_TRUE(third.issue_refresh(alice, t + 1000));
  EXPECT_FALSE(*fx.store().get_refresh_token(Digest::of(*old).hex()));
}

TEST(StoredRefreshTokens, ARevokedSubjectsTokenIsRefusedAndForgotten) {
  testing::StoreFixture fx;
  TokenServiceOptions o;
  o.refresh_store = &fx.store();
  bool valid = true;
  TokenService service(fresh_key(), o, [&](std::string_view, int64_t, int64_t) { return valid; });
  Principal bob;
  bob.type = PrincipalType::kUser;
  bob.name = "bob";
  auto refresh = service.issue_refresh(bob, testing::kNow);
  ASSERT_TRUE(refresh);
  ASSERT_TRUE(service.redeem_refresh(*refresh, testing::kNow + 1));
  valid = false;
  EXPECT_FALSE(service.redeem_refresh(*refresh, testing::kNow + 2));
  EXPECT_FALSE(*fx.store().get_refresh_token(Digest::of(*refresh).hex()));
}

}  // namespace
}  // namespace bulwark::auth
