// The OS analyzers on a real Debian bookworm root file system made by debootstrap
// (tests/make-rootfs.sh; CTest builds it once per build directory as the fixture
// scan_bookworm_rootfs and passes its path in BULWARK_ROOTFS; run alone, the test builds it).
// kDpkgAnalyzer must list exactly what dpkg-query lists.
#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "scan/analyzer.h"

namespace bulwark::scan {
extern const Analyzer kDpkgAnalyzer, kOsReleaseAnalyzer;
namespace {

std::string rootfs() {
  const char* env = getenv("BULWARK_ROOTFS");
  std::string dir = env != nullptr && *env != '\0' ? env : SCAN_DEFAULT_ROOTFS;
  if (!std::filesystem::exists(dir + "/.complete")) {
    std::string command = std::string("bash ") + SCAN_MAKE_ROOTFS + " '" + dir + "'";
    EXPECT_EQ(system(command.c_str()), 0) << command;
  }
  return dir;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string run(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr) << command;
  if (pipe == nullptr) return "";
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  EXPECT_EQ(pclose(pipe), 0) << command;
  return out;
}

TEST(BookwormRootfsTest, DpkgEqualsDpkgQuery) {
  std::string root = rootfs();
  std::string status = read_file(root + "/var/lib/dpkg/status");
  Findings findings;
  ASSERT_TRUE(kDpkgAnalyzer.analyze(FileInput{"var/lib/dpkg/status", status, 0644}, findings));
  std::vector<std::string> got;
  for (const Package& p : findings.packages) {
    EXPECT_EQ(p.type, "deb");
    got.push_back(p.name + "\t" + p.version + "\t" + p.source_name + "\t" + p.source_version + "\t" + p.arch);
  }

  // dpkg-query -W lists every package that is not "not-installed"; the analyzer leaves out
  // "config-files" ones too (their files are gone): the status letter is the second of the abbrev.
  std::string listing = run("dpkg-query --admindir='" + root + "/var/lib/dpkg' -W -f='${Package}\\t${Version}\\t"
                            "${source:Package}\\t${source:Version}\\t${Architecture}\\t${db:Status-Abbrev}\\n'");
  std::vector<std::string> expected;
  for (std::string_view line : split_lines(listing)) {
    if (line.empty()) continue;
    size_t last_tab = line.rfind('\t');
    std::string_view abbrev = line.substr(last_tab + 1);
    ASSERT_GE(abbrev.size(), 2u) << line;
    if (abbrev[1] == 'n' || abbrev[1] == 'c') continue;
    expected.emplace_back(line.substr(0, last_tab));
  }
  ASSERT_GT(expected.size(), 50u);
  std::sort(got.begin(), got.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(got, expected);
}

TEST(BookwormRootfsTest, OsReleaseAndDebianVersionAgree) {
  std::string root = rootfs();
  Findings from_os_release, from_debian_version;
  std::string os_release = read_file(root + "/usr/lib/os-release");
  std::string debian_version = read_file(root + "/etc/debian_version");
  ASSERT_TRUE(kOsReleaseAnalyzer.analyze(FileInput{"usr/lib/os-release", os_release, 0644}, from_os_release));
  ASSERT_TRUE(kOsReleaseAnalyzer.analyze(FileInput{"etc/debian_version", debian_version, 0644},
                                         from_debian_version));
  ASSERT_TRUE(from_os_release.os && from_debian_version.os);
  EXPECT_EQ(from_os_release.os->family, "debian");
  EXPECT_EQ(from_os_release.os->version, "12");
  EXPECT_EQ(from_os_release.os->codename, "bookworm");
  EXPECT_EQ(from_debian_version.os->family, "debian");
  EXPECT_EQ(from_debian_version.os->version, from_os_release.os->version);
}

}  // namespace
}  // namespace bulwark::scan
