// GET /v2/<name>/tags/list — a repository's tags in lexical order, paginated.
#include <boost/json.hpp>

#include "registry/context.h"
#include "registry/gate.h"
#include "registry/pagination.h"

namespace bulwark::registry {
namespace {

http::Task<http::Response> list_tags(Context& ctx, http::Request& req) {
  auto name = repository_param(req);
  if (!name) co_return std::move(name.error());
  auto page = page_param(req);
  if (!page) co_return std::move(page.error());
  auto exists = co_await blocking([&] { return ctx.metadata.repository_exists(*name); });
  if (!exists) {
    co_return error_response(exists.error(), oci::ErrorCode::kNameUnknown,
                             oci::ErrorCode::kNameInvalid);
  }
  if (!*exists) co_return oci_error(oci::ErrorCode::kNameUnknown, "repository " + *name + " not known");
  const std::string& repo = *name;
  co_return co_await paged_response(
      *page, "/v2/" + repo + "/tags/list",
      [&](std::string_view after, size_t limit) { return ctx.metadata.list_tags(repo, after, limit); },
      [&](const std::vector<std::string>& tags) {
        boost::json::object body;
        body["name"] = repo;
        boost::json::array list;
        for (const auto& t : tags) list.emplace_back(t);
        body["tags"] = std::move(list);
        return boost::json::serialize(body);
      });
}

}  // namespace

void register_tags(http::Router& router, Context& ctx) {
  add_guarded(router, ctx, "GET", "/v2/{name+}/tags/list", needs(auth::Action::kPull),
              bind_handler(ctx, list_tags));
}

}  // namespace bulwark::registry
