// A small blocking outbound HTTP client on libcurl, for the few places Bulwark talks to other
// servers itself (OIDC discovery and token exchange, JWKS, later webhooks and remote registries).
//
// One call is one request: http and https only, redirects are never followed (a 3xx is returned
// as it came), the whole exchange is bounded by a timeout and the response body by a size limit.
// Errors never repeat the request body, headers, the URL's user info or query (where credentials
// and codes travel): they name the method, the URL's scheme, host, port and path, and the cause.
//
// Thread-safe: http_fetch() may run concurrently from any number of threads (each call has its own
// curl handle; libcurl's global initialisation happens once). It blocks the calling thread, so
// never call it on an I/O thread.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace bulwark {

struct HttpClientRequest {
  std::string method = "GET";  // any token; a body is sent only when non-empty
  std::string url;             // http:// or https:// only
  std::vector<std::pair<std::string, std::string>> headers;  // sent as given
  std::string body;
  int timeout_seconds = 10;                  // whole exchange, connect included
  size_t max_response_bytes = 1024 * 1024;   // larger bodies fail with kTooLarge
  std::string ca_file;  // PEM bundle of trusted CAs for https; empty: the system's store
  bool tls_verify = true;  // false: accept any certificate and name (explicitly insecure peers)
};

struct HttpClientResponse {
  int status = 0;
  // Final response's headers in arrival order, names lowercased, values trimmed; a header that
  // came several times (set-cookie) appears several times.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first value of header `lowercase_name`, if present.
  std::optional<std::string_view> header(std::string_view lowercase_name) const;
};

// Performs one request. Errors: kInvalidArgument for a URL that is not http(s) or not a valid
// URL; kTooLarge when the response body exceeds max_response_bytes; kUnavailable for connection
// failures, TLS failures and timeouts. Any HTTP status (including 4xx/5xx) is a successful result.
Result<HttpClientResponse> http_fetch(const HttpClientRequest& request);

// Receives a streamed response: `head` holds the final response's status and headers (its body
// stays empty) and is complete from the first call; `chunk` is the next piece of the body.
// Returns false to abort the transfer.
using HttpBodySink = std::function<bool(const HttpClientResponse& head, std::string_view chunk)>;

// Like http_fetch, but hands the body to `sink` as it arrives instead of keeping it (the result's
// body is empty), so memory does not grow with the body. Here timeout_seconds bounds connecting and
// any stall of that long with no byte arriving, not the whole exchange: a slow sink may take as
// long as it needs. max_response_bytes still bounds the body. Errors as http_fetch, plus
// kUnavailable when the sink aborted the transfer. The sink runs on the calling thread.
Result<HttpClientResponse> http_fetch_stream(const HttpClientRequest& request,
                                             const HttpBodySink& sink);

// `text` with every byte outside [A-Za-z0-9-._~] percent-encoded (so '+' and ' ' survive any
// form decoder).
std::string percent_encode(std::string_view text);
// "application/x-www-form-urlencoded" body (or URL query) of `fields`: name=value pairs joined by
// '&', each side percent_encode()d.
std::string form_urlencode(const std::vector<std::pair<std::string, std::string>>& fields);

// The value of an outgoing `Authorization` header for HTTP Basic (RFC 7617): "Basic " followed by
// the standard base64 of `user_id:password` (the caller encodes the parts when a scheme needs it).
std::string basic_authorization(std::string_view user_id, std::string_view password);

}  // namespace bulwark
