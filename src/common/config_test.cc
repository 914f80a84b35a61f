#include "common/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "common/temp_dir.h"

namespace bulwark {
namespace {

TEST(Config, LayersApplyInOrder) {
  Config c;
  ASSERT_TRUE(apply_config_yaml(c, "listen: 0.0.0.0:6000\ndata: /srv/x\nuploads:\n  expiry: 2h\n"));
  EXPECT_EQ(c.listen, "0.0.0.0:6000");
  EXPECT_EQ(c.upload_expiry_seconds, 7200);
  ASSERT_TRUE(apply_config_env(c, {{"BULWARK_LISTEN", "127.0.0.1:7000"}}));
  EXPECT_EQ(c.listen, "127.0.0.1:7000");
  EXPECT_EQ(c.data_dir, "/srv/x");
}

TEST(Config, UnknownKeysAndBadValuesAreErrors) {
  Config c;
  auto r = apply_config_yaml(c, "lisen: x\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("lisen"), std::string::npos);
  EXPECT_FALSE(apply_config_yaml(c, "http:\n  worker_threads: many\n"));
  EXPECT_FALSE(apply_config_yaml(c, "listen: [a, b]\n"));
  EXPECT_FALSE(apply_config_yaml(c, "{{{"));
}

TEST(Config, Durations) {
  EXPECT_EQ(parse_duration_seconds("90").value(), 90);
  EXPECT_EQ(parse_duration_seconds("15m").value(), 900);
  EXPECT_EQ(parse_duration_seconds("7d").value(), 7 * 86400);
  EXPECT_FALSE(parse_duration_seconds("-1s"));
  EXPECT_FALSE(parse_duration_seconds("h"));
  EXPECT_FALSE(parse_duration_seconds("99999999999999999999d"));
}

TEST(Config, VulnerabilityDatabaseAndDeadlines) {
  Config c;
  EXPECT_EQ(c.deadline_critical_seconds, 86400);
  EXPECT_EQ(c.deadline_high_seconds, 7 * 86400);
  EXPECT_EQ(c.deadline_medium_seconds, 30 * 86400);
  EXPECT_EQ(c.deadline_low_seconds, 0);
  ASSERT_TRUE(apply_config_yaml(
      c, "vulndb:\n  path: /srv/v.sqlite\n  poll_interval: 5m\nscan:\n  deadlines:\n    critical: 12h\n    low: 90d\n"));
  EXPECT_EQ(c.vulndb_path, "/srv/v.sqlite");
  EXPECT_EQ(c.vulndb_poll_seconds, 300);
  EXPECT_EQ(c.deadline_critical_seconds, 12 * 3600);
  EXPECT_EQ(c.deadline_low_seconds, 90 * 86400);
  ASSERT_TRUE(apply_config_env(c, {{"BULWARK_DEADLINE_HIGH", "2s"}, {"BULWARK_VULNDB", "/x.sqlite"}}));
  EXPECT_EQ(c.deadline_high_seconds, 2);
  EXPECT_EQ(c.vulndb_path, "/x.sqlite");
  EXPECT_FALSE(apply_config_yaml(c, "scan:\n  deadlines:\n    critical: soon\n"));
}

TEST(Config, LdapSection) {
  TempDir dir("bulwark-config");
  std::ofstream(dir.file("bind-password")) << "s3cret-from-file\n";
  Config c;
  auto r = apply_config_yaml(c, R"(
ldap:
  url: ldap://127.0.0.1:389/
  start_tls: true
  bind_dn: cn=reader,dc=example,dc=org
  bind_password_file: )" + dir.file("bind-password") + R"(
  user_base: ou=people,dc=example,dc=org
  group_base: ou=groups,dc=example,dc=org
  timeout: 3s
)");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(c.ldap);
  EXPECT_EQ(c.ldap->url, "ldap://127.0.0.1:389/");
  EXPECT_TRUE(c.ldap->start_tls);
  EXPECT_EQ(c.ldap->bind_password, "s3cret-from-file");
  EXPECT_EQ(c.ldap->group_base, "ou=groups,dc=example,dc=org");
  EXPECT_EQ(c.ldap->timeout_seconds, 3);
  EXPECT_FALSE(c.ldap->user_filter);  // unset: the library's default
}

TEST(Config, LdapSectionErrorsNameTheKeyNeverTheSecret) {
  auto error_of = [](const std::string& yaml) {
    Config c;
    auto r = apply_config_yaml(c, yaml);
    return r ? std::string("accepted") : r.error().message;
  };
  const std::string base = "ldap:\n  url: ldap://h/\n  user_base: ou=p\n";
  EXPECT_NE(error_of(base + "  bind_pasword: hunter2\n").find("ldap.bind_pasword"),
            std::string::npos);
  std::string both = error_of(base + "  bind_password: hunter2\n  bind_password_file: /x\n");
  EXPECT_NE(both.find("both set"), std::string::npos) << both;
  EXPECT_EQ(both.find("hunter2"), std::string::npos) << both;
  EXPECT_NE(error_of(base + "  start_tls: maybe\n").find("ldap.start_tls"), std::string::npos);
  EXPECT_NE(error_of(base + "  timeout: soon\n").find("ldap.timeout"), std::string::npos);
  EXPECT_NE(error_of("ldap:\n  url: ldap://h/\n").find("ldap.user_base is required"),
            std::string::npos);
  EXPECT_NE(error_of(base + "  bind_password_file: /nonexistent/pw\n").find("cannot read"),
            std::string::npos);
  EXPECT_NE(error_of("ldap: ldap://h/\n").find("ldap must be a map"), std::string::npos);
}

TEST(Config, OidcSection) {
  Config c;
  auto r = apply_config_yaml(c, R"(
oidc:
  providers:
    - name: corp
      issuer: https://login.example.test
      client_id: bulwark
      client_secret: not-logged
      redirect_uri: https://registry.example.test/auth/oidc/corp/callback
      scopes: [openid, email, groups]
      groups_claim: roles
    - name: ci
      issuer: http://127.0.0.1:9000
      allow_http: true
  federation:
    - name: widgets-main
      issuer: http://127.0.0.1:9000
      audience: bulwark
      claims:
        sub: ci-bot
        repository: acme/*
      permissions:
        kind: ci
        rules:
          - repository: acme/widgets
            actions: [pull, push]
      token_lifetime: 15m
)");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(c.oidc_providers.size(), 2u);
  EXPECT_EQ(c.oidc_providers[0].client_secret, "not-logged");
  EXPECT_EQ(c.oidc_providers[0].scopes, (std::vector<std::string>{"openid", "email", "groups"}));
  EXPECT_EQ(c.oidc_providers[0].groups_claim, "roles");
  EXPECT_TRUE(c.oidc_providers[1].allow_http);
  EXPECT_EQ(c.oidc_providers[1].client_id, "");
  ASSERT_EQ(c.oidc_federation.size(), 1u);
  const FederationRuleConfig& rule = c.oidc_federation[0];
  EXPECT_EQ(rule.claims, (std::vector<std::pair<std::string, std::string>>{
                             {"sub", "ci-bot"}, {"repository", "acme/*"}}));
  EXPECT_EQ(rule.permissions_json,
            R"({"kind":"ci","rules":[{"repository":"acme/widgets","actions":["pull","push"]}]})");
  EXPECT_EQ(rule.token_lifetime_seconds, 900);
}

TEST(Config, OidcSectionErrors) {
  auto error_of = [](const std::string& yaml) {
    Config c;
    auto r = apply_config_yaml(c, yaml);
    return r ? std::string("accepted") : r.error().message;
  };
  EXPECT_NE(error_of("oidc:\n  provider: []\n").find("unknown key oidc.provider"),
            std::string::npos);
  EXPECT_NE(error_of("oidc:\n  providers:\n    - name: a\n").find("oidc.providers[0].issuer"),
            std::string::npos);
  EXPECT_NE(error_of("oidc:\n  providers:\n    - {name: a, issuer: https://x, client_id: c}\n")
                .find("client_id and redirect_uri go together"),
            std::string::npos);
  EXPECT_NE(error_of("oidc:\n  providers:\n    - {name: a, issuer: https://x}\n"
                     "    - {name: a, issuer: https://y}\n")
                .find("used twice"),
            std::string::npos);
  EXPECT_NE(error_of("oidc:\n  federation:\n    - {name: r, issuer: https://x, audience: a, "
                     "claims: {sub: [x]}, permissions: {kind: ci}}\n")
                .find("oidc.federation[0].claims.sub"),
            std::string::npos);
  EXPECT_NE(error_of("oidc:\n  federation:\n    - {name: r, issuer: https://x, audience: a, "
                     "permissions: {kind: ci}}\n")
                .find("oidc.federation[0].claims is required"),
            std::string::npos);
}

TEST(Config, AdmissionSection) {
  Config c;
  EXPECT_FALSE(c.admission.enabled);
  EXPECT_EQ(c.admission.cluster, "default");
  EXPECT_FALSE(c.admission.allow_foreign_images);
  EXPECT_FALSE(c.admission.fail_open);
  ASSERT_TRUE(apply_config_yaml(c, "admission:\n  enabled: true\n  cluster: prod-eu\n"
                                   "  registry_hosts: [registry.example, 'registry.example:443']\n"
                                   "  foreign_images: allow\n  fail_open: true\n"));
  EXPECT_TRUE(c.admission.enabled);
  EXPECT_EQ(c.admission.cluster, "prod-eu");
  EXPECT_EQ(c.admission.registry_hosts,
            (std::vector<std::string>{"registry.example", "registry.example:443"}));
  EXPECT_TRUE(c.admission.allow_foreign_images);
  EXPECT_TRUE(c.admission.fail_open);
  auto bad = apply_config_yaml(c, "admission:\n  foreign_images: maybe\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("admission.foreign_images"), std::string::npos);
  EXPECT_FALSE(apply_config_yaml(c, "admission:\n  enable: true\n"));
  EXPECT_FALSE(apply_config_yaml(c, "admission:\n  cluster: ''\n"));
}

}  // namespace
}  // namespace bulwark
