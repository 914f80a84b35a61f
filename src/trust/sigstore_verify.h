// Offline verification of Sigstore signatures, as @sigstore/verify and `cosign verify` do it:
// Sigstore bundles (v0.1-v0.3; message signatures and DSSE envelopes) and cosign's legacy
// `.sig` / `.att` layers, against a trusted root (trusted_root.h) and a policy that trusts either
// public keys (key-based) or Fulcio certificate identities (keyless).
//
// Both forms are normalised into one pipeline whose steps are recorded, in order, as the checks of
// the returned Verdict (the first failure decides its reason; later steps do not run):
//   1. material        the bundle/layer parses; the signer is a certificate or a key
//   2. signature       message: the signed digest is the artifact's (kTamperedPayload) and the
//                      signature verifies (kBadSignature; kWrongKey when the signature names an
//                      untrusted key); DSSE: the PAE signature verifies, the payload is an in-toto
//                      statement about the expected digest (kDigestMismatch) of the required
//                      predicate type (kWrongPredicateType); cosign simple-signing payloads name
//                      the image digest (kDigestMismatch)
//   3. tlog            each Rekor entry: known log (kUnknownLog), SET / inclusion proof +
//   checkpoint
//                      (kBadSignedEntryTimestamp, kBadInclusionProof, kBadCheckpoint), and its body
//                      records this signature, signer and artifact (kTlogBodyMismatch); at least
//                      tlog_threshold entries (kMissingTlogEntry)
//   4. timestamps      each RFC 3161 timestamp is over the signature (kBadTimestamp); at least
//                      timestamp_threshold (kPolicyNotMet)
//   5. certificate     keyless only: chains to a trusted Fulcio CA valid at every trusted signing
//                      time (kUntrustedChain; kCertificateExpired; kExpiredWithoutTimestamp when no
//                      verified Rekor time or timestamp exists), embedded SCTs (kMissingSct,
//                      kBadSct), SAN identity (kIdentityMismatch) and OIDC issuer (kIssuerMismatch)
// Pure functions of their inputs; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.h"
#include "trust/bundle.h"
#include "trust/cosign_layout.h"
#include "trust/keys.h"
#include "trust/trusted_root.h"
#include "trust/verdict.h"

namespace bulwark::trust {

// What the signature is expected to be about. For a message signature: the artifact's bytes, or
// only its digest. For a DSSE envelope: the digest its in-toto statement must name as a subject
// (an image digest); given bytes, their SHA-256 is used.
struct Artifact {
  std::optional<std::string> bytes;
  std::optional<Digest> digest;

  static Artifact from_bytes(std::string data) { return Artifact{std::move(data), std::nullopt}; }
  static Artifact from_digest(Digest d) { return Artifact{std::nullopt, std::move(d)}; }
};

// A trusted keyless signer: the certificate's SAN (email, URI or otherName) equal to `san` or fully
// matching the ECMAScript regular expression `san_regex`, and its OIDC issuer equal to `issuer` or
// fully matching `issuer_regex`. An empty field is not checked; at least one of san/san_regex and
// one of issuer/issuer_regex must be set for the identity to match anything.
struct KeylessIdentity {
  std::string san;
  std::string san_regex;
  std::string issuer;
  std::string issuer_regex;
};

struct SigstorePolicy {
  // Key-based when non-empty: the signature must verify under one of these keys. A bundle's key
  // hint (base64 or hex of SHA-256 of the key's DER SPKI) or the key a Rekor body records selects
  // the key; otherwise each is tried. A certificate's key must be one of them.
  std::vector<PublicKey> keys;
  // Keyless (when `keys` is empty): the certificate must match one of these.
  std::vector<KeylessIdentity> identities;

  size_t tlog_threshold = 1;       // verified Rekor entries required
  size_t sct_threshold = 1;        // verified embedded SCTs required (keyless)
  size_t timestamp_threshold = 0;  // verified RFC 3161 timestamps required
  // DSSE: the statement's predicate type must be this one (a URI) when set.
  std::optional<std::string> predicate_type;
  // The time used when no trusted signing time exists (Unix seconds); nullopt: the system clock.
  std::optional<int64_t> now;
};

// Verifies a parsed bundle. The verdict's signer is the key id ("sha256:<hex>") or the matched SAN,
// issuer the OIDC issuer, signed_at the earliest trusted signing time.
Verdict verify_bundle(const Bundle& bundle, const Artifact& artifact, const TrustedRoot& root,
                      const SigstorePolicy& policy);
// The same from the bundle's JSON (a parse failure is a kMalformed "bundle" check).
Verdict verify_bundle_json(std::string_view bundle_json, const Artifact& artifact,
                           const TrustedRoot& root, const SigstorePolicy& policy);

// Verifies one layer of a cosign `.sig` manifest (simple-signing payload; `layer_blob` is the
// payload) or `.att` manifest (DSSE envelope; `layer_blob` is the envelope JSON) for `image`: the
// signature annotation (or the envelope's signature), certificate and chain annotations, Rekor
// bundle annotation (SET only) and RFC 3161 timestamp annotation, through the same steps as a
// bundle. The layer blob must hash to the layer's digest (kTamperedPayload).
Verdict verify_cosign_signature(const cosign::CosignLayer& layer, std::string_view layer_blob,
                                const Digest& image, const TrustedRoot& root,
                                const SigstorePolicy& policy);

}  // namespace bulwark::trust
