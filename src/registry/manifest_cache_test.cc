#include "registry/manifest_cache.h"

#include <gtest/gtest.h>

namespace bulwark::registry {
namespace {

std::shared_ptr<CachedManifest> make(std::string content) {
  auto m = std::make_shared<CachedManifest>();
  m->digest = Digest::of(content);
  m->digest_str = m->digest.str();
  m->media_type = "application/vnd.oci.image.manifest.v1+json";
  m->content = std::move(content);
  return m;
}

TEST(ManifestCache, ServesWhatWasFilled) {
  ManifestCache cache;
  auto m = make("{\"a\":1}");
  uint64_t g = cache.generation();
  cache.put_tag(g, "repo", "latest", m->digest);
  cache.put_manifest(g, "repo", m);
  ASSERT_EQ(cache.tag("repo", "latest"), m->digest);
  ASSERT_NE(cache.manifest("repo", m->digest), nullptr);
  EXPECT_EQ(cache.manifest("repo", m->digest)->content, "{\"a\":1}");
  EXPECT_FALSE(cache.tag("other", "latest"));
}

TEST(ManifestCache, FillStartedBeforeInvalidationIsDropped) {
  ManifestCache cache;
  auto stale = make("old");
  uint64_t g = cache.generation();  // a reader starts its database read
  cache.invalidate("repo");         // a writer commits and invalidates
  cache.put_tag(g, "repo", "latest", stale->digest);  // the reader's stale fill
  cache.put_manifest(g, "repo", stale);
  EXPECT_FALSE(cache.tag("repo", "latest"));
  EXPECT_EQ(cache.manifest("repo", stale->digest), nullptr);
}

TEST(ManifestCache, InvalidateDropsOnlyThatRepository) {
  ManifestCache cache;
  auto m = make("x");
  cache.put_tag(cache.generation(), "a", "t", m->digest);
  cache.put_tag(cache.generation(), "b", "t", m->digest);
  cache.invalidate("a");
  EXPECT_FALSE(cache.tag("a", "t"));
  EXPECT_TRUE(cache.tag("b", "t"));
}

TEST(ManifestCache, StaysWithinItsBudget) {
  ManifestCache cache(4096);
  auto big = make(std::string(2000, 'x'));  // more than a quarter of the budget: not cached
  cache.put_manifest(cache.generation(), "r", big);
  EXPECT_EQ(cache.manifest("r", big->digest), nullptr);
  for (int i = 0; i < 100; ++i) {
    auto m = make(std::string(500, static_cast<char>('a' + i % 26)) + std::to_string(i));
    cache.put_manifest(cache.generation(), "r", m);
    EXPECT_NE(cache.manifest("r", m->digest), nullptr);  // the newest entry is always present
  }
}

}  // namespace
}  // namespace bulwark::registry
