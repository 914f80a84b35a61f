// GET/POST /auth/token — the token endpoint of the Docker token authentication flow.
//
// GET (distribution token spec): `service`, repeated `scope`, `offline_token=true` for a
// refresh token; credentials, if any, as HTTP Basic. Failures in the OCI error format.
// POST (OAuth2, distribution's oauth spec): form fields grant_type=password (username,
// password) or grant_type=refresh_token (refresh_token), `scope` (space-separated), `service`,
// `access_type=offline`; and the RFC 8693 token exchange for CI jobs:
// grant_type=urn:ietf:params:oauth:grant-type:token-exchange, subject_token=<the job's ID token>,
// subject_token_type=urn:ietf:params:oauth:token-type:id_token (or :jwt), `scope` — the token is
// checked against the configured federation rules and the issued token acts as
// "federation:<rule>" with the rule's permissions and lifetime (no refresh token). Failures as
// RFC 6749 §5.2 JSON ({"error", "error_description"}).
// All answer {"token", "access_token", "expires_in", "issued_at"[, "refresh_token"]} (an exchange
// adds "issued_token_type" and "token_type").
//
// Requested scopes are narrowed to what the principal may do, never refused as a whole: a token
// with less (or no) access is the spec's answer, and the registry's next 401/403 says what is
// missing. Logins, failures, exchanges (rule, issuer and subject; never the token) and issued
// tokens are audit events.
#include <boost/json.hpp>

#include "common/strings.h"
#include "registry/context.h"
#include "registry/gate.h"
#include "registry/oauth.h"
#include "registry/respond.h"

