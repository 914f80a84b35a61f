// The "composer" scheme against composer/semver's VersionParser, Comparator and Semver tests.
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "vulndb/version/scheme.h"
#include "vulndb/version/vector_file_test.h"

namespace bulwark::vulndb {
namespace {

using testing_vectors::check_vector_file;
using testing_vectors::sign;

const VersionScheme& composer() { return *version_scheme_for("composer"); }

TEST(ComposerSchemeTest, MatchesComposerSemverTests) {
  ASSERT_NE(version_scheme_for("composer"), nullptr);
  EXPECT_EQ(composer().name, "composer");
  EXPECT_GT(check_vector_file(composer(), "composer.vectors"), 150u);
}

// VersionParserTest: the normalize() inputs that need spaces (the vector format splits on them).
TEST(ComposerSchemeTest, NormalizesAliasesPaddingAndRejectsSpaces) {
  EXPECT_EQ(composer().compare("1.0.0+foo as 2.0", "1.0.0.0"), 0);
  EXPECT_EQ(composer().compare("dev-master as 1.0.0", "dev-master"), 0);
  EXPECT_EQ(composer().compare("dev-load-varnish-only-when-used@dev as ^2.0@dev",
                               "dev-load-varnish-only-when-used"), 0);
  EXPECT_EQ(composer().compare(" 1.0.0", "1.0.0.0"), 0);
  EXPECT_EQ(composer().compare("1.0.0 ", "1.0.0.0"), 0);
  EXPECT_TRUE(composer().valid("dev-foo bar"));
  for (const char* bad : {"", "1.0.0+foo bar", "foo bar-dev", "1.0 .2", " as ", " as 1.2", "^8 || ^", "~1 ~"}) {
    EXPECT_FALSE(composer().valid(bad)) << "'" << bad << "'";
  }
}

TEST(ComposerSchemeTest, StabilitiesOrderDevAlphaBetaRcStablePatch) {
  const char* chain[] = {"2.0.0-dev", "2.0.0-alpha", "2.0.0-beta", "2.0.0-RC", "2.0.0", "2.0.0-patch"};
  for (size_t i = 0; i + 1 < std::size(chain); ++i) {
    EXPECT_LT(composer().compare(chain[i], chain[i + 1]), 0) << chain[i] << " < " << chain[i + 1];
  }
  EXPECT_EQ(composer().compare("v2.0", "2.0.0.0"), 0);
}

TEST(ComposerSchemeTest, TotalOnArbitraryInput) {
  std::mt19937 rng(2020);
  const std::string alphabet = "0123456789.-_+vVxX*devalphbtRCpl@ ";
  std::vector<std::string> inputs = {"", "0", "dev-", "dev-master", "1.x-dev", "2010-01-02", "1.0.0-RC1-dev"};
  for (int i = 0; i < 300; ++i) {
    std::string s;
    for (int k = static_cast<int>(rng() % 12); k > 0; --k) s += alphabet[rng() % alphabet.size()];
    inputs.push_back(s);
  }
  for (const std::string& a : inputs) {
    ASSERT_EQ(composer().compare(a, a), 0) << a;
    for (const std::string& b : inputs) {
      ASSERT_EQ(sign(composer().compare(a, b)), -sign(composer().compare(b, a))) << "'" << a << "' vs '" << b << "'";
    }
  }
}

}  // namespace
}  // namespace bulwark::vulndb
