#include "oci/manifest.h"

#include <array>
#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "common/strict_json.h"
#include "oci/media_types.h"

namespace bulwark::oci {
namespace {

namespace json = boost::json;
using Code = bulwark::ErrorCode;

// ---- strict JSON --------------------------------------------------------------------------------

// Nesting limit: real manifests nest four or five levels; this bounds the parser's work.
constexpr size_t kMaxJsonDepth = 64;

Result<json::value> parse_manifest_json(std::string_view bytes) {
  auto value = parse_strict_json(bytes, kMaxJsonDepth);
  if (!value) {
    bool duplicate = value.error().message.starts_with("duplicate key");
    return fail(Code::kInvalidArgument,
                (duplicate ? "manifest has " : "manifest is ") + value.error().message);
  }
  return value;
}

// ---- media types --------------------------------------------------------------------------------

struct ManifestType {
  std::string_view media_type;
  ManifestKind kind;
  bool docker;  // Docker v2 schema 2: the document must declare its mediaType
};

constexpr std::array<ManifestType, 4> kManifestTypes = {{
    {media::kOciManifest, ManifestKind::kImageManifest, false},
    {media::kOciIndex, ManifestKind::kIndex, false},
    {media::kDockerManifest, ManifestKind::kImageManifest, true},
    {media::kDockerManifestList, ManifestKind::kIndex, true},
}};

constexpr std::array<std::string_view, 2> kRefusedTypes = {media::kDockerSchema1,
                                                           media::kDockerSchema1Signed};

constexpr std::string_view kSchema1Message =
    "Docker schema 1 manifests are not supported; push schema 2 or OCI";

const ManifestType* find_manifest_type(std::string_view media_type) {
  for (const auto& t : kManifestTypes) {
    if (t.media_type == media_type) return &t;
  }
  return nullptr;
}

bool is_schema1(std::string_view media_type) {
  for (auto t : kRefusedTypes) {
    if (t == media_type) return true;
  }
  return false;
}

// RFC 6838 restricted-name, as the OCI descriptor schema constrains mediaType.
bool is_restricted_name(std::string_view s, bool subtype) {
  if (s.empty() || s.size() > 127) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(s.front())) return false;
  for (char c : s) {
    bool ok = alnum(c) || c == '!' || c == '#' || c == '$' || c == '&' || c == '^' || c == '_' ||
              c == '-' || (subtype && (c == '.' || c == '+'));
    if (!ok) return false;
  }
  return true;
}

bool is_well_formed_media_type(std::string_view s) {
  auto slash = s.find('/');
  if (slash == std::string_view::npos) return false;
  return is_restricted_name(s.substr(0, slash), false) &&
         is_restricted_name(s.substr(slash + 1), true);
}

// The media type of a Content-Type header value: parameters and surrounding space removed,
// lowercased (header values are case-insensitive; document fields are compared exactly).
std::string header_media_type(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && (content_type.front() == ' ' || content_type.front() == '\t')) {
    content_type.remove_prefix(1);
  }
  while (!content_type.empty() && (content_type.back() == ' ' || content_type.back() == '\t')) {
    content_type.remove_suffix(1);
  }
  std::string out(content_type);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// ---- field access -------------------------------------------------------------------------------

std::string join(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return std::string(path) + "." + std::string(key);
}

// Result<const T*> helpers: nullptr when the field is absent and optional.
Result<const json::value*> field(const json::object& obj, std::string_view path,
                                 std::string_view key, bool required) {
  const json::value* v = obj.if_contains(json::string_view(key.data(), key.size()));
  if (!v && required) return fail(Code::kInvalidArgument, join(path, key) + " is required");
  return v;
}

Result<const json::string*> string_field(const json::object& obj, std::string_view path,
                                         std::string_view key, bool required) {
  BULWARK_ASSIGN_OR_RETURN(const json::value* v, field(obj, path, key, required));
  if (!v) return static_cast<const json::string*>(nullptr);
  if (!v->is_string()) return fail(Code::kInvalidArgument, join(path, key) + " must be a string");
  return &v->get_string();
}

Result<const json::array*> array_field(const json::object& obj, std::string_view path,
                                       std::string_view key, bool required) {
  BULWARK_ASSIGN_OR_RETURN(const json::value* v, field(obj, path, key, required));
  if (!v) return static_cast<const json::array*>(nullptr);
  if (!v->is_array()) return fail(Code::kInvalidArgument, join(path, key) + " must be an array");
  return &v->get_array();
}

Result<const json::object*> object_field(const json::object& obj, std::string_view path,
                                         std::string_view key, bool required) {
  BULWARK_ASSIGN_OR_RETURN(const json::value* v, field(obj, path, key, required));
  if (!v) return static_cast<const json::object*>(nullptr);
  if (!v->is_object()) return fail(Code::kInvalidArgument, join(path, key) + " must be an object");
  return &v->get_object();
}

std::string_view view(const json::string& s) { return std::string_view(s.data(), s.size()); }

// An optional field holding an array whose every element is a string.
Result<void> check_string_array(const json::object& obj, std::string_view path,
                                std::string_view key) {
  BULWARK_ASSIGN_OR_RETURN(const json::array* arr, array_field(obj, path, key, false));
  if (!arr) return ok();
  for (size_t i = 0; i < arr->size(); ++i) {
    if (!(*arr)[i].is_string()) {
      return fail(Code::kInvalidArgument,
                  join(path, key) + "[" + std::to_string(i) + "] must be a string");
    }
  }
  return ok();
}

// An optional media-type-valued string field; returns its value or "".
Result<std::string> media_type_field(const json::object& obj, std::string_view path,
                                     std::string_view key, bool required) {
  BULWARK_ASSIGN_OR_RETURN(const json::string* s, string_field(obj, path, key, required));
  if (!s) return std::string();
  if (!is_well_formed_media_type(view(*s))) {
    return fail(Code::kInvalidArgument, join(path, key) + " " + quote_untrusted(view(*s)) +
                                            " is not a well-formed media type (type/subtype)");
  }
  return std::string(view(*s));
}

// An optional "annotations" object whose values are all strings.
Result<const json::object*> annotations_field(const json::object& obj, std::string_view path) {
  BULWARK_ASSIGN_OR_RETURN(const json::object* annotations,
                           object_field(obj, path, "annotations", false));
  if (!annotations) return annotations;
  for (const auto& kv : *annotations) {
    if (!kv.value().is_string()) {
      std::string_view key(kv.key().data(), kv.key().size());
      return fail(Code::kInvalidArgument,
                  join(path, "annotations") + "[" + quote_untrusted(key) + "] must be a string");
    }
  }
  return annotations;
}

bool is_base64(std::string_view s) {
  if (s.size() % 4 != 0) return false;
  size_t pad = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '+' || c == '/';
    if (c == '=') {
      if (i + 2 < s.size()) return false;  // padding only in the last two positions
      ++pad;
    } else if (!alpha || pad > 0) {
      return false;
    }
  }
  return true;
}

