// Tests for the npm analyzers (npm.cc) on hand-written package.json and package-lock.json samples.
// The real-tree comparison with `npm ls` is npm_tree_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scan/analyzers/lang_test_util.h"

namespace bulwark::scan {
extern const Analyzer kNpmPackageAnalyzer, kNpmLockAnalyzer;
namespace {

using lang_test::packages_of;
using lang_test::read_testdata;
using lang_test::rejects;
using lang_test::run;
using ::testing::ElementsAre;

TEST(NpmPackageAnalyzer, WantsOnlyPackageRootsUnderNodeModules) {
  auto wants = [](std::string_view path) { return kNpmPackageAnalyzer.wants(path, 0644, 100); };
  EXPECT_TRUE(wants("app/node_modules/express/package.json"));
  EXPECT_TRUE(wants("node_modules/express/package.json"));
  EXPECT_TRUE(wants("usr/lib/node_modules/npm/node_modules/@npmcli/arborist/package.json"));
  EXPECT_TRUE(wants("app/node_modules/a/node_modules/b/package.json"));
  EXPECT_TRUE(wants("app/node_modules/.pnpm/react@18.2.0/node_modules/react/package.json"));
  EXPECT_FALSE(wants("app/package.json"));
  EXPECT_FALSE(wants("package.json"));
  EXPECT_FALSE(wants("app/node_modules/express/lib/package.json"));
  EXPECT_FALSE(wants("app/node_modules/@babel/package.json"));
  EXPECT_FALSE(wants("app/node_modules/@babel/core/lib/package.json"));
  EXPECT_FALSE(wants("app/node_modules/.bin/package.json"));
  EXPECT_FALSE(wants("app/node_modules/package.json"));
  EXPECT_FALSE(wants("@babel/core/package.json"));
  EXPECT_FALSE(wants("app/node_modules/express/package.json.bak"));
}

TEST(NpmPackageAnalyzer, ReadsNameVersionScopeAndLicenceShapes) {
  auto findings = run(kNpmPackageAnalyzer, "app/node_modules/@babel/core/package.json",
                      R"({"name":"@babel/core","version":"7.22.5","license":"MIT",
                          "dependencies":{"debug":"^4.1.0"}})");
  ASSERT_TRUE(findings.has_value());
  ASSERT_EQ(findings->packages.size(), 1u);
  const Package& p = findings->packages[0];
  EXPECT_EQ(p.type, "npm");
  EXPECT_EQ(p.namespace_, "@babel");
  EXPECT_EQ(p.name, "core");
  EXPECT_EQ(p.version, "7.22.5");
  EXPECT_THAT(p.licenses, ElementsAre("MIT"));
  EXPECT_FALSE(p.dev);

  auto object = run(kNpmPackageAnalyzer, "node_modules/x/package.json",
                    R"({"name":"x","version":"1.0.0","license":{"type":"ISC","url":"https://x"}})");
  ASSERT_TRUE(object.has_value());
  ASSERT_EQ(object->packages.size(), 1u);
  EXPECT_THAT(object->packages[0].licenses, ElementsAre("ISC"));
  EXPECT_EQ(object->packages[0].namespace_, "");

  auto legacy = run(kNpmPackageAnalyzer, "node_modules/y/package.json",
                    R"({"name":"y","version":"0.1.0","licenses":[{"type":"MIT","url":"u"},
                        {"type":"Apache-2.0","url":"v"}]})");
  ASSERT_TRUE(legacy.has_value());
  ASSERT_EQ(legacy->packages.size(), 1u);
  EXPECT_THAT(legacy->packages[0].licenses, ElementsAre("MIT", "Apache-2.0"));
}

TEST(NpmPackageAnalyzer, IgnoresManifestsWithoutNameOrVersion) {
  EXPECT_THAT(packages_of(kNpmPackageAnalyzer, "node_modules/x/package.json", R"({"name":"x"})"),
              ElementsAre());
  EXPECT_THAT(packages_of(kNpmPackageAnalyzer, "node_modules/x/package.json",
                          R"({"type":"module"})"),
              ElementsAre());
}

