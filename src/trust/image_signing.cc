#include "trust/image_signing.h"

#include <array>
#include <boost/json.hpp>
#include <ctime>

#include "common/clock.h"
#include "common/encoding.h"
#include "common/strict_json.h"
#include "oci/media_types.h"
#include "trust/bundle.h"
#include "trust/cosign_layout.h"
#include "trust/dsse.h"
#include "trust/intoto.h"
#include "trust/simple_signing.h"

namespace bulwark::trust {
namespace {

namespace json = boost::json;

struct LayoutName {
  SignatureLayout layout;
  std::string_view name;
};
constexpr std::array<LayoutName, 3> kLayoutNames = {{
    {SignatureLayout::kLegacy, "legacy"},
    {SignatureLayout::kBundle, "bundle"},
    {SignatureLayout::kBoth, "both"},
}};

bool wants_legacy(SignatureLayout l) { return l != SignatureLayout::kBundle; }
bool wants_bundle(SignatureLayout l) { return l != SignatureLayout::kLegacy; }

// The bundle key hint: base64 of SHA-256 over the key's DER SubjectPublicKeyInfo.
std::string key_hint(const PublicKey& key) { return base64_encode(key.key_id()); }

// The DSSE envelope of `statement` signed with `key`.
Result<DsseEnvelope> sign_statement(const std::string& statement, const PrivateKey& key) {
  DsseEnvelope envelope;
  envelope.payload_type = std::string(kInTotoPayloadType);
  envelope.payload = statement;
  BULWARK_ASSIGN_OR_RETURN(std::string sig, key.sign(dsse_pae(envelope.payload_type, statement)));
  envelope.signatures.push_back(DsseSignature{"", std::move(sig)});
  return envelope;
}

Statement statement_about(const ImageSubject& image, StatementVersion version,
                          std::string_view predicate_type, json::value predicate) {
  Statement s;
  s.version = version;
  InTotoSubject subject;
  // cosign names the subject after the repository in its legacy attestations only.
  if (version == StatementVersion::kV01) subject.name = image.repository;
  subject.digest.emplace(std::string(algorithm_name(image.digest.algorithm())), image.digest.hex());
  s.subjects.push_back(std::move(subject));
  s.predicate_type = std::string(predicate_type);
  s.predicate = std::move(predicate);
  return s;
}

}  // namespace

Result<std::string> append_to_cosign_tag(ArtifactStore& store, const ImageSubject& image,
                                         cosign::TagKind kind, cosign::CosignLayer layer,
                                         std::string_view blob) {
  const std::string tag = cosign::tag_for(image.digest, kind);
  std::vector<cosign::CosignLayer> layers;
  BULWARK_ASSIGN_OR_RETURN(std::optional<std::string> existing, store.manifest_by_tag(tag));
  if (existing) {
    auto parsed = cosign::parse_cosign_manifest(*existing);
    if (!parsed) {
      return fail(ErrorCode::kConflict, tag + " exists but is not a cosign manifest: " +
                                            parsed.error().message);
    }
    layers = std::move(*parsed);
  }
  for (const cosign::CosignLayer& l : layers) {
    // The same payload signed the same way is already there (cosign does not duplicate either).
    if (l.digest == layer.digest && l.signature_b64 == layer.signature_b64) {
      return "tag " + tag + " (already signed)";
    }
  }
  BULWARK_TRY_VOID(store.push_blob(blob));
  layers.push_back(std::move(layer));
  cosign::BuiltManifest built = cosign::make_cosign_manifest(layers);
  BULWARK_TRY_VOID(store.push_blob(built.config));
  BULWARK_TRY_VOID(store.push_manifest(tag, oci::media::kOciManifest, built.manifest));
  return "tag " + tag;
}

namespace {

// Adds the referrer `built` to the fallback tag's index (sha256-<hex>), for registries without
// the referrers API.
Result<std::string> add_to_fallback_tag(ArtifactStore& store, const ImageSubject& image,
                                        const cosign::BuiltManifest& built,
                                        std::string_view predicate_type, std::string_view created,
                                        std::string_view content) {
  const std::string tag = cosign::tag_for(image.digest, cosign::TagKind::kReferrersFallback);
  json::object index{{"schemaVersion", 2}, {"mediaType", oci::media::kOciIndex},
                     {"manifests", json::array()}};
  BULWARK_ASSIGN_OR_RETURN(std::optional<std::string> existing, store.manifest_by_tag(tag));
  if (existing) {
    auto doc = parse_strict_json(*existing);
    if (!doc || !doc->is_object() || !doc->as_object().contains("manifests") ||
        !doc->as_object().at("manifests").is_array()) {
      return fail(ErrorCode::kConflict, tag + " exists but is not an image index");
    }
    index = std::move(doc->as_object());
  }
  json::object annotations{{cosign::kBundleContentAnnotation, content},
                           {cosign::kCreatedAnnotation, created}};
  if (!predicate_type.empty()) {
    annotations[cosign::kBundlePredicateTypeAnnotation] = predicate_type;
  }
  index["manifests"].as_array().push_back(json::object{
      {"mediaType", oci::media::kOciManifest},
      {"digest", built.digest.str()},
      {"size", built.manifest.size()},
      {"annotations", std::move(annotations)},
      {"artifactType", cosign::kBundleArtifactType}});
  BULWARK_TRY_VOID(store.push_manifest(tag, oci::media::kOciIndex, json::serialize(index)));
  return "tag " + tag + " (referrers fallback)";
}

}  // namespace

Result<Written> push_bundle_referrer(ArtifactStore& store, const ImageSubject& image,
                                     const std::string& bundle_json,
                                     std::string_view predicate_type,
                                     const SigningOptions& options) {
  const std::string created = rfc3339_utc(options.now);
  cosign::BuiltManifest built = cosign::make_bundle_referrer_manifest(
      bundle_json, /*dsse=*/true, predicate_type, created,
      cosign::SubjectDescriptor{image.media_type, image.digest, image.size});
  BULWARK_TRY_VOID(store.push_blob(bundle_json));
  BULWARK_TRY_VOID(store.push_blob(built.config));
  BULWARK_ASSIGN_OR_RETURN(bool indexed, store.push_manifest("", oci::media::kOciManifest,
                                                             built.manifest));
  Written written{"referrer " + built.digest.str()};
  if (!indexed) {
    BULWARK_ASSIGN_OR_RETURN(std::string fallback,
                             add_to_fallback_tag(store, image, built, predicate_type, created,
                                                 "dsse-envelope"));
    written.push_back(std::move(fallback));
  }
  return written;
}

std::string cosign_sign_statement(const ImageSubject& image) {
  return serialize_statement(
      statement_about(image, StatementVersion::kV1, kCosignSignPredicateType, json::object()));
}

namespace {

// The key-based bundle around `envelope`.
std::string key_bundle(const PrivateKey& key, DsseEnvelope envelope) {
  Bundle bundle;
  bundle.version = BundleVersion::kV03;
  bundle.material = MaterialKind::kPublicKey;
  bundle.public_key_hint = key_hint(key.public_key());
  envelope.signatures[0].keyid = bundle.public_key_hint;
  bundle.dsse_envelope = std::move(envelope);
  return serialize_bundle(bundle);
}

// Pushes a key-based bundle around `envelope` as a referrer of `image`.
Result<Written> push_bundle(ArtifactStore& store, const ImageSubject& image, const PrivateKey& key,
                            DsseEnvelope envelope, std::string_view predicate_type,
                            const SigningOptions& options) {
  return push_bundle_referrer(store, image, key_bundle(key, std::move(envelope)), predicate_type,
                              options);
}

}  // namespace

std::string_view signature_layout_name(SignatureLayout layout) {
  for (const LayoutName& l : kLayoutNames) {
    if (l.layout == layout) return l.name;
  }
  return "unknown";
}

std::optional<SignatureLayout> parse_signature_layout(std::string_view name) {
  for (const LayoutName& l : kLayoutNames) {
    if (l.name == name) return l.layout;
  }
  return std::nullopt;
}

Result<Written> sign_image(ArtifactStore& store, const ImageSubject& image, const PrivateKey& key,
                           const SigningOptions& options) {
  Written written;
  if (wants_legacy(options.layout)) {
    SimpleSigningPayload payload;
    payload.docker_reference = image.repository;
    payload.manifest_digest = image.digest;
    const std::string bytes = make_simple_signing(payload);
    BULWARK_ASSIGN_OR_RETURN(std::string signature, key.sign(bytes));
    cosign::CosignLayer layer;
    layer.media_type = std::string(cosign::kSimpleSigningMediaType);
    layer.digest = Digest::of(bytes);
    layer.size = bytes.size();
    layer.signature_b64 = base64_encode(signature);
    BULWARK_ASSIGN_OR_RETURN(std::string line,
                             append_to_cosign_tag(store, image, cosign::TagKind::kSignature,
                                                  std::move(layer), bytes));
    written.push_back(std::move(line));
  }
  if (wants_bundle(options.layout)) {
    BULWARK_ASSIGN_OR_RETURN(DsseEnvelope envelope,
                             sign_statement(cosign_sign_statement(image), key));
    BULWARK_ASSIGN_OR_RETURN(Written pushed, push_bundle(store, image, key, std::move(envelope),
                                                         kCosignSignPredicateType, options));
    written.insert(written.end(), pushed.begin(), pushed.end());
  }
  return written;
}

Result<AttestationStatements> attestation_statements(const ImageSubject& image,
                                                     std::string_view predicate_type,
                                                     std::string_view predicate) {
  auto parsed = parse_strict_json(predicate, 256);
  if (!parsed) {
    return fail(ErrorCode::kInvalidArgument, "the predicate is not JSON: " + parsed.error().message);
  }
  return AttestationStatements{
      serialize_statement(statement_about(image, StatementVersion::kV01, predicate_type, *parsed)),
      serialize_statement(statement_about(image, StatementVersion::kV1, predicate_type, *parsed))};
}

Result<Written> attest_image(ArtifactStore& store, const ImageSubject& image, const PrivateKey& key,
                             std::string_view predicate_type, std::string_view predicate,
                             const SigningOptions& options) {
  BULWARK_ASSIGN_OR_RETURN(AttestationStatements statements,
                           attestation_statements(image, predicate_type, predicate));
  Written written;
  if (wants_legacy(options.layout)) {
    BULWARK_ASSIGN_OR_RETURN(DsseEnvelope envelope, sign_statement(statements.legacy, key));
    const std::string bytes = serialize_dsse_envelope(envelope);
    cosign::CosignLayer layer;
    layer.media_type = std::string(cosign::kDsseMediaType);
    layer.digest = Digest::of(bytes);
    layer.size = bytes.size();
    layer.predicate_type = std::string(predicate_type);
    BULWARK_ASSIGN_OR_RETURN(std::string line,
                             append_to_cosign_tag(store, image, cosign::TagKind::kAttestation,
                                                  std::move(layer), bytes));
    written.push_back(std::move(line));
  }
  if (wants_bundle(options.layout)) {
    BULWARK_ASSIGN_OR_RETURN(DsseEnvelope envelope, sign_statement(statements.bundle, key));
    BULWARK_ASSIGN_OR_RETURN(Written pushed, push_bundle(store, image, key, std::move(envelope),
                                                         predicate_type, options));
    written.insert(written.end(), pushed.begin(), pushed.end());
  }
  return written;
}

Result<std::string> sign_blob_bundle(std::string_view artifact, const PrivateKey& key) {
  Bundle bundle;
  bundle.version = BundleVersion::kV03;
  bundle.material = MaterialKind::kPublicKey;
  bundle.public_key_hint = key_hint(key.public_key());
  MessageSignature m;
  const SignatureScheme scheme = default_scheme(key.type());
  m.digest_algorithm = scheme.hash;
  m.digest = hash_bytes(scheme.hash, artifact);
  BULWARK_ASSIGN_OR_RETURN(m.signature, key.sign(artifact, scheme));
  bundle.message_signature = std::move(m);
  return serialize_bundle(bundle);
}

}  // namespace bulwark::trust
