// Verdict: what a provenance verification decided and why. Every verifier in the trust module
// (Sigstore bundles, cosign signatures, DSSE attestations, Notation) returns one, so the CLI, the
// API, the policy engine and the admission webhook explain a refusal the same way.
//
// A verdict lists the checks it ran in order, each passed or failed with a detail; the first
// failure decides the verdict's reason. Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

namespace bulwark::trust {

// Why a verification failed; kNone when it passed. Names (reason_name) are stable: the API and
// audit events carry them.
enum class Reason {
  kNone,
  kMalformed,              // the signature, bundle, envelope or certificate cannot be parsed
  kNoSignature,            // nothing to verify was found
  kBadSignature,           // the signature does not verify under the key or certificate
  kWrongKey,               // signed by a key that is not among the trusted keys
  kTamperedPayload,        // the signed bytes are not the bytes presented (artifact, payload, DSSE)
  kDigestMismatch,         // the payload or statement is about another digest than the image's
  kUntrustedChain,         // the certificate does not chain to a trusted CA
  kCertificateExpired,     // the certificate was not valid when the signature was made
  kIdentityMismatch,       // the certificate's SAN is not a trusted identity
  kIssuerMismatch,         // the certificate's OIDC issuer is not the trusted one
  kMissingSct,             // no embedded SCT from a trusted CT log
  kBadSct,                 // an embedded SCT does not verify
  kMissingTlogEntry,       // no transparency-log entry where policy requires one
  kUnknownLog,             // the entry names a log that is not in the trusted root
  kBadSignedEntryTimestamp,// Rekor's signed entry timestamp (inclusion promise) does not verify
  kBadInclusionProof,      // the Merkle inclusion proof does not lead to the checkpoint's root
  kBadCheckpoint,          // the checkpoint's signature or contents are wrong
  kTlogBodyMismatch,       // the log entry records another signature, key or artifact
  kBadTimestamp,           // an RFC 3161 timestamp does not verify or is not over this signature
  kExpiredWithoutTimestamp,// the certificate has expired and no trusted time proves signing in it
  kSignatureExpired,       // the signature's own expiry (Notation io.cncf.notary.expiry) has passed
  kWrongPredicateType,     // an attestation of another predicate type than required
  kPolicyNotMet,           // verified signatures do not satisfy the policy (count, signers, level)
  kUnsupported,            // a well-formed feature Bulwark does not verify (named in the detail)
};

// Stable snake_case name, e.g. "identity_mismatch".
std::string_view reason_name(Reason reason);

struct Check {
  std::string name;    // what was checked, e.g. "certificate chain", "rekor inclusion proof"
  bool passed = false;
  std::string detail;  // why it failed, or what it established ("issued by sigstore-intermediate")
};

struct Verdict {
  Reason reason = Reason::kNoSignature;
  std::string message;        // one line a person can act on; empty when verified
  std::vector<Check> checks;  // in the order they ran

  // What a verified signature established.
  std::string signer;         // key id ("sha256:<hex>") or certificate identity (SAN)
  std::string issuer;         // OIDC issuer for keyless signatures, CA subject for Notation
  std::optional<int64_t> signed_at;  // trusted signing time (Rekor or RFC 3161), Unix seconds

  bool verified() const { return reason == Reason::kNone; }

  // Appends a passed check.
  void pass(std::string name, std::string detail = {});
  // Appends a failed check and makes `reason`/`message` the verdict's unless an earlier failure
  // already decided it. Returns *this for `return verdict.fail(...)`.
  Verdict& fail(Reason why, std::string name, std::string detail);
};

// {"verified", "reason", "message", "signer", "issuer", "signedAt" (RFC 3339),
//  "checks": [{"name", "passed", "detail"}]}: the form the CLI's JSON output and /api/v1 share.
boost::json::object verdict_to_json(const Verdict& verdict);

}  // namespace bulwark::trust
