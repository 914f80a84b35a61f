// The Notation trust policy document (version 1.0, trust-store-trust-policy.md): which trust
// stores and signer identities are trusted for which repositories, and how strictly
// (verification levels strict / permissive / audit / skip, each deciding per check —
// integrity, authenticity, authenticTimestamp, expiry, revocation — whether a failure is
// enforced, only logged, or not checked). Parsing applies notation-go's validation rules: known
// version, unique non-empty names, registryScopes "*" (alone, in one policy at most) or
// "registry/repository" each in one policy only, valid levels and overrides (integrity cannot be
// overridden, skip takes none), trust stores "<type>:<name>", trusted identities "*" (alone) or
// "x509.subject: <DN>" with C, ST and O, no duplicate or overlapping identities, and a "skip"
// policy naming no stores or identities.
//
// TrustPolicyDocument is an immutable value after parsing; const methods are thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "trust/notation/trust_store.h"

namespace bulwark::trust::notation {

enum class VerificationLevel { kStrict, kPermissive, kAudit, kSkip };
std::string_view level_name(VerificationLevel level);

// The validations a level configures, in the order verification runs them.
enum class ValidationCheck { kIntegrity, kAuthenticity, kAuthenticTimestamp, kExpiry, kRevocation };
inline constexpr size_t kValidationCheckCount = 5;
std::string_view check_name(ValidationCheck check);  // "integrity", "authenticTimestamp", ...

// What a failed validation does: fail verification, be logged only, or not run at all.
enum class CheckAction { kEnforce, kLog, kSkip };
std::string_view action_name(CheckAction action);  // "enforce", "log", "skip"

// The actions of a level before overrides (the spec's table).
std::array<CheckAction, kValidationCheckCount> level_actions(VerificationLevel level);

// A distinguished name as attribute/value pairs, e.g. {{"C","US"},{"ST","WA"},...}.
using DistinguishedName = std::vector<std::pair<std::string, std::string>>;
// Parses "C=US, ST=WA, O=Example" (RFC 4514 / 2253, ',' or ';' separated, spaces around
// separators ignored, '\' escapes). Multi-valued RDNs ('+') and repeated attributes are refused.
Result<DistinguishedName> parse_distinguished_name(std::string_view text);
// True when every attribute of `trusted` appears in `subject` with the same value (the
// certificate subject may carry more attributes), as notation matches x509.subject identities.
bool dn_matches(const DistinguishedName& trusted, const DistinguishedName& subject);

struct TrustStoreRef {
  StoreType type = StoreType::kCa;
  std::string name;
};

struct TrustPolicy {
  std::string name;
  std::vector<std::string> registry_scopes;  // "*" or "registry/repository"
  VerificationLevel level = VerificationLevel::kStrict;
  std::array<CheckAction, kValidationCheckCount> actions{};  // level_actions + overrides
  std::vector<TrustStoreRef> trust_stores;
  // signatureVerification.verifyTimestamp: "always" (default) verifies a timestamp whenever there
  // is one; "afterCertExpiry" only once the signing certificate has expired.
  bool verify_timestamp_after_cert_expiry = false;
  bool any_identity = false;                        // trustedIdentities ["*"]
  std::vector<std::string> trusted_identities;      // as written
  std::vector<DistinguishedName> trusted_subjects;  // parsed x509.subject identities

  CheckAction action(ValidationCheck check) const { return actions[static_cast<size_t>(check)]; }
};

class TrustPolicyDocument {
 public:
  // Parses and validates the JSON document. kInvalidArgument naming the policy and rule broken.
  static Result<TrustPolicyDocument> parse(std::string_view json);

  const std::string& version() const { return version_; }
  const std::vector<TrustPolicy>& policies() const { return policies_; }

  // The policy for `repository` ("registry.example.com/demo/app", no tag or digest): the one
  // whose registryScopes list it, else the "*" policy. kNotFound when none applies.
  Result<const TrustPolicy*> select(std::string_view repository) const;

 private:
  std::string version_;
  std::vector<TrustPolicy> policies_;
};

}  // namespace bulwark::trust::notation
