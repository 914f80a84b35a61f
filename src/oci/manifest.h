// Strict parsing and validation of manifests: OCI image manifest and index, Docker v2 schema 2
// manifest and manifest list, and OCI artifacts. The bytes as pushed remain the truth; parsing
// only validates and extracts what the registry must index (referenced blobs and manifests,
// subject, artifact type, annotations). Pure functions; thread-safe.
//
// Strictness: duplicate object keys, non-integer or negative sizes, malformed digests, missing
// required fields, wrong field types, a mediaType field that contradicts the Content-Type, and
// documents mixing "manifests" with "layers"/"config" are rejected. Docker schema 1 is refused
// (kUnsupported) with a message saying so.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.h"
#include "common/result.h"

namespace bulwark::oci {

struct Descriptor {
  std::string media_type;
  Digest digest;
  uint64_t size = 0;
  std::string artifact_type;  // may be empty
};

enum class ManifestKind { kImageManifest, kIndex };

struct ParsedManifest {
  ManifestKind kind = ManifestKind::kImageManifest;
  std::string media_type;  // the effective media type (document field, else Content-Type)
  std::string artifact_type;  // artifactType, else (image manifests) config.mediaType, as referrers report it
  std::optional<Descriptor> config;   // image manifests
  std::vector<Descriptor> layers;     // image manifests
  std::vector<Descriptor> manifests;  // indexes
  std::optional<Descriptor> subject;
  std::string annotations_json;  // serialized "annotations" object, or empty
};

// Parses `bytes` pushed with `content_type` (may be empty: then the document's mediaType decides).
// Errors: kInvalidArgument (malformed, with a message naming the field), kUnsupported (schema 1,
// unknown manifest media type).
Result<ParsedManifest> parse_manifest(std::string_view bytes, std::string_view content_type);

// True if `media_type` is one of the manifest/index types the registry serves.
bool is_manifest_media_type(std::string_view media_type);

}  // namespace bulwark::oci
