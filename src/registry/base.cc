// GET /v2/ — the API version check clients start with.
#include "registry/context.h"
#include "registry/gate.h"
#include "registry/respond.h"

namespace bulwark::registry {

void register_base(http::Router& router, Context& ctx) {
  http::Handler version = [](http::Request&) -> http::Task<http::Response> {
    http::Response r;
    r.headers.set("Content-Type", "application/json");
    r.headers.set("Docker-Distribution-API-Version", "registry/2.0");
    r.body = "{}";
    co_return r;
  };
  // Clients learn here whether and where to authenticate (the 401's Bearer challenge).
  add_guarded(router, ctx, "GET", "/v2/", kNeedsLogin, version);
  add_guarded(router, ctx, "GET", "/v2", kNeedsLogin, version);
}

}  // namespace bulwark::registry
