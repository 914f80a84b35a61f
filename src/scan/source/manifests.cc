// expand(): manifests and indexes (OCI and Docker) into Images, whatever the transport.
#include <algorithm>
#include <boost/json.hpp>
#include <cstring>
#include <optional>

#include "common/strict_json.h"
#include "oci/media_types.h"
#include "scan/source/internal.h"

namespace bulwark::scan::source {
namespace {

namespace json = boost::json;

// Indexes may nest (an OCI index may point at another); this bounds the recursion.
constexpr int kMaxIndexDepth = 4;

// The entry's platform, if the index gives one; "" members when absent.
std::optional<Platform> entry_platform(const json::value& entry) {
  const json::object* e = entry.if_object();
  const json::value* p = e ? e->if_contains("platform") : nullptr;
  if (p == nullptr || !p->is_object()) return std::nullopt;
  auto field = [&](std::string_view key) {
    const json::value* v = p->as_object().if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  return Platform{field("os"), field("architecture"), field("variant")};
}

class Expander {
 public:
  Expander(std::shared_ptr<BlobSource> source, const std::string& name,
           std::optional<Platform> filter)
      : source_(std::move(source)), name_(name), filter_(std::move(filter)) {}

  // Adds the Images of manifest `m`. `hint` is the media type its parent gave it; `from_index`
  // is the platform its index entry named (when it came from an index that named one).
  Result<void> add(const FetchedManifest& m, std::string_view hint, bool in_index,
                   const std::optional<Platform>& from_index, int depth) {
    std::string_view content_type = oci::is_manifest_media_type(m.content_type) ? m.content_type
                                    : oci::is_manifest_media_type(hint)         ? hint
                                                                                : "";
    auto parsed = oci::parse_manifest(m.bytes, content_type);
    if (!parsed) {
      return fail(parsed.error().code, "manifest " + m.digest.str() + ": " + parsed.error().message);
    }
    if (parsed->kind == oci::ManifestKind::kIndex) return add_index(m, *parsed, depth);
    return add_image(m, *parsed, in_index, from_index);
  }

  std::vector<Image> take() { return std::move(images_); }

 private:
  Result<void> add_index(const FetchedManifest& m, const oci::ParsedManifest& index, int depth) {
    if (depth >= kMaxIndexDepth) {
      return fail(ErrorCode::kInvalidArgument, "indexes nested more than " +
                                                   std::to_string(kMaxIndexDepth) + " deep");
    }
    // parse_manifest validated the document; the platforms are read from it here.
    BULWARK_ASSIGN_OR_RETURN(json::value doc, parse_strict_json(m.bytes));
    const json::value* entries = doc.as_object().if_contains("manifests");
    if (entries == nullptr || !entries->is_array() ||
        entries->as_array().size() != index.manifests.size()) {
      return fail(ErrorCode::kInvalidArgument, "index " + m.digest.str() + " is malformed");
    }
    for (size_t i = 0; i < index.manifests.size(); ++i) {
      const oci::Descriptor& d = index.manifests[i];
      std::optional<Platform> platform = entry_platform(entries->as_array()[i]);
      if (!d.artifact_type.empty() || !oci::is_manifest_media_type(d.media_type)) continue;
      if (platform && platform->os == "unknown") continue;  // attestations (buildx provenance)
      if (platform && filter_ && !platform->architecture.empty() &&
          !platform_matches(*filter_, *platform)) {
        continue;
      }
      BULWARK_ASSIGN_OR_RETURN(FetchedManifest child, source_->manifest(d.digest));
      BULWARK_TRY_VOID(add(child, d.media_type, true, platform, depth + 1));
    }
    return ok();
  }

  Result<void> add_image(const FetchedManifest& m, const oci::ParsedManifest& manifest,
                         bool in_index, const std::optional<Platform>& from_index) {
    if (!manifest.config || !is_image_config_type(manifest.config->media_type)) {
      if (in_index) return ok();  // signatures, SBOMs and other artifacts beside the images
      return fail(ErrorCode::kUnsupported,
                  "manifest " + m.digest.str() + " is an artifact (config type " +
                      quote_untrusted(manifest.config ? manifest.config->media_type : "") +
                      "), not a container image");
    }
    Image image;
    image.name = name_;
    image.manifest_digest = m.digest.str();
    image.config_digest = manifest.config->digest.str();
    for (const oci::Descriptor& layer : manifest.layers) {
      image.layers.push_back(LayerInfo{layer.digest.str(), "", layer.size, ""});
      image.layer_media_types.push_back(layer.media_type);
    }
    if (from_index && !from_index->os.empty() && !from_index->architecture.empty()) {
      image.platform = from_index->str();
    }
    BULWARK_ASSIGN_OR_RETURN(std::string config_bytes,
                             source_->blob(manifest.config->digest, kMaxConfigBytes));
    auto config = parse_image_config(config_bytes);
    if (!config) {
      return fail(config.error().code, "config of " + m.digest.str() + ": " + config.error().message);
    }
    BULWARK_TRY_VOID(apply_config(*config, image));
    if (filter_) {
      auto matches = check_platform(filter_->str(), image.platform);
      if (!matches) {
        if (in_index) return ok();
        return fail(matches.error().code, name_ + ": " + matches.error().message);
      }
    }
    image.open_layer = [source = source_, layers = manifest.layers](
                           size_t index) -> Result<std::unique_ptr<ByteStream>> {
      if (index >= layers.size()) return fail(ErrorCode::kOutOfRange, "no such layer");
      return source->open_blob(layers[index]);
    };
    images_.push_back(std::move(image));
    return ok();
  }

  std::shared_ptr<BlobSource> source_;
  const std::string& name_;
  std::optional<Platform> filter_;
  std::vector<Image> images_;
};

class StringStream final : public ByteStream {
 public:
  explicit StringStream(std::string bytes) : bytes_(std::move(bytes)) {}
  Result<size_t> read(std::span<char> buf) override {
    size_t n = std::min(buf.size(), bytes_.size() - offset_);
    std::memcpy(buf.data(), bytes_.data() + offset_, n);
    offset_ += n;
    return n;
  }

 private:
  std::string bytes_;
  size_t offset_ = 0;
};

}  // namespace

Result<void> verify_digest(std::string_view bytes, const Digest& expected, std::string_view what) {
  Digest actual = Digest::of(bytes, expected.algorithm());
  if (actual == expected) return ok();
  return fail(ErrorCode::kDigestMismatch, std::string(what) + " does not match its digest " +
                                              expected.str() + " (got " + actual.str() + ")");
}

Result<std::vector<Image>> expand(std::shared_ptr<BlobSource> source, const std::string& name,
                                  const FetchedManifest& root, std::string_view platform) {
  std::optional<Platform> filter;
  if (!platform.empty()) {
    BULWARK_ASSIGN_OR_RETURN(filter, parse_platform(platform));
  }
  Expander expander(std::move(source), name, filter);
  BULWARK_TRY_VOID(expander.add(root, "", false, std::nullopt, 0));
  std::vector<Image> images = expander.take();
  if (images.empty()) {
    return fail(ErrorCode::kNotFound,
                name + ": the index holds no container image" +
                    (filter ? " for platform " + filter->str() : std::string()));
  }
  return images;
}

std::unique_ptr<ByteStream> string_stream(std::string bytes) {
  return std::make_unique<StringStream>(std::move(bytes));
}

}  // namespace bulwark::scan::source
