// /api/v1/projects/{name}/policy and /api/v1/environments/{environment}/policy: the versioned
// policy documents (PolicyService): the current one with what applies, the history, one
// version, set (YAML body, or JSON {"document","comment"}), remove (a new empty version) and
// rollback (a new version restoring an earlier one). Both kinds of scope share the handlers;
// only how the target is read from the path differs.
#include <charconv>

#include "api/context.h"
#include "api/policy_service.h"
#include "common/strict_json.h"
#include "registry/respond.h"

namespace bulwark::api {
namespace {

using metadata::PolicyVersion;

// Reads the scope from the route: a Parsed<PolicyTarget> or the answer for a bad path.
using TargetFn = Parsed<PolicyTarget> (*)(const http::Request&);

Parsed<PolicyTarget> project_target(const http::Request& request) {
  return PolicyTarget::of_project(std::string(request.param("name")));
}

Parsed<PolicyTarget> environment_target(const http::Request& request) {
  std::optional<metadata::Environment> env =
      metadata::parse_environment(request.param("environment"));
  if (!env) {
    return tl::unexpected(error_response(
        404, "NOT_FOUND", "environments are development, staging and production"));
  }
  return PolicyTarget::of_environment(*env);
}

http::Response unavailable() {
  return error_response(503, "UNAVAILABLE", "policy documents are not enabled on this server");
}

// A set or rollback whose document is refused is a malformed request (400 with the parser's
// message); other failures as every AdminService call.
http::Response change_error(const AdminError& error) {
  if (!error.denied && error.error.code == ErrorCode::kInvalidArgument) {
    return error_response(400, "BAD_REQUEST", error.error.message);
  }
  return admin_error(error);
}

http::Response version_answer(int status, const AdminResult<PolicyVersion>& result) {
  if (!result) return change_error(result.error());
  return json_response(status, policy_version_json(*result));
}

// "application/json" (parameters and case aside).
bool is_json(const http::Request& request) {
  std::string type(request.headers.get("Content-Type").value_or(""));
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.pop_back();
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type == "application/json";
}

template <TargetFn Target>
http::Task<http::Response> get(Context& ctx, http::Request& request, const Actor& actor) {
  if (!ctx.policies) co_return unavailable();
  auto target = Target(request);
  if (!target) co_return std::move(target.error());
  auto state = co_await blocking([&] { return ctx.policies->get(actor, *target); });
  co_return answer(state,
                   [](const PolicyState& s) { return json_response(200, policy_state_json(s)); });
}

template <TargetFn Target>
http::Task<http::Response> versions(Context& ctx, http::Request& request, const Actor& actor) {
  if (!ctx.policies) co_return unavailable();
  auto target = Target(request);
  if (!target) co_return std::move(target.error());
  auto listed = co_await blocking([&] { return ctx.policies->history(actor, *target); });
  co_return answer(listed, [&](const std::vector<PolicyVersion>& all) {
    json::array out;
    for (const PolicyVersion& v : all) out.push_back(policy_version_json(v));
    return json_response(200,
                         json::object{{"scope", target->scope()}, {"versions", std::move(out)}});
  });
}

template <TargetFn Target>
http::Task<http::Response> one_version(Context& ctx, http::Request& request, const Actor& actor) {
  if (!ctx.policies) co_return unavailable();
  auto target = Target(request);
  if (!target) co_return std::move(target.error());
  std::string_view text = request.param("version");
  int64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end != text.data() + text.size() || number < 1) {
    co_return error_response(404, "NOT_FOUND",
                             "policy versions are numbered 1, 2, ...; not " +
                                 quote_untrusted(text));
  }
  auto found = co_await blocking([&] { return ctx.policies->version(actor, *target, number); });
  co_return answer(found,
                   [](const PolicyVersion& v) { return json_response(200, policy_version_json(v)); });
}

// PUT: the body is the YAML document itself (comment in ?comment=), or with Content-Type
// application/json an object {"document", "comment"?}.
template <TargetFn Target>
http::Task<http::Response> put(Context& ctx, http::Request& request, const Actor& actor) {
  if (!ctx.policies) co_return unavailable();
  auto target = Target(request);
  if (!target) co_return std::move(target.error());
  std::string document;
  std::string comment = request.query_param("comment").value_or("");
  if (is_json(request)) {
    auto body = co_await read_object(ctx, request);
    if (!body) co_return std::move(body.error());
    if (auto keys = check_keys(*body, {"document", "comment"}); !keys) {
      co_return std::move(keys.error());
    }
    auto doc = req_string(*body, "document");
    if (!doc) co_return std::move(doc.error());
    document = std::move(*doc);
    auto note = opt_string(*body, "comment");
    if (!note) co_return std::move(note.error());
    if (*note) comment = std::move(**note);
  } else {
    auto body = co_await registry::read_body(request, ctx.options.max_body_bytes);
    if (!body) {
      if (body.error().code == ErrorCode::kTooLarge) {
        co_return error_response(413, "TOO_LARGE", body.error().message);
      }
      co_return error_response(400, "BAD_REQUEST", "cannot read the request body");
    }
    document = std::move(*body);
  }
  auto stored = co_await blocking([&] {
    return ctx.policies->set(actor, *target, std::move(document), std::move(comment));
  });
  co_return version_answer(200, stored);
}

// DELETE: a new empty version; comment from ?comment= or a JSON body {"comment"}.
template <TargetFn Target>
http::Task<http::Response> remove(Context& ctx, http::Request& request, const Actor& actor) {
  if (!ctx.policies) co_return unavailable();
  auto target = Target(request);
  if (!target) co_return std::move(target.error());
  auto body = co_await read_object(ctx, request);
  if (!body) co_return std::move(body.error());
  if (auto keys = check_keys(*body, {"comment"}); !keys) co_return std::move(keys.error());
  auto note = opt_string(*body, "comment");
  if (!note) co_return std::move(note.error());
  std::string comment = note->value_or(request.query_param("comment").value_or(""));
  auto stored = co_await blocking(
      [&] { return ctx.policies->remove(actor, *target, std::move(comment)); });
  co_return version_answer(200, stored);
}

// POST rollback {"version": N, "comment"?}.
template <TargetFn Target>
http::Task<http::Response> rollback(Context& ctx, http::Request& request, const Actor& actor) {
  if (!ctx.policies) co_return unavailable();
  auto target = Target(request);
  if (!target) co_return std::move(target.error());
  auto body = co_await read_object(ctx, request);
  if (!body) co_return std::move(body.error());
  if (auto keys = check_keys(*body, {"version", "comment"}); !keys) {
    co_return std::move(keys.error());
  }
  const json::value* v = body->if_contains("version");
  std::optional<int64_t> number;
  if (v != nullptr && v->is_int64()) number = v->get_int64();
  if (v != nullptr && v->is_uint64() && v->get_uint64() <= INT64_MAX) {
    number = static_cast<int64_t>(v->get_uint64());
  }
  if (!number || *number < 1) co_return invalid("\"version\" must be a version number (1, 2, ...)");
  auto note = opt_string(*body, "comment");
  if (!note) co_return std::move(note.error());
  std::string comment = note->value_or("");
  auto stored = co_await blocking(
      [&] { return ctx.policies->rollback(actor, *target, *number, std::move(comment)); });
  co_return version_answer(200, stored);
}

// Registers the six routes of one kind of scope under `base`.
template <TargetFn Target>
void add_scope_routes(http::Router& router, Context& ctx, const std::string& base) {
  router.add("GET", base, authed(ctx, get<Target>));
  router.add("PUT", base, authed(ctx, put<Target>));
  router.add("DELETE", base, authed(ctx, remove<Target>));
  router.add("GET", base + "/versions", authed(ctx, versions<Target>));
  router.add("GET", base + "/versions/{version}", authed(ctx, one_version<Target>));
  router.add("POST", base + "/rollback", authed(ctx, rollback<Target>));
}

}  // namespace

void register_policies(http::Router& router, Context& ctx) {
  add_scope_routes<project_target>(router, ctx, "/api/v1/projects/{name}/policy");
  add_scope_routes<environment_target>(router, ctx, "/api/v1/environments/{environment}/policy");
}

}  // namespace bulwark::api
