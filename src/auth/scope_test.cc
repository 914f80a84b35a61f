#include "auth/scope.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace bulwark::auth {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using Actions = std::vector<std::string>;

TEST(Scope, ParsesRepositoryScopes) {
  auto s = parse_scope("repository:library/nginx:pull,push");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(*s, (Scope{"repository", "", "library/nginx", {"pull", "push"}}));
  EXPECT_EQ(to_string(*s), "repository:library/nginx:pull,push");

  auto deep = parse_scope("repository:team/app/api-server_v2.1:delete");
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->name, "team/app/api-server_v2.1");
  EXPECT_EQ(deep->actions, Actions{"delete"});
}

TEST(Scope, ParsesResourceClassAndCatalog) {
  auto plugin = parse_scope("repository(plugin):vieux/sshfs:pull");
  ASSERT_TRUE(plugin);
  EXPECT_EQ(*plugin, (Scope{"repository", "plugin", "vieux/sshfs", {"pull"}}));
  EXPECT_EQ(to_string(*plugin), "repository(plugin):vieux/sshfs:pull");

  auto catalog = parse_scope("registry:catalog:*");
  ASSERT_TRUE(catalog);
  EXPECT_EQ(*catalog, (Scope{"registry", "", "catalog", {"*"}}));
}

TEST(Scope, RepeatedActionsCollapse) {
  auto s = parse_scope("repository:a:push,pull,push");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->actions, (Actions{"push", "pull"}));
}

TEST(Scope, SplitsAtFirstAndLastColon) {
  // The name between them keeps its ':' and is then refused by the repository name rule.
  auto s = parse_scope("repository:localhost:5000/foo:pull");
  ASSERT_FALSE(s);
  EXPECT_THAT(s.error().message, HasSubstr("invalid resource name"));
  EXPECT_THAT(s.error().message, HasSubstr("localhost:5000/foo"));
}

TEST(Scope, RefusesMalformedScopes) {
  struct Case {
    std::string_view text, reason;
  };
  for (auto [text, reason] : {
           Case{"", "not type:name:actions"},
           Case{"repository", "not type:name:actions"},
           Case{"repository:foo", "not type:name:actions"},
           Case{"repository::pull", "invalid resource name"},
           Case{"repository:Foo:pull", "invalid resource name"},
           Case{"repository:a//b:pull", "invalid resource name"},
           Case{"repository:/a:pull", "invalid resource name"},
           Case{"repository:-a:pull", "invalid resource name"},
           Case{"repository:a.:pull", "invalid resource name"},
           Case{"repository:a...b:pull", "invalid resource name"},
           Case{"repository:a_-b:pull", "invalid resource name"},
           Case{"repository:a b:pull", "invalid resource name"},
           Case{"repository:foo:", "invalid actions"},
           Case{"repository:foo:pull,,push", "invalid actions"},
           Case{"repository:foo:pull,", "invalid actions"},
           Case{"repository:foo:PULL", "invalid actions"},
           Case{"repository:foo:pull;rm", "invalid actions"},
           Case{"repo:foo:pull", "unknown resource type"},
           Case{"Repository:foo:pull", "unknown resource type"},
           Case{"registry:other:*", "invalid resource name"},
           Case{"repository(:foo:pull", "invalid resource class"},
           Case{"repository():foo:pull", "invalid resource class"},
           Case{"repository(Plugin):foo:pull", "invalid resource class"},
       }) {
    auto s = parse_scope(text);
    ASSERT_FALSE(s) << text;
    EXPECT_THAT(s.error().message, HasSubstr(std::string(reason))) << text;
  }
  EXPECT_TRUE(parse_scope("repository:a--b__c:pull"));
  EXPECT_FALSE(parse_scope("repository:" + std::string(256, 'a') + ":pull"));
  EXPECT_TRUE(parse_scope("repository:" + std::string(255, 'a') + ":pull"));
}

TEST(Scope, ParsesAndMergesRequestParameters) {
  std::array<std::string_view, 3> params = {"repository:a:pull  repository:b:push ",
                                            "repository:a:push,pull bogus", "registry:catalog:*"};
  ParsedScopes p = parse_scope_params(params);
  ASSERT_EQ(p.scopes.size(), 3u);
  EXPECT_EQ(p.scopes[0], (Scope{"repository", "", "a", {"pull", "push"}}));
  EXPECT_EQ(p.scopes[1], (Scope{"repository", "", "b", {"push"}}));
  EXPECT_EQ(p.scopes[2], (Scope{"registry", "", "catalog", {"*"}}));
  ASSERT_EQ(p.invalid.size(), 1u);
  EXPECT_THAT(p.invalid[0].message, HasSubstr("bogus"));
}

