// GET /v2/<name>/referrers/<digest> — the OCI 1.1 referrers API: an image index of the manifests
// whose `subject` is <digest>, optionally filtered by artifactType. Unknown subjects and
// repositories answer an empty index, as the spec requires.
#include <boost/json.hpp>

#include "metadata/referrers_index.h"
#include "oci/media_types.h"
#include "registry/context.h"
#include "registry/gate.h"
#include "registry/respond.h"

namespace bulwark::registry {
namespace {

http::Task<http::Response> referrers(Context& ctx, http::Request& req) {
  auto name = repository_param(req);
  if (!name) co_return std::move(name.error());
  auto subject = digest_param(req.param("digest"));
  if (!subject) co_return std::move(subject.error());
  auto filter = req.query_param("artifactType");
  auto listed = co_await blocking([&] {
    return ctx.metadata.list_referrers(
        *name, *subject, filter ? std::optional<std::string_view>(*filter) : std::nullopt);
  });
  if (!listed) {
    co_return error_response(listed.error(), oci::ErrorCode::kNameUnknown,
                             oci::ErrorCode::kDigestInvalid);
  }
  boost::json::object index = metadata::referrers_index(*listed);
  http::Response r;
  r.headers.set("Content-Type", std::string(oci::media::kOciIndex));
  if (filter) r.headers.set("OCI-Filters-Applied", "artifactType");
  r.body = boost::json::serialize(index);
  co_return r;
}

}  // namespace

void register_referrers(http::Router& router, Context& ctx) {
  add_guarded(router, ctx, "GET", "/v2/{name+}/referrers/{digest}", needs(auth::Action::kPull),
              bind_handler(ctx, referrers));
}

}  // namespace bulwark::registry
