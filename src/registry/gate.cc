#include "registry/gate.h"

#include "audit/writer.h"
#include "common/clock.h"
#include "common/log.h"
#include "registry/respond.h"

namespace bulwark::registry {
namespace {

// How each refusal is answered.
struct RefusalAnswer {
  auth::Verdict verdict;
  oci::ErrorCode code;
};
constexpr RefusalAnswer kRefusalAnswers[] = {
    {auth::Verdict::kUnauthenticated, oci::ErrorCode::kUnauthorized},
    {auth::Verdict::kDenied, oci::ErrorCode::kDenied},
    {auth::Verdict::kThrottled, oci::ErrorCode::kTooManyRequests},
    {auth::Verdict::kUnavailable, oci::ErrorCode::kUnavailable},
};

}  // namespace

http::Response refusal_response(const auth::AccessOutcome& outcome, bool challenge) {
  oci::ErrorCode code = oci::ErrorCode::kUnavailable;
  for (const auto& a : kRefusalAnswers) {
    if (a.verdict == outcome.verdict) code = a.code;
  }
  http::Response r = oci_error(code, outcome.message);
  if (challenge && !outcome.challenge.empty()) {
    r.headers.set("WWW-Authenticate", outcome.challenge);
  }
  if (outcome.retry_after.count() > 0) {
    r.headers.set("Retry-After", std::to_string(outcome.retry_after.count()));
  }
  return r;
}

namespace {

bool host_is_plain(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
    if (!ok) return false;
  }
  return true;
}

// The token endpoint's URL as this client reaches the registry (or as configured).
std::string realm_for(const Context& ctx, const http::Request& request) {
  if (!ctx.options.token_realm.empty()) return ctx.options.token_realm;
  std::string_view host = request.headers.get("Host").value_or("");
  if (!host_is_plain(host)) host = "localhost";
  return std::string(request.tls ? "https://" : "http://") + std::string(host) + "/auth/token";
}

http::Task<auth::AccessOutcome> decide(Context& ctx, const http::Request& request,
                                       const auth::Credentials& credentials,
                                       const auth::Need& need) {
  const std::string ip = client_ip(request.remote);
  const std::string realm = realm_for(ctx, request);
  auth::AccessRequest access{credentials, ip, need, realm};
  if (auto cached = ctx.access.check_cached(access, unix_seconds())) co_return std::move(*cached);
  co_return co_await blocking([&] { return ctx.access.check(access, auth::AuthTime::current()); });
}

audit::Event event_for(const http::Request& request, std::string action, audit::Resource resource,
                       audit::Outcome outcome, std::string reason) {
  audit::Event event;
  event.actor = request.user.empty() ? "anonymous" : request.user;
  event.client_address = client_ip(request.remote);
  event.action = std::move(action);
  event.resource = std::move(resource);
  event.outcome = outcome;
  event.reason = std::move(reason);
  return event;
}

void store_event(Context& ctx, audit::Event event, bool durable) {
  if (ctx.audit == nullptr) return;
  if (!durable) {
    ctx.coalescer->submit(std::move(event));
    return;
  }
  if (auto r = ctx.audit->record(std::move(event)); !r) {
    log_event(LogLevel::kError, "audit record failed", {{"detail", r.error().message}});
  }
}

// Failed logins, refusals of presented credentials and bad tokens are audit events; the
// challenge every anonymous client gets first is not.
void audit_refusal(Context& ctx, const http::Request& request, const auth::Credentials& credentials,
                   const auth::Need& need, const auth::AccessOutcome& outcome) {
  std::string action;
  if (outcome.login_failed) {
    action = "login.failure";
  } else if (outcome.verdict == auth::Verdict::kDenied ||
             outcome.verdict == auth::Verdict::kThrottled) {
    action = "access.denied";
  } else if (credentials.kind != auth::Credentials::Kind::kNone) {
    action =
        credentials.kind == auth::Credentials::Kind::kBearer ? "token.refused" : "access.denied";
  } else {
    return;
  }
  audit::Event event = event_for(request, std::move(action), {need.repository, "", ""},
                                 audit::Outcome::kDenied, outcome.reason);
  // The actor of a failed login is the name tried (never the password).
  if (outcome.login_failed && !credentials.username.empty()) event.actor = credentials.username;
  store_event(ctx, std::move(event), /*durable=*/false);
}

}  // namespace

std::string client_ip(std::string_view remote) {
  if (remote.starts_with('[')) {
    auto close = remote.find(']');
    return std::string(remote.substr(1, close == std::string_view::npos ? close : close - 1));
  }
  return std::string(remote.substr(0, remote.rfind(':')));
}

void audit(Context& ctx, const http::Request& request, std::string action, audit::Resource resource,
           audit::Outcome outcome, std::string reason, bool durable) {
  store_event(
      ctx, event_for(request, std::move(action), std::move(resource), outcome, std::move(reason)),
      durable);
}

void add_guarded(http::Router& router, Context& ctx, std::string method, std::string pattern,
                 Requirement requirement, http::Handler handler) {
  router.add(std::move(method), std::move(pattern),
             [&ctx, requirement,
              handler = std::move(handler)](http::Request& request) -> http::Task<http::Response> {
               auth::Need need{requirement.kind, {}, requirement.actions};
               if (need.kind == auth::Need::Kind::kRepository) {
                 auto name = repository_param(request);
                 if (!name) co_return std::move(name.error());
                 need.repository = std::move(*name);
               }
               auth::Credentials credentials =
                   auth::parse_authorization(request.headers.get("Authorization"));
               auth::AccessOutcome outcome = co_await decide(ctx, request, credentials, need);
               request.user = outcome.subject;
               if (outcome.logged_in) {
                 audit(ctx, request, "login.success", {need.repository, "", ""},
                       audit::Outcome::kAllowed, "basic credentials", /*durable=*/false);
               }
               if (!outcome.allowed()) {
                 audit_refusal(ctx, request, credentials, need, outcome);
                 co_return refusal_response(outcome, /*challenge=*/true);
               }
               co_return co_await handler(request);
             });
}

http::Task<bool> may(Context& ctx, const http::Request& request, std::string_view repository,
                     auth::ActionSet actions, bool record_refusal) {
  auth::Need need{auth::Need::Kind::kRepository, std::string(repository), actions};
  auth::Credentials credentials = auth::parse_authorization(request.headers.get("Authorization"));
  auth::AccessOutcome outcome = co_await decide(ctx, request, credentials, need);
  if (!outcome.allowed() && record_refusal) {
    audit_refusal(ctx, request, credentials, need, outcome);
  }
  co_return outcome.allowed();
}

http::Task<bool> principal_may(Context& ctx, const http::Request& request,
                               std::string_view repository, auth::ActionSet actions) {
  auth::Need need{auth::Need::Kind::kRepository, std::string(repository), actions};
  auth::Credentials credentials = auth::parse_authorization(request.headers.get("Authorization"));
  const std::string ip = client_ip(request.remote);
  const std::string realm = realm_for(ctx, request);
  auth::AccessRequest access{credentials, ip, need, realm};
  co_return co_await blocking(
      [&] { return ctx.access.principal_may(access, auth::AuthTime::current()); });
}

http::Task<bool> PullableRepositories::contains(const std::string& repository) {
  auto known = known_.find(repository);
  if (known == known_.end()) {
    bool allowed = co_await may(ctx_, request_, repository, auth::Action::kPull, /*record_refusal=*/false);
    known = known_.emplace(repository, allowed).first;
  }
  co_return known->second;
}

}  // namespace bulwark::registry
