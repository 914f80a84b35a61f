// Tests for the Ruby analyzers (ruby.cc): installed gemspecs and Gemfile.lock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scan/analyzers/lang_test_util.h"

namespace bulwark::scan {
extern const Analyzer kGemspecAnalyzer, kGemfileLockAnalyzer;
namespace {

using lang_test::packages_of;
using lang_test::read_testdata;
using lang_test::rejects;
using lang_test::run;
using ::testing::ElementsAre;

TEST(GemspecAnalyzer, WantsInstalledSpecificationsOnly) {
  auto wants = [](std::string_view path) { return kGemspecAnalyzer.wants(path, 0644, 100); };
  EXPECT_TRUE(wants("usr/local/bundle/specifications/rack-2.2.7.gemspec"));
  EXPECT_TRUE(wants("var/lib/gems/3.1.0/specifications/default/json-2.6.1.gemspec"));
  EXPECT_FALSE(wants("app/rack.gemspec"));
  EXPECT_FALSE(wants("usr/local/bundle/gems/rack-2.2.7/rack.gemspec"));
  EXPECT_FALSE(wants("specifications/.gemspec"));
}

TEST(GemspecAnalyzer, ReadsRubyGemsGeneratedSpec) {
  auto findings = run(kGemspecAnalyzer, "usr/local/bundle/specifications/rack-2.2.7.gemspec",
                      read_testdata("ruby/rack-2.2.7.gemspec"));
  ASSERT_TRUE(findings.has_value()) << findings.error().message;
  ASSERT_EQ(findings->packages.size(), 1u);
  const Package& p = findings->packages[0];
  EXPECT_EQ(p.type, "gem");
  EXPECT_EQ(p.name, "rack");
  EXPECT_EQ(p.version, "2.2.7");
  EXPECT_THAT(p.licenses, ElementsAre("MIT"));
}

TEST(GemspecAnalyzer, ReadsGemVersionNewAndPercentQ) {
  auto findings = run(kGemspecAnalyzer, "x/specifications/default/json-2.6.1.gemspec",
                      read_testdata("ruby/json-2.6.1.gemspec"));
  ASSERT_TRUE(findings.has_value()) << findings.error().message;
  ASSERT_EQ(findings->packages.size(), 1u);
  EXPECT_EQ(findings->packages[0].name, "json");
  EXPECT_EQ(findings->packages[0].version, "2.6.1");
  EXPECT_THAT(findings->packages[0].licenses, ElementsAre("Ruby", "BSD-2-Clause"));
}

TEST(GemspecAnalyzer, RejectsSpecsWithoutNameOrVersion) {
  EXPECT_TRUE(rejects(kGemspecAnalyzer, "specifications/a-1.gemspec", ""));
  EXPECT_TRUE(rejects(kGemspecAnalyzer, "specifications/a-1.gemspec",
                      "Gem::Specification.new do |s|\n  s.name = \"a\"\nend\n"));
  EXPECT_TRUE(rejects(kGemspecAnalyzer, "specifications/a-1.gemspec",
                      "  s.name = \"unterminated\n  s.version = \n"));
  EXPECT_TRUE(rejects(kGemspecAnalyzer, "specifications/a-1.gemspec",
                      std::string("s.name = \"a\"\0s.version = \"1\"\n", 29)));
}

TEST(GemfileLockAnalyzer, ReadsGemSectionSpecsOnly) {
  EXPECT_THAT(packages_of(kGemfileLockAnalyzer, "app/Gemfile.lock",
                          read_testdata("ruby/Gemfile.lock")),
              ElementsAre("gem:actionpack@7.0.4.3", "gem:activesupport@7.0.4.3",
                          "gem:concurrent-ruby@1.2.2", "gem:i18n@1.13.0",
                          "gem:nokogiri@1.14.3-arm64-darwin", "gem:nokogiri@1.14.3-x86_64-linux",
                          "gem:racc@1.6.2", "gem:rack@2.2.7"));
  EXPECT_TRUE(kGemfileLockAnalyzer.wants("srv/app/Gemfile.lock", 0644, 1));
  EXPECT_FALSE(kGemfileLockAnalyzer.wants("srv/app/Gemfile", 0644, 1));
}

TEST(GemfileLockAnalyzer, RejectsMalformedLocks) {
  EXPECT_TRUE(rejects(kGemfileLockAnalyzer, "Gemfile.lock", ""));
  EXPECT_TRUE(rejects(kGemfileLockAnalyzer, "Gemfile.lock", "    rack (2.2.7)\n"));
  EXPECT_TRUE(rejects(kGemfileLockAnalyzer, "Gemfile.lock", "GEM\n  specs:\n    rack 2.2.7\n"));
  EXPECT_TRUE(rejects(kGemfileLockAnalyzer, "Gemfile.lock", "GEM\n  specs:\n    rack ()\n"));
  EXPECT_TRUE(rejects(kGemfileLockAnalyzer, "Gemfile.lock", "GEM\n  specs:\n    (\n"));
  EXPECT_TRUE(rejects(kGemfileLockAnalyzer, "Gemfile.lock", std::string("GEM\n\0", 5)));
}

}  // namespace
}  // namespace bulwark::scan
