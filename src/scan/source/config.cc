// Image configs (created, platform, diff_ids, history) and platform matching.
#include <boost/json.hpp>

#include "common/strict_json.h"
#include "oci/media_types.h"
#include "scan/source/internal.h"

namespace bulwark::scan::source {
namespace {

namespace json = boost::json;

tl::unexpected<Error> malformed(std::string_view what) {
  return fail(ErrorCode::kInvalidArgument, "image config: " + std::string(what));
}

// The string member `key` of `object` into `out`; absent or null leaves it empty.
Result<void> optional_string(const json::object& object, std::string_view key, std::string& out) {
  const json::value* v = object.if_contains(key);
  if (v == nullptr || v->is_null()) return ok();
  if (!v->is_string()) return malformed("\"" + std::string(key) + "\" is not a string");
  out = std::string(v->as_string());
  return ok();
}

Result<void> read_diff_ids(const json::object& config, std::vector<std::string>& out) {
  const json::value* rootfs = config.if_contains("rootfs");
  if (rootfs == nullptr || rootfs->is_null()) return ok();
  if (!rootfs->is_object()) return malformed("\"rootfs\" is not an object");
  const json::value* ids = rootfs->as_object().if_contains("diff_ids");
  if (ids == nullptr || ids->is_null()) return ok();
  if (!ids->is_array()) return malformed("\"rootfs.diff_ids\" is not an array");
  for (const json::value& id : ids->as_array()) {
    if (!id.is_string() || !Digest::parse(id.as_string())) {
      return malformed("\"rootfs.diff_ids\" holds something that is not a digest");
    }
    out.emplace_back(id.as_string());
  }
  return ok();
}

Result<void> read_history(const json::object& config, ImageConfig& out) {
  const json::value* history = config.if_contains("history");
  if (history == nullptr || history->is_null()) return ok();
  if (!history->is_array()) return malformed("\"history\" is not an array");
  out.has_history = true;
  for (const json::value& entry : history->as_array()) {
    if (!entry.is_object()) return malformed("a \"history\" entry is not an object");
    const json::object& e = entry.as_object();
    const json::value* empty = e.if_contains("empty_layer");
    if (empty != nullptr && !empty->is_null() && !empty->is_bool()) {
      return malformed("\"history[].empty_layer\" is not a boolean");
    }
    std::string created_by;
    BULWARK_TRY_VOID(optional_string(e, "created_by", created_by));
    if (empty != nullptr && empty->is_bool() && empty->as_bool()) continue;
    out.created_by.push_back(std::move(created_by));
  }
  return ok();
}

}  // namespace

std::string Platform::str() const {
  std::string out = os + "/" + architecture;
  if (!variant.empty()) out += "/" + variant;
  return out;
}

Result<Platform> parse_platform(std::string_view text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = text.find('/', start);
    parts.emplace_back(text.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  bool empty_part = false;
  for (const std::string& p : parts) empty_part = empty_part || p.empty();
  if (parts.size() < 2 || parts.size() > 3 || empty_part) {
    return fail(ErrorCode::kInvalidArgument,
                "platform " + quote_untrusted(text) + " is not os/arch[/variant]");
  }
  return Platform{parts[0], parts[1], parts.size() == 3 ? parts[2] : ""};
}

bool platform_matches(const Platform& want, const Platform& have) {
  if (want.os != have.os || want.architecture != have.architecture) return false;
  if (want.variant.empty()) return true;
  auto normal = [](const Platform& p) {
    return p.architecture == "arm64" && p.variant.empty() ? std::string("v8") : p.variant;
  };
  return normal(want) == normal(have);
}

Result<void> check_platform(std::string_view want, const std::string& image_platform) {
  if (want.empty()) return ok();
  BULWARK_ASSIGN_OR_RETURN(Platform filter, parse_platform(want));
  auto have = parse_platform(image_platform);
  if (have && platform_matches(filter, *have)) return ok();
  return fail(ErrorCode::kNotFound, "the image is for " +
                                        (image_platform.empty() ? "an unknown platform"
                                                                : quote_untrusted(image_platform)) +
                                        ", not " + filter.str());
}

Result<ImageConfig> parse_image_config(std::string_view bytes) {
  auto doc = parse_strict_json(bytes);
  if (!doc) return fail(ErrorCode::kInvalidArgument, "image config: " + doc.error().message);
  if (!doc->is_object()) return malformed("not a JSON object");
  const json::object& config = doc->as_object();
  ImageConfig out;
  BULWARK_TRY_VOID(optional_string(config, "created", out.created));
  BULWARK_TRY_VOID(optional_string(config, "os", out.platform.os));
  BULWARK_TRY_VOID(optional_string(config, "architecture", out.platform.architecture));
  BULWARK_TRY_VOID(optional_string(config, "variant", out.platform.variant));
  BULWARK_TRY_VOID(read_diff_ids(config, out.diff_ids));
  BULWARK_TRY_VOID(read_history(config, out));
  return out;
}

Result<void> apply_config(const ImageConfig& config, Image& image) {
  if (config.diff_ids.size() != image.layers.size()) {
    return fail(ErrorCode::kCorrupt, "image config lists " + std::to_string(config.diff_ids.size()) +
                                         " diff_ids for " + std::to_string(image.layers.size()) +
                                         " layers");
  }
  image.created = config.created;
  if (!config.platform.os.empty() && !config.platform.architecture.empty()) {
    image.platform = config.platform.str();
  }
  for (size_t i = 0; i < image.layers.size(); ++i) {
    image.layers[i].diff_id = config.diff_ids[i];
    // History entries pair with layers in order; a config with fewer leaves the rest empty.
    if (i < config.created_by.size()) image.layers[i].created_by = config.created_by[i];
  }
  return ok();
}

bool is_image_config_type(std::string_view media_type) {
  return media_type == oci::media::kOciConfig || media_type == oci::media::kDockerConfig;
}

}  // namespace bulwark::scan::source
