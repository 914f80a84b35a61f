#include "vulndb/version/scheme.h"

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace bulwark::vulndb {
namespace {

int sign(int v) { return (v > 0) - (v < 0); }

struct Vector {
  std::string a, b;
  int expected;  // -1, 0, 1
  int line;
};

struct VectorFile {
  std::vector<Vector> vectors;
  std::vector<std::string> valid, invalid;
  std::vector<std::string> versions;  // every version mentioned, in order of appearance
};

// Reads testdata/<name> (format: testdata/README.md).
VectorFile load(const std::string& name) {
  VectorFile f;
  std::ifstream in(std::string(VULNDB_VERSION_TESTDATA_DIR) + "/" + name);
  EXPECT_TRUE(in) << name;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string s; words >> s;) w.push_back(s);
    if (w.empty()) continue;
    if (w[0] == "chain:" || w[0] == "same:") {
      const int op = w[0] == "chain:" ? -1 : 0;
      for (size_t i = 1; i < w.size(); ++i) {
        for (size_t j = i + 1; j < w.size(); ++j) f.vectors.push_back({w[i], w[j], op, number});
        f.versions.push_back(w[i]);
      }
    } else if (w[0] == "valid:" || w[0] == "invalid:") {
      auto& list = w[0] == "valid:" ? f.valid : f.invalid;
      list.insert(list.end(), w.begin() + 1, w.end());
      f.versions.insert(f.versions.end(), w.begin() + 1, w.end());
    } else {
      EXPECT_EQ(w.size(), 3u) << name << ":" << number;
      if (w.size() != 3) continue;
      const int op = w[1] == "<" ? -1 : w[1] == "=" ? 0 : w[1] == ">" ? 1 : 99;
      EXPECT_NE(op, 99) << name << ":" << number;
      f.vectors.push_back({w[0], w[2], op, number});
      f.versions.push_back(w[0]);
      f.versions.push_back(w[2]);
    }
  }
  return f;
}

// Sorts with a comparator that may be broken (insertion sort never misbehaves), then checks that
// every pair is in order: a cycle anywhere (a < b < c < a) shows up as a pair out of order.
void expect_total_order(const VersionScheme& s, std::vector<std::string> v) {
  // Maven's ComparableVersion is itself not transitive (see MavenKeepsComparableVersionsCycle).
  if (s.name == "maven") return;
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  for (size_t i = 1; i < v.size(); ++i) {
    for (size_t j = i; j > 0 && s.compare(v[j - 1], v[j]) > 0; --j) std::swap(v[j - 1], v[j]);
  }
  int failures = 0;
  for (size_t i = 0; i < v.size() && failures < 10; ++i) {
    for (size_t j = i + 1; j < v.size(); ++j) {
      if (s.compare(v[i], v[j]) > 0 || s.compare(v[j], v[i]) < 0) {
        ADD_FAILURE() << s.name << ": inconsistent order: '" << v[i] << "' sorted before '" << v[j]
                      << "' but compares greater";
        if (++failures >= 10) break;
      }
    }
  }
}

// Checks every vector in both directions, reflexivity, valid/invalid lists and the total order.
// Returns the number of vectors checked.
size_t check_vectors(std::string_view type, const std::string& file, bool all_valid) {
  const VersionScheme* s = version_scheme_for(type);
  EXPECT_NE(s, nullptr) << type;
  if (s == nullptr) return 0;
  VectorFile f = load(file);
  EXPECT_FALSE(f.vectors.empty()) << file;
  for (const Vector& v : f.vectors) {
    SCOPED_TRACE(file + ":" + std::to_string(v.line) + ": '" + v.a + "' vs '" + v.b + "'");
    EXPECT_EQ(sign(s->compare(v.a, v.b)), v.expected);
    EXPECT_EQ(sign(s->compare(v.b, v.a)), -v.expected) << "antisymmetry";
    EXPECT_EQ(s->compare(v.a, v.a), 0);
    EXPECT_EQ(s->compare(v.b, v.b), 0);
    if (all_valid) {
      EXPECT_TRUE(s->valid(v.a));
      EXPECT_TRUE(s->valid(v.b));
    }
  }
  for (const std::string& v : f.valid) EXPECT_TRUE(s->valid(v)) << type << ": " << v;
  for (const std::string& v : f.invalid) EXPECT_FALSE(s->valid(v)) << type << ": " << v;
  expect_total_order(*s, f.versions);
  return f.vectors.size();
}

TEST(VersionSchemeTest, DebMatchesDpkg) { EXPECT_GT(check_vectors("deb", "deb.vectors", true), 1000u); }

TEST(VersionSchemeTest, RpmMatchesRpmVercmp) {
  EXPECT_GT(check_vectors("rpm", "rpm.vectors", true), 1000u);
}

TEST(VersionSchemeTest, Pep440MatchesPackaging) {
  EXPECT_GT(check_vectors("pypi", "pep440.vectors", true), 1000u);
}

TEST(VersionSchemeTest, ApkMatchesApkToolsVersionData) {
  EXPECT_GT(check_vectors("apk", "apk.vectors", false), 700u);
  const VersionScheme& s = *version_scheme_for("apk");
  EXPECT_FALSE(s.valid("1.0bc"));
  EXPECT_FALSE(s.valid("23_foo"));
  EXPECT_FALSE(s.valid("1.0_pre1234567890123456789"));  // 18+ digit numbers are invalid
  EXPECT_TRUE(s.valid("1.2.3_rc1_p2-r10"));
}

TEST(VersionSchemeTest, MavenMatchesComparableVersionTest) {
  EXPECT_GT(check_vectors("maven", "maven.vectors", true), 300u);
}

