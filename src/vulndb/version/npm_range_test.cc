#include "vulndb/version/npm_range.h"

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace bulwark::vulndb {
namespace {

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

// Lines of testdata/<name> that are not comments, with their line numbers.
std::vector<std::pair<int, std::vector<std::string>>> read_lines(const std::string& name) {
  std::ifstream in(std::string(VULNDB_VERSION_TESTDATA_DIR) + "/" + name);
  EXPECT_TRUE(in) << name;
  std::vector<std::pair<int, std::vector<std::string>>> out;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    out.emplace_back(number, split_tabs(line));
  }
  return out;
}

bool in(std::string_view range, std::string_view version, bool include_prerelease = false) {
  auto r = parse_npm_range(range);
  EXPECT_TRUE(r) << range << ": " << r.error().message;
  return r && r->contains(version, include_prerelease);
}

// npm_range.vectors holds semver.satisfies() answers from the npm package itself
// (tests/semver/gen-vectors.js), with and without includePrerelease.
TEST(NpmRangeTest, MatchesNpmSemverPackage) {
  size_t checked = 0, invalid = 0;
  for (const auto& [line, f] : read_lines("npm_range.vectors")) {
    SCOPED_TRACE("npm_range.vectors:" + std::to_string(line));
    if (f.size() == 2 && f[0] == "invalid") {
      EXPECT_FALSE(parse_npm_range(f[1])) << "'" << f[1] << "' should be rejected";
      ++invalid;
      continue;
    }
    ASSERT_EQ(f.size(), 4u);
    auto r = parse_npm_range(f[2]);
    ASSERT_TRUE(r) << "'" << f[2] << "': " << r.error().message;
    EXPECT_EQ(r->contains(f[3]), f[0] == "1") << "range '" << f[2] << "' version '" << f[3] << "'";
    EXPECT_EQ(r->contains(f[3], true), f[1] == "1")
        << "includePrerelease: range '" << f[2] << "' version '" << f[3] << "'";
    ++checked;
  }
  EXPECT_GT(checked, 5000u);
  EXPECT_GT(invalid, 10u);
}

TEST(NpmRangeTest, MatchesNodeSemverRangeFixtures) {
  size_t checked = 0;
  for (auto [line, f] : read_lines("npm_range_fixtures.vectors")) {
    SCOPED_TRACE("npm_range_fixtures.vectors:" + std::to_string(line));
    ASSERT_GE(f.size(), 3u);
    for (size_t p; (p = f[1].find("\\t")) != std::string::npos;) f[1].replace(p, 2, "\t");
    const bool include_prerelease = f.size() == 4 && f[3] == "includePrerelease";
    EXPECT_EQ(in(f[1], f[2], include_prerelease), f[0] == "include")
        << "range '" << f[1] << "' version '" << f[2] << "'";
    ++checked;
  }
  EXPECT_GT(checked, 150u);
}

TEST(NpmRangeTest, CaretTildeAndXRangesDesugarLikeNpm) {
  EXPECT_TRUE(in("^0.2.3", "0.2.9"));
  EXPECT_FALSE(in("^0.2.3", "0.3.0"));
  EXPECT_TRUE(in("^0.0.3", "0.0.3"));
  EXPECT_FALSE(in("^0.0.3", "0.0.4"));
  EXPECT_TRUE(in("^0.x", "0.9.0"));
  EXPECT_FALSE(in("^0.x", "1.0.0"));
  EXPECT_TRUE(in("~1.2", "1.2.9"));
  EXPECT_FALSE(in("~1.2", "1.3.0"));
  EXPECT_TRUE(in("1.2.3 - 2.3", "2.3.9"));
  EXPECT_FALSE(in("1.2.3 - 2.3", "2.4.0"));
  EXPECT_TRUE(in("<=1.2", "1.2.99"));  // "<=1.2" is "<1.3.0-0"
  EXPECT_FALSE(in(">1.2", "1.2.99"));  // ">1.2" is ">=1.3.0"
  EXPECT_TRUE(in("", "0.0.0"));
  EXPECT_FALSE(in(">*", "1.0.0"));
}

TEST(NpmRangeTest, PrereleaseNeedsAComparatorOnTheSameRelease) {
  EXPECT_TRUE(in(">=1.2.3-beta.1 <2", "1.2.3-beta.2"));
  EXPECT_FALSE(in(">=1.2.3-beta.1 <2", "1.2.4-beta.1"));
  EXPECT_TRUE(in(">=1.2.3-beta.1 <2", "1.2.4-beta.1", true));
  EXPECT_FALSE(in("* || 1.2.3-beta", "1.2.3-beta"));  // "*" absorbs the other alternatives
  EXPECT_TRUE(in("1.2.3-beta || 2.x", "1.2.3-beta"));
}

TEST(NpmRangeTest, VersionsAreStrictSemverWithOptionalV) {
  EXPECT_TRUE(in("1.2.3", "v1.2.3"));
  EXPECT_TRUE(in("1.2.3", " 1.2.3 "));
  EXPECT_TRUE(in("=v1.2.3", "1.2.3+build"));
  EXPECT_FALSE(in("*", "=1.2.3"));
  EXPECT_FALSE(in("*", "1.2"));
  EXPECT_FALSE(in("*", ""));
  EXPECT_FALSE(in("*", "9007199254740992.0.0"));
}

TEST(NpmRangeTest, RejectsMalformedRanges) {
  for (std::string_view bad : {"~", ">", "1.2.3 -2", "x.1", "==1.2.3", "01.2.3", "1.2.3.4", "a || 1"}) {
    auto r = parse_npm_range(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(NpmRangeTest, ArbitraryInputNeverCrashes) {
  std::mt19937 rng(77);
  const std::string alphabet = "0123456789.-+xX*~^<>=| v\tab";
  int parsed = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string range, version;
    for (int k = static_cast<int>(rng() % 16); k > 0; --k) range += alphabet[rng() % alphabet.size()];
    for (int k = static_cast<int>(rng() % 10); k > 0; --k) version += alphabet[rng() % alphabet.size()];
    if (auto r = parse_npm_range(range)) {
      ++parsed;
      (void)r->contains(version);
      (void)r->contains(version, true);
    }
  }
  EXPECT_GT(parsed, 0);
}

}  // namespace
}  // namespace bulwark::vulndb
