#include "policy/vulnerabilities.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "common/clock.h"

namespace bulwark::policy {
namespace {

constexpr std::array<std::string_view, 3> kOutcomeNames = {"allow", "flag", "block"};

// What each action does to an image outside and inside production, indexed by Action.
struct ActionOutcome {
  Outcome elsewhere;
  Outcome production;
};
constexpr std::array<ActionOutcome, 4> kActionOutcomes = {{
    {Outcome::kAllow, Outcome::kAllow},  // inform
    {Outcome::kFlag, Outcome::kFlag},    // flag
    {Outcome::kFlag, Outcome::kBlock},   // block_in_production: flagged elsewhere
    {Outcome::kBlock, Outcome::kBlock},  // block
}};

// The exception that covers `f` at `now`: same vulnerability (or an alias) and/or package, not
// yet expired. Expired exceptions stop counting on their own.
const Exception* covering_exception(const PolicyDocument& policy, const Finding& f, int64_t now) {
  for (const Exception& e : policy.exceptions) {
    if (e.expires <= now) continue;
    const bool vulnerability_ok =
        e.vulnerability.empty() || e.vulnerability == f.vulnerability ||
        std::find(f.aliases.begin(), f.aliases.end(), e.vulnerability) != f.aliases.end();
    const bool package_ok = e.package.empty() || e.package == f.package;
    if (vulnerability_ok && package_ok) return &e;
  }
  return nullptr;
}

std::string epss_text(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", p);
  return buf;
}

FindingDecision decide(const PolicyDocument& policy, const Finding& f, const Context& ctx) {
  FindingDecision d;
  d.finding = &f;
  const SeverityRule& rule = policy.rule(f.severity);
  const std::string severity(severity_name(f.severity));
  d.rule = "vulnerabilities." + severity;
  if (f.fix_available || !rule.unfixed) {
    d.action = rule.action;
    d.reason = severity + " severity" + (f.fix_available ? ", fix available" : ", no fix yet");
  } else {
    d.action = *rule.unfixed;
    d.reason = severity + " severity, no fix yet (the unfixed rule)";
  }
  if (rule.deadline_seconds > 0) {
    d.deadline = f.first_seen + rule.deadline_seconds;
    d.overdue = ctx.now > *d.deadline;
    if (d.overdue) d.reason += ", overdue since " + rfc3339_utc(*d.deadline);
  }
  // Exploitability raises the action, never lowers it.
  if (f.known_exploited && policy.kev && *policy.kev > d.action) {
    d.action = *policy.kev;
    d.rule = "vulnerabilities.kev";
    d.reason = "known exploited (CISA KEV), " + severity + " severity";
  }
  if (f.epss && policy.epss && *f.epss >= policy.epss->threshold &&
      policy.epss->action > d.action) {
    d.action = policy.epss->action;
    d.rule = "vulnerabilities.epss";
    d.reason = "EPSS " + epss_text(*f.epss) + " at or above " + epss_text(policy.epss->threshold);
  }
  d.outcome = outcome_of(d.action, ctx.production);
  if (d.action == Action::kBlockInProduction && !ctx.production) {
    d.reason += "; blocks in production only";
  }
  if (const Exception* e = covering_exception(policy, f, ctx.now)) {
    d.exception = e;
    d.outcome = Outcome::kAllow;
    d.reason += "; waived by an exception approved by " + e->approver + " until " +
                rfc3339_utc(e->expires) + ": " + e->justification;
  }
  return d;
}

}  // namespace

std::string_view outcome_name(Outcome outcome) {
  return kOutcomeNames[static_cast<size_t>(outcome)];
}

Outcome outcome_of(Action action, bool production) {
  const ActionOutcome& o = kActionOutcomes[static_cast<size_t>(action)];
  return production ? o.production : o.elsewhere;
}

VulnerabilityDecision evaluate_vulnerabilities(const PolicyDocument& policy,
                                               std::span<const Finding> findings,
                                               const Context& context) {
  VulnerabilityDecision out;
  for (const Finding& f : findings) {
    out.findings.push_back(decide(policy, f, context));
    out.outcome = std::max(out.outcome, out.findings.back().outcome);
  }
  if (out.outcome == Outcome::kAllow) return out;
  for (const FindingDecision& d : out.findings) {
    if (d.outcome == out.outcome) {
      out.reasons.push_back(d.finding->vulnerability + " in " + d.finding->package + ": " +
                            d.reason + " (" + d.rule + ")");
    }
  }
  return out;
}

}  // namespace bulwark::policy
