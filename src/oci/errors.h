// The OCI Distribution error table: each error code's unique name, wire code, default message and
// HTTP status, plus the JSON error body ({"errors":[{"code","message","detail"}]}). Pure functions;
// thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace bulwark::oci {

enum class ErrorCode {
  kBlobUnknown,
  kBlobUploadInvalid,
  kBlobUploadUnknown,
  kDigestInvalid,
  kManifestBlobUnknown,
  kManifestInvalid,
  kManifestUnknown,
  kNameInvalid,
  kNameUnknown,
  kSizeInvalid,
  kUnauthorized,
  kDenied,
  kUnsupported,
  kTooManyRequests,
  kRangeInvalid,       // 416 for chunk uploads out of order / bad Range
  kManifestTooLarge,   // 413
  kMethodNotAllowed,   // 405 (server-generated)
  kNotFound,           // 404 for paths outside the API
  kBadRequest,         // 400 malformed HTTP
  kHeaderTooLarge,     // 431
  kUnavailable,        // 503 transient failures (storage, database busy)
  kInternal,           // 500 a bug or unexpected failure (wire "UNKNOWN")
};

struct ErrorInfo {
  ErrorCode code;
  std::string_view name;     // unique, e.g. "METHOD_NOT_ALLOWED" (several codes share a wire code)
  std::string_view wire;     // code sent to clients, e.g. "BLOB_UNKNOWN"
  std::string_view message;  // default human message
  int status;                // HTTP status
};

const ErrorInfo& error_info(ErrorCode code);
// Looks up by name (e.g. the http server's "NOT_FOUND", "METHOD_NOT_ALLOWED", "HEADER_TOO_LARGE",
// "INTERNAL"), falling back to the wire code; nullptr if unknown.
const ErrorInfo* error_info_by_wire(std::string_view wire);

// {"errors":[{"code":...,"message":...,"detail":...}]}; `detail` (a plain string) is omitted when
// empty; `message` defaults to the table's message when empty.
std::string error_body(ErrorCode code, std::string_view message = {}, std::string_view detail = {});

}  // namespace bulwark::oci