TEST(Scope, DifferentClassesAreDifferentResources) {
  std::array<std::string_view, 1> params = {"repository:a:pull repository(plugin):a:push"};
  ParsedScopes p = parse_scope_params(params);
  EXPECT_EQ(p.scopes.size(), 2u);
}

TEST(Scope, BoundsTheNumberOfScopes) {
  std::string many;
  for (int i = 0; i < 100; ++i) many += "repository:r" + std::to_string(i) + ":pull ";
  std::array<std::string_view, 1> params = {many};
  ParsedScopes p = parse_scope_params(params);
  EXPECT_EQ(p.scopes.size(), 64u);
  ASSERT_EQ(p.invalid.size(), 1u);
  EXPECT_EQ(p.invalid[0].code, ErrorCode::kTooLarge);
}

TEST(Scope, GrantIsTheIntersectionInRequestOrder) {
  Scope requested{"repository", "", "a", {"push", "pull", "delete"}};
  std::vector<std::string> pull_push = {"pull", "push"};
  EXPECT_EQ(grant(requested, pull_push).actions, (Actions{"push", "pull"}));
  std::vector<std::string> pull = {"pull"};
  EXPECT_EQ(grant(requested, pull).actions, Actions{"pull"});
  EXPECT_TRUE(grant(requested, {}).actions.empty());
  // "*" is an action name, not a wildcard for the others.
  std::vector<std::string> star = {"*"};
  EXPECT_TRUE(grant(requested, star).actions.empty());
  Scope catalog{"registry", "", "catalog", {"*"}};
  EXPECT_EQ(grant(catalog, star).actions, Actions{"*"});
  EXPECT_EQ(grant(requested, pull).name, "a");
}

TEST(Scope, AccessClaimHasTheSpecShapeAndRoundTrips) {
  std::vector<Scope> scopes = {{"repository", "", "samalba/my-app", {"pull", "push"}},
                               {"repository", "plugin", "vieux/sshfs", {}},
                               {"registry", "", "catalog", {"*"}}};
  json::array access = to_access_claim(scopes);
  EXPECT_EQ(json::serialize(access),
            R"([{"type":"repository","name":"samalba/my-app","actions":["pull","push"]},)"
            R"({"type":"repository","class":"plugin","name":"vieux/sshfs","actions":[]},)"
            R"({"type":"registry","name":"catalog","actions":["*"]}])");
  auto back = from_access_claim(access);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, scopes);
}

TEST(Scope, AccessClaimRefusesMalformedEntries) {
  auto empty = from_access_claim(json::value(nullptr));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
  for (std::string_view bad : {
           R"({})",
           R"([1])",
           R"([{"type":"repository","name":"a"}])",
           R"([{"type":"repository","actions":["pull"]}])",
           R"([{"type":"repository","name":"a","actions":"pull"}])",
           R"([{"type":"repository","name":"a","actions":[1]}])",
           R"([{"type":"repository","name":"A","actions":["pull"]}])",
           R"([{"type":"repository","class":7,"name":"a","actions":["pull"]}])",
           R"([{"type":"unknown","name":"a","actions":["pull"]}])",
       }) {
    EXPECT_FALSE(from_access_claim(json::parse(bad))) << bad;
  }
}

TEST(Scope, BearerChallengeMatchesTheDistributionFormat) {
  EXPECT_EQ(bearer_challenge("https://auth.example.com/token", "registry.example.com"),
            R"(Bearer realm="https://auth.example.com/token",service="registry.example.com")");
  std::vector<Scope> scopes = {{"repository", "", "samalba/my-app", {"pull", "push"}}};
  EXPECT_EQ(bearer_challenge("https://auth.example.com/token", "registry.example.com", scopes),
            R"(Bearer realm="https://auth.example.com/token",service="registry.example.com",)"
            R"(scope="repository:samalba/my-app:pull,push")");
  scopes.push_back({"registry", "", "catalog", {"*"}});
  EXPECT_EQ(bearer_challenge("https://r/token", "r", scopes, "insufficient_scope"),
            R"(Bearer realm="https://r/token",service="r",)"
            R"(scope="repository:samalba/my-app:pull,push registry:catalog:*",)"
            R"(error="insufficient_scope")");
  EXPECT_EQ(bearer_challenge("https://r/token", ""), R"(Bearer realm="https://r/token")");
}

TEST(Scope, BearerChallengeCannotBeSplitByItsValues) {
  std::string header = bearer_challenge("https://r/t\"oken\r\nSet-Cookie: x=1", "a\\b");
  EXPECT_EQ(header, R"(Bearer realm="https://r/t\"okenSet-Cookie: x=1",service="a\\b")");
  EXPECT_EQ(header.find_first_of("\r\n"), std::string::npos);
}

}  // namespace
}  // namespace bulwark::auth
