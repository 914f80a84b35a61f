#include "policy/document.h"

#include <gtest/gtest.h>

namespace bulwark::policy {
namespace {

TEST(PolicyDocument, DefaultsAreTheIssuesTable) {
  PolicyDocument d = default_policy();
  EXPECT_EQ(d.rule(Severity::kCritical).action, Action::kBlock);
  EXPECT_EQ(d.rule(Severity::kCritical).deadline_seconds, 86400);
  EXPECT_EQ(d.rule(Severity::kHigh).action, Action::kBlockInProduction);
  EXPECT_EQ(d.rule(Severity::kHigh).deadline_seconds, 7 * 86400);
  EXPECT_EQ(d.rule(Severity::kMedium).action, Action::kFlag);
  EXPECT_EQ(d.rule(Severity::kMedium).deadline_seconds, 30 * 86400);
  EXPECT_EQ(d.rule(Severity::kLow).action, Action::kInform);
  EXPECT_EQ(d.kev, Action::kBlock);
  EXPECT_FALSE(d.epss);
}

TEST(PolicyDocument, ParsesRulesExceptionsAndKeepsOmittedDefaults) {
  auto d = parse_policy(R"(
version: 1
vulnerabilities:
  high: {action: block, unfixed: flag, deadline: 3d}
  low: {action: flag}
  kev: block
  epss: {threshold: 0.25, action: block_in_production}
exceptions:
  - vulnerability: CVE-2024-1234
    justification: not reachable
    approver: alice
    expires: 2026-12-31T00:00:00Z
  - package: openssl
    justification: vendor backport
    approver: bob
    expires: 2027-01-01T12:00:00+01:00
)");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->rule(Severity::kHigh).action, Action::kBlock);
  EXPECT_EQ(d->rule(Severity::kHigh).unfixed, Action::kFlag);
  EXPECT_EQ(d->rule(Severity::kHigh).deadline_seconds, 3 * 86400);
  EXPECT_EQ(d->rule(Severity::kLow).action, Action::kFlag);
  EXPECT_EQ(d->rule(Severity::kLow).deadline_seconds, 0);
  EXPECT_EQ(d->rule(Severity::kCritical).action, Action::kBlock);  // default kept
  ASSERT_TRUE(d->epss);
  EXPECT_DOUBLE_EQ(d->epss->threshold, 0.25);
  EXPECT_EQ(d->epss->action, Action::kBlockInProduction);
  ASSERT_EQ(d->exceptions.size(), 2u);
  EXPECT_EQ(d->exceptions[0].vulnerability, "CVE-2024-1234");
  EXPECT_EQ(d->exceptions[0].expires, 1798675200);  // date -u -d 2026-12-31 +%s
  EXPECT_EQ(d->exceptions[1].package, "openssl");
  EXPECT_EQ(d->exceptions[1].expires, 1798801200);  // date -u -d '2027-01-01 11:00' +%s
}

TEST(PolicyDocument, KevCanBeSwitchedOff) {
  auto d = parse_policy("version: 1\nvulnerabilities:\n  kev: none\n");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_FALSE(d->kev);
}

TEST(PolicyDocument, RefusesMistakesNamingTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {"vulnerabilities: {}", "version: missing"},
      {"version: 2", "version: unsupported"},
      {"version: 1\nvulnerabilty: {}", "vulnerabilty: unknown key"},
      {"version: 1\nvulnerabilities:\n  high: {action: stop}",
       "vulnerabilities.high.action: unknown action"},
      {"version: 1\nvulnerabilities:\n  severe: {action: block}",
       "vulnerabilities.severe: unknown key"},
      {"version: 1\nvulnerabilities:\n  high: {deadline: soon}", "vulnerabilities.high.deadline"},
      {"version: 1\nvulnerabilities:\n  epss: {threshold: 1.5}", "vulnerabilities.epss.threshold"},
      {"version: 1\nvulnerabilities:\n  epss: {action: block}",
       "vulnerabilities.epss.threshold: missing"},
      {"version: 1\nexceptions: {}", "exceptions: expected a list"},
      {"version: 1\nexceptions:\n  - {justification: x, approver: a, expires: "
       "2026-01-01T00:00:00Z}",
       "names a vulnerability, a package"},
      {"version: 1\nexceptions:\n  - {vulnerability: CVE-1, approver: a, expires: "
       "2026-01-01T00:00:00Z}",
       "exceptions[0].justification: missing"},
      {"version: 1\nexceptions:\n  - {vulnerability: CVE-1, justification: x, approver: a}",
       "exceptions[0].expires: missing"},
      {"version: 1\nexceptions:\n  - {vulnerability: CVE-1, justification: x, approver: a, "
       "expires: tomorrow}",
       "exceptions[0].expires"},
      {"version: 1\n  - : [", "not YAML"},
  };
  for (const auto& [text, expected] : cases) {
    auto d = parse_policy(text);
    ASSERT_FALSE(d) << text;
    EXPECT_EQ(d.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(d.error().message.find(expected), std::string::npos)
        << text << " -> " << d.error().message;
  }
}

}  // namespace
}  // namespace bulwark::policy
