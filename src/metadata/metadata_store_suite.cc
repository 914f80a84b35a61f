#include "metadata/metadata_store_suite.h"

#include <gmock/gmock.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "metadata/store_backend.h"

namespace bulwark::metadata {

std::string metadata_store_backend_name(const testing::TestParamInfo<MetadataStoreBackend>& info) {
  return info.param.name;
}

namespace {

using testing::ElementsAre;
using testing::HasSubstr;
using testing::IsEmpty;

constexpr const char* kImageType = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* kIndexType = "application/vnd.oci.image.index.v1+json";

Digest blob(std::string_view name) { return Digest::of("blob:" + std::string(name)); }

// An image manifest whose bytes (and so digest) are unique to `seed`.
ManifestPut image(std::string repository, std::string_view seed, std::vector<Digest> blobs = {}) {
  ManifestPut m;
  m.repository = std::move(repository);
  m.media_type = kImageType;
  m.content = R"({"schemaVersion":2,"seed":")" + std::string(seed) + "\"}";
  m.digest = Digest::of(m.content);
  m.blobs = std::move(blobs);
  return m;
}

ManifestPut referrer(std::string repository, std::string_view seed, const Digest& subject,
                     std::string artifact_type) {
  ManifestPut m = image(std::move(repository), seed);
  m.subject = subject;
  m.artifact_type = std::move(artifact_type);
  m.annotations_json = R"({"org.example.seed":")" + std::string(seed) + "\"}";
  return m;
}

std::vector<std::string> digests_of(const std::vector<ManifestRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.digest.str());
  return out;
}

TEST_P(MetadataStoreSuite, EmptyStoreHasNothing) {
  EXPECT_FALSE(*store().repository_exists("nope"));
  EXPECT_THAT(*store().list_repositories("", 100), IsEmpty());
  EXPECT_EQ(*store().get_manifest("nope", blob("x")), std::nullopt);
  EXPECT_EQ(*store().resolve_tag("nope", "latest"), std::nullopt);
  EXPECT_THAT(*store().list_tags("nope", "", 100), IsEmpty());
  EXPECT_THAT(*store().list_referrers("nope", blob("x"), std::nullopt), IsEmpty());
  EXPECT_EQ(*store().blob_in_repository("nope", blob("x")), std::nullopt);
}

TEST_P(MetadataStoreSuite, LinkBlobRecordsSizePerRepository) {
  ASSERT_OK(store().link_blob("library/app", blob("a"), 42));
  ASSERT_OK(store().link_blob("library/app", blob("a"), 42));  // idempotent
  EXPECT_TRUE(*store().repository_exists("library/app"));
  EXPECT_EQ(*store().blob_in_repository("library/app", blob("a")), std::optional<uint64_t>(42));
  EXPECT_EQ(*store().blob_in_repository("library/other", blob("a")), std::nullopt);
  EXPECT_EQ(*store().blob_in_repository("library/app", blob("b")), std::nullopt);

  EXPECT_TRUE(*store().unlink_blob("library/app", blob("a")));
  EXPECT_FALSE(*store().unlink_blob("library/app", blob("a")));
  EXPECT_FALSE(*store().unlink_blob("missing/repo", blob("a")));
  EXPECT_EQ(*store().blob_in_repository("library/app", blob("a")), std::nullopt);
}

