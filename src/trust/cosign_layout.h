// How cosign lays signatures out in a registry, without any crypto: the tag names it derives
// from an image digest (sha256-<hex>.sig / .att / .sbom and the OCI 1.1 referrers fallback tag),
// its media types and annotation keys, reading a legacy `.sig`/`.att` manifest into its layers'
// signature material, and building such manifests (and the OCI 1.1 Sigstore bundle referrer
// manifest) byte for byte as cosign (go-containerregistry, Go encoding/json) writes them.
// Pure functions over value types; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.h"
#include "common/result.h"

namespace bulwark::trust::cosign {

inline constexpr std::string_view kSimpleSigningMediaType =
    "application/vnd.dev.cosign.simplesigning.v1+json";
inline constexpr std::string_view kDsseMediaType = "application/vnd.dsse.envelope.v1+json";
inline constexpr std::string_view kBundleArtifactType =
    "application/vnd.dev.sigstore.bundle.v0.3+json";

inline constexpr std::string_view kSignatureAnnotation = "dev.cosignproject.cosign/signature";
inline constexpr std::string_view kCertificateAnnotation = "dev.sigstore.cosign/certificate";
inline constexpr std::string_view kChainAnnotation = "dev.sigstore.cosign/chain";
inline constexpr std::string_view kBundleAnnotation = "dev.sigstore.cosign/bundle";
inline constexpr std::string_view kRfc3161Annotation = "dev.sigstore.cosign/rfc3161timestamp";
inline constexpr std::string_view kPredicateTypeAnnotation = "predicateType";
// Annotations of the bundle referrer manifest.
inline constexpr std::string_view kBundleContentAnnotation = "dev.sigstore.bundle.content";
inline constexpr std::string_view kBundlePredicateTypeAnnotation =
    "dev.sigstore.bundle.predicateType";
inline constexpr std::string_view kCreatedAnnotation = "org.opencontainers.image.created";

enum class TagKind { kSignature, kAttestation, kSbom, kReferrersFallback };
// "sha256-<hex>.sig", ".att", ".sbom", or "sha256-<hex>" for the referrers fallback.
std::string tag_for(const Digest& image, TagKind kind);
// The image digest a cosign tag names, and which kind of tag it is; nullopt for other tags.
std::optional<std::pair<Digest, TagKind>> parse_tag(std::string_view tag);

// The Rekor "bundle" annotation (cosign's RekorBundle): the signed entry timestamp and the
// entry's canonical body, time, index and log id, i.e. everything needed to check the SET offline.
struct RekorBundle {
  std::string signed_entry_timestamp;  // raw signature bytes
  std::string body;                    // the canonicalized entry body (base64-decoded)
  int64_t integrated_time = 0;
  int64_t log_index = 0;
  std::string log_id_hex;  // lowercase hex of the log id
};
Result<RekorBundle> parse_rekor_bundle(std::string_view json);
// {"SignedEntryTimestamp":...,"Payload":{"body":...,"integratedTime":N,"logIndex":N,"logID":...}}
std::string make_rekor_bundle(const RekorBundle& bundle);

// One layer of a `.sig` or `.att` manifest with its signature material.
struct CosignLayer {
  std::string media_type;  // kSimpleSigningMediaType or kDsseMediaType (others are kept too)
  Digest digest;           // of the layer blob (the signed payload / the DSSE envelope)
  uint64_t size = 0;
  std::string signature_b64;    // dev.cosignproject.cosign/signature ("" for attestations)
  std::string certificate_pem;  // empty when absent
  std::string chain_pem;        // empty when absent
  std::optional<RekorBundle> rekor_bundle;
  std::string rekor_bundle_json;  // the bundle annotation as read (rekor.h parses it for checks)
  std::string rfc3161_timestamp;  // DER, from {"SignedRFC3161Timestamp": b64}; empty when absent
  std::string predicate_type;     // attestations
};

// Reads a `.sig` / `.att` OCI (or Docker) image manifest. Strict JSON; malformed annotations
// (bad bundle JSON, bad timestamp) are kInvalidArgument naming the layer. Zero layers is allowed
// (an empty result).
Result<std::vector<CosignLayer>> parse_cosign_manifest(std::string_view manifest_json);

struct BuiltManifest {
  std::string manifest;  // bytes to push (media type application/vnd.oci.image.manifest.v1+json)
  Digest digest;
  std::string config;  // the config blob to push first
  Digest config_digest;
  std::string config_media_type;
};

// A `.sig` / `.att` manifest holding `layers` with their annotations (only the non-empty ones,
// except the signature annotation which is always written), and its ggcr config (architecture "",
// created "0001-01-01T00:00:00Z", one history entry and one diff_id per layer).
BuiltManifest make_cosign_manifest(std::span<const CosignLayer> layers);

// The OCI 1.1 referrer manifest cosign v3 pushes for a Sigstore bundle: empty config (with
// artifactType), one layer = the bundle, annotations content ("dsse-envelope" or
// "message-signature"), predicateType (omitted when empty) and created (RFC 3339 UTC,
// e.g. "2026-11-27T18:44:35Z"), subject = the image, artifactType = the bundle media type.
struct SubjectDescriptor {
  std::string media_type;
  Digest digest;
  uint64_t size = 0;
};
BuiltManifest make_bundle_referrer_manifest(std::string_view bundle_json, bool dsse,
                                            std::string_view predicate_type,
                                            std::string_view created,
                                            const SubjectDescriptor& subject);

}  // namespace bulwark::trust::cosign
