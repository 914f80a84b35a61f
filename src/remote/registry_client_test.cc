#include "remote/registry_client.h"

#include <gtest/gtest.h>

namespace bulwark::remote {
namespace {

TEST(RegistryReference, DockerHubDefaults) {
  auto r = parse_registry_reference("debian");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->host, "registry-1.docker.io");
  EXPECT_EQ(r->repository, "library/debian");
  EXPECT_EQ(r->reference, "latest");
  r = parse_registry_reference("docker.io/debian:12");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->host, "registry-1.docker.io");
  EXPECT_EQ(r->repository, "library/debian");
  EXPECT_EQ(r->reference, "12");
  r = parse_registry_reference("docker.io/grafana/grafana:10");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->repository, "grafana/grafana");
}

TEST(RegistryReference, HostPortAndDigest) {
  std::string digest = Digest::of("x").str();
  auto r = parse_registry_reference("127.0.0.1:5000/team/app@" + digest);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->host, "127.0.0.1:5000");
  EXPECT_EQ(r->repository, "team/app");
  EXPECT_EQ(r->reference, digest);
  ASSERT_TRUE(r->digest);
  EXPECT_FALSE(parse_registry_reference("Bad/Name"));
}

TEST(AuthChallenges, BearerAndBasic) {
  auto c = parse_auth_challenges(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/debian:pull")");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].scheme, "bearer");
  EXPECT_EQ(c[0].param("realm"), "https://auth.docker.io/token");
  EXPECT_EQ(c[0].param("service"), "registry.docker.io");
  EXPECT_EQ(c[0].param("scope"), "repository:library/debian:pull");
  c = parse_auth_challenges(R"(Basic realm="a \"q\" b", Bearer realm=https://x/t, error=x)");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].scheme, "basic");
  EXPECT_EQ(c[0].param("realm"), "a \"q\" b");
  EXPECT_EQ(c[1].param("realm"), "https://x/t");
  EXPECT_EQ(c[1].param("error"), "x");
}

}  // namespace
}  // namespace bulwark::remote
