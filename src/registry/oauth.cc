#include "registry/oauth.h"

#include <boost/json/serialize.hpp>
#include <string>

namespace bulwark::registry {

http::Response json_no_store(int status, const boost::json::object& body) {
  http::Response r;
  r.status = status;
  r.headers.set("Content-Type", "application/json");
  r.headers.set("Cache-Control", "no-store");
  r.body = boost::json::serialize(body);
  return r;
}

http::Response oauth_error(int status, std::string_view error, std::string_view description) {
  return json_no_store(status, {{"error", error}, {"error_description", description}});
}

http::Response oauth_failure(const auth::AccessOutcome& outcome,
                             std::span<const OAuthAnswer> answers) {
  OAuthAnswer answer{outcome.verdict, 503, "temporarily_unavailable"};
  for (const OAuthAnswer& a : answers) {
    if (a.verdict == outcome.verdict) answer = a;
  }
  http::Response r = oauth_error(answer.status, answer.error, outcome.message);
  if (outcome.retry_after.count() > 0) {
    r.headers.set("Retry-After", std::to_string(outcome.retry_after.count()));
  }
  return r;
}

}  // namespace bulwark::registry
