// effective_policy against a real SQLite metadata store: project document, else environment
// document, else defaults; removed (empty) documents fall back; unparsable ones are errors.
#include "policy/effective.h"

#include <gtest/gtest.h>

#include <memory>

#include "common/temp_dir.h"
#include "metadata/sqlite/sqlite_metadata_store.h"

namespace bulwark::policy {
namespace {

using metadata::Environment;

class EffectivePolicyTest : public testing::Test {
 protected:
  void SetUp() override {
    auto opened = metadata::SqliteMetadataStore::open(dir_.file("metadata.sqlite"));
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
  }

  void create_project(const std::string& name, Environment environment) {
    metadata::Project p;
    p.name = name;
    p.environment = environment;
    auto made = store_->create_project(p);
    ASSERT_TRUE(made) << made.error().message;
  }

  int64_t add(const std::string& scope, std::string document) {
    metadata::PolicyVersion v;
    v.scope = scope;
    v.document = std::move(document);
    v.author = "alice";
    v.comment = "test";
    auto added = store_->add_policy_version(v);
    EXPECT_TRUE(added) << added.error().message;
    return added ? added->version : 0;
  }

  Result<EffectivePolicy> effective(std::string_view project) {
    return effective_policy(*store_, *store_, project);
  }

  TempDir dir_;
  std::unique_ptr<metadata::SqliteMetadataStore> store_;
};

// Documents that differ from the defaults (high: block_in_production) and from each other.
constexpr std::string_view kHighBlocks = "version: 1\nvulnerabilities:\n  high: {action: block}\n";
constexpr std::string_view kHighFlags = "version: 1\nvulnerabilities:\n  high: {action: flag}\n";
constexpr std::string_view kHighInforms =
    "version: 1\nvulnerabilities:\n  high: {action: inform}\n";

TEST_F(EffectivePolicyTest, ScopeNames) {
  EXPECT_EQ(project_scope("app"), "project:app");
  EXPECT_EQ(environment_scope(Environment::kProduction), "environment:production");
  EXPECT_EQ(environment_scope(Environment::kStaging), "environment:staging");
  metadata::PolicyVersion v;
  v.scope = "project:app";
  v.version = 3;
  EXPECT_EQ(version_source(v), "project:app@3");
}

TEST_F(EffectivePolicyTest, UnknownProjectIsNotFound) {
  auto e = effective("ghost");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, ErrorCode::kNotFound);
}

TEST_F(EffectivePolicyTest, NoDocumentsMeanDefaults) {
  create_project("app", Environment::kDevelopment);
  auto e = effective("app");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->source, "defaults");
  EXPECT_EQ(e->environment, Environment::kDevelopment);
  EXPECT_FALSE(e->production);
  EXPECT_EQ(e->document.rule(Severity::kHigh).action, Action::kBlockInProduction);
  EXPECT_EQ(e->document.rule(Severity::kCritical).action, Action::kBlock);
}

TEST_F(EffectivePolicyTest, EnvironmentDocumentAppliesToItsProjectsOnly) {
  create_project("app", Environment::kProduction);
  create_project("dev", Environment::kDevelopment);
  add("environment:production", std::string(kHighFlags));
  auto e = effective("app");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->source, "environment:production@1");
  EXPECT_TRUE(e->production);
  EXPECT_EQ(e->environment, Environment::kProduction);
  EXPECT_EQ(e->document.rule(Severity::kHigh).action, Action::kFlag);
  auto other = effective("dev");
  ASSERT_TRUE(other) << other.error().message;
  EXPECT_EQ(other->source, "defaults");
}

TEST_F(EffectivePolicyTest, ProjectDocumentWinsAndNewestVersionCounts) {
  create_project("app", Environment::kProduction);
  add("environment:production", std::string(kHighFlags));
  add("project:app", std::string(kHighBlocks));
  add("project:app", std::string(kHighInforms));
  auto e = effective("app");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->source, "project:app@2");
  EXPECT_EQ(e->document.rule(Severity::kHigh).action, Action::kInform);
  EXPECT_TRUE(e->production);
}

TEST_F(EffectivePolicyTest, RemovedDocumentsFallBackStepByStep) {
  create_project("app", Environment::kStaging);
  add("environment:staging", std::string(kHighFlags));
  add("project:app", std::string(kHighBlocks));
  add("project:app", "");  // removed: the environment's applies
  auto e = effective("app");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->source, "environment:staging@1");
  EXPECT_EQ(e->document.rule(Severity::kHigh).action, Action::kFlag);
  EXPECT_FALSE(e->production);
  add("environment:staging", "");  // removed too: the defaults apply
  auto d = effective("app");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->source, "defaults");
  EXPECT_EQ(d->document.rule(Severity::kHigh).action, Action::kBlockInProduction);
}

TEST_F(EffectivePolicyTest, UnparsableStoredDocumentIsAnErrorNamingIt) {
  create_project("app", Environment::kProduction);
  add("environment:production", std::string(kHighFlags));
  add("project:app", "version: 1\nvulnerabilities:\n  high: {action: stop}\n");
  auto e = effective("app");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, ErrorCode::kCorrupt);
  EXPECT_NE(e.error().message.find("project:app@1"), std::string::npos) << e.error().message;

  create_project("other", Environment::kStaging);
  add("environment:staging", "not: [a policy");
  auto s = effective("other");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("environment:staging@1"), std::string::npos)
      << s.error().message;
}

TEST_F(EffectivePolicyTest, FollowsTheProjectsCurrentEnvironment) {
  create_project("app", Environment::kDevelopment);
  add("environment:production", std::string(kHighFlags));
  metadata::ProjectUpdate update;
  update.environment = Environment::kProduction;
  ASSERT_TRUE(store_->update_project("app", update));
  auto e = effective("app");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->source, "environment:production@1");
  EXPECT_TRUE(e->production);
}

}  // namespace
}  // namespace bulwark::policy