namespace bulwark::registry {
namespace {

constexpr size_t kFormMaxBytes = 64 * 1024;

constexpr std::string_view kTokenExchangeGrant = "urn:ietf:params:oauth:grant-type:token-exchange";
// Subject token types accepted for an exchange: an OpenID ID token is a JWT.
constexpr std::string_view kSubjectTokenTypes[] = {"urn:ietf:params:oauth:token-type:id_token",
                                                   "urn:ietf:params:oauth:token-type:jwt"};

http::Response token_response(const auth::TokenGrant& grant) {
  boost::json::object body{{"token", grant.token.token},
                           {"access_token", grant.token.token},
                           {"expires_in", grant.token.expires_in},
                           {"issued_at", grant.token.issued_at_rfc3339()}};
  if (grant.refresh_token) body["refresh_token"] = *grant.refresh_token;
  if (!grant.exchange.empty()) {  // RFC 8693 §2.2.1
    body["issued_token_type"] = "urn:ietf:params:oauth:token-type:access_token";
    body["token_type"] = "Bearer";
  }
  return json_no_store(200, body);
}

// Failures of a POST: OAuth2 error responses.
constexpr OAuthAnswer kGrantAnswers[] = {
    {auth::Verdict::kUnauthenticated, 400, "invalid_grant"},
    {auth::Verdict::kDenied, 400, "invalid_grant"},
    {auth::Verdict::kThrottled, 429, "slow_down"},
    {auth::Verdict::kUnavailable, 503, "temporarily_unavailable"},
};

// Runs the grant and records what happened.
http::Task<tl::expected<auth::TokenGrant, auth::AccessOutcome>> run_grant(
    Context& ctx, http::Request& req, auth::TokenRequest token_request) {
  token_request.client_address = client_ip(req.remote);
  auto grant = co_await blocking(
      [&] { return ctx.access.grant_token(token_request, auth::AuthTime::current()); });
  const bool with_credentials = token_request.credentials.kind == auth::Credentials::Kind::kBasic;
  const bool exchange = token_request.subject_token.has_value();
  if (!grant) {
    req.user = grant.error().subject;
    if (req.user.empty() && with_credentials) req.user = token_request.credentials.username;
    std::string action = exchange                     ? "token.exchange"
                         : grant.error().login_failed ? "login.failure"
                                                      : "token.refused";
    audit(ctx, req, std::move(action), {}, audit::Outcome::kDenied, grant.error().reason,
          /*durable=*/false);
    co_return grant;
  }
  req.user = grant->subject;
  if (with_credentials) {
    audit(ctx, req, "login.success", {}, audit::Outcome::kAllowed, "token endpoint", false);
  }
  if (exchange) {
    audit(ctx, req, "token.exchange", {}, audit::Outcome::kAllowed, grant->exchange, false);
  }
  std::vector<std::string> granted;
  for (const auth::Scope& s : grant->granted) granted.push_back(auth::to_string(s));
  std::string reason =
      "granted: " + (granted.empty() ? std::string("nothing") : join(granted, " "));
  if (!grant->refused.empty()) reason += "; refused: " + join(grant->refused, "; ");
  audit(ctx, req, "token.issue", {}, audit::Outcome::kAllowed, std::move(reason), false);
  co_return grant;
}

http::Task<http::Response> get_token(Context& ctx, http::Request& req) {
  auth::TokenRequest token_request;
  token_request.credentials = auth::parse_authorization(req.headers.get("Authorization"));
  for (auto& [key, value] : http::parse_form(req.query)) {
    if (key == "scope") {
      token_request.scopes.push_back(std::move(value));
    } else if (key == "service") {
      token_request.service = std::move(value);
    } else if (key == "offline_token") {
      token_request.offline = value == "true";
    }
  }
  auto grant = co_await run_grant(ctx, req, std::move(token_request));
  if (!grant) co_return refusal_response(grant.error(), /*challenge=*/false);
  co_return token_response(*grant);
}

http::Task<http::Response> post_token(Context& ctx, http::Request& req) {
  auto body = co_await read_body(req, kFormMaxBytes);
  if (!body) co_return oauth_error(400, "invalid_request", "request body too large or unreadable");
  auth::TokenRequest token_request;
  std::string grant_type;
  std::optional<std::string> username;
  std::optional<std::string> password;
  for (auto& [key, value] : http::parse_form(*body)) {
    if (key == "grant_type") {
      grant_type = std::move(value);
    } else if (key == "username") {
      username = std::move(value);
    } else if (key == "password") {
      password = std::move(value);
    } else if (key == "refresh_token") {
      token_request.refresh = std::move(value);
    } else if (key == "scope") {
      token_request.scopes.push_back(std::move(value));
    } else if (key == "service") {
      token_request.service = std::move(value);
    } else if (key == "access_type") {
      token_request.offline = value == "offline";
    }
  }
  std::optional<std::string> subject_token_type;
  if (grant_type == kTokenExchangeGrant) {
    for (auto& [key, value] : http::parse_form(*body)) {
      if (key == "subject_token") {
        token_request.subject_token = std::move(value);
      } else if (key == "subject_token_type") {
        subject_token_type = std::move(value);
      }
    }
  }
  if (grant_type == kTokenExchangeGrant) {
    if (!token_request.subject_token || token_request.subject_token->empty()) {
      co_return oauth_error(400, "invalid_request", "the token exchange needs subject_token");
    }
    if (!subject_token_type ||
        std::find(std::begin(kSubjectTokenTypes), std::end(kSubjectTokenTypes),
                  *subject_token_type) == std::end(kSubjectTokenTypes)) {
      co_return oauth_error(400, "invalid_request",
                            "subject_token_type must be urn:ietf:params:oauth:token-type:id_token "
                            "or urn:ietf:params:oauth:token-type:jwt");
    }
    token_request.credentials = {};
    token_request.refresh.reset();
    token_request.offline = false;
  } else if (grant_type == "password") {
    if (!username || !password) {
      co_return oauth_error(400, "invalid_request",
                            "the password grant needs username and password");
    }
    token_request.credentials.kind = auth::Credentials::Kind::kBasic;
    token_request.credentials.username = std::move(*username);
    token_request.credentials.secret = std::move(*password);
    token_request.refresh.reset();
  } else if (grant_type == "refresh_token") {
    if (!token_request.refresh) {
      co_return oauth_error(400, "invalid_request", "the refresh_token grant needs refresh_token");
    }
  } else {
    co_return oauth_error(
        400, "unsupported_grant_type",
        "grant_type must be password, refresh_token or " + std::string(kTokenExchangeGrant));
  }
  auto grant = co_await run_grant(ctx, req, std::move(token_request));
  if (!grant) co_return oauth_failure(grant.error(), kGrantAnswers);
  co_return token_response(*grant);
}

}  // namespace

void register_token(http::Router& router, Context& ctx) {
  router.add("GET", "/auth/token", bind_handler(ctx, get_token));
  router.add("POST", "/auth/token", bind_handler(ctx, post_token));
}

}  // namespace bulwark::registry