TEST_P(MetadataStoreSuite, PutManifestStoresExactBytesAndTag) {
  ASSERT_OK(store().link_blob("app", blob("config"), 10));
  ASSERT_OK(store().link_blob("app", blob("layer"), 2000));
  ManifestPut m = image("app", "one", {blob("config"), blob("layer")});
  m.artifact_type = "application/vnd.example.thing";
  m.annotations_json = R"({"a":"b"})";
  m.tag = "v1";
  ASSERT_OK(store().put_manifest(m));

  auto got = store().get_manifest("app", m.digest);
  ASSERT_TRUE(got && *got);
  const ManifestRecord& record = **got;
  EXPECT_EQ(record.repository, "app");
  EXPECT_EQ(record.digest, m.digest);
  EXPECT_EQ(record.content, m.content);
  EXPECT_EQ(record.size, m.content.size());
  EXPECT_EQ(record.media_type, kImageType);
  EXPECT_EQ(record.artifact_type, "application/vnd.example.thing");
  EXPECT_EQ(record.annotations_json, R"({"a":"b"})");
  EXPECT_EQ(record.subject, std::nullopt);
  EXPECT_GT(record.created_at, 0);
  EXPECT_EQ(*store().resolve_tag("app", "v1"), std::optional<Digest>(m.digest));
  EXPECT_EQ(*store().get_manifest("other", m.digest), std::nullopt);
  EXPECT_THAT(*store().list_repositories("", 10), ElementsAre("app"));
}

TEST_P(MetadataStoreSuite, ManifestContentMayHoldAnyBytes) {
  ManifestPut m = image("app", "binary");
  m.content = std::string("\0\xff{\"x\":1}\0", 10);
  m.digest = Digest::of(m.content);
  ASSERT_OK(store().put_manifest(m));
  EXPECT_EQ((*store().get_manifest("app", m.digest))->content, m.content);
}

TEST_P(MetadataStoreSuite, PutManifestRejectsBlobNotInRepository) {
  ASSERT_OK(store().link_blob("elsewhere", blob("layer"), 5));  // linked, but not in "app"
  ManifestPut m = image("app", "one", {blob("layer")});
  m.tag = "latest";
  auto r = store().put_manifest(m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kMissingReference);
  EXPECT_THAT(r.error().message, HasSubstr("blob " + blob("layer").str()));
  EXPECT_THAT(r.error().message, HasSubstr("app"));
  // Nothing of the failed transaction remains.
  EXPECT_EQ(*store().get_manifest("app", m.digest), std::nullopt);
  EXPECT_EQ(*store().resolve_tag("app", "latest"), std::nullopt);
  EXPECT_FALSE(*store().repository_exists("app"));
}

TEST_P(MetadataStoreSuite, PutIndexRequiresChildManifestsInRepository) {
  ManifestPut child = image("app", "child");
  ManifestPut index = image("app", "index");
  index.media_type = kIndexType;
  index.manifests = {child.digest};
  auto r = store().put_manifest(index);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kMissingReference);
  EXPECT_THAT(r.error().message, HasSubstr("manifest " + child.digest.str()));

  ASSERT_OK(store().put_manifest(child));
  ASSERT_OK(store().put_manifest(index));
  EXPECT_EQ((*store().get_manifest("app", index.digest))->media_type, kIndexType);
}

TEST_P(MetadataStoreSuite, PutManifestRejectsContentNotMatchingDigest) {
  ManifestPut m = image("app", "one");
  m.digest = Digest::of("something else");
  EXPECT_EQ(store().put_manifest(m).error().code, ErrorCode::kDigestMismatch);
  EXPECT_EQ(*store().get_manifest("app", m.digest), std::nullopt);
}

TEST_P(MetadataStoreSuite, IdenticalRePutIsIdempotent) {
  ASSERT_OK(store().link_blob("app", blob("layer"), 7));
  ManifestPut m = image("app", "one", {blob("layer")});
  ASSERT_OK(store().put_manifest(m));
  auto first = *store().get_manifest("app", m.digest);
  m.tag = "again";
  ASSERT_OK(store().put_manifest(m));
  auto second = *store().get_manifest("app", m.digest);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(second->content, first->content);
  EXPECT_EQ(second->created_at, first->created_at);
  EXPECT_EQ(*store().resolve_tag("app", "again"), std::optional<Digest>(m.digest));
}

