// The "golang" scheme against golang.org/x/mod/semver's and go/version's own test tables.
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "vulndb/version/scheme.h"
#include "vulndb/version/vector_file_test.h"

namespace bulwark::vulndb {
namespace {

using testing_vectors::check_vector_file;
using testing_vectors::sign;

const VersionScheme& go() { return *version_scheme_for("golang"); }

TEST(GolangSchemeTest, MatchesXModSemverAndGoVersionTables) {
  ASSERT_NE(version_scheme_for("golang"), nullptr);
  EXPECT_EQ(go().name, "golang");
  EXPECT_GT(check_vector_file(go(), "golang.vectors"), 250u);
}

// Every pair of a few dozen module versions as x/mod/semver itself orders them
// (testdata/gen_golang_vectors.sh runs the copy vendored in the Go toolchain).
TEST(GolangSchemeTest, MatchesXModSemverCompare) {
  EXPECT_GT(check_vector_file(go(), "golang_xmod.vectors"), 900u);
}

TEST(GolangSchemeTest, PseudoVersionsSortBetweenTheirBaseAndTheNextRelease) {
  EXPECT_LT(go().compare("v1.2.3", "v1.2.4-0.20191109021931-daa7c04131f5"), 0);
  EXPECT_LT(go().compare("v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4-rc.1"), 0);
  EXPECT_LT(go().compare("v0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20191110000000-000000000000"), 0);
  EXPECT_EQ(go().compare("v2.3.0+incompatible", "v2.3.0"), 0);
}

TEST(GolangSchemeTest, ToolchainLanguageVersionSortsBeforeItsReleaseCandidates) {
  EXPECT_LT(go().compare("go1.21", "go1.21rc1"), 0);
  EXPECT_LT(go().compare("go1.21rc1", "go1.21.0"), 0);
  EXPECT_EQ(go().compare("go1.20", "go1.20.0"), 0);  // before 1.21 "1.N" was the release
  EXPECT_LT(go().compare("go1.20rc1", "go1.20"), 0);
  EXPECT_EQ(go().compare("1.21rc2", "1.21.0-rc.2"), 0);
}

TEST(GolangSchemeTest, ModuleVersionsNeedALowerCaseV) {
  EXPECT_TRUE(go().valid("v1.2.3"));
  EXPECT_FALSE(go().valid("V1.2.3"));
  EXPECT_FALSE(go().valid("=1.2.3"));
  EXPECT_FALSE(go().valid(""));
  EXPECT_GT(go().compare("not-a-version", "v999.0.0"), 0);  // invalid after valid
}

TEST(GolangSchemeTest, TotalOnArbitraryInput) {
  std::mt19937 rng(1019);
  const std::string alphabet = "0123456789.-+vgoVrcbetalph x";
  std::vector<std::string> inputs = {"", "v", "go", "go1", "v1", "1", "1.21", "go1.21rc1", "v1.2.3+incompatible"};
  for (int i = 0; i < 300; ++i) {
    std::string s;
    for (int k = static_cast<int>(rng() % 10); k > 0; --k) s += alphabet[rng() % alphabet.size()];
    inputs.push_back(s);
  }
  for (const std::string& a : inputs) {
    ASSERT_EQ(go().compare(a, a), 0) << a;
    for (const std::string& b : inputs) {
      ASSERT_EQ(sign(go().compare(a, b)), -sign(go().compare(b, a))) << "'" << a << "' vs '" << b << "'";
    }
  }
}

}  // namespace
}  // namespace bulwark::vulndb
