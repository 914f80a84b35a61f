// Verifying an image's provenance: every signature and attestation find_signatures() found
// (image_signatures.h) checked under one trust configuration — Sigstore keys or keyless
// identities against a trusted root, and optionally a Notation trust policy and store — with a
// verdict per signature. An image is signed when at least one signature verifies (cosign's and
// Notation's rule); it carries an attestation of a predicate type when at least one attestation
// of that type verifies. Nothing is fetched: the material must be in the FoundSignatures.
//
// verify_image() is a pure function of its inputs; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/digest.h"
#include "trust/image_signatures.h"
#include "trust/notation/trust_policy.h"
#include "trust/notation/trust_store.h"
#include "trust/sigstore_verify.h"
#include "trust/trusted_root.h"
#include "trust/verdict.h"

namespace bulwark::trust {

struct ImageTrust {
  // Sigstore: trusted keys or keyless identities, thresholds. predicate_type is set per
  // signature by verify_image() and ignored here.
  SigstorePolicy sigstore;
  TrustedRoot root;  // may be empty for key-based verification without transparency logs
  // Notation: both or neither. Without them Notation signatures are reported, never verified.
  std::optional<notation::TrustPolicyDocument> notation_policy;
  std::optional<notation::TrustStore> notation_store;
  int64_t now = 0;  // Unix seconds
};

struct SignatureResult {
  SignatureFormat format = SignatureFormat::kCosignSignature;
  std::string location;
  std::string predicate_type;  // attestations
  Verdict verdict;
};

struct ImageVerification {
  Digest image;
  std::vector<SignatureResult> signatures;
  std::vector<SignatureResult> attestations;
  std::vector<std::string> problems;  // material that could not be read

  // At least one signature verified.
  bool signed_verified() const;
  // At least one attestation of `predicate_type` (a URI) verified.
  bool attested(std::string_view predicate_type) const;
  // Why the image is not signed: kNoSignature when nothing was found, else the reason of the
  // first signature. kNone when signed_verified().
  Reason signature_reason() const;
};

// Verifies everything in `found` for `image` of `repository` ("HOST/REPO", Notation's scope).
// Attestations are verified only when `predicate_type` is set, and only those whose declared
// type is that one (a cosign .att layer's predicateType annotation, a bundle referrer's
// predicateType annotation, checked again against the signed statement).
ImageVerification verify_image(const FoundSignatures& found, const std::string& repository,
                               const Digest& image, const ImageTrust& trust,
                               const std::optional<std::string>& predicate_type = std::nullopt);

// {"digest", "verified" (signed_verified), "reason", "signatures": [{"format", "location",
//  ...verdict_to_json}], "attestations": [{..., "predicateType"}], "problems": [...]}.
boost::json::object verification_to_json(const ImageVerification& verification);

}  // namespace bulwark::trust