TEST_P(MetadataStoreSuite, TagMovesToNewManifest) {
  ManifestPut m1 = image("app", "one");
  ManifestPut m2 = image("app", "two");
  m1.tag = m2.tag = "latest";
  ASSERT_OK(store().put_manifest(m1));
  ASSERT_OK(store().put_manifest(m2));
  EXPECT_EQ(*store().resolve_tag("app", "latest"), std::optional<Digest>(m2.digest));
  EXPECT_THAT(*store().list_tags("app", "", 10), ElementsAre("latest"));
  // The old manifest stays, untagged.
  EXPECT_TRUE(*store().get_manifest("app", m1.digest));
  EXPECT_TRUE((*store().delete_manifest("app", m1.digest)).removed_tags.empty());
}

TEST_P(MetadataStoreSuite, DeleteManifestRemovesItsTagsAndReferences) {
  ASSERT_OK(store().link_blob("app", blob("layer"), 3));
  ManifestPut m = image("app", "one", {blob("layer")});
  m.tag = "b";
  ASSERT_OK(store().put_manifest(m));
  m.tag = "a";
  ASSERT_OK(store().put_manifest(m));
  ManifestPut other = image("app", "other");
  other.tag = "keep";
  ASSERT_OK(store().put_manifest(other));

  auto deleted = store().delete_manifest("app", m.digest);
  ASSERT_TRUE(deleted);
  EXPECT_TRUE(deleted->existed);
  EXPECT_THAT(deleted->removed_tags, ElementsAre("a", "b"));
  EXPECT_EQ(*store().get_manifest("app", m.digest), std::nullopt);
  EXPECT_EQ(*store().resolve_tag("app", "a"), std::nullopt);
  EXPECT_THAT(*store().list_tags("app", "", 10), ElementsAre("keep"));
  // The blob link is independent of manifests.
  EXPECT_EQ(*store().blob_in_repository("app", blob("layer")), std::optional<uint64_t>(3));

  auto again = store().delete_manifest("app", m.digest);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->existed);
  EXPECT_FALSE(store().delete_manifest("no/such/repo", m.digest)->existed);
  // It can be pushed again afterwards.
  ASSERT_OK(store().put_manifest(m));
  EXPECT_EQ(*store().resolve_tag("app", "a"), std::optional<Digest>(m.digest));
}

TEST_P(MetadataStoreSuite, DeletingAReferrerRemovesItFromReferrers) {
  ManifestPut subject = image("app", "subject");
  ASSERT_OK(store().put_manifest(subject));
  ManifestPut sig = referrer("app", "sig", subject.digest, "application/vnd.example.sig");
  ManifestPut sbom = referrer("app", "sbom", subject.digest, "application/vnd.example.sbom");
  ASSERT_OK(store().put_manifest(sig));
  ASSERT_OK(store().put_manifest(sbom));
  ASSERT_EQ(store().list_referrers("app", subject.digest, std::nullopt)->size(), 2u);

  ASSERT_TRUE(store().delete_manifest("app", sig.digest)->existed);
  EXPECT_THAT(digests_of(*store().list_referrers("app", subject.digest, std::nullopt)),
              ElementsAre(sbom.digest.str()));
  // Deleting the subject leaves referrers listable (OCI allows referrers without subject).
  ASSERT_TRUE(store().delete_manifest("app", subject.digest)->existed);
  EXPECT_EQ(store().list_referrers("app", subject.digest, std::nullopt)->size(), 1u);
}

TEST_P(MetadataStoreSuite, DeleteTag) {
  ManifestPut m = image("app", "one");
  m.tag = "v1";
  ASSERT_OK(store().put_manifest(m));
  EXPECT_TRUE(*store().delete_tag("app", "v1"));
  EXPECT_FALSE(*store().delete_tag("app", "v1"));
  EXPECT_FALSE(*store().delete_tag("nope", "v1"));
  EXPECT_EQ(*store().resolve_tag("app", "v1"), std::nullopt);
  EXPECT_TRUE(*store().get_manifest("app", m.digest));
}

