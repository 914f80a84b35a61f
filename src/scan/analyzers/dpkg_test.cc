// kDpkgAnalyzer and kDpkgDistrolessAnalyzer on hand-written status files (the comparison with
// dpkg-query on a real Debian tree is os_rootfs_test.cc).
#include <gtest/gtest.h>

#include "scan/analyzer.h"

namespace bulwark::scan {
extern const Analyzer kDpkgAnalyzer, kDpkgDistrolessAnalyzer;
namespace {

Result<std::vector<Package>> scan(const Analyzer& analyzer, std::string_view path, std::string_view content) {
  Findings findings;
  BULWARK_TRY_VOID(analyzer.analyze(FileInput{path, content, 0644}, findings));
  return findings.packages;
}

std::vector<std::string> names(const std::vector<Package>& packages) {
  std::vector<std::string> out;
  for (const Package& p : packages) out.push_back(p.name);
  return out;
}

constexpr std::string_view kStatus =
    "Package: libc6\n"
    "Status: install ok installed\n"
    "Priority: optional\n"
    "Architecture: amd64\n"
    "Multi-Arch: same\n"
    "Source: glibc\n"
    "Version: 2.36-9+deb12u4\n"
    "Description: GNU C Library: Shared libraries\n"
    " Contains the standard libraries.\n"
    " .\n"
    " Source: not-a-field (0)\n"
    "\n"
    "Package: bash\n"
    "Status: install ok installed\n"
    "Architecture: amd64\n"
    "Source: bash (5.2.15-2)\n"
    "Version: 5.2.15-2+b2\n"
    "\n"
    "Package: oldconf\n"
    "Status: deinstall ok config-files\n"
    "Architecture: all\n"
    "Version: 1.0\n"
    "\n"
    "Package: purged\n"
    "Status: purge ok not-installed\n"
    "Architecture: all\n"
    "\n"
    "Package: halfway\n"
    "Status: install reinstreq half-installed\n"
    "Architecture: amd64\n"
    "Version: 1:2.0\n"
    "\n"
    "package: removing\n"
    "status: deinstall ok installed\n"
    "architecture: arm64\n"
    "version: 3\n";

TEST(DpkgAnalyzerTest, WantsOnlyTheStatusFile) {
  EXPECT_TRUE(kDpkgAnalyzer.wants("var/lib/dpkg/status", 0644, 100));
  EXPECT_FALSE(kDpkgAnalyzer.wants("var/lib/dpkg/status-old", 0644, 100));
  EXPECT_FALSE(kDpkgAnalyzer.wants("x/var/lib/dpkg/status", 0644, 100));
  EXPECT_FALSE(kDpkgAnalyzer.wants("var/lib/dpkg/status.d/base", 0644, 100));
}

TEST(DpkgAnalyzerTest, ParsesStanzasSourcesAndStates) {
  auto packages = scan(kDpkgAnalyzer, "var/lib/dpkg/status", kStatus);
  ASSERT_TRUE(packages) << packages.error().message;
  // config-files and not-installed packages have no files on disk; the others do.
  EXPECT_EQ(names(*packages), (std::vector<std::string>{"libc6", "bash", "halfway", "removing"}));
  const Package& libc = (*packages)[0];
  EXPECT_EQ(libc.type, "deb");
  EXPECT_EQ(libc.version, "2.36-9+deb12u4");
  EXPECT_EQ(libc.arch, "amd64");
  EXPECT_EQ(libc.source_name, "glibc");
  EXPECT_EQ(libc.source_version, "2.36-9+deb12u4");  // no version in Source: the binary's
  EXPECT_FALSE(libc.epoch.has_value());
  EXPECT_TRUE(libc.licenses.empty());
  const Package& bash = (*packages)[1];
  EXPECT_EQ(bash.version, "5.2.15-2+b2");
  EXPECT_EQ(bash.source_name, "bash");
  EXPECT_EQ(bash.source_version, "5.2.15-2");
  const Package& halfway = (*packages)[2];
  EXPECT_EQ(halfway.version, "1:2.0");  // the epoch stays in a deb version
  EXPECT_EQ(halfway.source_name, "halfway");
  EXPECT_EQ(halfway.source_version, "1:2.0");
  EXPECT_EQ((*packages)[3].arch, "arm64");  // field names are case-insensitive
}

TEST(DpkgAnalyzerTest, CrlfAndMissingFinalNewline) {
  auto packages = scan(kDpkgAnalyzer, "var/lib/dpkg/status",
                       "Package: a\r\nStatus: install ok installed\r\nVersion: 1\r\n\r\n\r\n"
                       "Package: b\nStatus: install ok installed\nVersion: 2");
  ASSERT_TRUE(packages);
  EXPECT_EQ(names(*packages), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ((*packages)[0].version, "1");
}

TEST(DpkgAnalyzerTest, MalformedFilesAreErrors) {
  EXPECT_FALSE(scan(kDpkgAnalyzer, "var/lib/dpkg/status", "Package a\n"));
  EXPECT_FALSE(scan(kDpkgAnalyzer, "var/lib/dpkg/status", ": value\n"));
  EXPECT_FALSE(scan(kDpkgAnalyzer, "var/lib/dpkg/status", "Status: install ok installed\nVersion: 1\n"));
  EXPECT_FALSE(scan(kDpkgAnalyzer, "var/lib/dpkg/status", "Package: a\nStatus: install ok installed\n"));
  EXPECT_FALSE(scan(kDpkgAnalyzer, "var/lib/dpkg/status",
                    "Package: a\nStatus: install ok installed\nVersion: 1\nSource: b (2\n"));
  auto empty = scan(kDpkgAnalyzer, "var/lib/dpkg/status", "");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  // A status file without Status lines lists nothing installed.
  auto no_status = scan(kDpkgAnalyzer, "var/lib/dpkg/status", "Package: a\nVersion: 1\n");
  ASSERT_TRUE(no_status);
  EXPECT_TRUE(no_status->empty());
}

TEST(DpkgDistrolessAnalyzerTest, WantsPackageFilesButNotChecksums) {
  EXPECT_TRUE(kDpkgDistrolessAnalyzer.wants("var/lib/dpkg/status.d/base-files", 0644, 100));
  EXPECT_TRUE(kDpkgDistrolessAnalyzer.wants("var/lib/dpkg/status.d/libssl3", 0644, 100));
  EXPECT_FALSE(kDpkgDistrolessAnalyzer.wants("var/lib/dpkg/status.d/libssl3.md5sums", 0644, 100));
  EXPECT_FALSE(kDpkgDistrolessAnalyzer.wants("var/lib/dpkg/status.d/", 0644, 100));
  EXPECT_FALSE(kDpkgDistrolessAnalyzer.wants("var/lib/dpkg/status.d/a/b", 0644, 100));
  EXPECT_FALSE(kDpkgDistrolessAnalyzer.wants("var/lib/dpkg/status", 0644, 100));
}

TEST(DpkgDistrolessAnalyzerTest, OneStanzaWithoutStatus) {
  // As distroless's base image ships it (no Status field).
  auto packages = scan(kDpkgDistrolessAnalyzer, "var/lib/dpkg/status.d/libssl3",
                       "Package: libssl3\nSource: openssl\nVersion: 3.0.11-1~deb12u2\nArchitecture: amd64\n"
                       "Maintainer: Debian OpenSSL Team\nInstalled-Size: 6168\nSection: libs\n"
                       "Description: Secure Sockets Layer toolkit - shared libraries\n");
  ASSERT_TRUE(packages);
  ASSERT_EQ(packages->size(), 1u);
  EXPECT_EQ((*packages)[0].name, "libssl3");
  EXPECT_EQ((*packages)[0].source_name, "openssl");
  EXPECT_EQ((*packages)[0].source_version, "3.0.11-1~deb12u2");
  EXPECT_EQ((*packages)[0].type, "deb");
  // A Status, when present, is honoured.
  auto removed = scan(kDpkgDistrolessAnalyzer, "var/lib/dpkg/status.d/x",
                      "Package: x\nStatus: deinstall ok config-files\nVersion: 1\n");
  ASSERT_TRUE(removed);
  EXPECT_TRUE(removed->empty());
}

}  // namespace
}  // namespace bulwark::scan
