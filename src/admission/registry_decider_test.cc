// RegistryDecider against a real SQLite metadata store: host matching, tag and digest
// resolution, stored policy decisions and manual quarantines, the verdict cache, store failures.
#include "admission/registry_decider.h"

#include <gmock/gmock.h>

#include "common/temp_dir.h"
#include "metadata/sqlite/sqlite.h"
#include "metadata/sqlite/sqlite_metadata_store.h"

namespace bulwark::admission {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;
using testing::IsEmpty;

const std::string kHost = "registry.example:5000";

class RegistryDeciderTest : public testing::Test {
 protected:
  RegistryDeciderTest() {
    auto opened = metadata::SqliteMetadataStore::open(dir_.file("metadata.sqlite"));
    if (!opened) throw std::runtime_error(opened.error().message);
    store_ = std::move(*opened);
  }

  // Makes every policy lookup fail (a store failure), or work again.
  void break_store(bool broken) {
    auto db = metadata::sqlite::Db::open(dir_.file("metadata.sqlite"));
    ASSERT_TRUE(db) << db.error().message;
    auto renamed = (*db)->exec(broken ? "ALTER TABLE image_policy RENAME TO image_policy_away"
                                      : "ALTER TABLE image_policy_away RENAME TO image_policy");
    ASSERT_TRUE(renamed) << renamed.error().message;
  }

  // Stores a manifest under `tag` and returns its digest.
  Digest push(const std::string& repository, const std::string& tag, const std::string& seed) {
    metadata::ManifestPut m;
    m.repository = repository;
    m.media_type = "application/vnd.oci.image.manifest.v1+json";
    m.artifact_type = "application/vnd.oci.image.config.v1+json";
    m.content = R"({"schemaVersion":2,"seed":")" + seed + "\"}";
    m.digest = Digest::of(m.content);
    m.tag = tag;
    auto put = store_->put_manifest(m);
    if (!put) throw std::runtime_error(put.error().message);
    return m.digest;
  }

  void decide(const std::string& repository, const Digest& digest, const std::string& outcome,
              const std::string& decision_json = "{}") {
    metadata::ImagePolicyRecord record;
    record.repository = repository;
    record.digest = digest.str();
    record.outcome = outcome;
    record.decision_json = decision_json;
    record.policy = "project:shop@2";
    record.evaluated_at = 100;
    auto put = store_->put_image_policy(record);
    ASSERT_TRUE(put && *put) << (put ? "manifest gone" : put.error().message);
  }

  RegistryDecider decider(bool allow_foreign = false) {
    RegistryDeciderOptions options;
    options.registry_hosts = {"Registry.Example:5000", "localhost:5000"};
    options.allow_foreign_images = allow_foreign;
    return RegistryDecider(options, *store_, *store_);
  }

  // A decider whose verdicts are cached for `cache_millis` on the test clock `now` (ms).
  RegistryDecider cached_decider(const int64_t& now, int64_t cache_millis) {
    RegistryDeciderOptions options;
    options.registry_hosts = {kHost};
    options.cache_millis = cache_millis;
    options.now_millis = [&now] { return now; };
    return RegistryDecider(options, *store_, *store_);
  }

  static ImageRequest request(std::string image) {
    return ImageRequest{std::move(image), "prod-eu", "shop", "Deployment/web"};
  }

  TempDir dir_;
  std::unique_ptr<metadata::SqliteMetadataStore> store_;
};

TEST_F(RegistryDeciderTest, AllowedImageResolvesItsTag) {
  Digest d = push("shop/web", "1.4.2", "web");
  decide("shop/web", d, "allow");
  auto v = decider().decide(request(kHost + "/shop/web:1.4.2"));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->allowed);
  EXPECT_EQ(v->repository, "shop/web");
  EXPECT_EQ(v->digest, d.str());
  EXPECT_THAT(v->reasons, IsEmpty());
  // Host names compare case-insensitively; the second configured host works too.
  EXPECT_TRUE(decider().decide(request("REGISTRY.example:5000/shop/web:1.4.2"))->allowed);
  EXPECT_TRUE(decider().decide(request("localhost:5000/shop/web:1.4.2"))->allowed);
}

TEST_F(RegistryDeciderTest, UntaggedMeansLatestAndDigestsMustExist) {
  Digest d = push("shop/web", "latest", "web");
  decide("shop/web", d, "allow");
  EXPECT_EQ(decider().decide(request(kHost + "/shop/web"))->digest, d.str());
  auto by_digest = decider().decide(request(kHost + "/shop/web:ignored@" + d.str()));
  ASSERT_TRUE(by_digest);
  EXPECT_TRUE(by_digest->allowed);
  const std::string missing = "sha256:" + std::string(64, 'e');
  auto gone = decider().decide(request(kHost + "/shop/web@" + missing));
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->allowed);
  EXPECT_THAT(gone->reasons,
              ElementsAre("manifest " + missing + " of shop/web not found in this registry"));
}