TEST(NpmPackageAnalyzer, RejectsMalformedJson) {
  EXPECT_TRUE(rejects(kNpmPackageAnalyzer, "node_modules/x/package.json", ""));
  EXPECT_TRUE(rejects(kNpmPackageAnalyzer, "node_modules/x/package.json", "{\"name\":"));
  EXPECT_TRUE(rejects(kNpmPackageAnalyzer, "node_modules/x/package.json", "[1,2]"));
  EXPECT_TRUE(rejects(kNpmPackageAnalyzer, "node_modules/x/package.json",
                      R"({"name":"a","name":"b","version":"1"})"));
  EXPECT_TRUE(rejects(kNpmPackageAnalyzer, "node_modules/x/package.json",
                      std::string(100000, '[') + std::string(100000, ']')));
}

TEST(NpmLockAnalyzer, WantsLockFilesOutsideNodeModulesOnly) {
  auto wants = [](std::string_view path) { return kNpmLockAnalyzer.wants(path, 0644, 100); };
  EXPECT_TRUE(wants("app/package-lock.json"));
  EXPECT_TRUE(wants("package-lock.json"));
  EXPECT_TRUE(wants("srv/app/npm-shrinkwrap.json"));
  EXPECT_FALSE(wants("app/node_modules/.package-lock.json"));
  EXPECT_FALSE(wants("app/node_modules/foo/package-lock.json"));
  EXPECT_FALSE(wants("node_modules/foo/npm-shrinkwrap.json"));
  EXPECT_FALSE(wants("app/package.json"));
  EXPECT_TRUE(wants("app/my_node_modules/package-lock.json"));
}

TEST(NpmLockAnalyzer, ReadsVersion1NestedDependencies) {
  EXPECT_THAT(packages_of(kNpmLockAnalyzer, "app/package-lock.json",
                          read_testdata("npm/package-lock-v1.json")),
              ElementsAre("npm:@babel/code-frame@7.12.13 dev", "npm:debug@2.6.9",
                          "npm:express@4.17.1", "npm:ms@2.0.0", "npm:ms@2.1.3",
                          "npm:string-width@4.2.3"));
}

TEST(NpmLockAnalyzer, ReadsVersion2PackagesSkippingRootLinksAndWorkspaces) {
  auto findings = run(kNpmLockAnalyzer, "app/package-lock.json",
                      read_testdata("npm/package-lock-v2.json"));
  ASSERT_TRUE(findings.has_value()) << findings.error().message;
  EXPECT_THAT(lang_test::describe_all(findings->packages),
              ElementsAre("npm:@babel/core@7.22.5", "npm:debug@4.3.4", "npm:jest@29.5.0 dev",
                          "npm:ms@2.1.2", "npm:ms@2.1.3 dev", "npm:string-width@4.2.3"));
  const Package* core = lang_test::find_package(*findings, "core");
  ASSERT_NE(core, nullptr);
  EXPECT_THAT(core->licenses, ElementsAre("MIT"));
}

TEST(NpmLockAnalyzer, ReadsAnEmptyLock) {
  EXPECT_THAT(packages_of(kNpmLockAnalyzer, "package-lock.json",
                          R"({"name":"x","version":"1.0.0","lockfileVersion":1})"),
              ElementsAre());
  EXPECT_THAT(packages_of(kNpmLockAnalyzer, "package-lock.json",
                          R"({"name":"x","lockfileVersion":3,"packages":{"":{"name":"x"}}})"),
              ElementsAre());
}

TEST(NpmLockAnalyzer, RejectsMalformedLocks) {
  EXPECT_TRUE(rejects(kNpmLockAnalyzer, "package-lock.json", "not json"));
  EXPECT_TRUE(rejects(kNpmLockAnalyzer, "package-lock.json", R"({"packages":{}})"));
  EXPECT_TRUE(rejects(kNpmLockAnalyzer, "package-lock.json",
                      R"({"lockfileVersion":3,"packages":{"node_modules/a":"1.0.0"}})"));
  EXPECT_TRUE(rejects(kNpmLockAnalyzer, "package-lock.json",
                      R"({"lockfileVersion":1,"dependencies":{"a":[]}})"));
  std::string lock = read_testdata("npm/package-lock-v2.json");
  EXPECT_TRUE(rejects(kNpmLockAnalyzer, "package-lock.json", lock.substr(0, lock.size() / 2)));
}

}  // namespace
}  // namespace bulwark::scan
