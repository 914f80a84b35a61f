#include "auth/identity_providers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace bulwark::auth {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

PendingLogin pending(std::string state) {
  std::string nonce = "nonce-" + state;
  return PendingLogin{std::move(state), std::move(nonce), "verifier"};
}

// ---- PendingLogins

TEST(PendingLogins, AStateIsGoodForOneTry) {
  PendingLogins logins(10, 600);
  logins.put("corp", pending("s1"), 1000);
  auto first = logins.take("corp", "s1", 1001);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->state, "s1");
  EXPECT_EQ(first->code_verifier, "verifier");
  EXPECT_FALSE(logins.take("corp", "s1", 1002));  // replay
  EXPECT_EQ(logins.size(), 0u);
}

TEST(PendingLogins, UnknownStatesAndOtherProvidersGetNothing) {
  PendingLogins logins(10, 600);
  logins.put("corp", pending("s1"), 1000);
  EXPECT_FALSE(logins.take("corp", "s2", 1001));
  EXPECT_FALSE(logins.take("other", "s1", 1001));  // consumed by the wrong provider's callback
  EXPECT_FALSE(logins.take("corp", "s1", 1001));
}

TEST(PendingLogins, StatesExpire) {
  PendingLogins logins(10, 600);
  logins.put("corp", pending("old"), 1000);
  EXPECT_FALSE(logins.take("corp", "old", 1600));
  logins.put("corp", pending("fresh"), 1000);
  EXPECT_TRUE(logins.take("corp", "fresh", 1599));
}

TEST(PendingLogins, TheTableIsBoundedAndDropsTheOldestFirst) {
  PendingLogins logins(3, 600);
  for (int i = 0; i < 5; ++i) logins.put("corp", pending("s" + std::to_string(i)), 1000 + i);
  EXPECT_EQ(logins.size(), 3u);
  EXPECT_FALSE(logins.take("corp", "s0", 1010));
  EXPECT_FALSE(logins.take("corp", "s1", 1010));
  EXPECT_TRUE(logins.take("corp", "s4", 1010));
  EXPECT_TRUE(logins.take("corp", "s2", 1010));
}

TEST(PendingLogins, ExpiredEntriesMakeRoomBeforeLiveOnes) {
  PendingLogins logins(2, 600);
  logins.put("corp", pending("a"), 1000);
  logins.put("corp", pending("b"), 1500);
  logins.put("corp", pending("c"), 1700);  // "a" expired at 1600: it goes, "b" stays
  EXPECT_TRUE(logins.take("corp", "b", 1701));
  EXPECT_TRUE(logins.take("corp", "c", 1701));
}

// ---- configuration

