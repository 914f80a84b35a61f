#include "registry/respond.h"


#include <boost/json/serialize.hpp>

#include "common/log.h"
#include "oci/reference.h"

namespace bulwark::registry {

http::Response json_response(const boost::json::object& body, int status) {
  http::Response r;
  r.status = status;
  r.headers.set("Content-Type", "application/json");
  r.body = boost::json::serialize(body);
  return r;
}

http::Response oci_error(oci::ErrorCode code, std::string_view message, std::string_view detail) {
  http::Response r;
  r.status = oci::error_info(code).status;
  r.headers.set("Content-Type", "application/json");
  r.body = oci::error_body(code, message, detail);
  return r;
}

namespace {

// How each store error is reported. kCallerNotFound/kCallerInvalid defer to the caller's choice;
// `log` marks server-side faults that operators must see.
struct ErrorMapping {
  ErrorCode code;
  enum Target { kCallerNotFound, kCallerInvalid, kFixed } target;
  oci::ErrorCode fixed;
  bool log;
  std::string_view public_message;  // replaces the internal message when set
};

constexpr ErrorMapping kErrorMappings[] = {
    {ErrorCode::kNotFound, ErrorMapping::kCallerNotFound, {}, false, {}},
    {ErrorCode::kInvalidArgument, ErrorMapping::kCallerInvalid, {}, false, {}},
    {ErrorCode::kUnsupported, ErrorMapping::kCallerInvalid, {}, false, {}},
    {ErrorCode::kOutOfRange, ErrorMapping::kFixed, oci::ErrorCode::kRangeInvalid, false, {}},
    {ErrorCode::kTooLarge, ErrorMapping::kFixed, oci::ErrorCode::kSizeInvalid, false, {}},
    {ErrorCode::kDigestMismatch, ErrorMapping::kFixed, oci::ErrorCode::kDigestInvalid, false, {}},
    {ErrorCode::kMissingReference, ErrorMapping::kFixed, oci::ErrorCode::kManifestBlobUnknown,
     false, {}},
    {ErrorCode::kUnavailable, ErrorMapping::kFixed, oci::ErrorCode::kUnavailable, true,
     "storage temporarily unavailable"},
    {ErrorCode::kIo, ErrorMapping::kFixed, oci::ErrorCode::kUnavailable, true,
     "storage temporarily unavailable"},
};

}  // namespace

http::Response error_response(const Error& error, oci::ErrorCode not_found,
                              oci::ErrorCode invalid) {
  for (const auto& m : kErrorMappings) {
    if (m.code != error.code) continue;
    if (m.log) {
      log_event(LogLevel::kError, "store error",
                {{"error", error_code_name(error.code)}, {"detail", error.message}});
    }
    oci::ErrorCode code = m.target == ErrorMapping::kCallerNotFound  ? not_found
                          : m.target == ErrorMapping::kCallerInvalid ? invalid
                                                                     : m.fixed;
    return oci_error(code, m.public_message.empty() ? std::string_view(error.message)
                                                    : m.public_message);
  }
  // kAlreadyExists, kConflict, kCorrupt, kInternal: a server-side fault, never bad input.
  log_event(LogLevel::kError, "internal error",
            {{"error", error_code_name(error.code)}, {"detail", error.message}});
  http::Response r = oci_error(oci::ErrorCode::kUnavailable, "internal error");
  r.status = 500;
  return r;
}

http::Response empty_response(int status) {
  http::Response r;
  r.status = status;
  return r;
}

Parsed<std::string> repository_param(const http::Request& request) {
  std::string name(request.param("name"));
  if (auto valid = oci::validate_repository(name); !valid) {
    return tl::unexpected(oci_error(oci::ErrorCode::kNameInvalid, valid.error().message));
  }
  return name;
}

Parsed<Digest> digest_param(std::string_view text) {
  auto d = Digest::parse(text);
  if (!d) {
    return tl::unexpected(
        oci_error(oci::ErrorCode::kDigestInvalid, "invalid digest: " + d.error().message));
  }
  return *d;
}

http::Task<Result<std::string>> read_body(http::Request& request, size_t max_bytes) {
  std::string out;
  if (auto len = request.body->content_length()) {
    if (*len > max_bytes) {
      co_return fail(ErrorCode::kTooLarge,
                     "body of " + std::to_string(*len) + " bytes exceeds the limit of " +
                         std::to_string(max_bytes));
    }
    out.reserve(*len);
  }
  char buf[64 * 1024];
  for (;;) {
    auto n = co_await request.body->read(std::span<char>(buf, sizeof buf));
    if (!n) co_return fail(std::move(n.error()));
    if (*n == 0) break;
    if (out.size() + *n > max_bytes) {
      co_return fail(ErrorCode::kTooLarge,
                     "body exceeds the limit of " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, *n);
  }
  co_return out;
}


}  // namespace bulwark::registry
