// The registry's access gate: every Distribution API route is registered through add_guarded()
// with what it requires (authentication, actions on the {name} repository, or the catalog), and
// its handler runs only when the AccessService allows the request. Refusals are answered in the
// OCI error format: 401 UNAUTHORIZED with a Bearer challenge naming the scope to request,
// 403 DENIED, 429 TOOMANYREQUESTS with Retry-After, 503 UNAVAILABLE. Failed logins, refused
// requests and invalid tokens are audit events.
//
// Warm requests are decided from the AccessService's caches on the I/O thread; the rest move to
// the worker pool (store reads, argon2id).
//
// Thread-safety: stateless; the Context members synchronise themselves.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "audit/event.h"
#include "auth/access.h"
#include "http/router.h"
#include "registry/context.h"

namespace bulwark::registry {

// What a route requires of its caller.
struct Requirement {
  auth::Need::Kind kind = auth::Need::Kind::kAuthenticated;
  auth::ActionSet actions;
};
inline constexpr Requirement kNeedsLogin{auth::Need::Kind::kAuthenticated, {}};
inline constexpr Requirement kNeedsCatalog{auth::Need::Kind::kCatalog, {}};
constexpr Requirement needs(auth::ActionSet actions) {
  return {auth::Need::Kind::kRepository, actions};
}

// Registers `handler` for `method pattern`, behind the access check for `requirement`
// (repository requirements apply to the route's {name} parameter). Sets request.user.
void add_guarded(http::Router& router, Context& ctx, std::string method, std::string pattern,
                 Requirement requirement, http::Handler handler);

// Whether the caller of `request` may do `actions` on another repository (a mount's source).
// Never challenges; a refusal is audited unless `record_refusal` is false (filtering search
// results, where a refusal is not an attempt).
http::Task<bool> may(Context& ctx, const http::Request& request, std::string_view repository,
                     auth::ActionSet actions, bool record_refusal = true);

// Whether the principal behind `request`'s credentials may do `actions` on `repository` by its
// own rights, whatever scope its Bearer token was issued for (AccessService::principal_may).
// Never challenges; records nothing.
http::Task<bool> principal_may(Context& ctx, const http::Request& request,
                               std::string_view repository, auth::ActionSet actions);

// Filters search results by what the caller may pull: asks may() once per repository (without
// recording refusals) and remembers the answer. One per request; not thread-safe.
class PullableRepositories {
 public:
  PullableRepositories(Context& ctx, const http::Request& request) : ctx_(ctx), request_(request) {}
  http::Task<bool> contains(const std::string& repository);

 private:
  Context& ctx_;
  const http::Request& request_;
  std::map<std::string, bool, std::less<>> known_;
};

// The OCI error response for a refused outcome: 401 UNAUTHORIZED, 403 DENIED, 429
// TOOMANYREQUESTS (with Retry-After) or 503 UNAVAILABLE, with the outcome's Bearer challenge
// when `challenge` (the Distribution API; not the token endpoint itself).
http::Response refusal_response(const auth::AccessOutcome& outcome, bool challenge);

// The client's IP address from Request::remote ("1.2.3.4:5" or "[::1]:5").
std::string client_ip(std::string_view remote);

// Records an audit event about `request`'s caller. `durable` waits for the commit (pushes,
// deletes; call from a worker thread), otherwise it is queued (pulls). No-op without a writer.
void audit(Context& ctx, const http::Request& request, std::string action, audit::Resource resource,
           audit::Outcome outcome, std::string reason, bool durable);

}  // namespace bulwark::registry
