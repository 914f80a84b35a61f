#include "vulndb/version/range.h"

#include <gtest/gtest.h>

namespace bulwark::vulndb {
namespace {

const VersionScheme& scheme(std::string_view type) { return *version_scheme_for(type); }

VersionRange parse(std::string_view text) {
  auto r = parse_version_range(text);
  EXPECT_TRUE(r.has_value()) << text << ": " << (r ? "" : r.error().message);
  return r ? *r : VersionRange{};
}

bool in(std::string_view range, std::string_view type, std::string_view version) {
  return parse(range).contains(scheme(type), version);
}

TEST(VersionRangeTest, ComparatorListIsAnAndGroup) {
  VersionRange r = parse(">=1.2.0, <1.4.3");
  EXPECT_EQ(r.kind, VersionRange::Kind::kComparators);
  ASSERT_EQ(r.any_of.size(), 1u);
  EXPECT_EQ(r.any_of[0], (std::vector<VersionConstraint>{{RangeOp::kGe, "1.2.0"},
                                                         {RangeOp::kLt, "1.4.3"}}));
  const VersionScheme& npm = scheme("npm");
  EXPECT_FALSE(r.contains(npm, "1.1.9"));
  EXPECT_TRUE(r.contains(npm, "1.2.0"));
  EXPECT_TRUE(r.contains(npm, "1.4.2"));
  EXPECT_FALSE(r.contains(npm, "1.4.3"));
  EXPECT_TRUE(r.contains(npm, "1.4.3-rc.1"));  // a pre-release of the bound is below it
}

TEST(VersionRangeTest, GithubAdvisoryStyleWithSpacesAfterOperators) {
  EXPECT_TRUE(in(">= 1.2.0, < 1.4.3", "npm", "1.3.0"));
  EXPECT_FALSE(in(">= 1.2.0, < 1.4.3", "npm", "1.4.3"));
  EXPECT_TRUE(in("<= 2.0", "pypi", "2.0.0"));
  EXPECT_TRUE(in("= 1.2.3", "npm", "1.2.3"));
  // npm-style whitespace between constraints is also AND.
  EXPECT_TRUE(in(">=1.2.0 <1.4.3", "npm", "1.2.5"));
  EXPECT_FALSE(in(">=1.2.0 <1.4.3", "npm", "1.5.0"));
}

TEST(VersionRangeTest, DoubleBarIsOr) {
  VersionRange r = parse("<1.0.0 || >=2.0.0, <2.5.0 || =3.0.0");
  ASSERT_EQ(r.any_of.size(), 3u);
  const VersionScheme& s = scheme("npm");
  EXPECT_TRUE(r.contains(s, "0.9.0"));
  EXPECT_FALSE(r.contains(s, "1.5.0"));
  EXPECT_TRUE(r.contains(s, "2.4.9"));
  EXPECT_FALSE(r.contains(s, "2.5.0"));
  EXPECT_TRUE(r.contains(s, "3.0.0"));
  EXPECT_FALSE(r.contains(s, "3.0.1"));
}

TEST(VersionRangeTest, ExactInequalityAndAny) {
  EXPECT_TRUE(in("1.2.3", "npm", "1.2.3"));
  EXPECT_FALSE(in("1.2.3", "npm", "1.2.4"));
  EXPECT_TRUE(in("==1.0", "pypi", "1.0.0"));  // equality is the scheme's, not the string's
  EXPECT_TRUE(in("1:1.0-1", "deb", "1:1.0-1"));
  EXPECT_FALSE(in("!=1.2.3", "npm", "1.2.3"));
  EXPECT_TRUE(in("!=1.2.3", "npm", "1.2.4"));
  EXPECT_TRUE(in(">=1.0, !=1.5", "maven", "1.4"));
  EXPECT_FALSE(in(">=1.0, !=1.5", "maven", "1.5.0"));
  VersionRange any = parse("*");
  EXPECT_EQ(any.kind, VersionRange::Kind::kAll);
  EXPECT_TRUE(any.contains(scheme("deb"), "anything"));
}

TEST(VersionRangeTest, UsesTheSchemesOrder) {
  EXPECT_TRUE(in("<1.0", "deb", "1.0~rc1"));     // '~' sorts before the release in dpkg
  EXPECT_FALSE(in("<1.0", "generic", "1.0.0"));  // "1.0.0" == "1.0"
  EXPECT_TRUE(in("<2.0", "pypi", "2.0rc1"));
  EXPECT_TRUE(in(">=1:0", "deb", "1:0.1"));
  EXPECT_FALSE(in(">=1:0", "deb", "9.9"));  // epoch 0 < epoch 1
  EXPECT_TRUE(in("<3.1.4-r2", "apk", "3.1.4-r1"));
  EXPECT_TRUE(in("<1.0", "maven", "1.0-SNAPSHOT"));
}

TEST(VersionRangeTest, VersSpecExamples) {
  VersionRange r = parse("vers:npm/1.2.3|>=2.0.0|<5.0.0");
  EXPECT_EQ(r.kind, VersionRange::Kind::kVers);
  EXPECT_EQ(r.scheme, "npm");
  const VersionScheme& npm = scheme("npm");
  EXPECT_TRUE(r.contains(npm, "1.2.3"));
  EXPECT_FALSE(r.contains(npm, "1.2.4"));
  EXPECT_FALSE(r.contains(npm, "1.9.9"));
  EXPECT_TRUE(r.contains(npm, "2.0.0"));
  EXPECT_TRUE(r.contains(npm, "4.9.9"));
  EXPECT_FALSE(r.contains(npm, "5.0.0"));

  EXPECT_TRUE(in("vers:npm/1.2.3", "npm", "1.2.3"));
  EXPECT_FALSE(in("vers:npm/1.2.3", "npm", "1.2.4"));

  VersionRange enumerated = parse("vers:pypi/0.0.0|0.0.1|0.0.2|0.0.3|1.0|2.0pre1");
  EXPECT_EQ(enumerated.any_of[0].size(), 6u);
  EXPECT_TRUE(enumerated.contains(scheme("pypi"), "2.0rc1"));  // pre == rc in PEP 440
  EXPECT_TRUE(enumerated.contains(scheme("pypi"), "1.0.0"));
  EXPECT_FALSE(enumerated.contains(scheme("pypi"), "0.0.4"));

  EXPECT_EQ(parse("vers:all/*").kind, VersionRange::Kind::kAll);
  EXPECT_EQ(parse("vers:none/*").kind, VersionRange::Kind::kNone);
  EXPECT_FALSE(parse("vers:none/*").contains(npm, "1.0.0"));
  EXPECT_TRUE(in("vers:deb/*", "deb", "1:2.3-4"));
}

TEST(VersionRangeTest, VersTomeeBranches) {
  // The spec's Apache TomEE example: four vulnerable branches in one range.
  VersionRange r =
      parse("vers:maven/>=1.0.0-beta1|<=1.7.5|>=7.0.0-M1|<=7.0.7|>=7.1.0|<=7.1.2|>=8.0.0-M1|<=8.0.1");
  const VersionScheme& mvn = scheme("maven");
  for (const char* v : {"1.0.0-beta1", "1.0.0", "1.7.5", "7.0.0-M1", "7.0.3", "7.0.7", "7.1.0",
                        "7.1.2", "8.0.0-M1", "8.0.0", "8.0.1"}) {
    EXPECT_TRUE(r.contains(mvn, v)) << v;
  }
  for (const char* v : {"0.9", "1.0.0-alpha1", "1.7.6", "6.0", "7.0.8", "7.1.3", "7.2", "8.0.2",
                        "9.0.0"}) {
    EXPECT_FALSE(r.contains(mvn, v)) << v;
  }
}

TEST(VersionRangeTest, VersGemWithExclusionAndUnsortedInput) {
  // "~> 2.2.0, != 2.2.1" from the spec; constraints may come in any order.
  VersionRange r = parse("vers:gem/>=2.2.0|!= 2.2.1|<2.3.0");
  const VersionScheme& gem = scheme("gem");
  EXPECT_TRUE(r.contains(gem, "2.2.0"));
  EXPECT_FALSE(r.contains(gem, "2.2.1"));
  EXPECT_TRUE(r.contains(gem, "2.2.2"));
  EXPECT_FALSE(r.contains(gem, "2.3.0"));
  EXPECT_FALSE(r.contains(gem, "2.1.9"));
  VersionRange shuffled = parse("vers:gem/<2.3.0|>=2.2.0|!=2.2.1");
  EXPECT_TRUE(shuffled.contains(gem, "2.2.5"));
  EXPECT_FALSE(shuffled.contains(gem, "2.2.1"));
  EXPECT_FALSE(shuffled.contains(gem, "2.3.1"));
}

TEST(VersionRangeTest, VersSingleBoundsSpacesPipesAndQuoting) {
  EXPECT_TRUE(in("vers:npm/<2.0.0", "npm", "1.0.0"));
  EXPECT_FALSE(in("vers:npm/<2.0.0", "npm", "2.0.0"));
  EXPECT_TRUE(in("vers:npm/>2.0.0", "npm", "2.0.1"));
  EXPECT_FALSE(in("vers:npm/>2.0.0", "npm", "2.0.0"));
  EXPECT_TRUE(in("vers:npm/!=1.0.0", "npm", "1.0.1"));
  EXPECT_FALSE(in("vers:npm/!=1.0.0", "npm", "1.0.0"));
  // Spaces are not significant; consecutive, leading and trailing pipes are ignored.
  EXPECT_TRUE(in("vers:npm/ < 1.2. 3 | > = 2 .0.0", "npm", "2.1.0"));
  EXPECT_TRUE(in("vers:npm/||<1.2.3|||>=2.0.0||", "npm", "1.0.0"));
  // A '|' inside a version is percent-encoded.
  VersionRange q = parse("vers:generic/1.0%7Cb");
  EXPECT_EQ(q.any_of[0][0].version, "1.0|b");
  // The deb scheme with epochs and tildes.
  EXPECT_TRUE(in("vers:deb/>=1:1.0~rc1|<1:1.0-3", "deb", "1:1.0-2"));
  EXPECT_FALSE(in("vers:deb/>=1:1.0~rc1|<1:1.0-3", "deb", "1.9-1"));
}

void expect_error(std::string_view text, std::string_view token) {
  auto r = parse_version_range(text);
  ASSERT_FALSE(r.has_value()) << text;
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("'" + std::string(token) + "'"), std::string::npos)
      << text << " -> " << r.error().message;
}

TEST(VersionRangeTest, ErrorsNameTheBadToken) {
  EXPECT_FALSE(parse_version_range("").has_value());
  EXPECT_FALSE(parse_version_range("   ").has_value());
  expect_error(">=", ">=");
  expect_error(">=1.0, <", "<");
  expect_error("=>1.0", "=>1.0");
  expect_error("<>1.0", "<>1.0");
  expect_error("^1.2.3", "^1.2.3");
  expect_error("~>2.2", "~>2.2");
  expect_error(">=1.0,, <2.0", ">=1.0,, <2.0");
  expect_error(">=1.0 ||", "||");
  expect_error("|| <2.0", "||");
  expect_error("1.0 | 2.0", "|");
  expect_error(">=1.0, <2.0,", ">=1.0, <2.0,");
  expect_error("vers:npm", "vers:npm");
  expect_error("vers:npm/", "vers:npm/");
  expect_error("vers:NPM/1.0", "NPM");
  expect_error("vers:npm/>=", ">=");
  expect_error("vers:npm/>=1.0|<=1.0", "<=1.0");  // duplicate version
  expect_error("vers:npm/>1.0|*", "*");
  expect_error("vers:npm/=>1.0", "=>1.0");
  expect_error("vers:npm/1.0%zz", "1.0%zz");
  expect_error("vers:all/1.0", "all");
}

}  // namespace
}  // namespace bulwark::vulndb
