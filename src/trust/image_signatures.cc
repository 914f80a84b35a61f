#include "trust/image_signatures.h"

#include <array>
#include <boost/json.hpp>
#include <utility>

#include "common/strict_json.h"
#include "trust/notation/envelope.h"

namespace bulwark::trust {
namespace {

namespace json = boost::json;

struct FormatName {
  SignatureFormat format;
  std::string_view name;
};
constexpr std::array<FormatName, 4> kFormatNames = {{
    {SignatureFormat::kCosignSignature, "cosign-signature"},
    {SignatureFormat::kCosignAttestation, "cosign-attestation"},
    {SignatureFormat::kSigstoreBundle, "sigstore-bundle"},
    {SignatureFormat::kNotation, "notation"},
}};

// Referrer artifact types that carry signatures, and the format of their first layer.
struct ReferrerKind {
  std::string_view artifact_type_prefix;
  SignatureFormat format;
};
constexpr std::array<ReferrerKind, 3> kReferrerKinds = {{
    {cosign::kBundleArtifactType, SignatureFormat::kSigstoreBundle},
    {"application/vnd.dev.sigstore.bundle+json", SignatureFormat::kSigstoreBundle},
    {notation::kSignatureArtifactType, SignatureFormat::kNotation},
}};

std::optional<SignatureFormat> referrer_format(std::string_view artifact_type) {
  for (const ReferrerKind& k : kReferrerKinds) {
    if (artifact_type.starts_with(k.artifact_type_prefix)) return k.format;
  }
  return std::nullopt;
}

std::string string_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// The layers of a cosign tag's manifest, each with its blob.
Result<void> read_cosign_tag(ArtifactStore& store, const Digest& image, cosign::TagKind kind,
                             SignatureFormat format, FoundSignatures& out) {
  const std::string tag = cosign::tag_for(image, kind);
  BULWARK_ASSIGN_OR_RETURN(std::optional<std::string> manifest, store.manifest_by_tag(tag));
  if (!manifest) return ok();
  auto layers = cosign::parse_cosign_manifest(*manifest);
  if (!layers) {
    out.problems.push_back(tag + ": " + layers.error().message);
    return ok();
  }
  for (size_t i = 0; i < layers->size() && i < kMaxSignatureLayers; ++i) {
    cosign::CosignLayer& layer = (*layers)[i];
    std::string location = tag + " layer " + std::to_string(i);
    if (layer.size > kMaxSignatureBlobBytes) {
      out.problems.push_back(location + ": larger than " +
                             std::to_string(kMaxSignatureBlobBytes >> 20) + " MiB");
      continue;
    }
    auto blob = store.blob(layer.digest, layer.size);
    if (!blob) {
      if (blob.error().code == ErrorCode::kUnavailable || blob.error().code == ErrorCode::kIo) {
        return fail(std::move(blob.error()));
      }
      out.problems.push_back(location + ": " + blob.error().message);
      continue;
    }
    FoundSignature found;
    found.format = format;
    found.location = std::move(location);
    found.blob = std::move(*blob);
    found.media_type = layer.media_type;
    found.predicate_type = layer.predicate_type;
    found.cosign_layer = std::move(layer);
    out.signatures.push_back(std::move(found));
  }
  if (layers->size() > kMaxSignatureLayers) {
    out.problems.push_back(tag + ": only the first " + std::to_string(kMaxSignatureLayers) +
                           " layers were read");
  }
  return ok();
}

// One referrer: its manifest's first layer is the bundle or envelope.
Result<void> read_referrer(ArtifactStore& store, const Digest& digest, SignatureFormat format,
                           FoundSignatures& out) {
  const std::string location = "referrer " + digest.str();
  auto manifest = store.manifest(digest);
  if (!manifest) {
    if (manifest.error().code == ErrorCode::kUnavailable) return fail(std::move(manifest.error()));
    out.problems.push_back(location + ": " + manifest.error().message);
    return ok();
  }
  auto doc = parse_strict_json(*manifest);
  const json::array* layers = nullptr;
  const json::object* root = doc && doc->is_object() ? &doc->as_object() : nullptr;
  if (root != nullptr) {
    const json::value* l = root->if_contains("layers");
    if (l != nullptr && l->is_array()) layers = &l->as_array();
  }
  if (layers == nullptr || layers->empty() || !(*layers)[0].is_object()) {
    out.problems.push_back(location + ": not a manifest with a signature layer");
    return ok();
  }
  const json::object& layer = (*layers)[0].as_object();
  auto layer_digest = Digest::parse(string_at(layer, "digest"));
  const json::value* size = layer.if_contains("size");
  if (!layer_digest || size == nullptr || !size->is_int64() || size->as_int64() < 0 ||
      static_cast<uint64_t>(size->as_int64()) > kMaxSignatureBlobBytes) {
    out.problems.push_back(location + ": its layer has no usable digest or size");
    return ok();
  }
  auto blob = store.blob(*layer_digest, static_cast<uint64_t>(size->as_int64()));
  if (!blob) {
    if (blob.error().code == ErrorCode::kUnavailable) return fail(std::move(blob.error()));
    out.problems.push_back(location + ": " + blob.error().message);
    return ok();
  }
  FoundSignature found;
  found.format = format;
  found.location = location;
  found.blob = std::move(*blob);
  found.media_type = string_at(layer, "mediaType");
  found.referrer = digest;
  if (const json::value* a = root->if_contains("annotations"); a != nullptr && a->is_object()) {
    found.predicate_type = string_at(a->as_object(), cosign::kBundlePredicateTypeAnnotation);
  }
  out.signatures.push_back(std::move(found));
  return ok();
}

}  // namespace

std::string_view signature_format_name(SignatureFormat format) {
  for (const FormatName& f : kFormatNames) {
    if (f.format == format) return f.name;
  }
  return "unknown";
}

Result<FoundSignatures> find_signatures(ArtifactStore& store, const Digest& image) {
  FoundSignatures out;
  BULWARK_TRY_VOID(read_cosign_tag(store, image, cosign::TagKind::kSignature,
                                   SignatureFormat::kCosignSignature, out));
  BULWARK_TRY_VOID(read_cosign_tag(store, image, cosign::TagKind::kAttestation,
                                   SignatureFormat::kCosignAttestation, out));
  BULWARK_ASSIGN_OR_RETURN(std::string index, store.referrers(image));
  auto doc = parse_strict_json(index);
  const json::value* manifests =
      doc && doc->is_object() ? doc->as_object().if_contains("manifests") : nullptr;
  if (manifests == nullptr || !manifests->is_array()) {
    out.problems.push_back("referrers of " + image.str() + ": not an image index");
    return out;
  }
  size_t read = 0;
  for (const json::value& entry : manifests->as_array()) {
    if (!entry.is_object()) continue;
    auto format = referrer_format(string_at(entry.as_object(), "artifactType"));
    if (!format) continue;  // SBOMs, reports and other artifacts are not signatures
    auto digest = Digest::parse(string_at(entry.as_object(), "digest"));
    if (!digest) {
      out.problems.push_back("referrers of " + image.str() + ": an entry without a valid digest");
      continue;
    }
    if (++read > kMaxSignatureLayers) {
      out.problems.push_back("referrers of " + image.str() + ": only the first " +
                             std::to_string(kMaxSignatureLayers) + " signatures were read");
      break;
    }
    BULWARK_TRY_VOID(read_referrer(store, *digest, *format, out));
  }
  return out;
}

}  // namespace bulwark::trust