// ComparableVersion compares a 0 segment above any qualifier but equal to a missing segment, and
// a missing segment below "sp" or an unknown qualifier, so it has cycles. We keep Maven's
// pairwise answers (they decide what Maven resolves) rather than invent an order Maven lacks.
TEST(VersionSchemeTest, MavenKeepsComparableVersionsCycle) {
  const VersionScheme& s = *version_scheme_for("maven");
  EXPECT_LT(s.compare("1.0.alpha", "1"), 0);
  EXPECT_LT(s.compare("1", "1.sp"), 0);
  EXPECT_GT(s.compare("1.0.alpha", "1.sp"), 0);
  EXPECT_LT(s.compare("1-0.alpha", "1"), 0);  // MNG-6964
  EXPECT_GT(s.compare("1-0.alpha", "1-sp"), 0);
}

TEST(VersionSchemeTest, RubygemsMatchesGemVersionTest) {
  EXPECT_GT(check_vectors("gem", "rubygems.vectors", true), 40u);
  const VersionScheme& s = *version_scheme_for("gem");
  EXPECT_EQ(s.compare("", "0"), 0);
  EXPECT_EQ(s.compare(" 1.0\n", "1.0"), 0);
  EXPECT_FALSE(s.valid("1.0\n2.0"));
  EXPECT_FALSE(s.valid("1.2 3.4"));
}

TEST(VersionSchemeTest, SemverMatchesSemverOrgPrecedence) {
  EXPECT_GT(check_vectors("npm", "semver.vectors", true), 50u);
  for (std::string_view type : {"cargo"}) {
    EXPECT_EQ(version_scheme_for(type), version_scheme_for("npm")) << type;
  }
  EXPECT_FALSE(version_scheme_for("npm")->valid(""));
}

TEST(VersionSchemeTest, NugetOrdersFourPartVersions) {
  EXPECT_GT(check_vectors("nuget", "nuget.vectors", true), 30u);
}

TEST(VersionSchemeTest, GenericOrdersDottedSegments) {
  EXPECT_GT(check_vectors("generic", "generic.vectors", true), 20u);
  EXPECT_EQ(version_scheme_for("composer")->name, "composer");
}

TEST(VersionSchemeTest, TableCoversEveryPackageType) {
  const std::pair<std::string_view, std::string_view> expected[] = {
      {"deb", "deb"},       {"rpm", "rpm"},         {"apk", "apk"},       {"npm", "semver"},
      {"cargo", "semver"},  {"golang", "golang"},   {"pypi", "pep440"},   {"maven", "maven"},
      {"gem", "rubygems"},  {"nuget", "nuget"},     {"composer", "composer"}, {"generic", "generic"},
  };
  for (auto [type, name] : expected) {
    const VersionScheme* s = version_scheme_for(type);
    ASSERT_NE(s, nullptr) << type;
    EXPECT_EQ(s->name, name) << type;
  }
  EXPECT_EQ(version_scheme_for("no-such-type"), nullptr);
  EXPECT_EQ(version_scheme_for(""), nullptr);
}

TEST(VersionSchemeTest, InvalidVersionsSortAfterValidOnesAsStrings) {
  const VersionScheme& deb = *version_scheme_for("deb");
  EXPECT_FALSE(deb.valid("abc"));
  EXPECT_FALSE(deb.valid("1.0-"));
  EXPECT_FALSE(deb.valid("a:1.0"));
  EXPECT_FALSE(deb.valid(""));
  EXPECT_GT(deb.compare("abc", "99:9.9"), 0);
  EXPECT_LT(deb.compare("99:9.9", "abc"), 0);
  EXPECT_LT(deb.compare("abc", "abd"), 0);
  EXPECT_EQ(deb.compare("abc", "abc"), 0);
  const VersionScheme& npm = *version_scheme_for("npm");
  EXPECT_GT(npm.compare("1.2", "999.0.0"), 0);
}

// Every scheme is a total order on arbitrary bytes: no crash, antisymmetric, reflexive and
// consistent when sorting a mix of garbage and plausible versions.
TEST(VersionSchemeTest, EverySchemeIsTotalOnArbitraryInput) {
  std::mt19937 rng(4242);
  const std::string alphabet = "0123456789.-_+~^:!abcprvxzAZ \t*\x80";
  std::vector<std::string> inputs = {"", "0", "1", "1.0", "1.0.0", "1.0-1", "1:1.0", "v1.2.3",
                                     "1.0~rc1", "1.0a1", "1.0.dev1", "1-SNAPSHOT", "1.0_p1-r2",
                                     std::string("1\0", 2), "99999999999999999999999999.1"};
  for (int i = 0; i < 300; ++i) {
    std::string s;
    const int n = static_cast<int>(rng() % 12);
    for (int k = 0; k < n; ++k) s += alphabet[rng() % alphabet.size()];
    inputs.push_back(s);
  }
  for (std::string_view type : {"deb", "rpm", "apk", "npm", "pypi", "maven", "gem", "nuget", "generic", "golang", "composer"}) {
    SCOPED_TRACE(std::string(type));
    const VersionScheme& s = *version_scheme_for(type);
    for (const std::string& a : inputs) {
      ASSERT_EQ(s.compare(a, a), 0) << "'" << a << "'";
      for (const std::string& b : inputs) {
        ASSERT_EQ(sign(s.compare(a, b)), -sign(s.compare(b, a))) << "'" << a << "' vs '" << b << "'";
      }
    }
    expect_total_order(s, inputs);
  }
}

}  // namespace
}  // namespace bulwark::vulndb
