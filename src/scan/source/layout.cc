// OCI image layouts, wherever their files are: index.json picks the image, blobs/ holds the rest.
#include <boost/json.hpp>

#include "common/strict_json.h"
#include "scan/source/internal.h"

namespace bulwark::scan::source {
namespace {

namespace json = boost::json;

constexpr std::string_view kRefName = "org.opencontainers.image.ref.name";
constexpr uint64_t kMaxIndexJsonBytes = 4 << 20;

class LayoutSource final : public BlobSource {
 public:
  explicit LayoutSource(std::shared_ptr<LayoutFiles> files) : files_(std::move(files)) {}

  Result<FetchedManifest> manifest(const Digest& digest) override {
    BULWARK_ASSIGN_OR_RETURN(std::string bytes, blob(digest, kMaxManifestBytes));
    return FetchedManifest{std::move(bytes), "", digest};
  }

  Result<std::string> blob(const Digest& digest, uint64_t max_bytes) override {
    BULWARK_ASSIGN_OR_RETURN(std::string bytes, files_->read(layout_blob_path(digest), max_bytes));
    BULWARK_TRY_VOID(verify_digest(bytes, digest, "blob " + digest.str()));
    return bytes;
  }

  Result<std::unique_ptr<ByteStream>> open_blob(const oci::Descriptor& layer) override {
    return files_->open(layout_blob_path(layer.digest));
  }

 private:
  std::shared_ptr<LayoutFiles> files_;
};

// The ref name annotation of an index.json entry, or "".
std::string ref_name(const json::object& entry) {
  const json::value* annotations = entry.if_contains("annotations");
  if (annotations == nullptr || !annotations->is_object()) return "";
  const json::value* name = annotations->as_object().if_contains(kRefName);
  return name != nullptr && name->is_string() ? std::string(name->as_string()) : "";
}

struct Selected {
  Digest digest;
  std::string media_type;
};

Result<Selected> select_entry(std::string_view index_json, std::string_view tag) {
  auto doc = parse_strict_json(index_json);
  if (!doc) return fail(ErrorCode::kInvalidArgument, "index.json: " + doc.error().message);
  const json::value* manifests = doc->is_object() ? doc->as_object().if_contains("manifests")
                                                  : nullptr;
  if (manifests == nullptr || !manifests->is_array()) {
    return fail(ErrorCode::kInvalidArgument, "index.json has no \"manifests\" array");
  }
  std::vector<const json::object*> candidates;
  for (const json::value& entry : manifests->as_array()) {
    if (!entry.is_object()) return fail(ErrorCode::kInvalidArgument, "index.json entry is not an object");
    if (tag.empty() || ref_name(entry.as_object()) == tag) candidates.push_back(&entry.as_object());
  }
  if (candidates.empty()) {
    return fail(ErrorCode::kNotFound, tag.empty() ? std::string("the layout holds no image")
                                                  : "no image tagged " + quote_untrusted(tag) +
                                                        " in the layout");
  }
  if (tag.empty() && candidates.size() > 1) {
    return fail(ErrorCode::kInvalidArgument,
                "the layout holds " + std::to_string(candidates.size()) +
                    " images: name one as oci:DIR:TAG");
  }
  const json::object& entry = *candidates.front();
  const json::value* digest = entry.if_contains("digest");
  const json::value* media_type = entry.if_contains("mediaType");
  if (digest == nullptr || !digest->is_string()) {
    return fail(ErrorCode::kInvalidArgument, "index.json entry has no digest");
  }
  auto parsed = Digest::parse(digest->as_string());
  if (!parsed) return fail(ErrorCode::kInvalidArgument, "index.json: " + parsed.error().message);
  return Selected{*parsed, media_type != nullptr && media_type->is_string()
                               ? std::string(media_type->as_string())
                               : std::string()};
}

}  // namespace

std::string layout_blob_path(const Digest& digest) {
  return "blobs/" + std::string(algorithm_name(digest.algorithm())) + "/" + digest.hex();
}

Result<std::vector<Image>> open_layout(std::shared_ptr<LayoutFiles> files, std::string_view tag,
                                       const std::string& name, std::string_view platform) {
  BULWARK_ASSIGN_OR_RETURN(std::string index_json, files->read("index.json", kMaxIndexJsonBytes));
  BULWARK_ASSIGN_OR_RETURN(Selected selected, select_entry(index_json, tag));
  auto source = std::make_shared<LayoutSource>(std::move(files));
  BULWARK_ASSIGN_OR_RETURN(FetchedManifest root, source->manifest(selected.digest));
  root.content_type = selected.media_type;
  return expand(std::move(source), name, root, platform);
}

}  // namespace bulwark::scan::source
