// Small helpers every registry resource uses: OCI error responses, mapping of store errors onto
// the OCI error table, repository-name and digest validation from route parameters, reading a
// bounded request body, and running blocking store calls on the worker pool. Stateless.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/json/object.hpp>

#include "common/digest.h"
#include "common/result.h"
#include "http/http.h"
#include "oci/errors.h"

namespace bulwark::registry {

// A response carrying the OCI error body for `code` (status from the error table).
http::Response oci_error(oci::ErrorCode code, std::string_view message = {},
                         std::string_view detail = {});

// Maps an error from a store or parser: kNotFound -> `not_found`, kInvalidArgument/kUnsupported
// -> `invalid`, kTooLarge -> SIZE_INVALID, kUnavailable/kIo -> UNAVAILABLE (503), anything else
// -> 500 (logged). The error's message is passed through (it never contains secrets).
http::Response error_response(const Error& error, oci::ErrorCode not_found, oci::ErrorCode invalid);

// A JSON response with `status`.
http::Response json_response(const boost::json::object& body, int status = 200);

// An empty-bodied response with `status`.
http::Response empty_response(int status);

// A value parsed from a request, or the error response to send instead.
template <class T>
using Parsed = tl::expected<T, http::Response>;

// The validated repository name from the route's {name} parameter, or NAME_INVALID.
Parsed<std::string> repository_param(const http::Request& request);
// A digest from a route parameter or query value, or DIGEST_INVALID.
Parsed<Digest> digest_param(std::string_view text);

// Reads the whole request body, failing with kTooLarge beyond `max_bytes`.
http::Task<Result<std::string>> read_body(http::Request& request, size_t max_bytes);

// Adapts a resource function to a route handler bound to `ctx`.
template <class Ctx>
http::Handler bind_handler(Ctx& ctx, http::Task<http::Response> (*fn)(Ctx&, http::Request&)) {
  return [&ctx, fn](http::Request& r) { return fn(ctx, r); };
}

// Runs `fn` on the worker pool and returns its result.
template <class F>
http::Task<std::invoke_result_t<F>> blocking(F fn) {
  std::optional<std::invoke_result_t<F>> out;
  co_await http::run_blocking([&] { out.emplace(fn()); });
  co_return std::move(*out);
}

}  // namespace bulwark::registry
