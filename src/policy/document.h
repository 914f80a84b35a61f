// Policy documents: what a project or environment decides about the images it holds. Version 1
// covers vulnerabilities — an action and a remediation deadline per severity, with fix-available
// and unfixed findings handled separately, known-exploited (KEV) and EPSS overrides — and
// exceptions (a vulnerability or a package, with justification, approver and expiry); provenance
// rules (provenance.h), approved base images (base_images.h), label rules (labels.h), and what a
// pending image (scan or verification not finished) gets.
//
//   version: 1
//   vulnerabilities:
//     critical: {action: block, deadline: 1d}
//     high:     {action: block_in_production, deadline: 7d, unfixed: flag}
//     medium:   {action: flag, deadline: 30d}
//     low:      {action: inform}
//     kev: block                  # known exploited: this action regardless of severity
//     epss: {threshold: 0.5, action: block}
//   exceptions:
//     - vulnerability: CVE-2024-1234      # or package: openssl (or both)
//       justification: "not reachable: no TLS in this service"
//       approver: alice
//       expires: 2026-12-31T00:00:00Z
//   provenance: [...]             # provenance.h
//   base_images: {...}            # base_images.h
//   labels: [...]                 # labels.h
//   pending: block                # or allow, or {wait: 30s}; default: block in production, flag elsewhere
//
// Omitted severities keep the defaults (critical block/1d, high block_in_production/7d, medium
// flag/30d, low inform, unknown inform); unknown keys are errors, so a typo never silently drops
// a rule. Immutable after parsing; thread-safe to share.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "policy/base_images.h"
#include "policy/labels.h"
#include "policy/provenance.h"

namespace bulwark::policy {

// What a rule does to an image, from least to most severe (comparisons rank them).
enum class Action { kInform, kFlag, kBlockInProduction, kBlock };
std::string_view action_name(Action action);  // "inform", "flag", "block_in_production", "block"
std::optional<Action> parse_action(std::string_view name);

// The severities a finding may have (the vulnerability database's scale).
enum class Severity { kUnknown, kLow, kMedium, kHigh, kCritical };
inline constexpr size_t kSeverityCount = 5;
std::string_view severity_name(Severity severity);  // "unknown", "low", ...
std::optional<Severity> parse_severity(std::string_view name);

struct SeverityRule {
  Action action = Action::kInform;
  // What applies when no fixed version exists; nullopt: `action`.
  std::optional<Action> unfixed;
  int64_t deadline_seconds = 0;  // 0: no remediation deadline
};

struct EpssRule {
  double threshold = 1.0;  // a probability in [0, 1]; findings at or above it get `action`
  Action action = Action::kFlag;
};

struct Exception {
  std::string vulnerability;  // empty: any vulnerability of `package`
  std::string package;        // empty: `vulnerability` in any package
  std::string justification;
  std::string approver;
  int64_t expires = 0;  // Unix seconds; an exception stops counting at this time on its own
};

// What an image gets while facts are unknown (scan or signature verification not finished).
struct PendingRule {
  enum class Mode { kBlock, kAllow, kWait };
  Mode mode = Mode::kBlock;
  int64_t wait_seconds = 0;  // kWait: how long the caller may wait for the facts (> 0)
};

struct PolicyDocument {
  int version = 1;
  std::array<SeverityRule, kSeverityCount> severities{};  // indexed by Severity
  std::optional<Action> kev = Action::kBlock;             // nullopt: KEV adds nothing
  std::optional<EpssRule> epss;
  std::vector<Exception> exceptions;
  std::vector<ProvenanceRule> provenance;  // every rule matching the repository applies
  std::optional<BaseImagePolicy> base_images;
  std::vector<LabelRule> labels;
  // nullopt (no `pending:` key): block in production projects, where refusing is safe; flag
  // elsewhere, so development pushes are not held up by scans (a pending image is still marked).
  std::optional<PendingRule> pending;

  const SeverityRule& rule(Severity s) const { return severities[static_cast<size_t>(s)]; }
};

// The defaults described above (what applies without a document).
PolicyDocument default_policy();

// Parses a YAML (or JSON) document. kInvalidArgument naming the field on any error, e.g.
// "policy: vulnerabilities.high.action: unknown action \"stop\"".
Result<PolicyDocument> parse_policy(std::string_view text);

}  // namespace bulwark::policy
