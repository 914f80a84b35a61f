// libFuzzer target: parse_manifest on arbitrary bytes. The first input byte picks the
// Content-Type the document is "pushed" with; the rest is the body. Besides the sanitizers, it
// checks the parser's promises: accepted documents are internally consistent, rejected ones carry
// a client-facing code and message that fits in a valid OCI error body.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string_view>

#include <boost/json/parse.hpp>

#include "invariant.h"
#include "oci/errors.h"
#include "oci/manifest.h"
#include "oci/media_types.h"

namespace {

using namespace bulwark;

constexpr std::string_view kContentTypes[] = {
    "",
    oci::media::kOciManifest,
    oci::media::kOciIndex,
    oci::media::kDockerManifest,
    oci::media::kDockerManifestList,
    oci::media::kDockerSchema1,
    oci::media::kDockerSchema1Signed,
    "application/json",
    "application/vnd.oci.image.manifest.v1+json; charset=utf-8",
    "APPLICATION/VND.OCI.IMAGE.INDEX.V1+JSON",
    oci::media::kOciConfig,
    "text/plain",
};

using bulwark::fuzz::check;

bool valid_json(std::string_view text) {
  boost::json::error_code ec;
  boost::json::parse(boost::json::string_view(text.data(), text.size()), ec);
  return !ec;
}

void check_descriptor(const oci::Descriptor& d) {
  check(!d.media_type.empty(), "descriptor without media type");
  check(!d.digest.empty(), "descriptor without digest");
  check(Digest::parse(d.digest.str()).has_value(), "descriptor digest does not round-trip");
  check(d.size <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()), "size >= 2^63");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view content_type = kContentTypes[data[0] % std::size(kContentTypes)];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

  auto r = oci::parse_manifest(body, content_type);
  if (!r) {
    check(r.error().code == ErrorCode::kInvalidArgument || r.error().code == ErrorCode::kUnsupported,
          "unexpected error code");
    check(!r.error().message.empty(), "empty error message");
    check(valid_json(oci::error_body(oci::ErrorCode::kManifestInvalid, r.error().message)),
          "error body is not valid JSON");
    return 0;
  }
  check(oci::is_manifest_media_type(r->media_type), "accepted an unknown media type");
  if (r->kind == oci::ManifestKind::kImageManifest) {
    check(r->config.has_value() && r->manifests.empty(), "image manifest shape");
    check_descriptor(*r->config);
    for (const auto& d : r->layers) check_descriptor(d);
    check(!r->artifact_type.empty(), "image manifest without artifact type");
  } else {
    check(!r->config.has_value() && r->layers.empty(), "index shape");
    for (const auto& d : r->manifests) check_descriptor(d);
  }
  if (r->subject) check_descriptor(*r->subject);
  check(r->annotations_json.empty() || valid_json(r->annotations_json), "annotations not JSON");
  // The same bytes with the effective media type as Content-Type must parse the same way.
  auto again = oci::parse_manifest(body, r->media_type);
  check(again.has_value() && again->media_type == r->media_type && again->kind == r->kind,
        "not stable under its own media type");
  return 0;
}
