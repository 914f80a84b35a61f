// GET /v2/_catalog — repository names in lexical order, paginated.
#include <boost/json.hpp>

#include "registry/context.h"
#include "registry/gate.h"
#include "registry/pagination.h"

namespace bulwark::registry {
namespace {

http::Task<http::Response> catalog(Context& ctx, http::Request& req) {
  auto page = page_param(req);
  if (!page) co_return std::move(page.error());
  co_return co_await paged_response(
      *page, "/v2/_catalog",
      [&](std::string_view after, size_t limit) {
        return ctx.metadata.list_repositories(after, limit);
      },
      [](const std::vector<std::string>& names) {
        boost::json::array list;
        for (const auto& n : names) list.emplace_back(n);
        return boost::json::serialize(boost::json::object{{"repositories", std::move(list)}});
      });
}

}  // namespace

void register_catalog(http::Router& router, Context& ctx) {
  add_guarded(router, ctx, "GET", "/v2/_catalog", kNeedsCatalog, bind_handler(ctx, catalog));
}

}  // namespace bulwark::registry
