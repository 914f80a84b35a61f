#include "http/router.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/coro.h"

namespace bulwark::http {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Registration order matters only between routes that can match the same request.
    add("GET", "/v2/");
    add("GET", "/v2/{name+}/manifests/{reference}");
    add("PUT", "/v2/{name+}/manifests/{reference}");
    add("DELETE", "/v2/{name+}/manifests/{reference}");
    add("HEAD", "/v2/{name+}/blobs/{digest}");
    add("GET", "/v2/{name+}/blobs/{digest}");
    add("POST", "/v2/{name+}/blobs/uploads/");
    add("PATCH", "/v2/{name+}/blobs/uploads/{uuid}");
    add("PUT", "/v2/{name+}/blobs/uploads/{uuid}");
    add("GET", "/v2/{name+}/tags/list");
    add("GET", "/api/v1/repos/{repo}/scans");
    add("GET", "/");
  }

  // Each handler answers with its own "METHOD pattern" so a match can be identified.
  void add(const std::string& method, const std::string& pattern) {
    std::string tag = method + " " + pattern;
    router_.add(method, pattern, [tag](Request&) -> Task<Response> {
      Response r;
      r.body = tag;
      co_return r;
    });
  }

  std::string route_of(const Router::Match& m) {
    if (m.handler == nullptr) return "";
    Request request;
    return sync_wait((*m.handler)(request)).body;
  }

  Router router_;
};

TEST_F(RouterTest, MatchTable) {
  struct Case {
    const char* method;
    const char* path;
    const char* route;  // "" = no handler
    Params params;
  };
  const Case cases[] = {
      {"GET", "/v2/", "GET /v2/", {}},
      {"GET", "/", "GET /", {}},
      {"GET", "/v2/library/alpine/manifests/3.19", "GET /v2/{name+}/manifests/{reference}",
       {{"name", "library/alpine"}, {"reference", "3.19"}}},
      {"PUT", "/v2/a/manifests/latest", "PUT /v2/{name+}/manifests/{reference}",
       {{"name", "a"}, {"reference", "latest"}}},
      // A repository whose name contains the route keywords themselves.
      {"GET", "/v2/a/b/blobs/blobs/sha256:abc", "GET /v2/{name+}/blobs/{digest}",
       {{"name", "a/b/blobs"}, {"digest", "sha256:abc"}}},
      {"PATCH", "/v2/a/b/blobs/blobs/uploads/u-1", "PATCH /v2/{name+}/blobs/uploads/{uuid}",
       {{"name", "a/b/blobs"}, {"uuid", "u-1"}}},
      {"POST", "/v2/a/b/blobs/blobs/uploads/", "POST /v2/{name+}/blobs/uploads/", {{"name", "a/b/blobs"}}},
      // "uploads" is a digest here: GET has no upload route.
      {"GET", "/v2/a/blobs/uploads", "GET /v2/{name+}/blobs/{digest}", {{"name", "a"}, {"digest", "uploads"}}},
      {"GET", "/v2/a/manifests/manifests/manifests/x", "GET /v2/{name+}/manifests/{reference}",
       {{"name", "a/manifests/manifests"}, {"reference", "x"}}},
      {"GET", "/v2/tags/tags/list", "GET /v2/{name+}/tags/list", {{"name", "tags"}}},
      {"GET", "/api/v1/repos/team/scans", "GET /api/v1/repos/{repo}/scans", {{"repo", "team"}}},
      // {var} is exactly one non-empty segment; {var+} needs at least one.
      {"GET", "/api/v1/repos/a/b/scans", "", {}},
      {"GET", "/api/v1/repos//scans", "", {}},
      {"GET", "/v2/manifests/x", "", {}},
      {"GET", "/v2/a//b/manifests/x", "", {}},
      {"GET", "/v2/a/manifests/", "", {}},
      {"GET", "/v2", "", {}},
      {"GET", "/nothing/here", "", {}},
      {"GET", "", "", {}},
      {"GET", "v2/", "", {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.method) + " " + c.path);
    auto m = router_.match(c.method, c.path);
    EXPECT_EQ(route_of(m), c.route);
    if (m.handler != nullptr) {
      EXPECT_EQ(m.params, c.params);
    }
  }
}

TEST_F(RouterTest, HeadFallsBackToGetUnlessHeadIsRegistered) {
  auto manifest = router_.match("HEAD", "/v2/a/manifests/latest");
  EXPECT_EQ(route_of(manifest), "GET /v2/{name+}/manifests/{reference}");
  EXPECT_EQ(manifest.params, (Params{{"name", "a"}, {"reference", "latest"}}));
  EXPECT_EQ(route_of(router_.match("HEAD", "/v2/a/blobs/sha256:1")), "HEAD /v2/{name+}/blobs/{digest}");
  EXPECT_EQ(route_of(router_.match("HEAD", "/v2/")), "GET /v2/");
  // No GET for uploads, so no HEAD either.
  auto upload = router_.match("HEAD", "/v2/a/blobs/uploads/u");
  EXPECT_EQ(upload.handler, nullptr);
  EXPECT_TRUE(upload.path_matched);
}

TEST_F(RouterTest, PathMatchedWithoutMethodMeans405) {
  auto m = router_.match("DELETE", "/v2/a/tags/list");
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_TRUE(m.path_matched);
  m = router_.match("POST", "/v2/a/manifests/latest");
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_TRUE(m.path_matched);
  m = router_.match("GET", "/unknown");
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_FALSE(m.path_matched);
  // Methods are case-sensitive, as HTTP says.
  EXPECT_EQ(router_.match("get", "/v2/").handler, nullptr);
}

TEST(RouterOrder, FirstRegisteredRouteWins) {
  Router router;
  int hit = 0;
  router.add("GET", "/a/{x}", [&](Request&) -> Task<Response> {
    hit = 1;
    co_return Response{};
  });
  router.add("GET", "/a/b", [&](Request&) -> Task<Response> {
    hit = 2;
    co_return Response{};
  });
  Request request;
  auto m = router.match("GET", "/a/b");
  ASSERT_NE(m.handler, nullptr);
  sync_wait((*m.handler)(request));
  EXPECT_EQ(hit, 1);
}

TEST(RouterOrder, ManyThenLiteralThenMany) {
  Router router;
  router.add("GET", "/{a+}/x/{b+}", [](Request&) -> Task<Response> { co_return Response{}; });
  auto m = router.match("GET", "/p/x/q/x/r");
  ASSERT_NE(m.handler, nullptr);
  // The first capture is as long as possible, like the Distribution spec's greedy regexes.
  EXPECT_EQ(m.params, (Params{{"a", "p/x/q"}, {"b", "r"}}));
  EXPECT_EQ(router.match("GET", "/p/x").handler, nullptr);
}

}  // namespace
}  // namespace bulwark::http
