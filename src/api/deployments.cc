// GET /api/v1/deployments?digest=sha256:...: where an image runs — the admission webhook's
// records of it (cluster, namespace, workload, image as written, first and last admission),
// most recent first. System administrators only: it maps the whole fleet.
#include "api/context.h"
#include "common/clock.h"
#include "common/digest.h"
#include "common/strict_json.h"

namespace bulwark::api {
namespace {

http::Task<http::Response> list(Context& ctx, http::Request& request, const Actor& actor) {
  if (!actor.principal.is_admin) {
    co_return error_response(403, "DENIED", "only system administrators may list deployments");
  }
  if (ctx.services.deployments == nullptr) {
    co_return error_response(503, "UNAVAILABLE", "deployment records are not enabled");
  }
  const std::string text = request.query_param("digest").value_or("");
  auto digest = Digest::parse(text);
  if (!digest) {
    co_return error_response(400, "BAD_REQUEST",
                             "digest must be sha256:<hex> or sha512:<hex>, not " +
                                 quote_untrusted(text));
  }
  co_return co_await blocking([&]() -> http::Response {
    auto rows = ctx.services.deployments->deployments_of(digest->str());
    if (!rows) return admin_error(AdminError(rows.error()));
    json::array out;
    for (const metadata::Deployment& d : *rows) {
      out.push_back(json::object{{"cluster", d.cluster},
                                 {"namespace", d.namespace_name},
                                 {"workload", d.workload},
                                 {"image", d.image},
                                 {"repository", d.repository},
                                 {"digest", d.digest},
                                 {"first_admitted", rfc3339_utc(d.first_admitted)},
                                 {"last_admitted", rfc3339_utc(d.last_admitted)}});
    }
    return json_response(200, json::object{{"deployments", std::move(out)}});
  });
}

}  // namespace

void register_deployments(http::Router& router, Context& ctx) {
  router.add("GET", "/api/v1/deployments", authed(ctx, list));
}

}  // namespace bulwark::api