TEST_P(MetadataStoreSuite, TagsPaginateInLexicalOrder) {
  ManifestPut m = image("app", "one");
  for (const char* tag : {"c", "a", "B", "e", "d", "b"}) {
    m.tag = tag;
    ASSERT_OK(store().put_manifest(m));
  }
  ManifestPut elsewhere = image("other", "x");
  elsewhere.tag = "zzz";
  ASSERT_OK(store().put_manifest(elsewhere));
  EXPECT_THAT(*store().list_tags("app", "", 100), ElementsAre("B", "a", "b", "c", "d", "e"));
  EXPECT_THAT(*store().list_tags("app", "", 2), ElementsAre("B", "a"));
  EXPECT_THAT(*store().list_tags("app", "a", 2), ElementsAre("b", "c"));
  EXPECT_THAT(*store().list_tags("app", "c", 100), ElementsAre("d", "e"));
  EXPECT_THAT(*store().list_tags("app", "e", 100), IsEmpty());
  EXPECT_THAT(*store().list_tags("app", "", 0), IsEmpty());
  EXPECT_THAT(*store().list_tags("app", "bb", SIZE_MAX), ElementsAre("c", "d", "e"));
}

TEST_P(MetadataStoreSuite, RepositoriesPaginateInLexicalOrder) {
  for (const char* repo : {"library/b", "a", "library/a", "z"}) {
    ASSERT_OK(store().link_blob(repo, blob("x"), 1));
  }
  EXPECT_THAT(*store().list_repositories("", 100), ElementsAre("a", "library/a", "library/b", "z"));
  EXPECT_THAT(*store().list_repositories("", 2), ElementsAre("a", "library/a"));
  EXPECT_THAT(*store().list_repositories("library/a", 2), ElementsAre("library/b", "z"));
  EXPECT_THAT(*store().list_repositories("z", 2), IsEmpty());
}

TEST_P(MetadataStoreSuite, ReferrersFilteredByArtifactTypeAndOrderedByDigest) {
  Digest subject = Digest::of("subject manifest (not pushed: allowed)");
  std::vector<ManifestPut> refs = {
      referrer("app", "s1", subject, "application/vnd.example.sig"),
      referrer("app", "sb", subject, "application/vnd.example.sbom"),
      referrer("app", "s2", subject, "application/vnd.example.sig"),
  };
  for (const auto& r : refs) ASSERT_OK(store().put_manifest(r));
  ASSERT_OK(store().put_manifest(referrer("other", "s3", subject, "application/vnd.example.sig")));
  ASSERT_OK(store().put_manifest(image("app", "unrelated")));

  auto all = store().list_referrers("app", subject, std::nullopt);
  ASSERT_TRUE(all);
  std::vector<std::string> expected;
  for (const auto& r : refs) expected.push_back(r.digest.str());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(digests_of(*all), expected);
  for (const auto& record : *all) {
    EXPECT_TRUE(record.content.empty());
    EXPECT_GT(record.size, 0u);
    EXPECT_EQ(record.subject, std::optional<Digest>(subject));
    EXPECT_EQ(record.repository, "app");
    EXPECT_THAT(record.annotations_json, HasSubstr("org.example.seed"));
  }

  auto sigs = store().list_referrers("app", subject, "application/vnd.example.sig");
  ASSERT_TRUE(sigs);
  std::vector<std::string> sig_digests = {refs[0].digest.str(), refs[2].digest.str()};
  std::sort(sig_digests.begin(), sig_digests.end());
  EXPECT_EQ(digests_of(*sigs), sig_digests);
  for (const auto& record : *sigs) EXPECT_EQ(record.artifact_type, "application/vnd.example.sig");
  EXPECT_THAT(*store().list_referrers("app", subject, "application/none"), IsEmpty());
}

