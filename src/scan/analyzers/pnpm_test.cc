// Tests for the pnpm-lock.yaml analyzer (pnpm.cc): lockfileVersion 5.4, 6.0 and 9.0 samples.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scan/analyzers/lang_test_util.h"

namespace bulwark::scan {
extern const Analyzer kPnpmLockAnalyzer;
namespace {

using lang_test::packages_of;
using lang_test::read_testdata;
using lang_test::rejects;
using ::testing::ElementsAre;

TEST(PnpmLockAnalyzer, WantsPnpmLockOutsideNodeModules) {
  EXPECT_TRUE(kPnpmLockAnalyzer.wants("app/pnpm-lock.yaml", 0644, 10));
  EXPECT_FALSE(kPnpmLockAnalyzer.wants("app/node_modules/.pnpm/lock.yaml", 0644, 10));
  EXPECT_FALSE(kPnpmLockAnalyzer.wants("app/node_modules/x/pnpm-lock.yaml", 0644, 10));
}

TEST(PnpmLockAnalyzer, ReadsVersion5) {
  EXPECT_THAT(
      packages_of(kPnpmLockAnalyzer, "app/pnpm-lock.yaml", read_testdata("pnpm/pnpm-lock-v5.yaml")),
      ElementsAre("npm:@types/prop-types@15.7.5 dev", "npm:@types/react@18.0.28 dev",
                  "npm:csstype@3.1.1 dev", "npm:js-tokens@4.0.0", "npm:loose-envify@1.4.0",
                  "npm:react-dom@18.2.0", "npm:react@18.2.0", "npm:scheduler@0.23.0",
                  "npm:typescript@4.9.5 dev"));
}

TEST(PnpmLockAnalyzer, ReadsVersion6StrippingPeerSuffixes) {
  EXPECT_THAT(
      packages_of(kPnpmLockAnalyzer, "app/pnpm-lock.yaml", read_testdata("pnpm/pnpm-lock-v6.yaml")),
      ElementsAre("npm:@tanstack/query-core@4.29.5", "npm:@tanstack/react-query@4.29.5",
                  "npm:js-tokens@4.0.0", "npm:loose-envify@1.4.0", "npm:my-fork@2.0.1",
                  "npm:react-dom@18.2.0", "npm:react@18.2.0", "npm:scheduler@0.23.0",
                  "npm:use-sync-external-store@1.2.0", "npm:vitest@0.31.1 dev"));
}

TEST(PnpmLockAnalyzer, ReadsVersion9PackagesNotSnapshots) {
  EXPECT_THAT(
      packages_of(kPnpmLockAnalyzer, "app/pnpm-lock.yaml", read_testdata("pnpm/pnpm-lock-v9.yaml")),
      ElementsAre("npm:@tanstack/query-core@4.29.5", "npm:@tanstack/react-query@4.29.5",
                  "npm:js-tokens@4.0.0", "npm:loose-envify@1.4.0", "npm:react-dom@18.2.0",
                  "npm:react@18.2.0", "npm:scheduler@0.23.0"));
}

TEST(PnpmLockAnalyzer, MergesPeerVariants) {
  std::string lock =
      "lockfileVersion: '6.0'\n\npackages:\n\n"
      "  /a@1.0.0(react@17.0.2):\n    resolution: {integrity: sha512-x}\n    dev: true\n\n"
      "  /a@1.0.0(react@18.2.0):\n    resolution: {integrity: sha512-x}\n    dev: false\n";
  EXPECT_THAT(packages_of(kPnpmLockAnalyzer, "pnpm-lock.yaml", lock), ElementsAre("npm:a@1.0.0"));
}

TEST(PnpmLockAnalyzer, RejectsMalformedLocks) {
  EXPECT_TRUE(rejects(kPnpmLockAnalyzer, "pnpm-lock.yaml", "packages:\n  /a@1.0.0:\n"));
  EXPECT_TRUE(rejects(kPnpmLockAnalyzer, "pnpm-lock.yaml", "lockfileVersion: banana\n"));
  EXPECT_TRUE(rejects(kPnpmLockAnalyzer, "pnpm-lock.yaml", "lockfileVersion: '6.0x'\n"));
  EXPECT_TRUE(rejects(kPnpmLockAnalyzer, "pnpm-lock.yaml", std::string("lockfileVersion: 5\0", 19)));
  EXPECT_TRUE(rejects(kPnpmLockAnalyzer, "pnpm-lock.yaml", ""));
}

}  // namespace
}  // namespace bulwark::scan