// "platform": architecture and os strings required; the optional fields have their schema types.
Result<void> check_platform(const json::object& obj, std::string_view path) {
  BULWARK_ASSIGN_OR_RETURN(const json::object* platform, object_field(obj, path, "platform", false));
  if (!platform) return ok();
  std::string at = join(path, "platform");
  for (std::string_view key : {"architecture", "os"}) {
    BULWARK_TRY_VOID(string_field(*platform, at, key, true));
  }
  for (std::string_view key : {"os.version", "variant"}) {
    BULWARK_TRY_VOID(string_field(*platform, at, key, false));
  }
  for (std::string_view key : {"os.features", "features"}) {
    BULWARK_TRY_VOID(check_string_array(*platform, at, key));
  }
  return ok();
}

// A descriptor object at `path` (e.g. "layers[2]").
Result<Descriptor> parse_descriptor(const json::value& value, const std::string& path) {
  if (!value.is_object()) return fail(Code::kInvalidArgument, path + " must be an object");
  const json::object& obj = value.get_object();
  Descriptor d;
  BULWARK_ASSIGN_OR_RETURN(d.media_type, media_type_field(obj, path, "mediaType", true));

  BULWARK_ASSIGN_OR_RETURN(const json::string* digest, string_field(obj, path, "digest", true));
  auto parsed = Digest::parse(view(*digest));
  if (!parsed) {
    return fail(Code::kInvalidArgument, join(path, "digest") + ": " + parsed.error().message);
  }
  d.digest = std::move(*parsed);

  BULWARK_ASSIGN_OR_RETURN(const json::value* size, field(obj, path, "size", true));
  constexpr auto kMaxSize = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (size->is_int64() && size->get_int64() >= 0) {
    d.size = static_cast<uint64_t>(size->get_int64());
  } else if (size->is_uint64() && size->get_uint64() <= kMaxSize) {
    d.size = size->get_uint64();
  } else {
    return fail(Code::kInvalidArgument,
                join(path, "size") + " must be a non-negative integer below 2^63");
  }

  BULWARK_ASSIGN_OR_RETURN(d.artifact_type, media_type_field(obj, path, "artifactType", false));
  BULWARK_TRY_VOID(check_string_array(obj, path, "urls"));
  BULWARK_TRY_VOID(annotations_field(obj, path));
  BULWARK_TRY_VOID(check_platform(obj, path));
  BULWARK_ASSIGN_OR_RETURN(const json::string* data, string_field(obj, path, "data", false));
  if (data && !is_base64(view(*data))) {
    return fail(Code::kInvalidArgument, join(path, "data") + " must be base64");
  }
  return d;
}

Result<std::vector<Descriptor>> parse_descriptor_array(const json::object& root,
                                                       std::string_view key) {
  BULWARK_ASSIGN_OR_RETURN(const json::array* arr, array_field(root, "", key, true));
  std::vector<Descriptor> out;
  out.reserve(arr->size());
  for (size_t i = 0; i < arr->size(); ++i) {
    BULWARK_ASSIGN_OR_RETURN(Descriptor d, parse_descriptor(
                                               (*arr)[i], std::string(key) + "[" +
                                                              std::to_string(i) + "]"));
    out.push_back(std::move(d));
  }
  return out;
}

