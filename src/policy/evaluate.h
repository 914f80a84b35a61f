// Evaluating a whole image under a policy document: its vulnerability findings
// (vulnerabilities.h), its provenance (verified signatures and attestations against required
// signers, per repository pattern), its base image (the approved golden images, recognised by
// their layer digests as the image's lowest layers) and its labels and annotations. Each rule
// reports an outcome and a reason; the image gets the most severe outcome, and the reasons of the
// rules that decided it, so a refusal explains itself rule by rule.
//
// Facts not yet known (the scan or the signature verification has not finished) make the
// decision `pending`; the document's `pending` rule says what a pending image gets (block by
// default, allow, or wait up to N seconds for the facts — the caller waits, then evaluates again).
//
// Pure functions of their inputs (the time is in the Context); thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "policy/document.h"
#include "policy/vulnerabilities.h"

namespace bulwark::policy {

// A verified signature or attestation (unverified ones are not facts; they count for nothing).
struct SignerFact {
  std::string format;          // "cosign", "sigstore-bundle", "notation-jws", ... (for messages)
  std::string signer;          // key id ("sha256:<hex>") or certificate identity (SAN)
  std::string issuer;          // OIDC issuer (keyless), CA subject (Notation); may be empty
  std::string predicate_type;  // attestations: the predicate type URI
};

struct ProvenanceFacts {
  bool known = false;  // false: verification has not run yet (pending)
  std::vector<SignerFact> signatures;
  std::vector<SignerFact> attestations;
  std::string unsigned_reason;  // why no signature verified ("no_signature: ..."), for messages
};

struct ImageFacts {
  std::string repository;  // "project/app"
  std::string digest;
  bool scanned = false;    // false: the vulnerability scan is pending (findings unknown)
  std::vector<Finding> findings;
  ProvenanceFacts provenance;
  std::vector<std::string> layers;  // layer digests, lowest (base) first; empty for an index
  std::map<std::string, std::string> labels;       // the image config's Labels
  std::map<std::string, std::string> annotations;  // the manifest's annotations
};

struct RuleResult {
  std::string rule;  // "vulnerabilities", "provenance[0]", "base_images", "labels[2]", "pending"
  Outcome outcome = Outcome::kAllow;
  std::string reason;  // one line: what the rule found
};

struct ImageDecision {
  Outcome outcome = Outcome::kAllow;
  bool pending = false;                     // some facts were not known yet
  std::optional<int64_t> wait_seconds;      // `pending: {wait: N}`: how long the caller may wait
  std::vector<RuleResult> rules;            // every rule that applied, in document order
  VulnerabilityDecision vulnerabilities;    // per-finding detail (empty while pending)
  std::vector<std::string> reasons;         // the reasons of the rules that decided `outcome`
};

// The decision's `vulnerabilities.findings` point into `facts.findings` and `policy.exceptions`:
// REQUIRES: both outlive the decision (or copy what you need, e.g. decision_to_json, first).
ImageDecision evaluate_image(const PolicyDocument& policy, const ImageFacts& facts,
                             const Context& context);

// {"outcome", "pending", "waitSeconds"?, "reasons": [...], "rules": [{"rule","outcome","reason"}],
//  "findings": [{"vulnerability","package","severity","action","outcome","rule","reason",
//  "deadline"?, "overdue", "exception"?: {"justification","approver","expires"}}]}.
boost::json::object decision_to_json(const ImageDecision& decision);

}  // namespace bulwark::policy
