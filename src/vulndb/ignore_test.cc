// Ignore files: parsing (comments, scoping, expiry, malformed lines with their line numbers) and
// filtering a MatchResult by vulnerability id or alias, package name or purl, and date.
#include "vulndb/ignore.h"

#include <gtest/gtest.h>

#include <fstream>

#include "common/temp_dir.h"

namespace bulwark::vulndb {
namespace {

Finding finding(std::string id, std::vector<std::string> aliases, std::string package,
                std::string purl) {
  Finding f;
  f.vulnerability = std::move(id);
  f.aliases = std::move(aliases);
  f.package_name = std::move(package);
  f.purl = std::move(purl);
  return f;
}

MatchResult sample() {
  MatchResult r;
  r.findings = {
      finding("CVE-2024-1", {"DSA-5600-1", "GHSA-aaaa-bbbb-cccc"}, "openssl",
              "pkg:deb/debian/openssl@3.0.11-1?arch=amd64"),
      finding("CVE-2024-1", {"DSA-5600-1", "GHSA-aaaa-bbbb-cccc"}, "libssl3",
              "pkg:deb/debian/libssl3@3.0.11-1?arch=amd64"),
      finding("CVE-2024-2", {}, "zlib", "pkg:deb/debian/zlib1g@1.2.13?arch=amd64"),
      finding("GHSA-p6mc-m468-83gw", {}, "lodash", "pkg:npm/lodash@4.17.15"),
  };
  r.not_affected = {finding("CVE-2024-1", {}, "bash", "pkg:deb/debian/bash@5.2")};
  return r;
}

std::vector<std::string> remaining(const MatchResult& r) {
  std::vector<std::string> out;
  for (const auto& f : r.findings) out.push_back(f.vulnerability + " " + f.package_name);
  return out;
}

IgnoreList parse_ok(std::string_view text) {
  auto list = parse_ignore_list(text);
  EXPECT_TRUE(list.has_value()) << list.error().message;
  return list ? *list : IgnoreList{};
}

TEST(IgnoreFile, ParsesEntriesCommentsAndBlankLines) {
  IgnoreList list = parse_ok(
      "# accepted risks\n"
      "\n"
      "CVE-2024-1\n"
      "   GHSA-p6mc-m468-83gw  lodash   # dev only\n"
      "CVE-2024-2 pkg:deb/debian/zlib1g exp:2024-06-30\n"
      "CVE-2024-3 exp:2025-01-31\r\n");
  ASSERT_EQ(list.entries.size(), 4u);
  EXPECT_EQ(list.entries[0].id, "CVE-2024-1");
  EXPECT_EQ(list.entries[0].line, 3);
  EXPECT_EQ(list.entries[1].package, "lodash");
  EXPECT_EQ(list.entries[1].line, 4);
  EXPECT_EQ(list.entries[2].package, "pkg:deb/debian/zlib1g");
  EXPECT_EQ(list.entries[2].expires, "2024-06-30");
  EXPECT_EQ(list.entries[3].package, "");
  EXPECT_EQ(list.entries[3].expires, "2025-01-31");
}

TEST(IgnoreFile, MalformedLinesNameTheLine) {
  struct Case {
    std::string text;
    std::string expected;
  };
  const Case cases[] = {
      {"CVE-1\nCVE-2 exp:2024-13-01\n", "line 2:"},
      {"CVE-1 exp:2023-02-29\n", "line 1:"},  // not a leap year
      {"CVE-1 exp:tomorrow\n", "line 1:"},
      {"\n\nCVE-1 openssl libssl3\n", "line 3:"},
      {"CVE-1 exp:2024-01-01 exp:2024-02-01\n", "line 1:"},
      {"CVE-1 exp:2024-01-01 openssl\n", "line 1:"},
      {"exp:2024-01-01\n", "line 1:"},
      {"# ok\n\"CVE-1\"\n", "line 2:"},
  };
  for (const auto& c : cases) {
    auto list = parse_ignore_list(c.text);
    ASSERT_FALSE(list.has_value()) << c.text;
    EXPECT_EQ(list.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(list.error().message.rfind(c.expected, 0), 0u) << c.text << " -> " << list.error().message;
  }
  EXPECT_TRUE(parse_ignore_list("CVE-1 exp:2024-02-29\n").has_value());  // a leap day
}

TEST(IgnoreFile, IdMatchesVulnerabilityOrAliasIgnoringCase) {
  MatchResult r = sample();
  EXPECT_EQ(apply_ignore_list(parse_ok("dsa-5600-1\n"), "2024-05-01", r), 2u);
  EXPECT_EQ(remaining(r), (std::vector<std::string>{"CVE-2024-2 zlib", "GHSA-p6mc-m468-83gw lodash"}));
  EXPECT_EQ(r.not_affected.size(), 1u);

  r = sample();
  EXPECT_EQ(apply_ignore_list(parse_ok("CVE-2024-9\n"), "2024-05-01", r), 0u);
  EXPECT_EQ(r.findings.size(), 4u);
}

TEST(IgnoreFile, PackageScope) {
  MatchResult r = sample();
  EXPECT_EQ(apply_ignore_list(parse_ok("CVE-2024-1 libssl3\n"), "2024-05-01", r), 1u);
  EXPECT_EQ(remaining(r), (std::vector<std::string>{"CVE-2024-1 openssl", "CVE-2024-2 zlib",
                                                    "GHSA-p6mc-m468-83gw lodash"}));
  // A purl without version matches every version; a purl prefix that is not a whole name does not.
  r = sample();
  EXPECT_EQ(apply_ignore_list(parse_ok("CVE-2024-1 pkg:deb/debian/openssl\n"
                                       "CVE-2024-2 pkg:deb/debian/zlib\n"),
                              "2024-05-01", r),
            1u);
  EXPECT_EQ(remaining(r), (std::vector<std::string>{"CVE-2024-1 libssl3", "CVE-2024-2 zlib",
                                                    "GHSA-p6mc-m468-83gw lodash"}));
  // An exact purl with version; a different version does not match.
  r = sample();
  EXPECT_EQ(apply_ignore_list(parse_ok("GHSA-p6mc-m468-83gw pkg:npm/lodash@4.17.15\n"
                                       "CVE-2024-2 pkg:deb/debian/zlib1g@1.2.12\n"),
                              "2024-05-01", r),
            1u);
  EXPECT_EQ(r.findings.size(), 3u);
}

TEST(IgnoreFile, ExpiryIsInclusive) {
  IgnoreList list = parse_ok("CVE-2024-2 exp:2024-06-30\n");
  MatchResult r = sample();
  EXPECT_EQ(apply_ignore_list(list, "2024-06-29", r), 1u);
  r = sample();
  EXPECT_EQ(apply_ignore_list(list, "2024-06-30", r), 1u);
  r = sample();
  EXPECT_EQ(apply_ignore_list(list, "2024-07-01", r), 0u);
  r = sample();
  EXPECT_EQ(apply_ignore_list(list, "2025-01-01", r), 0u);
}

TEST(IgnoreFile, UtcDate) {
  EXPECT_EQ(utc_date(0), "1970-01-01");
  EXPECT_EQ(utc_date(1714564799), "2024-05-01");
  EXPECT_EQ(utc_date(1709164800), "2024-02-29");
}

TEST(IgnoreFile, LoadFromDisk) {
  TempDir dir("vulndb-ignore-test");
  std::ofstream(dir.file("ok")) << "CVE-2024-1\n";
  std::ofstream(dir.file("bad")) << "CVE-2024-1\nCVE-2 a b\n";
  auto ok = load_ignore_file(dir.file("ok"));
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(ok->entries.size(), 1u);
  auto bad = load_ignore_file(dir.file("bad"));
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("line 2"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find(dir.file("bad")), std::string::npos);
  auto missing = load_ignore_file(dir.file("missing"));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace bulwark::vulndb