// ---- the document -------------------------------------------------------------------------------

Result<void> check_schema_version(const json::object& root) {
  const json::value* v = root.if_contains("schemaVersion");
  if (!v) return fail(Code::kInvalidArgument, "schemaVersion is required");
  if (v->is_int64() && v->get_int64() == 2) return ok();
  if (v->is_int64() && v->get_int64() == 1) {
    return fail(Code::kUnsupported, std::string(kSchema1Message));
  }
  return fail(Code::kInvalidArgument, "schemaVersion must be 2");
}

// Decides the manifest type from the Content-Type, the document's mediaType and, when both are
// silent, its structure (as the OCI image spec allows for documents without mediaType).
Result<const ManifestType*> resolve_type(const json::object& root, std::string_view content_type) {
  std::string header = header_media_type(content_type);

  BULWARK_ASSIGN_OR_RETURN(const json::string* field_value,
                           string_field(root, "", "mediaType", false));
  std::string_view declared = field_value ? view(*field_value) : std::string_view();
  if (is_schema1(declared)) return fail(Code::kUnsupported, std::string(kSchema1Message));

  // An empty or generic Content-Type says nothing; anything else must name a manifest type.
  if (!header.empty() && header != "application/json") {
    const ManifestType* type = find_manifest_type(header);
    if (!type) {
      return fail(Code::kUnsupported, "unsupported manifest media type " + quote_untrusted(header));
    }
    if (field_value && declared != header) {
      return fail(Code::kInvalidArgument, "mediaType " + quote_untrusted(declared) +
                                              " does not match the Content-Type " + quote_untrusted(header));
    }
    if (type->docker && !field_value) {
      return fail(Code::kInvalidArgument, "mediaType is required in Docker v2 manifests");
    }
    return type;
  }
  if (field_value) {
    const ManifestType* type = find_manifest_type(declared);
    if (!type) {
      return fail(Code::kUnsupported, "unsupported manifest media type " + quote_untrusted(declared));
    }
    return type;
  }
  if (root.contains("manifests")) return find_manifest_type(media::kOciIndex);
  if (root.contains("config")) return find_manifest_type(media::kOciManifest);
  return fail(Code::kInvalidArgument,
              "manifest has no mediaType, and neither config nor manifests to infer it from");
}

Result<ParsedManifest> parse_document(const json::object& root, std::string_view content_type) {
  BULWARK_TRY_VOID(check_schema_version(root));
  if (root.contains("manifests") && (root.contains("layers") || root.contains("config"))) {
    return fail(Code::kInvalidArgument,
                "manifest mixes \"manifests\" (an index) with \"layers\"/\"config\" (an image "
                "manifest)");
  }
  BULWARK_ASSIGN_OR_RETURN(const ManifestType* type, resolve_type(root, content_type));

  ParsedManifest out;
  out.kind = type->kind;
  out.media_type = std::string(type->media_type);
  if (type->kind == ManifestKind::kImageManifest) {
    BULWARK_ASSIGN_OR_RETURN(const json::value* config, field(root, "", "config", true));
    BULWARK_ASSIGN_OR_RETURN(out.config, parse_descriptor(*config, "config"));
    BULWARK_ASSIGN_OR_RETURN(out.layers, parse_descriptor_array(root, "layers"));
  } else {
    BULWARK_ASSIGN_OR_RETURN(out.manifests, parse_descriptor_array(root, "manifests"));
  }
  if (const json::value* subject = root.if_contains("subject")) {
    BULWARK_ASSIGN_OR_RETURN(out.subject, parse_descriptor(*subject, "subject"));
  }
  BULWARK_ASSIGN_OR_RETURN(out.artifact_type, media_type_field(root, "", "artifactType", false));
  if (out.artifact_type.empty() && out.config) out.artifact_type = out.config->media_type;
  BULWARK_ASSIGN_OR_RETURN(const json::object* annotations, annotations_field(root, ""));
  if (annotations) out.annotations_json = json::serialize(*annotations);
  return out;
}

}  // namespace

Result<ParsedManifest> parse_manifest(std::string_view bytes, std::string_view content_type) {
  // Refuse schema 1 by its Content-Type before looking at the (possibly JWS-signed) body.
  if (is_schema1(header_media_type(content_type))) {
    return fail(Code::kUnsupported, std::string(kSchema1Message));
  }
  try {
    BULWARK_ASSIGN_OR_RETURN(json::value doc, parse_manifest_json(bytes));
    if (!doc.is_object()) return fail(Code::kInvalidArgument, "manifest must be a JSON object");
    return parse_document(doc.get_object(), content_type);
  } catch (const std::exception& e) {  // allocation failure or a Boost.JSON limit
    return fail(Code::kInvalidArgument, std::string("manifest could not be parsed: ") + e.what());
  }
}

bool is_manifest_media_type(std::string_view media_type) {
  return find_manifest_type(media_type) != nullptr;
}

}  // namespace bulwark::oci
