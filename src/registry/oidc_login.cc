// GET /auth/oidc/{provider}/login and GET /auth/oidc/{provider}/callback — people's OpenID
// Connect login (authorization-code flow with PKCE) against a provider configured under
// oidc.providers.
//
// login: 302 to the provider's authorization endpoint. State, nonce and PKCE verifier stay on the
// server (single use, 10 minutes); `login_hint` and `prompt` query parameters are passed on.
// callback: the provider sends the browser back with `code` and `state` (or `error`). The login is
// completed (ID token signature, iss, aud, exp, nonce), the account provisioned (source "oidc",
// groups from the provider's groups claim, which project memberships of kind group map to roles)
// and the answer is JSON {"username", "groups", "refresh_token"}: the refresh token works with
// POST /auth/token grant_type=refresh_token and as a docker "identity token".
//
// Errors are JSON {"error", "error_description"}: 400 for a refused or malformed login (unknown,
// used or expired state included), 404 for an unknown provider, 503 when the provider or the store
// cannot be reached. They never echo codes, tokens or secrets. Logins and failures are audit
// events.
#include <boost/json.hpp>

#include "common/strict_json.h"
#include "registry/context.h"
#include "registry/gate.h"
#include "registry/oauth.h"
#include "registry/respond.h"

namespace bulwark::registry {
namespace {

// Query parameters of the login request passed on to the provider.
constexpr std::string_view kPassedOn[] = {"login_hint", "prompt"};
constexpr size_t kPassedOnMaxBytes = 256;

constexpr OAuthAnswer kLoginAnswers[] = {
    {auth::Verdict::kUnauthenticated, 400, "access_denied"},
    {auth::Verdict::kDenied, 404, "not_found"},
    {auth::Verdict::kThrottled, 429, "slow_down"},
    {auth::Verdict::kUnavailable, 503, "temporarily_unavailable"},
};

http::Task<http::Response> begin(Context& ctx, http::Request& req) {
  std::string provider(req.param("provider"));
  std::vector<std::pair<std::string, std::string>> extra;
  for (std::string_view name : kPassedOn) {
    auto value = req.query_param(name);
    if (!value) continue;
    if (value->size() > kPassedOnMaxBytes) {
      co_return oauth_error(400, "invalid_request", std::string(name) + " is too long");
    }
    extra.emplace_back(name, std::move(*value));
  }
  auto url = co_await blocking(
      [&] { return ctx.access.begin_oidc_login(provider, extra, auth::AuthTime::current()); });
  if (!url) co_return oauth_failure(url.error(), kLoginAnswers);
  http::Response r;
  r.status = 302;
  r.headers.set("Location", *url);
  r.headers.set("Cache-Control", "no-store");
  co_return r;
}

http::Task<http::Response> callback(Context& ctx, http::Request& req) {
  std::string provider(req.param("provider"));
  const std::string how = "OpenID provider " + quote_untrusted(provider);
  if (auto error = req.query_param("error")) {
    // The provider's own refusal (e.g. access_denied); its code is short and not secret.
    std::string code = quote_untrusted(error->substr(0, 64));
    audit(ctx, req, "login.failure", {}, audit::Outcome::kDenied,
          how + " refused the login: " + code, /*durable=*/false);
    co_return oauth_error(400, "access_denied", "the OpenID provider refused the login: " + code);
  }
  auto code = req.query_param("code");
  auto state = req.query_param("state");
  if (!code || !state || code->empty() || state->empty()) {
    co_return oauth_error(400, "invalid_request", "the callback needs code and state");
  }
  auto grant = co_await blocking([&] {
    return ctx.access.finish_oidc_login(provider, *code, *state, auth::AuthTime::current());
  });
  if (!grant) {
    req.user = grant.error().subject;
    audit(ctx, req, "login.failure", {}, audit::Outcome::kDenied, how + ": " + grant.error().reason,
          /*durable=*/false);
    co_return oauth_failure(grant.error(), kLoginAnswers);
  }
  req.user = grant->principal.name;
  audit(ctx, req, "login.success", {}, audit::Outcome::kAllowed, how, /*durable=*/false);
  boost::json::array groups;
  for (const std::string& g : grant->principal.groups) groups.emplace_back(g);
  co_return json_no_store(200, {{"username", grant->principal.name},
                                {"groups", std::move(groups)},
                                {"refresh_token", grant->refresh_token}});
}

}  // namespace

void register_oidc_login(http::Router& router, Context& ctx) {
  router.add("GET", "/auth/oidc/{provider}/login", bind_handler(ctx, begin));
  router.add("GET", "/auth/oidc/{provider}/callback", bind_handler(ctx, callback));
}

}  // namespace bulwark::registry
