// Sigstore bundles (github.com/sigstore/protobuf-specs, bundle.proto, protobuf-JSON form): the
// signature, the verification material (certificate, chain or key hint), transparency-log entries
// and RFC 3161 timestamps of one signed artifact, as cosign v3 attaches them to images (OCI 1.1
// referrers) and `cosign sign-blob --bundle` / sigstore-js write them to files.
//
// Versions: v0.1 and v0.2 ("application/vnd.dev.sigstore.bundle+json;version=0.N") and v0.3
// ("application/vnd.dev.sigstore.bundle.v0.3+json"). Parsing checks the structure and the
// per-version rules; it verifies nothing (sigstore_verify.h does). Value types;
// thread-compatible; the functions are thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "trust/dsse.h"
#include "trust/keys.h"

namespace bulwark::trust {

enum class BundleVersion { kV01, kV02, kV03 };

inline constexpr std::string_view kBundleMediaTypeV01 =
    "application/vnd.dev.sigstore.bundle+json;version=0.1";
inline constexpr std::string_view kBundleMediaTypeV02 =
    "application/vnd.dev.sigstore.bundle+json;version=0.2";
inline constexpr std::string_view kBundleMediaTypeV03 =
    "application/vnd.dev.sigstore.bundle.v0.3+json";

// Which form verificationMaterial takes.
enum class MaterialKind {
  kCertificateChain,  // x509CertificateChain.certificates[] (v0.1, v0.2; leaf first)
  kCertificate,       // certificate (v0.3; the leaf only)
  kPublicKey,         // publicKey.hint (key-based; the key comes from the verifier)
};

struct MessageSignature {
  // messageDigest; optional in the spec. algorithm from "SHA2_256" / "SHA2_384" / "SHA2_512".
  std::optional<HashAlgorithm> digest_algorithm;
  std::string digest;     // raw bytes
  std::string signature;  // raw bytes
};

struct Bundle {
  BundleVersion version = BundleVersion::kV03;
  MaterialKind material = MaterialKind::kCertificate;
  std::vector<std::string> certificates;  // DER, leaf first (one for kCertificate, none for keys)
  std::string public_key_hint;            // kPublicKey: the hint as written (may be empty)

  // verificationMaterial.tlogEntries[], each the TransparencyLogEntry object as written (Rekor
  // v1 or v2); rekor.h parses them. Kept raw so verification sees exactly the bundle's fields.
  std::vector<boost::json::object> tlog_entries;
  // timestampVerificationData.rfc3161Timestamps[].signedTimestamp, DER (base64-decoded).
  std::vector<std::string> rfc3161_timestamps;

  // Exactly one of the two.
  std::optional<MessageSignature> message_signature;
  std::optional<DsseEnvelope> dsse_envelope;
};

std::string_view bundle_media_type(BundleVersion version);

// Parses a bundle from strict JSON. Refused with kInvalidArgument and a message naming the
// field: unknown mediaType, no or two kinds of verification material, no or two kinds of
// content, bad base64, and the version rules: v0.1 needs inclusionPromise in every tlog entry,
// v0.2+ needs inclusionProof in every tlog entry, `certificate` only from v0.3 on and v0.3 refuses
// x509CertificateChain (a single certificate, not a chain).
Result<Bundle> parse_bundle(std::string_view json);

// The bundle in protobuf-JSON form under its version's media type (what `bulwark sign` and
// `bulwark attest` write; they build v0.3 bundles). Round-trips with parse_bundle.
std::string serialize_bundle(const Bundle& bundle);

// "SHA2_256" etc. for a HashAlgorithm, and back (nullopt for others).
std::string_view bundle_hash_name(HashAlgorithm hash);
std::optional<HashAlgorithm> parse_bundle_hash_name(std::string_view name);

}  // namespace bulwark::trust
