// /api/v1/users: local user accounts (AdminService's user operations).
#include "api/context.h"
#include "api/views.h"

namespace bulwark::api {
namespace {

http::Task<http::Response> list(Context& ctx, http::Request&, const Actor& actor) {
  auto users = co_await blocking([&] { return ctx.admin->list_users(actor); });
  co_return answer(users, [](const std::vector<UserInfo>& all) {
    json::array out;
    for (const UserInfo& u : all) out.push_back(user_json(u));
    return json_response(200, json::object{{"users", std::move(out)}});
  });
}

http::Task<http::Response> get(Context& ctx, http::Request& request, const Actor& actor) {
  std::string name(request.param("name"));
  auto user = co_await blocking([&] { return ctx.admin->get_user(actor, name); });
  co_return answer(user, [](const UserInfo& u) { return json_response(200, user_json(u)); });
}

http::Task<http::Response> create(Context& ctx, http::Request& request, const Actor& actor) {
  auto body = co_await read_object(ctx, request);
  if (!body) co_return std::move(body.error());
  if (auto keys = check_keys(*body, {"name", "email", "admin", "password"}); !keys) {
    co_return std::move(keys.error());
  }
  NewUser user;
  auto name = req_string(*body, "name");
  if (!name) co_return std::move(name.error());
  user.name = std::move(*name);
  auto email = opt_string(*body, "email");
  if (!email) co_return std::move(email.error());
  user.email = email->value_or("");
  auto admin = opt_bool(*body, "admin");
  if (!admin) co_return std::move(admin.error());
  user.admin = admin->value_or(false);
  auto password = opt_string(*body, "password");
  if (!password) co_return std::move(password.error());
  user.password = std::move(*password);
  auto created = co_await blocking([&] { return ctx.admin->create_user(actor, user); });
  co_return answer(created, [](const CreatedUser& c) {
    json::object out = user_json(c.user);
    if (c.generated_password) out["password"] = *c.generated_password;
    return json_response(201, out);
  });
}

// PATCH {"disabled": bool}: the only user property the store can change in place.
http::Task<http::Response> patch(Context& ctx, http::Request& request, const Actor& actor) {
  auto body = co_await read_object(ctx, request);
  if (!body) co_return std::move(body.error());
  if (auto keys = check_keys(*body, {"disabled"}); !keys) co_return std::move(keys.error());
  auto disabled = opt_bool(*body, "disabled");
  if (!disabled) co_return std::move(disabled.error());
  if (!*disabled) co_return invalid("nothing to change (give \"disabled\")");
  std::string name(request.param("name"));
  auto user = co_await blocking([&]() -> AdminResult<UserInfo> {
    auto set = ctx.admin->set_user_disabled(actor, name, **disabled);
    if (!set) return tl::unexpected(set.error());
    return ctx.admin->get_user(actor, name);
  });
  co_return answer(user, [](const UserInfo& u) { return json_response(200, user_json(u)); });
}

http::Task<http::Response> remove(Context& ctx, http::Request& request, const Actor& actor) {
  std::string name(request.param("name"));
  auto deleted = co_await blocking([&] { return ctx.admin->delete_user(actor, name); });
  co_return answer(deleted, [] { return no_content(); });
}

// PUT {"password": "..."} sets it; {} generates one and returns it once.
http::Task<http::Response> password(Context& ctx, http::Request& request, const Actor& actor) {
  auto body = co_await read_object(ctx, request);
  if (!body) co_return std::move(body.error());
  if (auto keys = check_keys(*body, {"password"}); !keys) co_return std::move(keys.error());
  auto password = opt_string(*body, "password");
  if (!password) co_return std::move(password.error());
  std::string name(request.param("name"));
  auto set = co_await blocking([&] { return ctx.admin->set_password(actor, name, *password); });
  co_return answer(set, [](const std::optional<std::string>& generated) {
    if (!generated) return no_content();
    return json_response(200, json::object{{"password", *generated}});
  });
}

http::Task<http::Response> totp_enrol(Context& ctx, http::Request& request, const Actor& actor) {
  std::string name(request.param("name"));
  auto enrolled = co_await blocking([&] { return ctx.admin->enrol_totp(actor, name); });
  co_return answer(enrolled, [](const TotpEnrolment& e) {
    return json_response(201, json::object{{"secret", e.secret}, {"uri", e.uri}});
  });
}

http::Task<http::Response> totp_remove(Context& ctx, http::Request& request, const Actor& actor) {
  std::string name(request.param("name"));
  auto removed = co_await blocking([&] { return ctx.admin->remove_totp(actor, name); });
  co_return answer(removed, [] { return no_content(); });
}

}  // namespace

void register_users(http::Router& router, Context& ctx) {
  router.add("GET", "/api/v1/users", authed(ctx, list));
  router.add("POST", "/api/v1/users", authed(ctx, create));
  router.add("GET", "/api/v1/users/{name}", authed(ctx, get));
  router.add("PATCH", "/api/v1/users/{name}", authed(ctx, patch));
  router.add("DELETE", "/api/v1/users/{name}", authed(ctx, remove));
  router.add("PUT", "/api/v1/users/{name}/password", authed(ctx, password));
  router.add("POST", "/api/v1/users/{name}/totp", authed(ctx, totp_enrol));
  router.add("DELETE", "/api/v1/users/{name}/totp", authed(ctx, totp_remove));
}

}  // namespace bulwark::api