TEST_F(RegistryDeciderTest, UnknownRepositoriesAndTagsAreDenied) {
  push("shop/web", "1", "web");
  auto tag = decider().decide(request(kHost + "/shop/web:2"));
  ASSERT_TRUE(tag);
  EXPECT_FALSE(tag->allowed);
  EXPECT_THAT(tag->reasons, ElementsAre("tag 2 of shop/web not found in this registry"));
  auto repo = decider().decide(request(kHost + "/nope/app:1"));
  ASSERT_TRUE(repo);
  EXPECT_FALSE(repo->allowed);
  EXPECT_THAT(repo->reasons, ElementsAre(HasSubstr("not found in this registry")));
  auto bad = decider().decide(request(kHost + "/Shop/Web:1"));
  ASSERT_TRUE(bad);
  EXPECT_FALSE(bad->allowed);
  EXPECT_THAT(bad->reasons, ElementsAre(HasSubstr("invalid image reference")));
}

TEST_F(RegistryDeciderTest, ForeignImagesFollowTheSetting) {
  auto denied = decider().decide(request("nginx:1.25"));
  ASSERT_TRUE(denied);
  EXPECT_FALSE(denied->allowed);
  EXPECT_THAT(denied->reasons, ElementsAre("not from this registry (docker.io); "
                                           "admission.foreign_images is deny"));
  auto allowed = decider(/*allow_foreign=*/true).decide(request("quay.io/org/tool:1"));
  ASSERT_TRUE(allowed);
  EXPECT_TRUE(allowed->allowed);
  EXPECT_TRUE(allowed->digest.empty());
  EXPECT_THAT(allowed->reasons, ElementsAre(HasSubstr("not from this registry (quay.io)")));
  // The same repository under another host is not ours.
  EXPECT_FALSE(decider().decide(request("registry.example:5001/shop/web:1"))->allowed);
}

TEST_F(RegistryDeciderTest, BlockedPendingAndQuarantinedImagesAreDeniedWithReasons) {
  Digest blocked = push("shop/web", "blocked", "b");
  decide("shop/web", blocked, "block",
         R"j({"reasons":["CVE-2024-3094 in xz-utils: critical, fix available (block)"]})j");
  auto v = decider().decide(request(kHost + "/shop/web:blocked"));
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->allowed);
  EXPECT_THAT(v->reasons, ElementsAre("CVE-2024-3094 in xz-utils: critical, fix available (block)",
                                      "decided by policy project:shop@2"));

  push("shop/web", "new", "n");  // never evaluated
  auto pending = decider().decide(request(kHost + "/shop/web:new"));
  ASSERT_TRUE(pending);
  EXPECT_FALSE(pending->allowed);
  EXPECT_THAT(pending->reasons, ElementsAre("policy evaluation pending"));

  Digest fine = push("shop/web", "fine", "f");
  decide("shop/web", fine, "allow");
  metadata::ManualQuarantine q{"shop/web", fine.str(), "incident 42", "alice", 5};
  ASSERT_TRUE(*store_->add_manual_quarantine(q));
  auto manual = decider().decide(request(kHost + "/shop/web:fine"));
  ASSERT_TRUE(manual);
  EXPECT_FALSE(manual->allowed);
  EXPECT_THAT(manual->reasons, ElementsAre("quarantined by alice: incident 42"));
}

TEST_F(RegistryDeciderTest, FlaggedImagesAreAllowedWithTheirReasons) {
  Digest d = push("shop/web", "1", "w");
  decide("shop/web", d, "flag", R"j({"reasons":["CVE-2023-1 in zlib: medium (flag)"]})j");
  auto v = decider().decide(request(kHost + "/shop/web:1"));
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->allowed);
  EXPECT_THAT(v->reasons,
              ElementsAre("CVE-2023-1 in zlib: medium (flag)", "decided by policy project:shop@2"));
}

