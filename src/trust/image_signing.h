// Signing an image and attaching attestations to it with a key, in the layouts cosign uses, so
// cosign, Notation-unaware clients and Bulwark itself find them:
//   - legacy: a layer of the sha256-<hex>.sig (signatures: simple-signing payload) or
//     sha256-<hex>.att (attestations: DSSE envelope) manifest, appended to what is there;
//   - bundle: a Sigstore bundle v0.3 (DSSE, in-toto Statement v1; cosign v3's default) pushed as an
//     OCI 1.1 referrer of the image, and added to the referrers fallback tag when the registry did
//     not index it itself.
// Key-based signatures made here carry no transparency-log entry (nothing leaves the machine
// except to the registry); verifiers that require one must be told not to (see image_verify.h).
//
// Blocking (the store's calls); thread-safe when the store is.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.h"
#include "common/result.h"
#include "trust/cosign_layout.h"
#include "trust/image_signatures.h"
#include "trust/keys.h"

namespace bulwark::trust {

enum class SignatureLayout { kLegacy, kBundle, kBoth };

// "legacy", "bundle", "both" and back.
std::string_view signature_layout_name(SignatureLayout layout);
std::optional<SignatureLayout> parse_signature_layout(std::string_view name);

// The image being signed.
struct ImageSubject {
  std::string repository;  // "HOST/REPO": the simple-signing docker-reference, the subject name
  Digest digest;
  std::string media_type;  // of its manifest
  uint64_t size = 0;
};

struct SigningOptions {
  SignatureLayout layout = SignatureLayout::kBoth;
  int64_t now = 0;  // Unix seconds, for the referrer's created annotation
};

// What was written, one line each ("tag sha256-<hex>.sig", "referrer sha256:...",
// "tag sha256-<hex> (referrers fallback)").
using Written = std::vector<std::string>;

// Signs `image` with `key`.
Result<Written> sign_image(ArtifactStore& store, const ImageSubject& image, const PrivateKey& key,
                           const SigningOptions& options);

// Attaches an in-toto attestation of `predicate_type` (a URI) with `predicate` (a JSON document)
// about `image`, signed with `key`. kInvalidArgument when the predicate is not JSON.
Result<Written> attest_image(ArtifactStore& store, const ImageSubject& image, const PrivateKey& key,
                             std::string_view predicate_type, std::string_view predicate,
                             const SigningOptions& options);

// Building blocks shared by key-based and keyless signing (keyless_signer.h).
//
// The in-toto Statement v1 `cosign sign` signs in its bundle layout: subject = the image digest,
// predicateType https://sigstore.dev/cosign/sign/v1, empty predicate.
std::string cosign_sign_statement(const ImageSubject& image);
// The in-toto Statements `cosign attest` signs about `image` for `predicate` (a JSON document) of
// `predicate_type`: v0.1 with the repository as subject name (legacy .att layer) and v1 (bundle
// referrer). kInvalidArgument when the predicate is not JSON.
struct AttestationStatements {
  std::string legacy;  // Statement v0.1
  std::string bundle;  // Statement v1
};
Result<AttestationStatements> attestation_statements(const ImageSubject& image,
                                                     std::string_view predicate_type,
                                                     std::string_view predicate);
// Appends `layer` (whose blob is `blob`) to the cosign manifest under `kind`'s tag
// (sha256-<hex>.sig / .att), creating it when absent; a layer already there is not duplicated.
Result<std::string> append_to_cosign_tag(ArtifactStore& store, const ImageSubject& image,
                                         cosign::TagKind kind, cosign::CosignLayer layer,
                                         std::string_view blob);
// Pushes `bundle_json` (a DSSE bundle) as an OCI 1.1 referrer of `image` and, when the registry
// did not index it, adds it to the referrers fallback tag.
Result<Written> push_bundle_referrer(ArtifactStore& store, const ImageSubject& image,
                                     const std::string& bundle_json,
                                     std::string_view predicate_type,
                                     const SigningOptions& options);

// The Sigstore bundle (v0.3, key hint, message signature) of a blob signed with `key`, as
// `bulwark sign-blob` and `cosign sign-blob --bundle` write it.
Result<std::string> sign_blob_bundle(std::string_view artifact, const PrivateKey& key);

}  // namespace bulwark::trust
