// Tests for the Composer analyzer (php.cc): composer.lock and installed.json v1/v2.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scan/analyzers/lang_test_util.h"

namespace bulwark::scan {
extern const Analyzer kComposerAnalyzer;
namespace {

using lang_test::packages_of;
using lang_test::read_testdata;
using lang_test::rejects;
using lang_test::run;
using ::testing::ElementsAre;

TEST(ComposerAnalyzer, WantsLockAndInstalledJson) {
  EXPECT_TRUE(kComposerAnalyzer.wants("var/www/composer.lock", 0644, 1));
  EXPECT_TRUE(kComposerAnalyzer.wants("var/www/vendor/composer/installed.json", 0644, 1));
  EXPECT_FALSE(kComposerAnalyzer.wants("var/www/vendor/installed.json", 0644, 1));
  EXPECT_FALSE(kComposerAnalyzer.wants("var/www/composer.json", 0644, 1));
}

TEST(ComposerAnalyzer, ReadsComposerLock) {
  auto findings = run(kComposerAnalyzer, "var/www/composer.lock", read_testdata("php/composer.lock"));
  ASSERT_TRUE(findings.has_value()) << findings.error().message;
  EXPECT_THAT(lang_test::describe_all(findings->packages),
              ElementsAre("composer:guzzlehttp/guzzle@7.5.0", "composer:monolog/monolog@3.3.1",
                          "composer:phpunit/phpunit@10.0.19 dev",
                          "composer:symfony/polyfill-mbstring@v1.27.0",
                          "composer:twig/twig@v3.5.1"));
  const Package* twig = lang_test::find_package(*findings, "twig");
  ASSERT_NE(twig, nullptr);
  EXPECT_EQ(twig->namespace_, "twig");
  EXPECT_THAT(twig->licenses, ElementsAre("BSD-3-Clause"));
}

TEST(ComposerAnalyzer, ReadsInstalledJsonVersion1) {
  EXPECT_THAT(packages_of(kComposerAnalyzer, "app/vendor/composer/installed.json",
                          read_testdata("php/installed-v1.json")),
              ElementsAre("composer:psr/log@1.1.4", "composer:symfony/console@v4.4.49"));
}

TEST(ComposerAnalyzer, ReadsInstalledJsonVersion2) {
  auto findings = run(kComposerAnalyzer, "app/vendor/composer/installed.json",
                      read_testdata("php/installed-v2.json"));
  ASSERT_TRUE(findings.has_value()) << findings.error().message;
  EXPECT_THAT(lang_test::describe_all(findings->packages),
              ElementsAre("composer:guzzlehttp/guzzle@7.5.0",
                          "composer:laminas/laminas-diactoros@2.24.0",
                          "composer:phpunit/phpunit@10.0.19 dev"));
  const Package* diactoros = lang_test::find_package(*findings, "laminas-diactoros");
  ASSERT_NE(diactoros, nullptr);
  EXPECT_THAT(diactoros->licenses, ElementsAre("BSD-3-Clause"));
}

TEST(ComposerAnalyzer, RejectsMalformedFiles) {
  EXPECT_TRUE(rejects(kComposerAnalyzer, "composer.lock", "{\"packages\": ["));
  EXPECT_TRUE(rejects(kComposerAnalyzer, "composer.lock", "[]"));
  EXPECT_TRUE(rejects(kComposerAnalyzer, "composer.lock", R"({"content-hash":"x"})"));
  EXPECT_TRUE(rejects(kComposerAnalyzer, "composer.lock", R"({"packages":[{"name":"a/b"}]})"));
  EXPECT_TRUE(rejects(kComposerAnalyzer, "vendor/composer/installed.json", R"([1])"));
  EXPECT_TRUE(rejects(kComposerAnalyzer, "vendor/composer/installed.json", "\"x\""));
}

}  // namespace
}  // namespace bulwark::scan
