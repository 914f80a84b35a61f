// Verifies a Notation signature of an image under a trust policy document and trust store, as
// `notation verify registry/repo@digest` would, offline: pick the policy for the repository;
// integrity (the envelope's signature over its signed bytes, and the payload's targetArtifact is
// the image digest); authenticity (the chain, valid at the signing time, leads to a certificate of
// the policy's trust stores, and the leaf subject is a trusted identity); authentic timestamp
// (notary.x509.signingAuthority's authentic signing time, or an RFC 3161 timestampSignature from a
// policy "tsa" store, else the chain must still be valid now); expiry
// (io.cncf.notary.expiry); revocation (not checked offline: reported, never enforced). Each
// failure is enforced, logged or skipped as the policy's level and overrides say.
//
// Stateless; thread-safe (the trust store is only read).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/digest.h"
#include "trust/notation/envelope.h"
#include "trust/notation/trust_policy.h"
#include "trust/notation/trust_store.h"
#include "trust/verdict.h"

namespace bulwark::trust::notation {

struct VerifyRequest {
  std::string_view media_type;  // the signature layer's media type (kJwsMediaType/kCoseMediaType)
  std::string_view envelope;    // the signature blob
  std::string repository;       // "registry.example.com/demo/app"
  Digest image;                 // the manifest digest the signature must be for
  int64_t now = 0;              // Unix seconds: expiry and certificate validity are judged here
};

struct NotationVerification {
  // kNone when the signature is accepted (or when the level is skip: see `skipped`). Checks are
  // named after the policy's validations ("integrity", "authenticity", ...); a failure the level
  // only logs appears as a passed check whose detail starts "not enforced (<level>)".
  Verdict verdict;
  std::string policy;  // the trust policy applied; empty when none applied
  VerificationLevel level = VerificationLevel::kStrict;
  // The level is skip: nothing was verified and nothing fails. Callers that require a signature
  // must treat this as "not verified".
  bool skipped = false;
  int logged_failures = 0;  // failures the level only logged
};

NotationVerification verify_notation(const VerifyRequest& request,
                                     const TrustPolicyDocument& policy, const TrustStore& store);

}  // namespace bulwark::trust::notation
