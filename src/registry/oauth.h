// Responses of the registry's OAuth2-style endpoints (the token endpoint's POST grants, the
// OpenID login callback): JSON that caches must not keep, and RFC 6749 §5.2 error objects
// ({"error", "error_description"}) chosen from a table per endpoint. Stateless.
#pragma once

#include <boost/json/object.hpp>
#include <span>
#include <string_view>

#include "auth/access.h"
#include "http/http.h"

namespace bulwark::registry {

// `body` as application/json with Cache-Control: no-store (tokens must not be cached).
http::Response json_no_store(int status, const boost::json::object& body);

// An OAuth2 error response.
http::Response oauth_error(int status, std::string_view error, std::string_view description);

// How one endpoint answers each refusal.
struct OAuthAnswer {
  auth::Verdict verdict;
  int status;
  std::string_view error;
};
// The error `answers` gives for the outcome's verdict (503 temporarily_unavailable when it has
// none), with the outcome's message and, when throttled, Retry-After.
http::Response oauth_failure(const auth::AccessOutcome& outcome,
                             std::span<const OAuthAnswer> answers);

}  // namespace bulwark::registry
