// RegistryDecider against a real SQLite metadata store: host matching, tag and digest
// resolution, stored policy decisions and manual quarantines, each digest decided once.
#include "admission/registry_decider.h"

#include <gmock/gmock.h>

#include <atomic>

#include "common/temp_dir.h"
#include "metadata/sqlite/sqlite_metadata_store.h"

namespace bulwark::admission {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;
using testing::IsEmpty;

const std::string kHost = "registry.example:5000";

// Counts the enforcement lookups the decider makes (forwarding everything to the real store).
class CountingEnforcement final : public metadata::EnforcementStore {
 public:
  explicit CountingEnforcement(metadata::EnforcementStore& inner) : inner_(inner) {}
  Result<std::string> manifest_pusher(std::string_view r, std::string_view d) override {
    return inner_.manifest_pusher(r, d);
  }
  Result<bool> put_image_policy(const metadata::ImagePolicyRecord& record) override {
    return inner_.put_image_policy(record);
  }
  Result<std::optional<metadata::ImagePolicyRecord>> get_image_policy(std::string_view r,
                                                                      std::string_view d) override {
    ++lookups;
    if (broken) return fail(ErrorCode::kUnavailable, "database is locked");
    return inner_.get_image_policy(r, d);
  }
  Result<std::vector<metadata::ImageRef>> list_images(std::string_view p, std::string& c,
                                                      size_t limit) override {
    return inner_.list_images(p, c, limit);
  }
  Result<std::vector<metadata::ImageRef>> images_with_digest(std::string_view d) override {
    return inner_.images_with_digest(d);
  }
  Result<std::vector<metadata::ImageRef>> images_with_finding(std::string_view v) override {
    return inner_.images_with_finding(v);
  }
  Result<bool> add_manual_quarantine(const metadata::ManualQuarantine& q) override {
    return inner_.add_manual_quarantine(q);
  }
  Result<bool> release_manual_quarantine(std::string_view r, std::string_view d) override {
    return inner_.release_manual_quarantine(r, d);
  }
  Result<std::optional<metadata::ManualQuarantine>> get_manual_quarantine(
      std::string_view r, std::string_view d) override {
    return inner_.get_manual_quarantine(r, d);
  }
  Result<std::vector<metadata::ManualQuarantine>> list_manual_quarantines(
      std::string_view r) override {
    return inner_.list_manual_quarantines(r);
  }
  std::atomic<int> lookups{0};
  bool broken = false;

 private:
  metadata::EnforcementStore& inner_;
};

class RegistryDeciderTest : public testing::Test {
 protected:
  RegistryDeciderTest() {
    auto opened = metadata::SqliteMetadataStore::open(dir_.file("metadata.sqlite"));
    if (!opened) throw std::runtime_error(opened.error().message);
    store_ = std::move(*opened);
    enforcement_ = std::make_unique<CountingEnforcement>(*store_);
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
    return RegistryDecider(options, *store_, *enforcement_);
  }

  static ImageRequest request(std::string image) {
    return ImageRequest{std::move(image), "prod-eu", "shop", "Deployment/web"};
  }

  TempDir dir_;
  std::unique_ptr<metadata::SqliteMetadataStore> store_;
  std::unique_ptr<CountingEnforcement> enforcement_;
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
  EXPECT_THAT(gone->reasons, ElementsAre("manifest " + missing + " of shop/web not found in this registry"));
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
  EXPECT_EQ(enforcement_->lookups, 0);
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
  EXPECT_THAT(v->reasons, ElementsAre("CVE-2023-1 in zlib: medium (flag)",
                                      "decided by policy project:shop@2"));
}

TEST_F(RegistryDeciderTest, EachDigestIsEvaluatedOncePerReview) {
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
  for (const std::string& image : std::vector<std::string>{
           kHost + "/shop/web:1", kHost + "/shop/web:stable", kHost + "/shop/web@" + d.str(),
           kHost + "/shop/web:1", "nginx"}) {
    requests.push_back(request(image));
  }
  auto verdicts = decider().decide_all(requests);
  ASSERT_EQ(verdicts.size(), 5u);
  EXPECT_EQ(enforcement_->lookups, 1);
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
  enforcement_->broken = true;
  auto v = decider().decide(request(kHost + "/shop/web:1"));
  ASSERT_FALSE(v);
  EXPECT_THAT(v.error().message, HasSubstr("database is locked"));
  auto all = decider().decide_all({request(kHost + "/shop/web:1"), request(kHost + "/shop/web:1")});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_FALSE(all[0]);
  EXPECT_FALSE(all[1]);
}

TEST(DefaultRegistryHosts, ListenAddressAndLocalhostWithTheBoundPort) {
  EXPECT_THAT(default_registry_hosts("127.0.0.1:0", 40123),
              ElementsAre("127.0.0.1:40123", "localhost:40123"));
  EXPECT_THAT(default_registry_hosts("localhost:5000", 5000), ElementsAre("localhost:5000"));
  EXPECT_THAT(default_registry_hosts("[::1]:5000", 5000), ElementsAre("[::1]:5000", "localhost:5000"));
}

}  // namespace
}  // namespace bulwark::admission
