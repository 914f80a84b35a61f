#include "scan/sbom/license.h"

#include <gtest/gtest.h>

namespace bulwark::scan {
namespace {

using Kind = LicenseTerm::Kind;

TEST(SpdxLicenseIds, KnownIdsAreFoundIgnoringCase) {
  EXPECT_EQ(spdx_license_id("MIT"), "MIT");
  EXPECT_EQ(spdx_license_id("mit"), "MIT");
  EXPECT_EQ(spdx_license_id("apache-2.0"), "Apache-2.0");
  EXPECT_EQ(spdx_license_id("GPL-2.0+"), "GPL-2.0+");  // deprecated ids are still in the list
  EXPECT_EQ(spdx_license_id("0BSD"), "0BSD");          // first entry
  EXPECT_EQ(spdx_license_id("ZPL-2.1"), "ZPL-2.1");    // last licence
  EXPECT_FALSE(spdx_license_id("MIT-Not-Really"));
  EXPECT_FALSE(spdx_license_id(""));
  // Exceptions are a separate list.
  EXPECT_FALSE(spdx_license_id("Classpath-exception-2.0"));
  EXPECT_EQ(spdx_exception_id("classpath-exception-2.0"), "Classpath-exception-2.0");
  EXPECT_EQ(spdx_exception_id("LLVM-exception"), "LLVM-exception");
  EXPECT_FALSE(spdx_exception_id("MIT"));
}

TEST(ClassifyLicense, Ids) {
  auto t = classify_license("  bsd-3-clause ");
  EXPECT_EQ(t.kind, Kind::kId);
  EXPECT_EQ(t.text, "BSD-3-Clause");
  t = classify_license("(MIT)");
  EXPECT_EQ(t.kind, Kind::kId);
  EXPECT_EQ(t.text, "MIT");
}

TEST(ClassifyLicense, ExpressionsAreNormalised) {
  auto t = classify_license("mit or apache-2.0");
  EXPECT_EQ(t.kind, Kind::kExpression);
  EXPECT_EQ(t.text, "MIT OR Apache-2.0");
  EXPECT_TRUE(t.compound);

  t = classify_license("GPL-2.0-only WITH classpath-exception-2.0");
  EXPECT_EQ(t.kind, Kind::kExpression);
  EXPECT_EQ(t.text, "GPL-2.0-only WITH Classpath-exception-2.0");
  EXPECT_FALSE(t.compound);

  t = classify_license("(MIT OR  Apache-2.0)AND (BSD-2-Clause)");
  EXPECT_EQ(t.kind, Kind::kExpression);
  EXPECT_EQ(t.text, "(MIT OR Apache-2.0) AND BSD-2-Clause");
  EXPECT_TRUE(t.compound);

  t = classify_license("LicenseRef-Acme-1.0");
  EXPECT_EQ(t.kind, Kind::kExpression);
  EXPECT_EQ(t.text, "LicenseRef-Acme-1.0");

  t = classify_license("EPL-1.0+");
  EXPECT_EQ(t.kind, Kind::kExpression);
  EXPECT_EQ(t.text, "EPL-1.0+");
}

TEST(ClassifyLicense, AnythingElseIsAName) {
  for (const char* text :
       {"BSD License", "GPLv2+", "MIT AND", "OR MIT", "(MIT", "MIT)", "MIT WITH MIT",
        "MIT Or GPL-2.0", "GPL-2.0 WITH Unknown-exception", "LicenseRef-", "LicenseRef-a_b",
        "MIT AND AND BSD-2-Clause", "DocumentRef-x:LicenseRef-y", "()"}) {
    auto t = classify_license(text);
    EXPECT_EQ(t.kind, Kind::kName) << text;
    EXPECT_EQ(t.text, text);
  }
  EXPECT_EQ(classify_license("  Custom  ").text, "Custom");
}

TEST(ClassifyLicense, NestingIsBounded) {
  std::string deep(10000, '(');
  deep += "MIT";
  deep += std::string(10000, ')');
  EXPECT_EQ(classify_license(deep).kind, Kind::kName);
  std::string shallow = std::string(5, '(') + "MIT OR BSD-2-Clause" + std::string(5, ')');
  EXPECT_EQ(classify_license(shallow).kind, Kind::kExpression);
}

TEST(JoinLicenseTerms, ParenthesisesCompoundTerms) {
  std::vector<LicenseTerm> terms = {classify_license("MIT"),
                                    classify_license("GPL-2.0-only or BSD-3-Clause"),
                                    classify_license("GPL-2.0-only WITH Classpath-exception-2.0")};
  EXPECT_EQ(join_license_terms(terms),
            "MIT AND (GPL-2.0-only OR BSD-3-Clause) AND GPL-2.0-only WITH Classpath-exception-2.0");
  EXPECT_EQ(join_license_terms(std::span(terms).subspan(1, 1)), "GPL-2.0-only OR BSD-3-Clause");
}

TEST(LicenseRefs, InOrderWithoutDuplicates) {
  EXPECT_EQ(license_refs("(LicenseRef-b OR MIT) AND LicenseRef-a AND LicenseRef-b"),
            (std::vector<std::string>{"LicenseRef-b", "LicenseRef-a"}));
  EXPECT_TRUE(license_refs("MIT").empty());
}

}  // namespace
}  // namespace bulwark::scan
