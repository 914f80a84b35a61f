#include "policy/vulnerabilities.h"

#include <gtest/gtest.h>

namespace bulwark::policy {
namespace {

constexpr int64_t kNow = 1'800'000'000;
constexpr int64_t kDay = 86400;

Finding finding(std::string id, Severity s, bool fixed = true) {
  Finding f;
  f.vulnerability = std::move(id);
  f.package = "libfoo";
  f.severity = s;
  f.fix_available = fixed;
  f.first_seen = kNow - kDay / 2;
  return f;
}

Outcome one(const PolicyDocument& p, const Finding& f, bool production) {
  return evaluate_vulnerabilities(p, std::span<const Finding>(&f, 1), {production, kNow}).outcome;
}

// The default table, in and outside production.
TEST(VulnerabilityPolicy, DefaultActionsBySeverityAndEnvironment) {
  const PolicyDocument p = default_policy();
  struct Row {
    Severity severity;
    Outcome elsewhere;
    Outcome production;
  };
  const Row rows[] = {
      {Severity::kCritical, Outcome::kBlock, Outcome::kBlock},
      {Severity::kHigh, Outcome::kFlag, Outcome::kBlock},
      {Severity::kMedium, Outcome::kFlag, Outcome::kFlag},
      {Severity::kLow, Outcome::kAllow, Outcome::kAllow},
      {Severity::kUnknown, Outcome::kAllow, Outcome::kAllow},
  };
  for (const Row& r : rows) {
    Finding f = finding("CVE-2099-0001", r.severity);
    EXPECT_EQ(one(p, f, false), r.elsewhere) << severity_name(r.severity);
    EXPECT_EQ(one(p, f, true), r.production) << severity_name(r.severity);
  }
}

TEST(VulnerabilityPolicy, UnfixedFindingsFollowTheUnfixedRule) {
  PolicyDocument p = default_policy();
  p.severities[static_cast<size_t>(Severity::kCritical)].unfixed = Action::kFlag;
  EXPECT_EQ(one(p, finding("CVE-1", Severity::kCritical, /*fixed=*/true), true), Outcome::kBlock);
  auto d = evaluate_vulnerabilities(
      p, std::vector<Finding>{finding("CVE-1", Severity::kCritical, false)}, {true, kNow});
  EXPECT_EQ(d.outcome, Outcome::kFlag);
  EXPECT_NE(d.findings[0].reason.find("no fix yet"), std::string::npos) << d.findings[0].reason;
}

TEST(VulnerabilityPolicy, KnownExploitedBlocksRegardlessOfSeverity) {
  const PolicyDocument p = default_policy();
  Finding f = finding("CVE-2099-0002", Severity::kLow);
  f.known_exploited = true;
  auto d = evaluate_vulnerabilities(p, std::vector<Finding>{f}, {false, kNow});
  EXPECT_EQ(d.outcome, Outcome::kBlock);
  EXPECT_EQ(d.findings[0].rule, "vulnerabilities.kev");
  ASSERT_EQ(d.reasons.size(), 1u);
  EXPECT_NE(d.reasons[0].find("known exploited"), std::string::npos) << d.reasons[0];
  PolicyDocument off = p;
  off.kev.reset();
  EXPECT_EQ(one(off, f, false), Outcome::kAllow);
}

TEST(VulnerabilityPolicy, EpssThresholdRaisesButNeverLowers) {
  PolicyDocument p = default_policy();
  p.epss = EpssRule{0.5, Action::kBlock};
  Finding f = finding("CVE-3", Severity::kMedium);
  f.epss = 0.49;
  EXPECT_EQ(one(p, f, false), Outcome::kFlag);
  f.epss = 0.5;
  EXPECT_EQ(one(p, f, false), Outcome::kBlock);
  p.epss = EpssRule{0.1, Action::kInform};  // a weaker action does not lower a stronger one
  EXPECT_EQ(one(p, f, false), Outcome::kFlag);
}

TEST(VulnerabilityPolicy, ExceptionsWaiveUntilTheyExpire) {
  PolicyDocument p = default_policy();
  p.exceptions.push_back({"CVE-2099-0003", "", "not reachable", "alice", kNow + kDay});
  p.exceptions.push_back({"", "libbar", "vendor backport", "bob", kNow - 1});  // expired
  Finding waived = finding("CVE-2099-0003", Severity::kCritical);
  auto d = evaluate_vulnerabilities(p, std::vector<Finding>{waived}, {true, kNow});
  EXPECT_EQ(d.outcome, Outcome::kAllow);
  ASSERT_NE(d.findings[0].exception, nullptr);
  EXPECT_NE(d.findings[0].reason.find("approved by alice"), std::string::npos);
  // The same exception a day later no longer counts, without anyone removing it.
  d = evaluate_vulnerabilities(p, std::vector<Finding>{waived}, {true, kNow + kDay});
  EXPECT_EQ(d.outcome, Outcome::kBlock);
  // An expired package exception never counts.
  Finding bar = finding("CVE-2099-0004", Severity::kCritical);
  bar.package = "libbar";
  EXPECT_EQ(one(p, bar, true), Outcome::kBlock);
  // An exception may name an alias of the finding's id.
  Finding aliased = finding("GHSA-xxxx-yyyy-zzzz", Severity::kCritical);
  aliased.aliases = {"CVE-2099-0003"};
  EXPECT_EQ(one(p, aliased, true), Outcome::kAllow);
  // An exception for a vulnerability and a package covers only that pair.
  p.exceptions = {{"CVE-2099-0005", "libfoo", "x", "carol", kNow + kDay}};
  Finding other_package = finding("CVE-2099-0005", Severity::kCritical);
  other_package.package = "libqux";
  EXPECT_EQ(one(p, other_package, true), Outcome::kBlock);
  EXPECT_EQ(one(p, finding("CVE-2099-0005", Severity::kCritical), true), Outcome::kAllow);
}

TEST(VulnerabilityPolicy, DeadlinesAndTheMostSevereFindingDecides) {
  const PolicyDocument p = default_policy();
  Finding medium = finding("CVE-10", Severity::kMedium);
  medium.first_seen = kNow - 31 * kDay;
  Finding critical = finding("CVE-11", Severity::kCritical);
  Finding low = finding("CVE-12", Severity::kLow);
  auto d = evaluate_vulnerabilities(p, std::vector<Finding>{low, medium, critical}, {false, kNow});
  EXPECT_EQ(d.outcome, Outcome::kBlock);
  ASSERT_EQ(d.findings.size(), 3u);
  EXPECT_FALSE(d.findings[0].deadline);  // low: no deadline
  ASSERT_TRUE(d.findings[1].deadline);
  EXPECT_EQ(*d.findings[1].deadline, medium.first_seen + 30 * kDay);
  EXPECT_TRUE(d.findings[1].overdue);
  EXPECT_FALSE(d.findings[2].overdue);
  ASSERT_EQ(d.reasons.size(), 1u);  // only the blocking finding explains the block
  EXPECT_NE(d.reasons[0].find("CVE-11 in libfoo"), std::string::npos) << d.reasons[0];
  EXPECT_EQ(outcome_name(d.outcome), "block");
  EXPECT_EQ(evaluate_vulnerabilities(p, {}, {true, kNow}).outcome, Outcome::kAllow);
}

}  // namespace
}  // namespace bulwark::policy
