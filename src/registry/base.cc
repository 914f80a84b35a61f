// GET /v2/ — the API version check clients start with.
#include "registry/context.h"
#include "registry/respond.h"

namespace bulwark::registry {

void register_base(http::Router& router, Context&) {
  http::Handler version = [](http::Request&) -> http::Task<http::Response> {
    http::Response r;
    r.headers.set("Content-Type", "application/json");
    r.headers.set("Docker-Distribution-API-Version", "registry/2.0");
    r.body = "{}";
    co_return r;
  };
  router.add("GET", "/v2/", version);
  router.add("GET", "/v2", version);
}

}  // namespace bulwark::registry
