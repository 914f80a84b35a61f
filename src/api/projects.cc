// /api/v1/projects and /api/v1/projects/{name}/members: projects with their visibility,
// environment and network allow-list, and who holds which role in them.
#include "api/context.h"
#include "api/views.h"
#include "common/strict_json.h"

namespace bulwark::api {
namespace {

// An optional enum field named by the metadata module's parser.
template <class E>
Parsed<std::optional<E>> opt_enum(const json::object& body, std::string_view key,
                                  std::optional<E> (*parse)(std::string_view),
                                  std::string_view expected) {
  auto text = opt_string(body, key);
  if (!text) return tl::unexpected(std::move(text.error()));
  if (!*text) return std::optional<E>();
  std::optional<E> value = parse(**text);
  if (!value) {
    return tl::unexpected(invalid("\"" + std::string(key) + "\" must be " + std::string(expected) +
                                  ", not " + quote_untrusted(**text)));
  }
  return value;
}

constexpr std::string_view kVisibilities = "public or private";
constexpr std::string_view kEnvironments = "development, staging or production";
constexpr std::string_view kRoles = "project_admin, maintainer, developer or guest";

http::Task<http::Response> list(Context& ctx, http::Request&, const Actor& actor) {
  auto projects = co_await blocking([&] { return ctx.admin->list_projects(actor); });
  co_return answer(projects, [](const std::vector<metadata::Project>& all) {
    json::array out;
    for (const metadata::Project& p : all) out.push_back(project_json(p));
    return json_response(200, json::object{{"projects", std::move(out)}});
  });
}

http::Task<http::Response> get(Context& ctx, http::Request& request, const Actor& actor) {
  std::string name(request.param("name"));
  auto project = co_await blocking([&] { return ctx.admin->get_project(actor, name); });
  co_return answer(project,
                   [](const metadata::Project& p) { return json_response(200, project_json(p)); });
}

http::Task<http::Response> create(Context& ctx, http::Request& request, const Actor& actor) {
  auto body = co_await read_object(ctx, request);
  if (!body) co_return std::move(body.error());
  if (auto keys = check_keys(*body, {"name", "visibility", "environment", "allowed_networks"});
      !keys) {
    co_return std::move(keys.error());
  }
  NewProject project;
  auto name = req_string(*body, "name");
  if (!name) co_return std::move(name.error());
  project.name = std::move(*name);
  auto visibility = opt_enum(*body, "visibility", metadata::parse_visibility, kVisibilities);
  if (!visibility) co_return std::move(visibility.error());
  project.visibility = visibility->value_or(metadata::Visibility::kPrivate);
  auto environment = opt_enum(*body, "environment", metadata::parse_environment, kEnvironments);
  if (!environment) co_return std::move(environment.error());
  project.environment = environment->value_or(metadata::Environment::kDevelopment);
  auto networks = opt_strings(*body, "allowed_networks");
  if (!networks) co_return std::move(networks.error());
  project.allowed_networks = networks->value_or(metadata::NetworkList{});
  auto created = co_await blocking([&] { return ctx.admin->create_project(actor, project); });
  co_return answer(created,
                   [](const metadata::Project& p) { return json_response(201, project_json(p)); });
}

http::Task<http::Response> patch(Context& ctx, http::Request& request, const Actor& actor) {
  auto body = co_await read_object(ctx, request);
  if (!body) co_return std::move(body.error());
  if (auto keys = check_keys(*body, {"visibility", "environment", "allowed_networks"}); !keys) {
    co_return std::move(keys.error());
  }
  metadata::ProjectUpdate update;
  auto visibility = opt_enum(*body, "visibility", metadata::parse_visibility, kVisibilities);
  if (!visibility) co_return std::move(visibility.error());
  update.visibility = *visibility;
  auto environment = opt_enum(*body, "environment", metadata::parse_environment, kEnvironments);
  if (!environment) co_return std::move(environment.error());
  update.environment = *environment;
  auto networks = opt_strings(*body, "allowed_networks");
  if (!networks) co_return std::move(networks.error());
  update.allowed_networks = std::move(*networks);
  std::string name(request.param("name"));
  auto updated = co_await blocking([&] { return ctx.admin->update_project(actor, name, update); });
  co_return answer(updated,
                   [](const metadata::Project& p) { return json_response(200, project_json(p)); });
}

http::Task<http::Response> remove(Context& ctx, http::Request& request, const Actor& actor) {
  std::string name(request.param("name"));
  auto deleted = co_await blocking([&] { return ctx.admin->delete_project(actor, name); });
  co_return answer(deleted, [] { return no_content(); });
}

// ---- members

http::Task<http::Response> members(Context& ctx, http::Request& request, const Actor& actor) {
  std::string name(request.param("name"));
  auto found = co_await blocking([&] { return ctx.admin->list_members(actor, name); });
  co_return answer(found, [](const std::vector<metadata::Member>& all) {
    json::array out;
    for (const metadata::Member& m : all) out.push_back(member_json(m));
    return json_response(200, json::object{{"members", std::move(out)}});
  });
}

// The {kind} segment: "user" or "group".
Parsed<metadata::PrincipalKind> kind_param(const http::Request& request) {
  std::optional<metadata::PrincipalKind> kind =
      metadata::parse_principal_kind(request.param("kind"));
  if (!kind) {
    return tl::unexpected(error_response(404, "NOT_FOUND",
                                         "members are addressed as members/user/NAME or "
                                         "members/group/NAME"));
  }
  return *kind;
}

http::Task<http::Response> member_set(Context& ctx, http::Request& request, const Actor& actor) {
  auto kind = kind_param(request);
  if (!kind) co_return std::move(kind.error());
  auto body = co_await read_object(ctx, request);
  if (!body) co_return std::move(body.error());
  if (auto keys = check_keys(*body, {"role"}); !keys) co_return std::move(keys.error());
  auto role = opt_enum(*body, "role", metadata::parse_role, kRoles);
  if (!role) co_return std::move(role.error());
  if (!*role) co_return invalid("\"role\" is required");
  metadata::Member member;
  member.project = std::string(request.param("name"));
  member.kind = *kind;
  member.principal = std::string(request.param("principal"));
  member.role = **role;
  auto set = co_await blocking([&] { return ctx.admin->set_member(actor, member); });
  co_return answer(set, [&](const MemberSet& s) {
    json::object out = member_json(member);
    out.erase("updated_at");
    out["local_user"] = s.local_user_exists;
    return json_response(200, out);
  });
}

http::Task<http::Response> member_remove(Context& ctx, http::Request& request, const Actor& actor) {
  auto kind = kind_param(request);
  if (!kind) co_return std::move(kind.error());
  std::string project(request.param("name"));
  std::string principal(request.param("principal"));
  auto removed =
      co_await blocking([&] { return ctx.admin->remove_member(actor, project, *kind, principal); });
  co_return answer(removed, [] { return no_content(); });
}

}  // namespace

void register_projects(http::Router& router, Context& ctx) {
  router.add("GET", "/api/v1/projects", authed(ctx, list));
  router.add("POST", "/api/v1/projects", authed(ctx, create));
  router.add("GET", "/api/v1/projects/{name}", authed(ctx, get));
  router.add("PATCH", "/api/v1/projects/{name}", authed(ctx, patch));
  router.add("DELETE", "/api/v1/projects/{name}", authed(ctx, remove));
  router.add("GET", "/api/v1/projects/{name}/members", authed(ctx, members));
  router.add("PUT", "/api/v1/projects/{name}/members/{kind}/{principal}", authed(ctx, member_set));
  router.add("DELETE", "/api/v1/projects/{name}/members/{kind}/{principal}",
             authed(ctx, member_remove));
}

}  // namespace bulwark::api