TEST_P(MetadataStoreSuite, UploadSessionLifecycle) {
  UploadSession session{"u-1", "app", 100, 100};
  ASSERT_OK(store().create_upload(session));
  EXPECT_EQ(store().create_upload(session).error().code, ErrorCode::kAlreadyExists);
  ASSERT_OK(store().create_upload(UploadSession{"u-2", "other", 150, 150}));

  auto got = store().get_upload("u-1");
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->repository, "app");
  EXPECT_EQ((*got)->created_at, 100);

  ASSERT_OK(store().touch_upload("u-1", 300));
  EXPECT_EQ((*store().get_upload("u-1"))->updated_at, 300);
  EXPECT_EQ((*store().get_upload("u-1"))->created_at, 100);
  EXPECT_EQ(store().touch_upload("missing", 1).error().code, ErrorCode::kNotFound);

  auto idle = [&](int64_t before) {
    std::vector<std::string> ids;
    auto sessions = store().list_uploads_idle_since(before);
    EXPECT_TRUE(sessions);
    for (const auto& s : sessions.value_or(std::vector<UploadSession>{})) ids.push_back(s.id);
    return ids;
  };
  EXPECT_THAT(idle(150), IsEmpty());
  EXPECT_THAT(idle(151), ElementsAre("u-2"));
  EXPECT_THAT(idle(1000), ElementsAre("u-2", "u-1"));

  ASSERT_OK(store().delete_upload("u-1"));
  ASSERT_OK(store().delete_upload("u-1"));
  EXPECT_EQ(*store().get_upload("u-1"), std::nullopt);
  EXPECT_THAT(idle(1000), ElementsAre("u-2"));
}

TEST_P(MetadataStoreSuite, DataSurvivesReopen) {
  ASSERT_OK(store().link_blob("app", blob("layer"), 9));
  ManifestPut m = image("app", "one", {blob("layer")});
  m.tag = "v1";
  ASSERT_OK(store().put_manifest(m));
  ASSERT_OK(store().put_manifest(referrer("app", "sig", m.digest, "application/vnd.example.sig")));
  ASSERT_OK(store().create_upload(UploadSession{"u", "app", 1, 2}));
  reopen();
  EXPECT_EQ(*store().resolve_tag("app", "v1"), std::optional<Digest>(m.digest));
  EXPECT_EQ((*store().get_manifest("app", m.digest))->content, m.content);
  EXPECT_EQ(*store().blob_in_repository("app", blob("layer")), std::optional<uint64_t>(9));
  EXPECT_EQ(store().list_referrers("app", m.digest, std::nullopt)->size(), 1u);
  EXPECT_EQ((*store().get_upload("u"))->updated_at, 2);
  // Still writable after reopening.
  ASSERT_OK(store().put_manifest(image("app", "two")));
}

TEST_P(MetadataStoreSuite, ConcurrentWritersAndReadersLoseNothing) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 40;
  std::atomic<int> failures{0};
  std::vector<std::string> errors(kThreads);
  auto worker = [&](int t) {
    auto check = [&](bool good, const std::string& what) {
      if (!good) {
        ++failures;
        errors[t] = what;
      }
    };
    for (int i = 0; i < kPerThread; ++i) {
      std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
      auto linked = store().link_blob("shared", blob(name), static_cast<uint64_t>(i));
      check(bool(linked), linked ? "" : linked.error().message);
      ManifestPut m = image("shared", name, {blob(name)});
      m.tag = name;
      auto put = store().put_manifest(m);
      check(bool(put), put ? "" : put.error().message);
      auto resolved = store().resolve_tag("shared", name);
      check(resolved && *resolved == std::optional<Digest>(m.digest), "resolve " + name);
      auto tags = store().list_tags("shared", "", 1000);
      check(tags && !tags->empty(), "list_tags");
      auto got = store().get_manifest("shared", m.digest);
      check(got && *got && (*got)->content == m.content, "get " + name);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, t);
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0) << testing::PrintToString(errors);
  EXPECT_EQ(store().list_tags("shared", "", 1000)->size(),
            static_cast<size_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace bulwark::metadata
