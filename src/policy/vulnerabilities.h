// Evaluating an image's vulnerability findings under a policy document (document.h): each finding
// gets the action of its severity rule (the `unfixed` action when no fixed version exists), raised
// by the KEV and EPSS rules, unless a current exception covers it; the image gets the most severe
// action, and `block_in_production` blocks only in a production context. Every decision says
// which rule produced it, so a refusal explains itself.
//
// Pure functions of their inputs (the time is a parameter); thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "policy/document.h"

namespace bulwark::policy {

// One open finding of an image, as the matcher records it.
struct Finding {
  std::string vulnerability;         // "CVE-2024-1234" (or a GHSA/OSV id)
  std::vector<std::string> aliases;  // other ids of the same flaw; exceptions may name any
  std::string package;               // the package name the finding is about
  Severity severity = Severity::kUnknown;
  bool fix_available = false;
  bool known_exploited = false;  // listed in CISA KEV
  std::optional<double> epss;    // exploitation probability, when known
  int64_t first_seen = 0;        // Unix seconds
};

struct Context {
  bool production = false;  // the project or environment is production
  int64_t now = 0;          // Unix seconds: exception expiry and deadlines are judged here
};

// What happens to an image.
enum class Outcome { kAllow, kFlag, kBlock };
std::string_view outcome_name(Outcome outcome);  // "allow", "flag", "block"
// What `action` does to an image: block_in_production blocks in production and flags elsewhere.
Outcome outcome_of(Action action, bool production);

struct FindingDecision {
  const Finding* finding = nullptr;
  Action action = Action::kInform;  // the rule's action (before the production context)
  Outcome outcome = Outcome::kAllow;
  std::string rule;                 // "vulnerabilities.high", "vulnerabilities.kev", ...
  std::string reason;               // one line: why this action
  std::optional<int64_t> deadline;  // first_seen + the rule's deadline; none without one
  bool overdue = false;
  const Exception* exception = nullptr;  // the exception that waived it, if any
};

struct VulnerabilityDecision {
  Outcome outcome = Outcome::kAllow;
  std::vector<FindingDecision> findings;  // in the input's order
  // The findings that decided `outcome` (the most severe ones), as "CVE-… in pkg: reason".
  std::vector<std::string> reasons;
};

VulnerabilityDecision evaluate_vulnerabilities(const PolicyDocument& policy,
                                               std::span<const Finding> findings,
                                               const Context& context);

}  // namespace bulwark::policy
