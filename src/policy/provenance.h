// Provenance rules of a policy document: for the repositories matching a rule's globs, at least
// `min_signatures` distinct verified signers among the required ones, and the required
// attestations (by predicate type) signed by their required signers.
//
//   provenance:
//     - repositories: ["prod/*"]          # globs, '*' crosses '/'; default ["*"]
//       action: block                     # default block; any action
//       min_signatures: 2                 # distinct verified signers among `signers`; default 1
//       signers:                          # empty or omitted: any verified signature counts
//         - key: sha256:<hex>             # a key-based signer (its key id)
//         - identity: "^https://github.com/acme/.*$"   # keyless: regex, full match on the SAN
//           issuer: https://token.actions.githubusercontent.com  # exact (or issuer_regex)
//       attestations:
//         - type: slsaprovenance          # cosign short name or a predicate type URI
//           signers: [...]                # omitted: the rule's signers
//
// Only verified signatures and attestations are facts (evaluate.h SignerFact); unverified ones
// count for nothing. Immutable after parsing; thread-safe to share.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/pattern.h"

namespace bulwark::policy {

enum class Action;
struct SignerFact;       // evaluate.h
struct ProvenanceFacts;  // evaluate.h

// One required signer: a key (`key`) or a keyless identity (`identity` with `issuer` or
// `issuer_regex`).
struct SignerRule {
  std::string key;                    // "sha256:<hex>"; empty for an identity
  std::optional<Regex> identity;      // full match on the certificate's SAN
  std::string issuer;                 // exact OIDC issuer (or CA subject)
  std::optional<Regex> issuer_regex;  // full match on the issuer

  bool matches(const SignerFact& fact) const;
  // "key sha256:…" or "identity <regex> issuer <issuer>" (messages).
  std::string describe() const;
};

struct AttestationRule {
  std::string type;                 // predicate type URI
  std::string name;                 // as the document wrote it ("slsaprovenance"), for messages
  std::vector<SignerRule> signers;  // empty: any verified attestation of `type` counts
};

struct ProvenanceRule {
  std::vector<std::string> repositories{"*"};
  Action action{};  // parse_provenance_rule sets block by default
  int64_t min_signatures = 1;
  std::vector<SignerRule> signers;  // empty: any verified signer
  std::vector<AttestationRule> attestations;

  bool applies_to(std::string_view repository) const;
};

// Whether `facts` satisfy `rule`. The reason names the rule as `label` ("provenance[0] (prod/*)")
// and says what was required and what was found. REQUIRES: facts.known.
Check check_provenance(const ProvenanceRule& rule, std::string_view label,
                       const ProvenanceFacts& facts);

}  // namespace bulwark::policy
