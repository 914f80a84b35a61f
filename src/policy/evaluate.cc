#include "policy/evaluate.h"

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>

#include "common/clock.h"
#include "common/strings.h"

namespace bulwark::policy {
namespace {

// What a pending image gets under each `pending` mode (indexed by PendingRule::Mode).
struct PendingEffect {
  Outcome outcome;
  std::string_view meanwhile;
};
constexpr std::array<PendingEffect, 3> kPendingEffects = {{
    {Outcome::kBlock, "blocked until known (pending: block)"},
    {Outcome::kAllow, "allowed meanwhile (pending: allow)"},
    {Outcome::kBlock, ""},  // wait: the text names the wait
}};

// The outcome of a rule with `action` that passed or failed; the reason says when the
// production context softened it.
RuleResult judged(std::string rule, const Check& check, Action action, const Context& context) {
  RuleResult r{std::move(rule), Outcome::kAllow, check.reason};
  if (check.passed) return r;
  r.outcome = outcome_of(action, context.production);
  r.reason += " (" + std::string(action_name(action)) + ")";
  if (action == Action::kBlockInProduction && !context.production) {
    r.reason += "; blocks in production only";
  }
  return r;
}

std::string vulnerability_summary(const VulnerabilityDecision& v) {
  if (v.findings.empty()) return "vulnerabilities: no open findings";
  size_t counts[3] = {0, 0, 0};
  for (const FindingDecision& f : v.findings) ++counts[static_cast<size_t>(f.outcome)];
  std::string out = "vulnerabilities: " + std::to_string(v.findings.size()) +
                    " open finding(s): " + std::to_string(counts[2]) + " block, " +
                    std::to_string(counts[1]) + " flag, " + std::to_string(counts[0]) + " allowed";
  if (!v.reasons.empty()) {
    out += "; " + v.reasons.front();
    if (v.reasons.size() > 1) out += " and " + std::to_string(v.reasons.size() - 1) + " more";
  }
  return out;
}

}  // namespace

ImageDecision evaluate_image(const PolicyDocument& policy, const ImageFacts& facts,
                             const Context& context) {
  ImageDecision d;
  std::vector<std::string> unknown;  // facts not known yet, for the pending rule's reason

  if (facts.scanned) {
    d.vulnerabilities = evaluate_vulnerabilities(policy, facts.findings, context);
    d.rules.push_back(
        {"vulnerabilities", d.vulnerabilities.outcome, vulnerability_summary(d.vulnerabilities)});
  } else {
    unknown.push_back("the vulnerability scan");
    d.rules.push_back({"vulnerabilities", Outcome::kAllow,
                       "vulnerabilities: not judged yet: the scan is pending"});
  }

  bool verification_pending = false;
  for (size_t i = 0; i < policy.provenance.size(); ++i) {
    const ProvenanceRule& rule = policy.provenance[i];
    if (!rule.applies_to(facts.repository)) continue;
    std::string name = "provenance[" + std::to_string(i) + "]";
    const std::string label = name + " (" + join(rule.repositories, ", ") + ")";
    if (!facts.provenance.known) {
      verification_pending = true;
      d.rules.push_back({std::move(name), Outcome::kAllow,
                         label + ": not judged yet: signature verification is pending"});
      continue;
    }
    d.rules.push_back(judged(std::move(name), check_provenance(rule, label, facts.provenance),
                             rule.action, context));
  }
  if (verification_pending) unknown.push_back("signature verification");

  if (policy.base_images) {
    d.rules.push_back(judged("base_images", check_base_image(*policy.base_images, facts.layers),
                             policy.base_images->action, context));
  }

  for (size_t i = 0; i < policy.labels.size(); ++i) {
    const std::string name = "labels[" + std::to_string(i) + "]";
    d.rules.push_back(judged(name,
                             check_label(policy.labels[i], name, facts.labels, facts.annotations),
                             policy.labels[i].action, context));
  }

  if (!unknown.empty()) {
    d.pending = true;
    std::string reason = "pending: " + join(unknown, " and ") + " not finished; ";
    if (!policy.pending) {
      // No `pending:` key: safe where it matters, out of the way elsewhere.
      reason += context.production ? "blocked until known (default in production)"
                                   : "let through meanwhile outside production (default)";
      d.rules.push_back({"pending", context.production ? Outcome::kBlock : Outcome::kFlag,
                         std::move(reason)});
    } else {
      const PendingEffect& effect = kPendingEffects[static_cast<size_t>(policy.pending->mode)];
      if (policy.pending->mode == PendingRule::Mode::kWait) {
        d.wait_seconds = policy.pending->wait_seconds;
        reason += "wait up to " + std::to_string(policy.pending->wait_seconds) +
                  "s for the facts, refused until then (pending: wait)";
      } else {
        reason += effect.meanwhile;
      }
      d.rules.push_back({"pending", effect.outcome, std::move(reason)});
    }
  }

  for (const RuleResult& r : d.rules) d.outcome = std::max(d.outcome, r.outcome);
  if (d.outcome == Outcome::kAllow) return d;
  for (const RuleResult& r : d.rules) {
    if (r.outcome != d.outcome) continue;
    if (r.rule == "vulnerabilities") {
      d.reasons.insert(d.reasons.end(), d.vulnerabilities.reasons.begin(),
                       d.vulnerabilities.reasons.end());
    } else {
      d.reasons.push_back(r.reason);
    }
  }
  return d;
}

boost::json::object decision_to_json(const ImageDecision& decision) {
  boost::json::object out;
  out["outcome"] = outcome_name(decision.outcome);
  out["pending"] = decision.pending;
  if (decision.wait_seconds) out["waitSeconds"] = *decision.wait_seconds;
  boost::json::array reasons;
  for (const std::string& r : decision.reasons) reasons.emplace_back(r);
  out["reasons"] = std::move(reasons);
  boost::json::array rules;
  for (const RuleResult& r : decision.rules) {
    rules.emplace_back(boost::json::object{
        {"rule", r.rule}, {"outcome", outcome_name(r.outcome)}, {"reason", r.reason}});
  }
  out["rules"] = std::move(rules);
  boost::json::array findings;
  for (const FindingDecision& f : decision.vulnerabilities.findings) {
    boost::json::object o{{"vulnerability", f.finding->vulnerability},
                          {"package", f.finding->package},
                          {"severity", severity_name(f.finding->severity)},
                          {"action", action_name(f.action)},
                          {"outcome", outcome_name(f.outcome)},
                          {"rule", f.rule},
                          {"reason", f.reason}};
    if (f.deadline) o["deadline"] = rfc3339_utc(*f.deadline);
    o["overdue"] = f.overdue;
    if (f.exception) {
      o["exception"] = boost::json::object{{"justification", f.exception->justification},
                                           {"approver", f.exception->approver},
                                           {"expires", rfc3339_utc(f.exception->expires)}};
    }
    findings.emplace_back(std::move(o));
  }
  out["findings"] = std::move(findings);
  return out;
}

}  // namespace bulwark::policy
