// Tests for the .NET analyzers (dotnet.cc): *.deps.json and packages.lock.json.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scan/analyzers/lang_test_util.h"

namespace bulwark::scan {
extern const Analyzer kDotnetDepsAnalyzer, kNugetLockAnalyzer;
namespace {

using lang_test::packages_of;
using lang_test::read_testdata;
using lang_test::rejects;
using ::testing::ElementsAre;

TEST(DotnetDepsAnalyzer, ReadsPackageLibrariesOnly) {
  EXPECT_TRUE(kDotnetDepsAnalyzer.wants("app/WebApp.deps.json", 0644, 1));
  EXPECT_FALSE(kDotnetDepsAnalyzer.wants("app/.deps.json", 0644, 1));
  EXPECT_FALSE(kDotnetDepsAnalyzer.wants("app/WebApp.runtimeconfig.json", 0644, 1));
  EXPECT_THAT(packages_of(kDotnetDepsAnalyzer, "app/WebApp.deps.json",
                          read_testdata("dotnet/WebApp.deps.json")),
              ElementsAre("nuget:Newtonsoft.Json@13.0.1", "nuget:Serilog@2.12.0"));
}

TEST(DotnetDepsAnalyzer, RejectsMalformedFiles) {
  EXPECT_TRUE(rejects(kDotnetDepsAnalyzer, "a.deps.json", "{"));
  EXPECT_TRUE(rejects(kDotnetDepsAnalyzer, "a.deps.json", R"({"targets":{}})"));
  EXPECT_TRUE(
      rejects(kDotnetDepsAnalyzer, "a.deps.json", R"({"libraries":{"NoVersion":{"type":"package"}}})"));
  EXPECT_TRUE(rejects(kDotnetDepsAnalyzer, "a.deps.json", R"({"libraries":{"A/1":[]}})"));
}

TEST(NugetLockAnalyzer, ReadsResolvedVersionsAcrossFrameworks) {
  EXPECT_TRUE(kNugetLockAnalyzer.wants("src/app/packages.lock.json", 0644, 1));
  EXPECT_FALSE(kNugetLockAnalyzer.wants("src/app/package-lock.json", 0644, 1));
  EXPECT_THAT(packages_of(kNugetLockAnalyzer, "src/app/packages.lock.json",
                          read_testdata("dotnet/packages.lock.json")),
              ElementsAre("nuget:Newtonsoft.Json@13.0.1", "nuget:Serilog@2.12.0",
                          "nuget:System.Text.Encodings.Web@4.7.2", "nuget:System.Text.Json@7.0.2"));
}

TEST(NugetLockAnalyzer, RejectsMalformedFiles) {
  EXPECT_TRUE(rejects(kNugetLockAnalyzer, "packages.lock.json", "[]"));
  EXPECT_TRUE(rejects(kNugetLockAnalyzer, "packages.lock.json", R"({"version":1})"));
  EXPECT_TRUE(rejects(kNugetLockAnalyzer, "packages.lock.json",
                      R"({"version":1,"dependencies":{"net6.0":[]}})"));
  EXPECT_TRUE(rejects(kNugetLockAnalyzer, "packages.lock.json",
                      R"({"version":1,"dependencies":{"net6.0":{"A":"1.0"}}})"));
}

}  // namespace
}  // namespace bulwark::scan
