// RuntimeSettings and the settings part of AdminService against real SQLite stores: two store
// instances on one database file stand in for the server and `bulwark admin` in another process.
#include "api/runtime_settings.h"

#include <gtest/gtest.h>

#include <memory>

#include "api/admin_service.h"
#include "auth/login_throttle.h"
#include "common/temp_dir.h"
#include "metadata/sqlite/sqlite_metadata_store.h"

namespace bulwark::api {
namespace {

using metadata::SqliteMetadataStore;

TEST(ValidateSetting, AcceptsDurationsWithinBounds) {
  struct Case {
    const char* key;
    const char* value;
    int64_t seconds;
  } cases[] = {
      {"auth.token_lifetime", "1m", 60},
      {"auth.token_lifetime", "1h", 3600},
      {"auth.token_lifetime", "120", 120},
      {"auth.refresh_lifetime", "1h", 3600},
      {"auth.refresh_lifetime", "90d", 7776000},
      {"uploads.expiry", "30d", 2592000},
      {"uploads.expiry", "1h", 3600},
  };
  for (const Case& c : cases) {
    auto v = validate_setting(c.key, c.value);
    ASSERT_TRUE(v) << c.key << "=" << c.value << ": " << v.error().message;
    EXPECT_EQ(*v, c.seconds) << c.key << "=" << c.value;
  }
}

TEST(ValidateSetting, RefusesUnknownKeysBadValuesAndOutOfBounds) {
  struct Case {
    const char* key;
    const char* value;
    const char* mentions;
  } cases[] = {
      {"auth.realm", "x", "auth.realm"},
      {"nope", "1m", "nope"},
      {"auth.token_lifetime", "59s", "auth.token_lifetime"},
      {"auth.token_lifetime", "61m", "auth.token_lifetime"},
      {"auth.token_lifetime", "soon", "auth.token_lifetime"},
      {"auth.token_lifetime", "", "auth.token_lifetime"},
      {"auth.refresh_lifetime", "59m", "auth.refresh_lifetime"},
      {"auth.refresh_lifetime", "91d", "auth.refresh_lifetime"},
      {"uploads.expiry", "31d", "uploads.expiry"},
      {"uploads.expiry", "-1h", "uploads.expiry"},
  };
  for (const Case& c : cases) {
    auto v = validate_setting(c.key, c.value);
    ASSERT_FALSE(v) << c.key << "=" << c.value;
    EXPECT_EQ(v.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(v.error().message.find(c.mentions), std::string::npos) << v.error().message;
  }
}

TEST(ValidateSetting, EveryRuleMapsItsIdAndHasSaneBounds) {
  for (size_t i = 0; i < mutable_settings().size(); ++i) {
    const SettingRule& rule = mutable_settings()[i];
    EXPECT_EQ(static_cast<size_t>(rule.id), i) << rule.key;
    EXPECT_LT(0, rule.min_seconds) << rule.key;
    EXPECT_LT(rule.min_seconds, rule.max_seconds) << rule.key;
    EXPECT_EQ(find_setting(rule.key), &rule);
  }
}

class RuntimeSettingsTest : public ::testing::Test {
 protected:
  RuntimeSettingsTest() {
    server_store_ = open_store();
    cli_store_ = open_store();
    config_.auth_token_lifetime_seconds = 300;
    config_.auth_refresh_lifetime_seconds = 7 * 86400;
    config_.upload_expiry_seconds = 86400;
  }
  std::unique_ptr<SqliteMetadataStore> open_store() {
    auto store = SqliteMetadataStore::open(dir_.file("metadata.sqlite"));
    EXPECT_TRUE(store) << store.error().message;
    return store ? std::move(*store) : nullptr;
  }

  TempDir dir_{"bulwark-settings"};
  Config config_;
  std::unique_ptr<SqliteMetadataStore> server_store_;
  std::unique_ptr<SqliteMetadataStore> cli_store_;
};

TEST_F(RuntimeSettingsTest, StartsWithTheConfigurationValues) {
  RuntimeSettings server(config_, *server_store_, *server_store_);
  ASSERT_TRUE(server.refresh());
  EXPECT_EQ(server.token_lifetime(), 300);
  EXPECT_EQ(server.refresh_lifetime(), 7 * 86400);
  EXPECT_EQ(server.upload_expiry(), 86400);
  auto snapshot = server.snapshot();
  ASSERT_TRUE(snapshot);
  for (const EffectiveSetting& e : *snapshot) EXPECT_FALSE(e.override_) << e.rule->key;
}

TEST_F(RuntimeSettingsTest, AChangeInAnotherProcessShowsAfterRefresh) {
  RuntimeSettings server(config_, *server_store_, *server_store_);
  RuntimeSettings cli(config_, *cli_store_, *cli_store_);
  ASSERT_TRUE(server.refresh());
  auto changed = cli.apply({{"auth.token_lifetime", "2m"}, {"uploads.expiry", "2h"}}, "cli:op");
  ASSERT_TRUE(changed) << changed.error().message;
  ASSERT_EQ(changed->size(), 2u);
  EXPECT_EQ((*changed)[0].key, "auth.token_lifetime");
  EXPECT_EQ((*changed)[0].old_value, "300s");
  EXPECT_EQ((*changed)[0].new_value, "2m");
  EXPECT_EQ(cli.token_lifetime(), 120);  // the changer sees it at once

  EXPECT_EQ(server.token_lifetime(), 300);  // not yet read
  ASSERT_TRUE(server.refresh());
  EXPECT_EQ(server.token_lifetime(), 120);
  EXPECT_EQ(server.upload_expiry(), 7200);
  EXPECT_EQ(server.refresh_lifetime(), 7 * 86400);  // untouched keys keep the file's value

  auto snapshot = server.snapshot();
  ASSERT_TRUE(snapshot);
  const EffectiveSetting& token = (*snapshot)[static_cast<size_t>(Setting::kTokenLifetime)];
  ASSERT_TRUE(token.override_);
  EXPECT_EQ(token.override_->value, "2m");
  EXPECT_EQ(token.override_->updated_by, "cli:op");

  // A second change reports the override as the old value.
  auto again = cli.apply({{"auth.token_lifetime", "3m"}}, "cli:op");
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)[0].old_value, "2m");
  ASSERT_TRUE(server.refresh());
  EXPECT_EQ(server.token_lifetime(), 180);
}

TEST_F(RuntimeSettingsTest, OverridesSurviveARestart) {
  {
    RuntimeSettings cli(config_, *cli_store_, *cli_store_);
    ASSERT_TRUE(cli.apply({{"auth.refresh_lifetime", "2d"}}, "cli:op"));
  }
  auto reopened = open_store();
  RuntimeSettings server(config_, *reopened, *reopened);
  ASSERT_TRUE(server.refresh());
  EXPECT_EQ(server.refresh_lifetime(), 2 * 86400);
}

TEST_F(RuntimeSettingsTest, OneBadChangeAppliesNone) {
  RuntimeSettings server(config_, *server_store_, *server_store_);
  const uint64_t generation = server_store_->identity_generation();
  auto bad = server.apply({{"auth.token_lifetime", "2m"}, {"uploads.expiry", "99d"}}, "root");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("uploads.expiry"), std::string::npos);
  auto unknown = server.apply({{"auth.token_lifetime", "2m"}, {"auth.realm", "x"}}, "root");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("auth.realm"), std::string::npos);
  EXPECT_EQ(server_store_->identity_generation(), generation);
  auto stored = server_store_->get_settings();
  ASSERT_TRUE(stored);
  EXPECT_TRUE(stored->empty());
  EXPECT_EQ(server.token_lifetime(), 300);
}

