// kApkAnalyzer on apk's installed database.
#include <gtest/gtest.h>

#include "scan/analyzer.h"

namespace bulwark::scan {
extern const Analyzer kApkAnalyzer;
namespace {

Result<std::vector<Package>> scan(std::string_view content) {
  Findings findings;
  BULWARK_TRY_VOID(kApkAnalyzer.analyze(FileInput{"lib/apk/db/installed", content, 0644}, findings));
  return findings.packages;
}

// Abridged from an alpine:3.19 image.
constexpr std::string_view kInstalled =
    "C:Q1+Z2dS5aT0tn8Axkk/JfyzgLqLbM=\n"
    "P:musl\n"
    "V:1.2.4_git20230717-r4\n"
    "A:x86_64\n"
    "S:407047\n"
    "I:663552\n"
    "T:the musl c library (libc) implementation\n"
    "U:https://musl.libc.org/\n"
    "L:MIT\n"
    "o:musl\n"
    "m:Timo Teras <timo.teras@iki.fi>\n"
    "t:1700488302\n"
    "F:lib\n"
    "R:ld-musl-x86_64.so.1\n"
    "a:0:0:755\n"
    "Z:Q1ZeVhy4qu9P8VQbxnnBcDHIxL1Hg=\n"
    "\n"
    "P:libcrypto3\n"
    "V:3.1.4-r5\n"
    "A:x86_64\n"
    "L:Apache-2.0\n"
    "o:openssl\n"
    "\n"
    "P:busybox\n"
    "V:1.36.1-r15\n"
    "A:x86_64\n"
    "L:GPL-2.0-only\n"
    "o:busybox\n"
    "\n"
    "P:ssl_client\n"
    "V:1.36.1-r15\n"
    "A:x86_64\n"
    "L:GPL-2.0-only LGPL-2.1-or-later\n"
    "o:busybox\n"
    "\n"
    "P:zlib\n"
    "V:1.3.1-r0\n"
    "A:x86_64\n"
    "L:Zlib AND (MIT OR Apache-2.0)\n"
    "o:zlib\n"
    "\n"
    "P:old\n"
    "V:1-r0\n"
    "A:x86_64\n"
    "L:GPL2+ and  BSD\n";

TEST(ApkAnalyzerTest, WantsTheInstalledDatabase) {
  EXPECT_TRUE(kApkAnalyzer.wants("lib/apk/db/installed", 0644, 100));
  EXPECT_TRUE(kApkAnalyzer.wants("usr/lib/apk/db/installed", 0644, 100));
  EXPECT_FALSE(kApkAnalyzer.wants("lib/apk/db/triggers", 0644, 100));
  EXPECT_FALSE(kApkAnalyzer.wants("x/lib/apk/db/installed", 0644, 100));
}

TEST(ApkAnalyzerTest, ReadsPackagesOriginsAndLicenses) {
  auto packages = scan(kInstalled);
  ASSERT_TRUE(packages) << packages.error().message;
  ASSERT_EQ(packages->size(), 6u);
  const Package& musl = (*packages)[0];
  EXPECT_EQ(musl.type, "apk");
  EXPECT_EQ(musl.name, "musl");
  EXPECT_EQ(musl.version, "1.2.4_git20230717-r4");
  EXPECT_EQ(musl.arch, "x86_64");
  EXPECT_EQ(musl.source_name, "musl");
  EXPECT_EQ(musl.licenses, std::vector<std::string>{"MIT"});
  EXPECT_EQ((*packages)[1].source_name, "openssl");
  EXPECT_EQ((*packages)[3].licenses, (std::vector<std::string>{"GPL-2.0-only", "LGPL-2.1-or-later"}));
  EXPECT_EQ((*packages)[4].licenses, std::vector<std::string>{"Zlib AND (MIT OR Apache-2.0)"});
  EXPECT_EQ((*packages)[5].licenses, std::vector<std::string>{"GPL2+ and BSD"});
  EXPECT_EQ((*packages)[5].source_name, "");
}

TEST(ApkAnalyzerTest, MalformedDatabasesAreErrors) {
  EXPECT_FALSE(scan("P:a\nnot a field\n"));
  EXPECT_FALSE(scan("P:a\n\nP:b\nV:1\n"));  // a record without V:
  EXPECT_FALSE(scan("V:1\nA:x86_64\n"));    // without P:
  auto empty = scan("\n\n");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  auto crlf = scan("P:a\r\nV:1-r0\r\n\r\nP:b\r\nV:2-r0");
  ASSERT_TRUE(crlf);
  ASSERT_EQ(crlf->size(), 2u);
  EXPECT_EQ((*crlf)[0].version, "1-r0");
}

}  // namespace
}  // namespace bulwark::scan
