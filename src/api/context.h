// State and helpers shared by the API's resource files (internal to src/api): the Context the
// routes are bound to, JSON answers and errors, bounded JSON request bodies, field readers,
// request authentication.
//
// Thread-safety: Context members synchronise themselves (TotpSteps has its own mutex); the
// helpers are stateless.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <type_traits>
#include <utility>
#include <vector>

#include "api/admin_service.h"
#include "api/api.h"
#include "api/policy_service.h"
#include "auth/token_service.h"
#include "http/http.h"
#include "http/router.h"
#include "registry/gate.h"
#include "registry/respond.h"

namespace bulwark::api {

// The last TOTP time step each user logged in with, so an observed code cannot be replayed
// (in memory: per process). Bounded.
class TotpSteps {
 public:
  int64_t last(const std::string& user) const;
  void remember(const std::string& user, int64_t step);

 private:
  mutable std::mutex mu_;
  std::map<std::string, int64_t> steps_;  // guarded by mu_
};

struct Api::Context {
  ApiServices services;
  ApiOptions options;
  std::unique_ptr<auth::TokenService> sessions;
  std::unique_ptr<AdminService> admin;
  TotpSteps totp_steps;
  std::unique_ptr<PolicyService> policies;  // null when ApiServices::policies is
};
using Context = Api::Context;

namespace json = boost::json;

// ---- answers

http::Response json_response(int status, json::value body);
// {"errors":[{"code":code,"message":message}]}.
http::Response error_response(int status, std::string_view code, std::string_view message);
// An AdminService failure: 403 DENIED, 404 NOT_FOUND, 409 ALREADY_EXISTS / CONFLICT,
// 422 INVALID, 413 TOO_LARGE, 503 UNAVAILABLE; anything else 500 (logged, message hidden).
http::Response admin_error(const AdminError& error);
http::Response no_content();

// A value, or the response to send instead.
template <class T>
using Parsed = tl::expected<T, http::Response>;

// The request body as a JSON object (at most options.max_body_bytes): 413 beyond, 400 for
// malformed JSON or a non-object. An empty body is an empty object.
http::Task<Parsed<json::object>> read_object(Context& ctx, http::Request& request);

// Reads fields of a request object. Each refuses unknown keys up front (check_keys) and wrong
// types with 422 INVALID naming the field.
Parsed<bool> check_keys(const json::object& body, std::initializer_list<std::string_view> allowed);
Parsed<std::optional<std::string>> opt_string(const json::object& body, std::string_view key);
Parsed<std::string> req_string(const json::object& body, std::string_view key);
Parsed<std::optional<bool>> opt_bool(const json::object& body, std::string_view key);
Parsed<std::optional<std::vector<std::string>>> opt_strings(const json::object& body,
                                                            std::string_view key);
http::Response invalid(std::string_view message);

// ---- authentication

// The actor behind the request's credentials (session token or Basic), or the 401/403/429/503
// answer. Robots are refused (403): the management API is for people. Sets request.user.
http::Task<Parsed<Actor>> authenticate(Context& ctx, http::Request& request);

// Records a login-related audit event (durable; call from a worker thread).
void audit_login(Context& ctx, const http::Request& request, std::string actor, std::string action,
                 audit::Outcome outcome, std::string reason);

// ---- plumbing

// The registry's helpers fit as they are: the worker-pool hop and the client address.
using registry::blocking;
using registry::client_ip;

// A handler that authenticates, then calls fn(ctx, request, actor).
using AuthedFn = http::Task<http::Response> (*)(Context&, http::Request&, const Actor&);
http::Handler authed(Context& ctx, AuthedFn fn);

// Answers a finished AdminService call: `ok` on success, admin_error() otherwise.
template <class T, class F>
http::Response answer(const AdminResult<T>& result, F ok) {
  if (!result) return admin_error(result.error());
  if constexpr (std::is_void_v<T>) {
    return ok();
  } else {
    return ok(*result);
  }
}

// Registration, one per resource file.
void register_session(http::Router& router, Context& ctx);
void register_users(http::Router& router, Context& ctx);
void register_projects(http::Router& router, Context& ctx);
void register_robots(http::Router& router, Context& ctx);
void register_audit(http::Router& router, Context& ctx);
void register_policies(http::Router& router, Context& ctx);  // policies.cc
void register_deployments(http::Router& router, Context& ctx);  // deployments.cc

}  // namespace bulwark::api
