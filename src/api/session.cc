// POST /api/v1/login (a session token, with the TOTP second factor for enrolled users), GET
// /api/v1/me, and the authentication every other route goes through (context.h).
#include "api/context.h"
#include "api/views.h"
#include "common/encoding.h"
#include "auth/totp.h"
#include "common/clock.h"
#include "common/log.h"

namespace bulwark::api {

int64_t TotpSteps::last(const std::string& user) const {
  std::lock_guard lock(mu_);
  auto it = steps_.find(user);
  return it == steps_.end() ? -1 : it->second;
}

void TotpSteps::remember(const std::string& user, int64_t step) {
  constexpr size_t kMaxUsers = 100000;
  std::lock_guard lock(mu_);
  // Steps older than the verification window no longer matter; drop them when full.
  if (steps_.size() >= kMaxUsers && !steps_.contains(user)) {
    std::erase_if(steps_, [step](const auto& e) { return e.second + 2 < step; });
    if (steps_.size() >= kMaxUsers) steps_.erase(steps_.begin());
  }
  steps_[user] = step;
}

namespace {

constexpr std::string_view kRobotsRefused = "robot accounts cannot use the management API";

http::Response unauthorized(std::string_view code, std::string_view message) {
  http::Response r = error_response(401, code, message);
  r.headers.set("WWW-Authenticate", "Bearer realm=\"bulwark-api\"");
  return r;
}

http::Response throttled(std::chrono::seconds retry_after, std::string_view message) {
  http::Response r = error_response(429, "TOO_MANY_REQUESTS", message);
  r.headers.set("Retry-After", std::to_string(std::max<int64_t>(1, retry_after.count())));
  return r;
}

audit::Event event_for(const http::Request& request, std::string actor, std::string action,
                       audit::Outcome outcome, std::string reason) {
  audit::Event event;
  event.actor = actor.empty() ? "anonymous" : std::move(actor);
  event.client_address = client_ip(request.remote);
  event.action = std::move(action);
  event.outcome = outcome;
  event.reason = std::move(reason);
  return event;
}

// The principal of a verified subject as an Actor, or the refusal.
Parsed<Actor> actor_for(Context& ctx, const http::Request& request, std::string_view subject,
                        int64_t now) {
  auth::AuthResult principal = ctx.services.authenticator.principal_for(subject, now);
  if (!principal) {
    if (principal.error().kind == auth::AuthFailureKind::kUnavailable) {
      return tl::unexpected(error_response(503, "UNAVAILABLE", "temporarily unavailable"));
    }
    return tl::unexpected(unauthorized("UNAUTHORIZED", "the session's account is no longer valid"));
  }
  if (principal->type != auth::PrincipalType::kUser) {
    return tl::unexpected(error_response(403, "DENIED", kRobotsRefused));
  }
  return Actor{std::move(*principal), client_ip(request.remote)};
}

Parsed<Actor> authenticate_bearer(Context& ctx, const http::Request& request,
                                  const std::string& token) {
  const int64_t now = unix_seconds();
  auto claims = ctx.sessions->verify(token, now);
  if (!claims) {
    ctx.services.audit_writer.submit(event_for(
        request, "anonymous", "token.refused", audit::Outcome::kDenied,
        std::string("management API session refused: ") + error_code_name(claims.error().code)));
    return tl::unexpected(unauthorized("UNAUTHORIZED", "invalid or expired session token"));
  }
  return actor_for(ctx, request, claims->subject, now);
}

Parsed<Actor> authenticate_basic(Context& ctx, const http::Request& request,
                                 const auth::Credentials& credentials) {
  const std::string ip = client_ip(request.remote);
  const auth::Need need{auth::Need::Kind::kAuthenticated, {}, {}};
  const auth::AccessRequest access{credentials, ip, need, ""};
  const auth::AuthTime now = auth::AuthTime::current();
  auth::AccessOutcome outcome = ctx.services.access.check(access, now);
  if (outcome.login_failed) {
    ctx.services.audit_writer.submit(event_for(request, credentials.username, "login.failure",
                                               audit::Outcome::kDenied,
                                               "management API (basic): " + outcome.reason));
  }
  switch (outcome.verdict) {
    case auth::Verdict::kAllowed:
      return actor_for(ctx, request, outcome.subject, now.unix_seconds);
    case auth::Verdict::kThrottled:
      return tl::unexpected(throttled(outcome.retry_after, outcome.message));
    case auth::Verdict::kUnavailable:
      return tl::unexpected(error_response(503, "UNAVAILABLE", "temporarily unavailable"));
    case auth::Verdict::kDenied:
      return tl::unexpected(error_response(403, "DENIED", outcome.message));
    case auth::Verdict::kUnauthenticated:
      break;
  }
  return tl::unexpected(unauthorized("UNAUTHORIZED", outcome.message));
}

// ---- POST /api/v1/login

struct LoginRequest {
  std::string username;
  std::string password;
  std::optional<std::string> totp;
};

// The second factor of a user whose password was right: the current TOTP code.
// Failures count against the login throttle like wrong passwords.
http::Response check_totp(Context& ctx, const http::Request& request, const LoginRequest& login,
                          const auth::AuthTime& now, bool* passed) {
  *passed = false;
  const std::string ip = client_ip(request.remote);
  auto refuse = [&](std::string_view code, std::string_view message, std::string reason) {
    ctx.services.throttle.record_failure(login.username, ip, now.steady);
    audit_login(ctx, request, login.username, "login.failure", audit::Outcome::kDenied,
                "management API: " + std::move(reason));
    return unauthorized(code, message);
  };
  if (!login.totp || login.totp->empty()) {
    audit_login(ctx, request, login.username, "login.failure", audit::Outcome::kDenied,
                "management API: TOTP code missing");
    return unauthorized("TOTP_REQUIRED",
                        "this account uses two-factor authentication: send the current code of "
                        "your authenticator app as \"totp\"");
  }
  auto user = ctx.services.identities.get_user(login.username);
  if (!user) return error_response(503, "UNAVAILABLE", "temporarily unavailable");
  std::optional<std::string> secret;
  if (*user) secret = base32_decode((*user)->totp_secret);
  if (!secret || secret->empty()) {
    log_event(LogLevel::kWarn, "unusable TOTP secret", {{"user", login.username}});
    return refuse("TOTP_INVALID", "wrong or reused TOTP code", "unusable TOTP secret");
  }
  std::optional<int64_t> step = auth::totp_verify(*secret, *login.totp, now.unix_seconds, 1, {},
                                                  ctx.totp_steps.last(login.username));
  if (!step) return refuse("TOTP_INVALID", "wrong or reused TOTP code", "wrong TOTP code");
  ctx.totp_steps.remember(login.username, *step);
  ctx.services.throttle.record_success(login.username);
  *passed = true;
  return {};
}

http::Response login_blocking(Context& ctx, const http::Request& request,
                              const LoginRequest& login) {
  const std::string ip = client_ip(request.remote);
  const auth::AuthTime now = auth::AuthTime::current();
  auth::AuthResult result =
      ctx.services.authenticator.authenticate_basic(login.username, login.password, ip, now);
  bool with_totp = false;
  if (!result) {
    const auth::AuthFailure& failure = result.error();
    if (failure.kind == auth::AuthFailureKind::kSecondFactorRequired) {
      bool passed = false;
      http::Response refused = check_totp(ctx, request, login, now, &passed);
      if (!passed) return refused;
      result = ctx.services.authenticator.principal_for(login.username, now.unix_seconds);
      with_totp = true;
    }
  }
  if (!result) {
    const auth::AuthFailure& failure = result.error();
    audit_login(ctx, request, login.username, "login.failure", audit::Outcome::kDenied,
                "management API: " + failure.error.message);
    switch (failure.kind) {
      case auth::AuthFailureKind::kThrottled:
        return throttled(failure.retry_after, failure.error.message);
      case auth::AuthFailureKind::kUnavailable:
      case auth::AuthFailureKind::kMisconfigured:
        return error_response(503, "UNAVAILABLE", "temporarily unavailable");
      case auth::AuthFailureKind::kDisabled:
        return error_response(403, "DENIED", failure.error.message);
      default:
        return unauthorized("UNAUTHORIZED", failure.error.message);
    }
  }
  if (result->type != auth::PrincipalType::kUser) {
    audit_login(ctx, request, login.username, "login.failure", audit::Outcome::kDenied,
                "management API: robot account");
    return error_response(403, "DENIED", kRobotsRefused);
  }
  auto token = ctx.sessions->issue(*result, {}, now.unix_seconds);
  if (!token) {
    log_event(LogLevel::kError, "session token issue failed", {{"detail", token.error().message}});
    return error_response(503, "UNAVAILABLE", "cannot issue a session token");
  }
  audit_login(ctx, request, result->name, "login.success", audit::Outcome::kAllowed,
              with_totp ? "management API session (password and TOTP)"
                        : "management API session (password)");
  return json_response(200,
                       json::object{{"token", token->token}, {"expires_in", token->expires_in}});
}

http::Task<http::Response> login(Context& ctx, http::Request& request) {
  auto body = co_await read_object(ctx, request);
  if (!body) co_return std::move(body.error());
  if (auto keys = check_keys(*body, {"username", "password", "totp"}); !keys) {
    co_return std::move(keys.error());
  }
  auto username = req_string(*body, "username");
  if (!username) co_return std::move(username.error());
  auto password = req_string(*body, "password");
  if (!password) co_return std::move(password.error());
  auto totp = opt_string(*body, "totp");
  if (!totp) co_return std::move(totp.error());
  LoginRequest login{std::move(*username), std::move(*password), std::move(*totp)};
  http::Response r = co_await blocking([&] { return login_blocking(ctx, request, login); });
  if (r.status == 200) request.user = login.username;
  co_return r;
}

http::Task<http::Response> me(Context& ctx, http::Request&, const Actor& actor) {
  auto user = co_await blocking([&] { return ctx.admin->get_user(actor, actor.principal.name); });
  co_return answer(user, [&](const UserInfo& u) {
    json::object out = user_json(u);
    out["groups"] = string_array(actor.principal.groups);
    return json_response(200, out);
  });
}

}  // namespace

void audit_login(Context& ctx, const http::Request& request, std::string actor, std::string action,
                 audit::Outcome outcome, std::string reason) {
  if (auto r = ctx.services.audit_writer.record(
          event_for(request, std::move(actor), std::move(action), outcome, std::move(reason)));
      !r) {
    log_event(LogLevel::kError, "audit record failed", {{"detail", r.error().message}});
  }
}

http::Task<Parsed<Actor>> authenticate(Context& ctx, http::Request& request) {
  const auth::Credentials credentials =
      auth::parse_authorization(request.headers.get("Authorization"));
  Parsed<Actor> actor = tl::unexpected(http::Response{});
  switch (credentials.kind) {
    case auth::Credentials::Kind::kNone:
      co_return tl::unexpected(unauthorized(
          "UNAUTHORIZED",
          "authentication required: POST /api/v1/login for a session token and send it as "
          "\"Authorization: Bearer <token>\", or use HTTP Basic"));
    case auth::Credentials::Kind::kMalformed:
      co_return tl::unexpected(unauthorized("UNAUTHORIZED", "malformed Authorization header"));
    case auth::Credentials::Kind::kBearer:
      actor =
          co_await blocking([&] { return authenticate_bearer(ctx, request, credentials.secret); });
      break;
    case auth::Credentials::Kind::kBasic:
      actor = co_await blocking([&] { return authenticate_basic(ctx, request, credentials); });
      break;
  }
  if (actor) request.user = actor->principal.name;
  co_return actor;
}

void register_session(http::Router& router, Context& ctx) {
  router.add("POST", "/api/v1/login", registry::bind_handler(ctx, login));
  router.add("GET", "/api/v1/me", authed(ctx, me));
}

}  // namespace bulwark::api
