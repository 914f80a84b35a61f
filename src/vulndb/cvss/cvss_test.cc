// CVSS scoring against independent answers: the CVSS v2 guide, the CVSS v3.1 specification's
// examples document, the Red Hat `cvss` library's published test vectors (tests/vectors_simple31,
// vectors_simple4 — the latter checked against the FIRST v4.0 calculator), and every
// (vectorString, baseScore) pair in the shared NVD / CSAF fixtures.
#include "vulndb/cvss/cvss.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "vulndb/cvss/cvss_internal.h"

namespace bulwark::vulndb {
namespace {

struct Case {
  const char* vector;
  double score;
  const char* severity;
};

void expect_cases(const std::vector<Case>& cases, CvssVersion version) {
  for (const Case& c : cases) {
    auto r = parse_cvss(c.vector);
    ASSERT_TRUE(r.has_value()) << c.vector << ": " << r.error().message;
    EXPECT_EQ(r->version, version) << c.vector;
    EXPECT_NEAR(r->base_score, c.score, 1e-9) << c.vector;
    EXPECT_EQ(r->severity, c.severity) << c.vector;
  }
}

// CVSS v2 guide (section 3.3 examples) and NVD scores.
TEST(CvssV2, GuideAndNvdExamples) {
  expect_cases({{"AV:N/AC:L/Au:N/C:N/I:N/A:C", 7.8, "HIGH"},   // CVE-2002-0392
                {"AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0, "HIGH"},  // CVE-2003-0818
                {"AV:L/AC:H/Au:N/C:C/I:C/A:C", 6.2, "MEDIUM"}, // CVE-2003-0062
                {"AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, "HIGH"},
                {"AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3, "MEDIUM"},
                {"AV:L/AC:L/Au:N/C:C/I:C/A:C", 7.2, "HIGH"},
                {"AV:N/AC:M/Au:S/C:P/I:N/A:N", 3.5, "LOW"},
                {"AV:N/AC:L/Au:N/C:N/I:N/A:N", 0.0, "LOW"}},
               CvssVersion::kV2);
}

TEST(CvssV2, ParenthesesTemporalAndEnvironmentalMetrics) {
  auto r = parse_cvss("(AV:N/AC:L/Au:N/C:N/I:N/A:C)");
  ASSERT_TRUE(r.has_value());
  EXPECT_DOUBLE_EQ(r->base_score, 7.8);
  EXPECT_EQ(r->vector, "AV:N/AC:L/Au:N/C:N/I:N/A:C");
  // The guide's CVE-2002-0392 full vector: temporal/environmental metrics leave the base alone.
  r = parse_cvss("AV:N/AC:L/Au:N/C:N/I:N/A:C/E:F/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:H");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_DOUBLE_EQ(r->base_score, 7.8);
  // Normalised into specification order.
  r = parse_cvss("A:C/I:N/C:N/Au:N/AC:L/AV:N/RC:C");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->vector, "AV:N/AC:L/Au:N/C:N/I:N/A:C/RC:C");
}

// CVSS v3.1 examples document (first.org/cvss/v3.1/examples).
TEST(CvssV31, SpecificationExamples) {
  expect_cases({{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, "MEDIUM"},  // CVE-2013-1937
                {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4, "MEDIUM"},  // CVE-2013-0375
                {"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1, "LOW"},     // CVE-2014-3566
                {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9, "CRITICAL"},// CVE-2012-1516
                {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8, "HIGH"},    // CVE-2012-0384
                {"CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8, "HIGH"},    // CVE-2015-1098
                {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5, "HIGH"},    // CVE-2014-0160
                {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "CRITICAL"},// CVE-2014-6271
                {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N", 6.8, "MEDIUM"},  // CVE-2008-1447
                {"CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8, "MEDIUM"},  // CVE-2014-2005
                {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8, "MEDIUM"},  // CVE-2010-0467
                {"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", 5.4, "MEDIUM"},  // CVE-2014-9253
                {"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.8, "HIGH"},    // CVE-2011-1265
                {"CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N", 4.6, "MEDIUM"},  // CVE-2014-2019
                {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N", 7.4, "HIGH"},    // CVE-2014-0224
                {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H", 9.6, "CRITICAL"},// CVE-2012-5376
                {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, "NONE"}},
               CvssVersion::kV3_1);
}

// Red Hat cvss library, tests/vectors_simple31 (base column).
TEST(CvssV31, RedHatLibraryVectors) {
  expect_cases({{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:L/A:L", 9.9, "CRITICAL"},
                {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:N", 8.6, "HIGH"},
                {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:L/A:L", 8.3, "HIGH"},
                {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:L/A:L", 8.6, "HIGH"},
                {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L", 7.3, "HIGH"},
                {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H", 9.6, "CRITICAL"},
                {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:N/A:N", 4.7, "MEDIUM"},
                {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:L", 6.3, "MEDIUM"},
                {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:N/A:N", 5.0, "MEDIUM"},
                {"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:H", 9.0, "CRITICAL"},
                {"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:L", 8.9, "HIGH"},
                {"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:N/A:N", 4.1, "MEDIUM"},
                {"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:U/C:H/I:H/A:H", 8.0, "HIGH"},
                {"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:U/C:L/I:L/A:L", 5.5, "MEDIUM"},
                {"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:U/C:N/I:N/A:L", 3.5, "LOW"},
                {"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:C/C:L/I:L/A:L", 6.6, "MEDIUM"},
                {"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:L", 6.7, "MEDIUM"},
                {"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:N/A:N", 4.9, "MEDIUM"}},
               CvssVersion::kV3_1);
}

// v3.0 uses the plain round-up; scores match v3.1 except where floating point error matters.
TEST(CvssV30, ScoresAndPrefix) {
  expect_cases({{"CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, "MEDIUM"},
                {"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "CRITICAL"},
                {"CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8, "HIGH"}},
               CvssVersion::kV3_0);
  auto r = parse_cvss("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->vector, "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
}

// CVSS v3.1 specification Appendix A: Roundup(4.02) = 4.1, Roundup(4.00) = 4.0, and the
// floating point artefact 4.000000000000001 (from e.g. 0.1 + 3.9 style arithmetic) is 4.0 in
// v3.1 but 4.1 with v3.0's plain ceiling.
TEST(CvssV3, RoundupFunctions) {
  EXPECT_DOUBLE_EQ(cvss_detail::roundup_v31(4.02), 4.1);
  EXPECT_DOUBLE_EQ(cvss_detail::roundup_v31(4.00), 4.0);
  EXPECT_DOUBLE_EQ(cvss_detail::roundup_v31(4.000000000000001), 4.0);
  EXPECT_DOUBLE_EQ(cvss_detail::roundup_v30(4.000000000000001), 4.1);
  EXPECT_DOUBLE_EQ(cvss_detail::roundup_v30(4.02), 4.1);
  EXPECT_DOUBLE_EQ(cvss_detail::roundup_v30(4.0), 4.0);
}

TEST(CvssV31, TemporalAndEnvironmentalMetricsDoNotChangeTheBaseScore) {
  auto r = parse_cvss(
      "CVSS:3.1/MA:L/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:U/CR:L/IR:L/AR:L/MAV:P/"
      "MAC:H/MPR:H/MUI:R/MS:U/MC:N/MI:N");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_DOUBLE_EQ(r->base_score, 9.8);
  EXPECT_EQ(r->vector,
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:U/CR:L/IR:L/AR:L/MAV:P/"
            "MAC:H/MPR:H/MUI:R/MS:U/MC:N/MI:N/MA:L");
}

// CVSS v4.0 (CVSS-B): FIRST specification example, and Red Hat cvss tests/vectors_simple4.
TEST(CvssV40, FirstCalculatorVectors) {
  expect_cases(
      {{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, "CRITICAL"},
       {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 10.0, "CRITICAL"},
       {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0.0, "NONE"},
       {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:H/VA:L/SC:N/SI:H/SA:L", 9.2, "CRITICAL"},
       {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:H/SI:N/SA:L", 7.8, "HIGH"},
       {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:N/SC:N/SI:L/SA:N", 6.9, "MEDIUM"},
       {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:H/SI:L/SA:H", 7.9, "HIGH"},
       {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:N/VA:L/SC:N/SI:H/SA:N", 8.3, "HIGH"},
       {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:L/VI:N/VA:N/SC:L/SI:N/SA:L", 5.3, "MEDIUM"},
       {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 8.6, "HIGH"},
       {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:H/VI:H/VA:N/SC:N/SI:L/SA:L", 8.5, "HIGH"},
       {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N", 5.1, "MEDIUM"},
       {"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:N/VA:L/SC:N/SI:L/SA:N", 7.1, "HIGH"},
       {"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:L/VI:L/VA:N/SC:H/SI:L/SA:L", 6.4, "MEDIUM"},
       {"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:P/VC:H/VI:L/VA:L/SC:L/SI:L/SA:L", 7.0, "HIGH"},
       {"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:A/VC:H/VI:H/VA:H/SC:H/SI:N/SA:H", 9.3, "CRITICAL"},
       {"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:A/VC:N/VI:L/VA:L/SC:L/SI:L/SA:H", 6.2, "MEDIUM"},
       {"CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:L/SC:L/SI:L/SA:N", 5.1, "MEDIUM"},
       {"CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:P/VC:L/VI:L/VA:N/SC:L/SI:N/SA:N", 4.8, "MEDIUM"},
       {"CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:A/VC:L/VI:N/VA:N/SC:H/SI:N/SA:H", 6.0, "MEDIUM"},
       {"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:N/SA:H", 9.5, "CRITICAL"},
       {"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:N/VA:N/SC:L/SI:L/SA:H", 9.0, "CRITICAL"},
       {"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:N/VI:L/VA:L/SC:H/SI:L/SA:L", 7.0, "HIGH"},
       {"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:L/VI:L/VA:N/SC:H/SI:N/SA:N", 4.9, "MEDIUM"},
       {"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:A/VC:N/VI:N/VA:N/SC:L/SI:N/SA:N", 2.1, "LOW"},
       {"CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:N/VI:N/VA:N/SC:N/SI:L/SA:N", 2.3, "LOW"},
       {"CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:A/VC:H/VI:H/VA:L/SC:L/SI:L/SA:L", 7.3, "HIGH"},
       {"CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:A/VC:L/VI:L/VA:N/SC:N/SI:H/SA:L", 4.5, "MEDIUM"},
       {"CVSS:4.0/AV:N/AC:L/AT:P/PR:H/UI:N/VC:N/VI:L/VA:L/SC:H/SI:H/SA:H", 5.5, "MEDIUM"},
       {"CVSS:4.0/AV:N/AC:L/AT:P/PR:H/UI:A/VC:N/VI:L/VA:L/SC:L/SI:N/SA:N", 1.8, "LOW"},
       {"CVSS:4.0/AV:N/AC:L/AT:P/PR:H/UI:A/VC:N/VI:H/VA:N/SC:N/SI:H/SA:L", 6.8, "MEDIUM"},
       {"CVSS:4.0/AV:N/AC:H/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:L/SI:H/SA:L", 9.4, "CRITICAL"},
       {"CVSS:4.0/AV:N/AC:H/AT:N/PR:N/UI:A/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N", 2.1, "LOW"},
       {"CVSS:4.0/AV:N/AC:H/AT:N/PR:L/UI:N/VC:H/VI:L/VA:H/SC:H/SI:H/SA:L", 7.3, "HIGH"},
       {"CVSS:4.0/AV:N/AC:H/AT:N/PR:L/UI:P/VC:H/VI:H/VA:H/SC:H/SI:L/SA:H", 8.8, "HIGH"},
       {"CVSS:4.0/AV:N/AC:H/AT:N/PR:L/UI:A/VC:L/VI:L/VA:L/SC:H/SI:H/SA:H", 5.2, "MEDIUM"},
       {"CVSS:4.0/AV:N/AC:H/AT:N/PR:H/UI:A/VC:N/VI:N/VA:N/SC:N/SI:H/SA:N", 4.0, "MEDIUM"},
       {"CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:L/SA:N", 9.5, "CRITICAL"},
       {"CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:N/VC:N/VI:L/VA:N/SC:L/SI:H/SA:L", 7.0, "HIGH"},
       {"CVSS:4.0/AV:L/AC:H/AT:N/PR:H/UI:A/VC:L/VI:H/VA:L/SC:L/SI:H/SA:L", 5.9, "MEDIUM"},
       {"CVSS:4.0/AV:L/AC:H/AT:N/PR:H/UI:A/VC:N/VI:N/VA:H/SC:L/SI:N/SA:N", 4.1, "MEDIUM"},
       {"CVSS:4.0/AV:L/AC:H/AT:P/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:H/SA:N", 8.6, "HIGH"},
       {"CVSS:4.0/AV:L/AC:H/AT:P/PR:N/UI:N/VC:N/VI:L/VA:L/SC:L/SI:L/SA:N", 2.1, "LOW"},
       {"CVSS:4.0/AV:L/AC:H/AT:P/PR:N/UI:P/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N", 5.8, "MEDIUM"},
       {"CVSS:4.0/AV:L/AC:H/AT:P/PR:N/UI:A/VC:L/VI:N/VA:L/SC:L/SI:L/SA:H", 4.5, "MEDIUM"},
       {"CVSS:4.0/AV:L/AC:H/AT:P/PR:L/UI:N/VC:L/VI:L/VA:L/SC:H/SI:H/SA:L", 5.0, "MEDIUM"},
       {"CVSS:4.0/AV:L/AC:H/AT:P/PR:L/UI:P/VC:L/VI:L/VA:L/SC:L/SI:H/SA:H", 2.3, "LOW"},
       {"CVSS:4.0/AV:L/AC:H/AT:P/PR:L/UI:A/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N", 1.0, "LOW"},
       {"CVSS:4.0/AV:L/AC:H/AT:P/PR:H/UI:N/VC:N/VI:L/VA:N/SC:L/SI:N/SA:N", 1.8, "LOW"},
       {"CVSS:4.0/AV:L/AC:H/AT:P/PR:H/UI:P/VC:N/VI:N/VA:H/SC:H/SI:H/SA:H", 6.0, "MEDIUM"},
       {"CVSS:4.0/AV:L/AC:H/AT:P/PR:H/UI:A/VC:N/VI:L/VA:N/SC:N/SI:H/SA:L", 2.0, "LOW"},
       {"CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:N/SA:N", 6.9, "MEDIUM"},
       {"CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:L/SC:L/SI:L/SA:N", 2.4, "LOW"},
       {"CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:L/SC:L/SI:H/SA:H", 8.5, "HIGH"},
       {"CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:P/VC:L/VI:N/VA:N/SC:L/SI:H/SA:N", 4.2, "MEDIUM"},
       {"CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:A/VC:H/VI:H/VA:N/SC:H/SI:L/SA:H", 8.4, "HIGH"},
       {"CVSS:4.0/AV:P/AC:L/AT:N/PR:L/UI:N/VC:L/VI:L/VA:L/SC:H/SI:L/SA:H", 4.5, "MEDIUM"},
       {"CVSS:4.0/AV:P/AC:L/AT:N/PR:L/UI:P/VC:H/VI:N/VA:H/SC:H/SI:H/SA:H", 7.2, "HIGH"},
       {"CVSS:4.0/AV:P/AC:L/AT:N/PR:L/UI:A/VC:N/VI:N/VA:L/SC:N/SI:L/SA:N", 2.4, "LOW"},
       {"CVSS:4.0/AV:P/AC:L/AT:N/PR:H/UI:N/VC:N/VI:N/VA:N/SC:N/SI:H/SA:N", 4.1, "MEDIUM"},
       {"CVSS:4.0/AV:P/AC:L/AT:N/PR:H/UI:A/VC:N/VI:L/VA:N/SC:H/SI:L/SA:L", 4.4, "MEDIUM"},
       {"CVSS:4.0/AV:P/AC:L/AT:P/PR:N/UI:N/VC:L/VI:L/VA:L/SC:L/SI:N/SA:H", 2.0, "LOW"},
       {"CVSS:4.0/AV:P/AC:L/AT:P/PR:N/UI:A/VC:L/VI:N/VA:L/SC:H/SI:N/SA:N", 1.8, "LOW"},
       {"CVSS:4.0/AV:P/AC:L/AT:P/PR:L/UI:P/VC:H/VI:N/VA:N/SC:N/SI:N/SA:L", 4.1, "MEDIUM"},
       {"CVSS:4.0/AV:P/AC:L/AT:P/PR:L/UI:P/VC:N/VI:N/VA:N/SC:L/SI:N/SA:L", 1.0, "LOW"},
       {"CVSS:4.0/AV:P/AC:L/AT:P/PR:L/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:N", 7.0, "HIGH"},
       {"CVSS:4.0/AV:P/AC:L/AT:P/PR:H/UI:N/VC:H/VI:H/VA:H/SC:H/SI:L/SA:H", 7.2, "HIGH"},
       {"CVSS:4.0/AV:P/AC:L/AT:P/PR:H/UI:A/VC:N/VI:N/VA:N/SC:N/SI:H/SA:H", 2.1, "LOW"},
       {"CVSS:4.0/AV:P/AC:H/AT:N/PR:N/UI:N/VC:H/VI:N/VA:L/SC:H/SI:L/SA:N", 5.7, "MEDIUM"},
       {"CVSS:4.0/AV:P/AC:H/AT:N/PR:N/UI:P/VC:L/VI:H/VA:L/SC:H/SI:H/SA:L", 6.0, "MEDIUM"},
       {"CVSS:4.0/AV:P/AC:H/AT:N/PR:N/UI:A/VC:H/VI:H/VA:H/SC:L/SI:L/SA:L", 5.4, "MEDIUM"}},
      CvssVersion::kV4_0);
}

TEST(CvssV40, ThreatEnvironmentalAndSupplementalMetricsAreAcceptedButNotScored) {
  auto r = parse_cvss(
      "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U/CR:L/IR:L/AR:L/"
      "MAV:P/MAC:H/MAT:P/MPR:H/MUI:A/MVC:N/MVI:N/MVA:N/MSC:N/MSI:S/MSA:S/S:P/AU:Y/R:I/V:C/RE:H/"
      "U:Red");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_DOUBLE_EQ(r->base_score, 9.3);
  EXPECT_EQ(r->severity, "CRITICAL");
  // Normalised into specification order.
  r = parse_cvss("CVSS:4.0/U:Clear/SA:N/SI:N/SC:N/VA:H/VI:H/VC:H/UI:N/PR:N/AT:N/AC:L/AV:N");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->vector, "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:Clear");
}

TEST(CvssV40, LookupTableHasEveryMacrovectorOnce) {
  EXPECT_EQ(cvss_detail::cvss4_macrovector_count(), 270u);
}

TEST(CvssVersionName, Names) {
  EXPECT_EQ(cvss_version_name(CvssVersion::kV2), "2.0");
  EXPECT_EQ(cvss_version_name(CvssVersion::kV4_0), "4.0");
}

// Hostile input: every malformed vector is an error naming the problem, never a crash.
TEST(CvssHostile, MalformedVectorsAreErrors) {
  struct Bad {
    const char* vector;
    ErrorCode code;
    const char* message_part;
  };
  const std::vector<Bad> bad = {
      {"", ErrorCode::kInvalidArgument, "empty"},
      {"garbage", ErrorCode::kInvalidArgument, "malformed component"},
      {"CVSS:3.1/", ErrorCode::kInvalidArgument, "no metrics"},
      {"CVSS:3.1", ErrorCode::kUnsupported, "unsupported CVSS version"},
      {"CVSS:9.9/AV:N", ErrorCode::kUnsupported, "unsupported CVSS version"},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", ErrorCode::kInvalidArgument,
       "missing base metric A"},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:H", ErrorCode::kInvalidArgument,
       "duplicate metric A"},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:H", ErrorCode::kInvalidArgument,
       "unknown metric"},
      {"CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", ErrorCode::kInvalidArgument,
       "unknown value"},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", ErrorCode::kInvalidArgument,
       "malformed component"},
      {"CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", ErrorCode::kInvalidArgument,
       "malformed component"},
      {"CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", ErrorCode::kInvalidArgument,
       "unknown value"},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:POC", ErrorCode::kInvalidArgument,
       "unknown value"},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/:X", ErrorCode::kInvalidArgument,
       "malformed component"},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:", ErrorCode::kInvalidArgument,
       "unknown value"},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H:H", ErrorCode::kInvalidArgument,
       "unknown value"},
      {"CVSS:3.0/AV:N/AC:L/Au:N/C:P/I:P/A:P", ErrorCode::kInvalidArgument, "unknown metric"},
      {"AV:N/AC:L/Au:N/C:P/I:P", ErrorCode::kInvalidArgument, "missing base metric A"},
      {"AV:N/AC:L/Au:N/C:P/I:P/A:P/AV:N", ErrorCode::kInvalidArgument, "duplicate metric AV"},
      {"(AV:N/AC:L/Au:N/C:P/I:P/A:P", ErrorCode::kInvalidArgument, "parentheses"},
      {"(", ErrorCode::kInvalidArgument, "parentheses"},
      {"()", ErrorCode::kInvalidArgument, "no metrics"},
      {"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", ErrorCode::kInvalidArgument, "unknown metric"},
      {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N",
       ErrorCode::kInvalidArgument, "unknown value"},
      {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N",
       ErrorCode::kInvalidArgument, "missing base metric SA"},
      {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/E:A",
       ErrorCode::kInvalidArgument, "duplicate metric E"},
      {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:red",
       ErrorCode::kInvalidArgument, "unknown value"},
      {"CVSS:4.0/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", ErrorCode::kInvalidArgument,
       "unknown value \"R\" for metric UI"},
  };
  for (const Bad& b : bad) {
    auto r = parse_cvss(b.vector);
    ASSERT_FALSE(r.has_value()) << b.vector;
    EXPECT_EQ(r.error().code, b.code) << b.vector << ": " << r.error().message;
    EXPECT_NE(r.error().message.find(b.message_part), std::string::npos)
        << b.vector << ": " << r.error().message;
  }
}

TEST(CvssHostile, OversizedAndBinaryInput) {
  std::string huge = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
  while (huge.size() < 5000) huge += "/E:X";
  auto r = parse_cvss(huge);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);

  const std::string binary("CVSS:3.1/AV:\0\xff/\x01:\x02", 20);
  r = parse_cvss(binary);
  ASSERT_FALSE(r.has_value());
  // Error messages quote client text as printable ASCII only.
  for (char c : r.error().message) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << r.error().message;
}

// Every prefix/truncation of valid vectors, and every single-byte mutation, is scored or refused
// without crashing; the valid ones score within [0, 10].
TEST(CvssHostile, TruncationsAndMutations) {
  const std::vector<std::string> seeds = {
      "AV:N/AC:L/Au:N/C:P/I:P/A:P/E:F/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:H",
      "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N/E:P/RL:O/RC:C/MAV:A",
      "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/MSI:S/U:Amber"};
  const std::string alphabet = "/:ACHLNPSUX0()\xff";
  size_t tried = 0;
  for (const std::string& seed : seeds) {
    for (size_t n = 0; n <= seed.size(); ++n) {
      auto r = parse_cvss(std::string_view(seed).substr(0, n));
      if (r) {
        EXPECT_TRUE(r->base_score >= 0.0 && r->base_score <= 10.0);
      }
      ++tried;
    }
    for (size_t i = 0; i < seed.size(); ++i) {
      for (char c : alphabet) {
        std::string mutated = seed;
        mutated[i] = c;
        auto r = parse_cvss(mutated);
        if (r) {
          EXPECT_TRUE(r->base_score >= 0.0 && r->base_score <= 10.0) << mutated;
        }
        ++tried;
      }
    }
  }
  EXPECT_GT(tried, 1000u);
}

// Every v3.1 base vector parses, scores within [0, 10], and is already in normal form.
TEST(CvssExhaustive, AllV31BaseVectorsRoundTrip) {
  size_t count = 0;
  for (const char* av : {"N", "A", "L", "P"})
    for (const char* ac : {"L", "H"})
      for (const char* pr : {"N", "L", "H"})
        for (const char* ui : {"N", "R"})
          for (const char* s : {"U", "C"})
            for (const char* c : {"H", "L", "N"})
              for (const char* i : {"H", "L", "N"})
                for (const char* a : {"H", "L", "N"}) {
                  std::ostringstream v;
                  v << "CVSS:3.1/AV:" << av << "/AC:" << ac << "/PR:" << pr << "/UI:" << ui
                    << "/S:" << s << "/C:" << c << "/I:" << i << "/A:" << a;
                  auto r = parse_cvss(v.str());
                  ASSERT_TRUE(r.has_value()) << v.str();
                  EXPECT_GE(r->base_score, 0.0);
                  EXPECT_LE(r->base_score, 10.0);
                  EXPECT_EQ(r->vector, v.str());
                  ++count;
                }
  EXPECT_EQ(count, 2592u);
}

// ---- NVD and CSAF fixtures: the publishers' own baseScore for each vectorString. ----

struct Pair {
  std::string file;
  std::string vector;
  double score;
};

void collect(const boost::json::value& v, const std::string& file, std::vector<Pair>& out) {
  if (const auto* obj = v.if_object()) {
    // NVD API 2.0 / CSAF: {"vectorString": "...", "baseScore": 9.8}
    const auto* vs = obj->if_contains("vectorString");
    const auto* bs = obj->if_contains("baseScore");
    if (vs && bs && vs->is_string() && bs->is_number()) {
      out.push_back({file, std::string(vs->as_string()), bs->to_number<double>()});
    }
    // vunnel's normalised records: {"vector_string": "...", "base_metrics": {"base_score": 8.8}}
    const auto* vs2 = obj->if_contains("vector_string");
    const auto* bm = obj->if_contains("base_metrics");
    if (vs2 && bm && vs2->is_string() && bm->is_object()) {
      const auto* bs2 = bm->as_object().if_contains("base_score");
      if (bs2 && bs2->is_number()) {
        out.push_back({file, std::string(vs2->as_string()), bs2->to_number<double>()});
      }
    }
    for (const auto& kv : *obj) collect(kv.value(), file, out);
  } else if (const auto* arr = v.if_array()) {
    for (const auto& e : *arr) collect(e, file, out);
  }
}

TEST(CvssNvdFixtures, EveryPublishedBaseScoreMatches) {
  // The trees holding publishers' records as fetched (NVD API 2.0 pages, Red Hat CSAF and the
  // vunnel snapshots built from them). Not grype-fixtures: its transformer test inputs are
  // hand-edited (e.g. GHSA-3x74-v64j-qc3f.json gives PR:H/UI:N/S:U/C:H/I:H/A:H, which is 7.2 by
  // the specification, a base_score of 9.8).
  const std::filesystem::path data(VULNDB_CVSS_SHARED_DATA_DIR);
  std::vector<Pair> pairs;
  size_t files = 0;
  for (const char* tree : {"vulndb/vunnel-fixtures", "vulndb/trivy-db-testdata"}) {
    const std::filesystem::path root = data / tree;
    ASSERT_TRUE(std::filesystem::is_directory(root)) << root << " is missing";
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream buf;
      buf << in.rdbuf();
      const std::string text = buf.str();
      if (text.find("\"baseScore\"") == std::string::npos &&
          text.find("\"base_score\"") == std::string::npos) {
        continue;
      }
      boost::system::error_code ec;
      const boost::json::value doc = boost::json::parse(text, ec);
      ASSERT_FALSE(ec) << entry.path() << ": " << ec.message();
      ++files;
      collect(doc, entry.path().lexically_relative(data).string(), pairs);
    }
  }
  std::map<std::string, size_t> by_version;
  for (const Pair& p : pairs) {
    auto r = parse_cvss(p.vector);
    ASSERT_TRUE(r.has_value()) << p.file << ": " << p.vector << ": " << r.error().message;
    EXPECT_NEAR(r->base_score, p.score, 1e-9) << p.file << ": " << p.vector;
    ++by_version[std::string(cvss_version_name(r->version))];
  }
  std::ostringstream summary;
  for (const auto& [version, n] : by_version) summary << " v" << version << "=" << n;
  std::cout << "[ NVD     ] checked " << pairs.size() << " (vector, baseScore) pairs from "
            << files << " files:" << summary.str() << "\n";
  // The fixtures hold v2, v3.1 and v4.0 NVD records (69 vectorString/baseScore pairs when
  // written); a vanished fixture set must not pass silently.
  EXPECT_GE(pairs.size(), 69u);
  EXPECT_GE(by_version["2.0"], 1u);
  EXPECT_GE(by_version["3.1"], 1u);
  EXPECT_GE(by_version["4.0"], 1u);
}

}  // namespace
}  // namespace bulwark::vulndb