constexpr char kPermissions[] =
    R"({"kind":"ci","rules":[{"repository":"acme/*","actions":["pull","push"]}]})";

Config with_provider(OidcProviderConfig provider) {
  Config c;
  c.oidc_providers.push_back(std::move(provider));
  return c;
}

OidcProviderConfig login_provider() {
  OidcProviderConfig p;
  p.name = "corp";
  p.issuer = "https://login.example.test";
  p.client_id = "bulwark";
  p.client_secret = "client-secret-value";
  p.redirect_uri = "https://registry.example.test/auth/oidc/corp/callback";
  return p;
}

FederationRuleConfig rule() {
  FederationRuleConfig r;
  r.name = "widgets";
  r.issuer = "https://login.example.test";
  r.audience = "bulwark";
  r.claims = {{"sub", "ci-bot"}};
  r.permissions_json = kPermissions;
  r.token_lifetime_seconds = 600;
  return r;
}

std::string error_of(const Config& c) {
  auto r = make_identity_providers(c);
  return r ? std::string("accepted") : r.error().message;
}

TEST(MakeIdentityProviders, NothingConfiguredIsNull) {
  auto r = make_identity_providers(Config{});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, nullptr);
}

TEST(MakeIdentityProviders, AValidConfigurationBuildsWithoutContactingAnyone) {
  Config c = with_provider(login_provider());
  c.oidc_federation.push_back(rule());
  c.oidc_federation.back().audience = "bulwark-ci";
  c.ldap = LdapConfig{};
  c.ldap->url = "ldap://127.0.0.1:1/";  // nothing listens: discovery and binds are lazy
  c.ldap->user_base = "ou=people,dc=example,dc=org";
  auto r = make_identity_providers(c);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_NE(*r, nullptr);
  EXPECT_TRUE((*r)->has_directory());
  auto found = (*r)->federation_rule("widgets");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->token_lifetime, 600);
  EXPECT_FALSE((*r)->federation_rule("other"));
}

TEST(MakeIdentityProviders, BadLdapOptionsRefuseToStart) {
  Config c;
  c.ldap = LdapConfig{};
  c.ldap->url = "http://127.0.0.1/";
  c.ldap->user_base = "ou=people";
  c.ldap->bind_dn = "cn=reader";
  c.ldap->bind_password = "reader-password-value";
  std::string e = error_of(c);
  EXPECT_THAT(e, HasSubstr("config: ldap"));
  EXPECT_THAT(e, Not(HasSubstr("reader-password-value")));
}

TEST(MakeIdentityProviders, BadProvidersRefuseToStart) {
  OidcProviderConfig p = login_provider();
  p.name = "corp/evil";
  EXPECT_THAT(error_of(with_provider(p)), HasSubstr("oidc.providers[0].name"));
  p = login_provider();
  p.issuer = "http://login.example.test";
  EXPECT_THAT(error_of(with_provider(p)), HasSubstr("allow_http"));
  p.allow_http = true;
  EXPECT_EQ(error_of(with_provider(p)), "accepted");
  p.redirect_uri = "javascript:alert(1)";
  EXPECT_THAT(error_of(with_provider(p)), HasSubstr("redirect_uri"));
}

TEST(MakeIdentityProviders, BadFederationRulesRefuseToStart) {
  Config c;
  FederationRuleConfig r = rule();
  r.claims.clear();  // a rule on the issuer alone would admit every pipeline
  c.oidc_federation = {r};
  EXPECT_THAT(error_of(c), HasSubstr("oidc.federation[0]"));
  r = rule();
  r.permissions_json = R"({"kind":"ci","rules":[{"repository":"acme/*","actions":["fly"]}]})";
  c.oidc_federation = {r};
  EXPECT_THAT(error_of(c), HasSubstr("oidc.federation[0]"));
  r = rule();
  r.token_lifetime_seconds = kMaxFederationTokenLifetime + 1;
  c.oidc_federation = {r};
  EXPECT_THAT(error_of(c), HasSubstr("oidc.federation[0]"));
  r = rule();
  r.issuer = "http://ci.example.test";  // http needs a provider entry that allows it
  c.oidc_federation = {r};
  EXPECT_THAT(error_of(c), HasSubstr("oidc.federation[0].issuer"));
}

TEST(MakeIdentityProviders, ARuleMayNotAcceptPeoplesIdTokens) {
  Config c = with_provider(login_provider());
  FederationRuleConfig r = rule();
  r.audience = login_provider().client_id;  // what people's ID tokens are issued for
  c.oidc_federation = {r};
  EXPECT_THAT(error_of(c), HasSubstr("oidc.federation[0].audience"));
  r.audience = "bulwark-ci";
  c.oidc_federation = {r};
  EXPECT_EQ(error_of(c), "accepted");
}

TEST(MakeIdentityProviders, LoginNeedsAProviderWithAClient) {
  OidcProviderConfig p = login_provider();
  p.client_id.clear();
  p.redirect_uri.clear();  // vouches for CI tokens only
  auto r = make_identity_providers(with_provider(p));
  ASSERT_TRUE(r) << r.error().message;
  auto url = (*r)->begin_login("corp", {}, 1000);
  ASSERT_FALSE(url);
  EXPECT_EQ(url.error().code, ErrorCode::kNotFound);
  auto unknown = (*r)->finish_login("nope", "code", "state", 1000);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TEST(MakeIdentityProviders, AnUnreachableProviderIsUnavailableNotFatal) {
  OidcProviderConfig p = login_provider();
  p.issuer = "http://127.0.0.1:1";  // nothing listens on port 1
  p.allow_http = true;
  auto r = make_identity_providers(with_provider(p));
  ASSERT_TRUE(r) << r.error().message;
  auto url = (*r)->begin_login("corp", {}, 1000);
  ASSERT_FALSE(url);
  EXPECT_EQ(url.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(url.error().message, Not(HasSubstr("client-secret-value")));
  // A callback with a state nobody issued is refused before the provider is asked.
  auto cb = (*r)->finish_login("corp", "code", "forged-state", 1000);
  ASSERT_FALSE(cb);
  EXPECT_EQ(cb.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark::auth
