// The signatures and attestations attached to one image, wherever the signing tool put them:
// cosign's legacy tags (sha256-<hex>.sig / .att), OCI 1.1 referrers holding Sigstore bundles
// (cosign v3) or Notation envelopes, and the referrers fallback tag for registries without the
// referrers API. Finding them reads only; verifying them is image_verify.h.
//
// ArtifactStore is the registry surface both need, so the same code runs in the CLI (over a remote
// registry, cli/registry_store.cc) and in the server (over its own stores). find_signatures() is
// thread-safe when the store is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.h"
#include "common/result.h"
#include "trust/cosign_layout.h"

namespace bulwark::trust {

// The few registry operations signatures need, on one repository.
class ArtifactStore {
 public:
  virtual ~ArtifactStore() = default;
  // The manifest a tag names; nullopt when there is no such tag.
  virtual Result<std::optional<std::string>> manifest_by_tag(std::string_view tag) = 0;
  // The manifest with `digest` (checked against it).
  virtual Result<std::string> manifest(const Digest& digest) = 0;
  // A blob read whole, at most `max_bytes` (checked against `digest`).
  virtual Result<std::string> blob(const Digest& digest, uint64_t max_bytes) = 0;
  // The OCI image index listing the referrers of `subject` (the API's answer or the fallback
  // tag's index); an empty index when there are none.
  virtual Result<std::string> referrers(const Digest& subject) = 0;
  // Writing (sign, attest): a blob, and a manifest under `tag` (empty: by digest only). The
  // result says whether the registry indexed the manifest's subject itself (it answered with
  // OCI-Subject); when not, the writer maintains the referrers fallback tag.
  virtual Result<void> push_blob(std::string_view bytes) = 0;
  virtual Result<bool> push_manifest(std::string_view tag, std::string_view media_type,
                                     std::string_view bytes) = 0;
};

// Where a signature came from and in which format.
enum class SignatureFormat {
  kCosignSignature,    // a layer of the sha256-<hex>.sig manifest (simple-signing payload)
  kCosignAttestation,  // a layer of the sha256-<hex>.att manifest (DSSE envelope)
  kSigstoreBundle,     // a referrer whose artifactType is a Sigstore bundle
  kNotation,           // a referrer whose artifactType is application/vnd.cncf.notary.signature
};

// "cosign-signature", "cosign-attestation", "sigstore-bundle", "notation".
std::string_view signature_format_name(SignatureFormat format);

struct FoundSignature {
  SignatureFormat format = SignatureFormat::kCosignSignature;
  // Where it is, for messages: "sha256-<hex>.sig layer 0", "referrer sha256:...".
  std::string location;
  // The signed blob: the simple-signing payload, the DSSE envelope, the bundle JSON, or the
  // Notation envelope.
  std::string blob;
  std::string media_type;  // of the blob's layer
  // Legacy cosign layers: the layer's annotations (signature, certificate, Rekor bundle, ...).
  std::optional<cosign::CosignLayer> cosign_layer;
  // Referrers: the referrer manifest's digest and its annotations that matter
  // (dev.sigstore.bundle.predicateType for bundles).
  std::optional<Digest> referrer;
  std::string predicate_type;
};

struct FoundSignatures {
  std::vector<FoundSignature> signatures;
  // What could not be read (a malformed .sig manifest, a referrer whose blob is missing), one line
  // each; they are reported, never silently dropped, and never make the image verified.
  std::vector<std::string> problems;
};

// Limits on what is read per image.
inline constexpr size_t kMaxSignatureLayers = 64;
inline constexpr uint64_t kMaxSignatureBlobBytes = 64ull << 20;  // attestations carry SBOMs

// Everything attached to `image` in `store`. Errors only when the store fails (kUnavailable, ...);
// malformed material is a problem entry.
Result<FoundSignatures> find_signatures(ArtifactStore& store, const Digest& image);

}  // namespace bulwark::trust
