// kOsReleaseAnalyzer: os-release files (quoting checked against the shell's own reading, as
// os-release(5) defines the syntax as shell-compatible) and the distributions' release files.
#include <gtest/gtest.h>
#include <stdio.h>

#include <fstream>

#include "common/temp_dir.h"
#include "scan/analyzer.h"

namespace bulwark::scan {
extern const Analyzer kOsReleaseAnalyzer;
namespace {

Result<OsRelease> scan(std::string_view path, std::string_view content) {
  Findings findings;
  BULWARK_TRY_VOID(kOsReleaseAnalyzer.analyze(FileInput{path, content, 0644}, findings));
  EXPECT_TRUE(findings.packages.empty());
  if (!findings.os) return fail(ErrorCode::kInternal, "no os");
  return *findings.os;
}

// What `sh` makes of the variables of an os-release file.
std::vector<std::string> shell_reading(const std::string& content) {
  TempDir dir("scan-os");
  std::ofstream(dir.file("os-release")) << content;
  std::string command = "sh -c '. \"$1\" && printf \"%s\\n\" \"$ID\" \"$VERSION_ID\" \"$VERSION_CODENAME\" "
                        "\"$PRETTY_NAME\"' sh " + dir.file("os-release");
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  std::string out;
  char buffer[256];
  size_t n;
  while (pipe != nullptr && (n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  EXPECT_EQ(pipe == nullptr ? -1 : pclose(pipe), 0);
  std::vector<std::string> values;
  for (std::string_view line : split_lines(out)) values.emplace_back(line);
  return values;
}

TEST(OsReleaseAnalyzerTest, WantsReleaseFilesOnly) {
  for (std::string_view path : {"etc/os-release", "usr/lib/os-release", "etc/debian_version", "etc/alpine-release",
                                "etc/redhat-release", "etc/centos-release", "etc/rocky-release",
                                "etc/almalinux-release", "etc/system-release", "etc/lsb-release"}) {
    EXPECT_TRUE(kOsReleaseAnalyzer.wants(path, 0644, 100)) << path;
  }
  for (std::string_view path : {"os-release", "x/etc/os-release", "etc/os-release.d", "etc/issue"}) {
    EXPECT_FALSE(kOsReleaseAnalyzer.wants(path, 0644, 100)) << path;
  }
}

TEST(OsReleaseAnalyzerTest, DebianOsRelease) {
  auto os = scan("usr/lib/os-release",
                 "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n"
                 "VERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n"
                 "HOME_URL=\"https://www.debian.org/\"\n");
  ASSERT_TRUE(os) << os.error().message;
  EXPECT_EQ(os->family, "debian");
  EXPECT_EQ(os->version, "12");
  EXPECT_EQ(os->codename, "bookworm");
  EXPECT_EQ(os->pretty_name, "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(os->evidence, "/usr/lib/os-release");
}

TEST(OsReleaseAnalyzerTest, TestingHasOnlyACodenameAndIdIsLowerCased) {
  auto os = scan("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nID=Debian\nVERSION_CODENAME=trixie\n");
  ASSERT_TRUE(os);
  EXPECT_EQ(os->family, "debian");
  EXPECT_EQ(os->version, "trixie");
  EXPECT_EQ(os->evidence, "/etc/os-release");
  auto bare = scan("etc/os-release", "NAME=Linux\n");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->family, "linux");  // os-release(5)'s default ID
  EXPECT_FALSE(scan("etc/os-release", "# only a comment\n\n"));
}

TEST(OsReleaseAnalyzerTest, QuotingAgreesWithTheShell) {
  const std::vector<std::string> files = {
      "ID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME=\"Alpine Linux v3.19\"\n",
      "# comment\nID='rhel'\nVERSION_ID=\"8.9\"\nPRETTY_NAME=\"Red Hat Enterprise Linux 8.9 (Ootpa)\"\n",
      "ID=Fancy\nVERSION_ID='1.2'\nVERSION_CODENAME=co\\ de\n"
      "PRETTY_NAME=\"Fancy \\\"Linux\\\" \\$HOME \\`x\\` \\\\ back\"'single \\n'plain\n",
      "ID=ubuntu\r\nVERSION_ID=\"22.04\"\r\nVERSION_CODENAME=jammy\r\nPRETTY_NAME=\"Ubuntu 22.04.3 LTS\"\r\n",
  };
  for (const std::string& file : files) {
    std::vector<std::string> shell = shell_reading(file);
    ASSERT_EQ(shell.size(), 4u) << file;
    // The shell keeps the \r of CRLF files; os-release readers (systemd) drop it, as we do.
    for (std::string& value : shell) {
      if (!value.empty() && value.back() == '\r') value.pop_back();
    }
    for (char& c : shell[0]) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto os = scan("etc/os-release", file);
    ASSERT_TRUE(os);
    EXPECT_EQ((std::vector<std::string>{os->family, os->version, os->codename, os->pretty_name}), shell) << file;
  }
}

struct ReleaseCase {
  std::string_view path, content, family, version, codename;
};

TEST(OsReleaseAnalyzerTest, DistributionReleaseFiles) {
  const ReleaseCase cases[] = {
      {"etc/debian_version", "12.5\n", "debian", "12", ""},
      {"etc/debian_version", "10.13\n", "debian", "10", ""},
      {"etc/debian_version", "bookworm/sid\n", "debian", "bookworm/sid", ""},
      {"etc/alpine-release", "3.19.1\n", "alpine", "3.19.1", ""},
      {"etc/centos-release", "CentOS Linux release 7.9.2009 (Core)\n", "centos", "7.9.2009", "Core"},
      {"etc/redhat-release", "CentOS Stream release 8\n", "centos", "8", ""},
      {"etc/redhat-release", "Red Hat Enterprise Linux release 8.9 (Ootpa)\n", "rhel", "8.9", "Ootpa"},
      {"etc/redhat-release", "Red Hat Enterprise Linux Server release 7.9 (Maipo)\n", "rhel", "7.9", "Maipo"},
      {"etc/rocky-release", "Rocky Linux release 9.3 (Blue Onyx)\n", "rocky", "9.3", "Blue Onyx"},
      {"etc/almalinux-release", "AlmaLinux release 8.9 (Midnight Oncilla)\n", "almalinux", "8.9",
       "Midnight Oncilla"},
      {"etc/system-release", "Amazon Linux release 2 (Karoo)\n", "amzn", "2", "Karoo"},
      {"etc/system-release", "Fedora release 39 (Thirty Nine)\n", "fedora", "39", "Thirty Nine"},
      {"etc/redhat-release", "Some Rebuild release 8.4\n", "rhel", "8.4", ""},
      {"etc/lsb-release",
       "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION=\"Ubuntu 22.04.3 LTS\"\n",
       "ubuntu", "22.04", "jammy"},
  };
  for (const ReleaseCase& c : cases) {
    auto os = scan(c.path, c.content);
    ASSERT_TRUE(os) << c.content << os.error().message;
    EXPECT_EQ(os->family, c.family) << c.content;
    EXPECT_EQ(os->version, c.version) << c.content;
    EXPECT_EQ(os->codename, c.codename) << c.content;
    EXPECT_EQ(os->evidence, "/" + std::string(c.path));
    EXPECT_FALSE(os->pretty_name.empty());
  }
  EXPECT_EQ(scan("etc/centos-release", "CentOS Linux release 7.9.2009 (Core)\n")->pretty_name,
            "CentOS Linux release 7.9.2009 (Core)");
}

TEST(OsReleaseAnalyzerTest, UnreadableReleaseFilesAreErrors) {
  EXPECT_FALSE(scan("etc/debian_version", ""));
  EXPECT_FALSE(scan("etc/alpine-release", "\n"));
  EXPECT_FALSE(scan("etc/system-release", "Unknown OS 5\n"));
  EXPECT_FALSE(scan("etc/system-release", "Mystery release 5\n"));  // no distribution to name
  EXPECT_FALSE(scan("etc/redhat-release", "CentOS Linux release \n"));
  EXPECT_FALSE(scan("etc/lsb-release", "DISTRIB_RELEASE=1\n"));
  EXPECT_FALSE(scan("etc/os-release-not", "ID=x\n"));
}

}  // namespace
}  // namespace bulwark::scan