TEST_F(RegistryDeciderTest, OneImageWrittenFourWaysGetsOneVerdictUnderEachName) {
  Digest d = push("shop/web", "1", "w");
  ASSERT_TRUE(store_->put_manifest([&] {
    metadata::ManifestPut m;
    m.repository = "shop/web";
    m.media_type = "application/vnd.oci.image.manifest.v1+json";
    m.content = R"({"schemaVersion":2,"seed":"w"})";
    m.digest = d;
    m.tag = "stable";
    return m;
  }()));
  decide("shop/web", d, "allow");
  std::vector<ImageRequest> requests;
  for (const std::string& image :
       std::vector<std::string>{kHost + "/shop/web:1", kHost + "/shop/web:stable",
                                kHost + "/shop/web@" + d.str(), kHost + "/shop/web:1", "nginx"}) {
    requests.push_back(request(image));
  }
  auto verdicts = decider().decide_all(requests);
  ASSERT_EQ(verdicts.size(), 5u);
  for (size_t i = 0; i < 4; ++i) {
    ASSERT_TRUE(verdicts[i]);
    EXPECT_TRUE(verdicts[i]->allowed) << i;
    EXPECT_EQ(verdicts[i]->image, requests[i].image);
    EXPECT_EQ(verdicts[i]->digest, d.str());
  }
  EXPECT_FALSE(verdicts[4]->allowed);
}

TEST_F(RegistryDeciderTest, StoreFailuresAreErrors) {
  Digest d = push("shop/web", "1", "w");
  decide("shop/web", d, "allow");
  break_store(true);
  auto v = decider().decide(request(kHost + "/shop/web:1"));
  ASSERT_FALSE(v);
  EXPECT_THAT(v.error().message, HasSubstr("image_policy"));
  auto all = decider().decide_all({request(kHost + "/shop/web:1"), request(kHost + "/shop/web:1")});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_FALSE(all[0]);
  EXPECT_FALSE(all[1]);
}

TEST_F(RegistryDeciderTest, VerdictsAreReusedForTheCacheTimeOnly) {
  Digest d = push("shop/web", "1", "w");
  decide("shop/web", d, "allow");
  int64_t now = 5000;
  RegistryDecider cached = cached_decider(now, 1000);
  const ImageRequest web = request(kHost + "/shop/web:1");
  ASSERT_TRUE(cached.decide(web)->allowed);
  // An operator quarantines it from another process (`bulwark admin`, another node): a warm
  // answer may lag by the cache time...
  auto other = metadata::SqliteMetadataStore::open(dir_.file("metadata.sqlite"));
  ASSERT_TRUE(other) << other.error().message;
  ASSERT_TRUE(*(*other)->add_manual_quarantine({"shop/web", d.str(), "incident 7", "bob", 1}));
  now += 999;
  EXPECT_TRUE(cached.decide(web)->allowed);
  EXPECT_TRUE((*cached.decide_all({web}).front()).allowed);
  // ...and no more.
  now += 1;
  auto v = cached.decide_all({web, web});
  ASSERT_TRUE(v[0]);
  EXPECT_FALSE(v[0]->allowed);
  EXPECT_THAT(v[0]->reasons, ElementsAre("quarantined by bob: incident 7"));
}

TEST_F(RegistryDeciderTest, AQuarantineThroughThisStoreAppliesAtOnce) {
  Digest d = push("shop/web", "1", "w");
  decide("shop/web", d, "allow");
  int64_t now = 5000;
  RegistryDecider cached = cached_decider(now, 60000);
  const ImageRequest web = request(kHost + "/shop/web:1");
  ASSERT_TRUE(cached.decide(web)->allowed);
  ASSERT_TRUE(*store_->add_manual_quarantine({"shop/web", d.str(), "incident 8", "bob", 1}));
  auto denied = cached.decide(web);  // the clock has not moved
  ASSERT_TRUE(denied);
  EXPECT_FALSE(denied->allowed);
  ASSERT_TRUE(*store_->release_manual_quarantine("shop/web", d.str()));
  EXPECT_TRUE(cached.decide(web)->allowed);
}

TEST_F(RegistryDeciderTest, FailuresAreNotCached) {
  Digest d = push("shop/web", "1", "w");
  decide("shop/web", d, "allow");
  RegistryDecider cached = decider();
  break_store(true);
  EXPECT_FALSE(cached.decide(request(kHost + "/shop/web:1")));
  break_store(false);
  auto v = cached.decide(request(kHost + "/shop/web:1"));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_TRUE(v->allowed);
}

TEST(DefaultRegistryHosts, ListenAddressAndLocalhostWithTheBoundPort) {
  EXPECT_THAT(default_registry_hosts("127.0.0.1:0", 40123),
              ElementsAre("127.0.0.1:40123", "localhost:40123"));
  EXPECT_THAT(default_registry_hosts("localhost:5000", 5000), ElementsAre("localhost:5000"));
  EXPECT_THAT(default_registry_hosts("[::1]:5000", 5000),
              ElementsAre("[::1]:5000", "localhost:5000"));
}

}  // namespace
}  // namespace bulwark::admission