TEST_F(RuntimeSettingsTest, AnInvalidStoredOverrideIsIgnored) {
  ASSERT_TRUE(cli_store_->put_settings({{"auth.token_lifetime", "9999h"}}, "hand"));
  RuntimeSettings server(config_, *server_store_, *server_store_);
  ASSERT_TRUE(server.refresh());
  EXPECT_EQ(server.token_lifetime(), 300);
}

class SettingsAdminTest : public RuntimeSettingsTest {
 protected:
  SettingsAdminTest()
      : authenticator_(*server_store_, throttle_),
        settings_(config_, *server_store_, *server_store_),
        service_(*server_store_, authenticator_, [this](audit::Event e) -> Result<void> {
          events_.push_back(std::move(e));
          return ok();
        }) {}

  static Actor user(bool admin) {
    Actor a;
    a.principal.type = auth::PrincipalType::kUser;
    a.principal.name = admin ? "root" : "dev";
    a.principal.is_admin = admin;
    return a;
  }

  auth::LoginThrottle throttle_;
  auth::Authenticator authenticator_;
  RuntimeSettings settings_;
  std::vector<audit::Event> events_;
  AdminService service_;
};

TEST_F(SettingsAdminTest, AdministratorChangesAreAuditedWithOldAndNewValue) {
  auto changed = service_.update_settings(user(true), settings_, {{"auth.token_lifetime", "2m"}});
  ASSERT_TRUE(changed) << changed.error().error.message;
  EXPECT_EQ(settings_.token_lifetime(), 120);
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].action, "settings.update");
  EXPECT_EQ(events_[0].outcome, audit::Outcome::kAllowed);
  EXPECT_EQ(events_[0].actor, "root");
  EXPECT_EQ(events_[0].reason, "targets: auth.token_lifetime 300s -> 2m");
}

TEST_F(SettingsAdminTest, OthersAreRefusedAndRecorded) {
  auto changed = service_.update_settings(user(false), settings_, {{"auth.token_lifetime", "2m"}});
  ASSERT_FALSE(changed);
  EXPECT_TRUE(changed.error().denied);
  EXPECT_EQ(settings_.token_lifetime(), 300);
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].outcome, audit::Outcome::kDenied);
  auto read = service_.get_settings(user(false), settings_);
  ASSERT_FALSE(read);
  EXPECT_TRUE(read.error().denied);
}

TEST_F(SettingsAdminTest, InvalidChangesFailAsInvalidArgument) {
  auto changed = service_.update_settings(user(true), settings_, {{"bogus", "2m"}});
  ASSERT_FALSE(changed);
  EXPECT_FALSE(changed.error().denied);
  EXPECT_EQ(changed.error().error.code, ErrorCode::kInvalidArgument);
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].outcome, audit::Outcome::kError);
}

}  // namespace
}  // namespace bulwark::api
