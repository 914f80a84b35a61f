// Robot accounts: GET/POST /api/v1/projects/{name}/robots, GET /api/v1/robots (all; system
// administrators), POST /api/v1/robots/{robot}/rotate, DELETE /api/v1/robots/{robot} (revoke),
// PUT /api/v1/robots/{robot}/networks. Secrets are generated, shown once in the create and
// rotate answers, and stored hashed.
#include "api/context.h"
#include "api/views.h"
#include "common/config.h"
#include "common/strict_json.h"

namespace bulwark::api {
namespace {

// "expires": a duration ("90d", "12h", "3600s") or whole seconds.
Parsed<std::optional<int64_t>> opt_lifetime(const json::object& body) {
  const json::value* v = body.if_contains("expires");
  if (v == nullptr || v->is_null()) return std::optional<int64_t>();
  if (v->is_int64()) return std::optional<int64_t>(v->get_int64());
  if (v->is_uint64()) return tl::unexpected(invalid("\"expires\" is too large"));
  if (v->is_string()) {
    auto seconds = parse_duration_seconds(v->get_string());
    if (!seconds) return tl::unexpected(invalid("\"expires\": " + seconds.error().message));
    return std::optional<int64_t>(*seconds);
  }
  return tl::unexpected(invalid("\"expires\" must be a duration such as \"90d\" or seconds"));
}

// "rules": [{"repository": "proj/*", "actions": ["pull", "push"]}, ...]
Parsed<std::vector<RuleSpec>> rules_of(const json::object& body) {
  const json::value* v = body.if_contains("rules");
  auto bad = [] {
    return tl::unexpected(invalid(
        "\"rules\" must be an array of {\"repository\": PATTERN, \"actions\": [ACTION, ...]}"));
  };
  if (v == nullptr || v->is_null()) return std::vector<RuleSpec>();
  if (!v->is_array()) return bad();
  std::vector<RuleSpec> out;
  for (const json::value& entry : v->get_array()) {
    if (!entry.is_object()) return bad();
    const json::object& rule = entry.get_object();
    if (auto keys = check_keys(rule, {"repository", "actions"}); !keys) {
      return tl::unexpected(std::move(keys.error()));
    }
    auto repository = req_string(rule, "repository");
    auto actions = opt_strings(rule, "actions");
    if (!repository || !actions || !*actions) return bad();
    out.push_back(RuleSpec{std::move(*repository), std::move(**actions)});
  }
  return out;
}

http::Task<http::Response> list(Context& ctx, http::Request& request, const Actor& actor) {
  std::optional<std::string> project;
  if (!request.param("name").empty()) project = std::string(request.param("name"));
  auto robots = co_await blocking([&] { return ctx.admin->list_robots(actor, project); });
  co_return answer(robots, [](const std::vector<RobotInfo>& all) {
    json::array out;
    for (const RobotInfo& r : all) out.push_back(robot_json(r));
    return json_response(200, json::object{{"robots", std::move(out)}});
  });
}

http::Task<http::Response> create(Context& ctx, http::Request& request, const Actor& actor) {
  auto body = co_await read_object(ctx, request);
  if (!body) co_return std::move(body.error());
  if (auto keys = check_keys(
          *body, {"name", "expires", "kind", "rules", "description", "allowed_networks"});
      !keys) {
    co_return std::move(keys.error());
  }
  NewRobot robot;
  robot.project = std::string(request.param("name"));
  auto name = req_string(*body, "name");
  if (!name) co_return std::move(name.error());
  robot.name = std::move(*name);
  auto lifetime = opt_lifetime(*body);
  if (!lifetime) co_return std::move(lifetime.error());
  if (!*lifetime) co_return invalid("\"expires\" is required: every robot expires (e.g. \"90d\")");
  robot.lifetime_seconds = **lifetime;
  auto kind = opt_string(*body, "kind");
  if (!kind) co_return std::move(kind.error());
  robot.kind = kind->value_or("generic");
  auto rules = rules_of(*body);
  if (!rules) co_return std::move(rules.error());
  robot.rules = std::move(*rules);
  auto description = opt_string(*body, "description");
  if (!description) co_return std::move(description.error());
  robot.description = description->value_or("");
  auto networks = opt_strings(*body, "allowed_networks");
  if (!networks) co_return std::move(networks.error());
  robot.allowed_networks = networks->value_or(metadata::NetworkList{});
  auto issued = co_await blocking([&] { return ctx.admin->create_robot(actor, robot); });
  co_return answer(issued, [](const IssuedRobot& i) { return json_response(201, issued_json(i)); });
}

http::Task<http::Response> rotate(Context& ctx, http::Request& request, const Actor& actor) {
  auto body = co_await read_object(ctx, request);
  if (!body) co_return std::move(body.error());
  if (auto keys = check_keys(*body, {"expires"}); !keys) co_return std::move(keys.error());
  auto lifetime = opt_lifetime(*body);
  if (!lifetime) co_return std::move(lifetime.error());
  std::string name(request.param("robot"));
  auto issued = co_await blocking([&] { return ctx.admin->rotate_robot(actor, name, *lifetime); });
  co_return answer(issued, [](const IssuedRobot& i) { return json_response(200, issued_json(i)); });
}

http::Task<http::Response> revoke(Context& ctx, http::Request& request, const Actor& actor) {
  std::string name(request.param("robot"));
  auto revoked = co_await blocking([&] { return ctx.admin->revoke_robot(actor, name); });
  co_return answer(revoked, [&](const RevokedRobot& r) {
    return json_response(200, json::object{{"name", name},
                                           {"revoked_at", r.revoked_at},
                                           {"already_revoked", r.already_revoked}});
  });
}

http::Task<http::Response> networks(Context& ctx, http::Request& request, const Actor& actor) {
  auto body = co_await read_object(ctx, request);
  if (!body) co_return std::move(body.error());
  if (auto keys = check_keys(*body, {"allowed_networks"}); !keys) co_return std::move(keys.error());
  auto list = opt_strings(*body, "allowed_networks");
  if (!list) co_return std::move(list.error());
  if (!*list) co_return invalid("\"allowed_networks\" is required ([] allows any network)");
  std::string name(request.param("robot"));
  auto robot =
      co_await blocking([&] { return ctx.admin->set_robot_networks(actor, name, **list); });
  co_return answer(robot, [](const RobotInfo& r) { return json_response(200, robot_json(r)); });
}

}  // namespace

void register_robots(http::Router& router, Context& ctx) {
  router.add("GET", "/api/v1/robots", authed(ctx, list));
  router.add("GET", "/api/v1/projects/{name}/robots", authed(ctx, list));
  router.add("POST", "/api/v1/projects/{name}/robots", authed(ctx, create));
  router.add("POST", "/api/v1/robots/{robot}/rotate", authed(ctx, rotate));
  router.add("DELETE", "/api/v1/robots/{robot}", authed(ctx, revoke));
  router.add("PUT", "/api/v1/robots/{robot}/networks", authed(ctx, networks));
}

}  // namespace bulwark::api
