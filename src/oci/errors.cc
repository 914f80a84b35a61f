#include "oci/errors.h"

#include <array>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace bulwark::oci {
namespace {

// The single OCI error table. Wire codes and messages for the first fourteen rows are the
// distribution-spec v1.1 ones. Choices where the spec leaves room:
// - UNSUPPORTED answers 415: the registry raises it for manifest media types it does not accept
//   (schema 1, unknown types); disabled operations use kMethodNotAllowed (405, wire UNSUPPORTED).
// - MANIFEST_TOO_LARGE answers 413 with wire SIZE_INVALID, as distribution does.
// - Server-generated errors (404 outside the API, 405, 400 malformed HTTP, 431, 503, 500) carry
//   their own names so error_info_by_wire() can find them unambiguously.
constexpr std::array<ErrorInfo, 22> kErrors = {{
    {ErrorCode::kBlobUnknown, "BLOB_UNKNOWN", "BLOB_UNKNOWN", "blob unknown to registry", 404},
    {ErrorCode::kBlobUploadInvalid, "BLOB_UPLOAD_INVALID", "BLOB_UPLOAD_INVALID",
     "blob upload invalid", 400},
    {ErrorCode::kBlobUploadUnknown, "BLOB_UPLOAD_UNKNOWN", "BLOB_UPLOAD_UNKNOWN",
     "blob upload unknown to registry", 404},
    {ErrorCode::kDigestInvalid, "DIGEST_INVALID", "DIGEST_INVALID",
     "provided digest did not match uploaded content", 400},
    {ErrorCode::kManifestBlobUnknown, "MANIFEST_BLOB_UNKNOWN", "MANIFEST_BLOB_UNKNOWN",
     "manifest references a manifest or blob unknown to registry", 400},  // as distribution
    {ErrorCode::kManifestInvalid, "MANIFEST_INVALID", "MANIFEST_INVALID", "manifest invalid", 400},
    {ErrorCode::kManifestUnknown, "MANIFEST_UNKNOWN", "MANIFEST_UNKNOWN",
     "manifest unknown to registry", 404},
    {ErrorCode::kNameInvalid, "NAME_INVALID", "NAME_INVALID", "invalid repository name", 400},
    {ErrorCode::kNameUnknown, "NAME_UNKNOWN", "NAME_UNKNOWN",
     "repository name not known to registry", 404},
    {ErrorCode::kSizeInvalid, "SIZE_INVALID", "SIZE_INVALID",
     "provided length did not match content length", 400},
    {ErrorCode::kUnauthorized, "UNAUTHORIZED", "UNAUTHORIZED", "authentication required", 401},
    {ErrorCode::kDenied, "DENIED", "DENIED", "requested access to the resource is denied", 403},
    {ErrorCode::kUnsupported, "UNSUPPORTED", "UNSUPPORTED", "the operation is unsupported", 415},
    {ErrorCode::kTooManyRequests, "TOOMANYREQUESTS", "TOOMANYREQUESTS", "too many requests", 429},
    {ErrorCode::kRangeInvalid, "RANGE_INVALID", "RANGE_INVALID", "invalid content range", 416},
    {ErrorCode::kManifestTooLarge, "MANIFEST_TOO_LARGE", "SIZE_INVALID", "manifest too large",
     413},
    {ErrorCode::kMethodNotAllowed, "METHOD_NOT_ALLOWED", "UNSUPPORTED", "method not allowed", 405},
    {ErrorCode::kNotFound, "NOT_FOUND", "NOT_FOUND", "not found", 404},
    {ErrorCode::kBadRequest, "BAD_REQUEST", "BAD_REQUEST", "bad request", 400},
    {ErrorCode::kHeaderTooLarge, "HEADER_TOO_LARGE", "HEADER_TOO_LARGE",
     "request header fields too large", 431},
    {ErrorCode::kUnavailable, "UNAVAILABLE", "UNAVAILABLE",
     "service temporarily unavailable, retry later", 503},
    {ErrorCode::kInternal, "INTERNAL", "UNKNOWN", "internal server error", 500},
}};

boost::json::string_view json_view(std::string_view s) { return {s.data(), s.size()}; }

// Copies `text`, replacing each byte that is not part of a well-formed UTF-8 sequence with U+FFFD,
// so a body built from client-supplied text (paths, names) is always valid JSON.
boost::json::string valid_utf8(std::string_view text) {
  boost::json::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3
                 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    bool ok = len != 0 && i + len <= text.size();
    for (size_t k = 1; ok && k < len; ++k) {
      auto cc = static_cast<unsigned char>(text[i + k]);
      unsigned char lo = 0x80, hi = 0xBF;
      if (k == 1 && c == 0xE0) lo = 0xA0;  // overlong
      if (k == 1 && c == 0xED) hi = 0x9F;  // surrogates
      if (k == 1 && c == 0xF0) lo = 0x90;  // overlong
      if (k == 1 && c == 0xF4) hi = 0x8F;  // > U+10FFFF
      ok = cc >= lo && cc <= hi;
    }
    if (ok) {
      out.append(json_view(text.substr(i, len)));
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

}  // namespace

const ErrorInfo& error_info(ErrorCode code) {
  for (const auto& e : kErrors) {
    if (e.code == code) return e;
  }
  return kErrors.back();  // unreachable while every enumerator has a row (tested)
}

const ErrorInfo* error_info_by_wire(std::string_view wire) {
  for (const auto& e : kErrors) {
    if (e.name == wire) return &e;
  }
  for (const auto& e : kErrors) {
    if (e.wire == wire) return &e;
  }
  return nullptr;
}

std::string error_body(ErrorCode code, std::string_view message, std::string_view detail) {
  const ErrorInfo& info = error_info(code);
  boost::json::object error;
  error["code"] = valid_utf8(info.wire);
  error["message"] = valid_utf8(message.empty() ? info.message : message);
  if (!detail.empty()) error["detail"] = valid_utf8(detail);
  boost::json::array errors;
  errors.emplace_back(std::move(error));
  boost::json::object body;
  body["errors"] = std::move(errors);
  return boost::json::serialize(body);
}

}  // namespace bulwark::oci
