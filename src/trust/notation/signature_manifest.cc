#include "trust/notation/signature_manifest.h"

#include <boost/json.hpp>

#include "common/strict_json.h"

namespace bulwark::trust::notation {
namespace {

tl::unexpected<Error> invalid(const std::string& what) {
  return fail(ErrorCode::kInvalidArgument, "Notation signature manifest: " + what);
}

std::string hex(std::string_view raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

}  // namespace

Result<SignatureManifest> parse_signature_manifest(std::string_view manifest_json) {
  auto m = oci::parse_manifest(manifest_json, "");
  if (!m) return invalid(m.error().message);
  if (m->kind != oci::ManifestKind::kImageManifest) return invalid("not an image manifest");
  if (m->artifact_type != kSignatureArtifactType) {
    return invalid("artifact type is not " + std::string(kSignatureArtifactType));
  }
  if (m->layers.size() != 1) return invalid("must have exactly one layer (the envelope)");
  const oci::Descriptor& layer = m->layers.front();
  if (layer.media_type != kJwsMediaType && layer.media_type != kCoseMediaType) {
    return invalid("layer media type " + quote_untrusted(layer.media_type) + " is not an envelope");
  }
  SignatureManifest out{layer, m->subject, {}};
  if (m->annotations_json.empty()) return invalid(std::string(kThumbprintAnnotation) + " missing");
  auto annotations = parse_strict_json(m->annotations_json);
  const auto* obj = annotations ? annotations->if_object() : nullptr;
  const auto* thumbs = obj ? obj->if_contains(kThumbprintAnnotation) : nullptr;
  if (thumbs == nullptr || !thumbs->is_string()) {
    return invalid(std::string(kThumbprintAnnotation) + " missing");
  }
  auto list = parse_strict_json(std::string_view(thumbs->get_string()), 4);
  if (!list || !list->is_array() || list->get_array().empty()) {
    return invalid(std::string(kThumbprintAnnotation) + " is not a JSON array of hex digests");
  }
  for (const auto& t : list->get_array()) {
    if (!t.is_string() || t.get_string().size() != 64) {
      return invalid(std::string(kThumbprintAnnotation) +
                     " holds a value that is not a SHA-256 hex digest");
    }
    out.thumbprints.emplace_back(t.get_string());
  }
  return out;
}

Result<void> check_thumbprints(const NotationSignature& signature,
                               const std::vector<std::string>& thumbprints) {
  if (thumbprints.size() != signature.chain.size()) {
    return fail(ErrorCode::kInvalidArgument,
                "the manifest lists " + std::to_string(thumbprints.size()) +
                    " certificate thumbprints, the envelope has " +
                    std::to_string(signature.chain.size()) + " certificates");
  }
  for (size_t i = 0; i < thumbprints.size(); ++i) {
    if (hex(signature.chain[i].sha256_fingerprint()) != thumbprints[i]) {
      return fail(ErrorCode::kInvalidArgument,
                  "certificate " + std::to_string(i) + " does not match the manifest's thumbprint");
    }
  }
  return ok();
}

}  // namespace bulwark::trust::notation
