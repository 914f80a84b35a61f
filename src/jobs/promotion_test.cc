// The Promoter over real stores (SQLite metadata, filesystem blobs, a real vulnerability database
// imported from an OSV record written here): clean images are copied by linking their blobs and
// tagged only once the destination's policy allows them; vulnerable or unsigned ones are refused
// with the reasons and leave nothing behind in the destination; signatures travel with the image
// while Bulwark's own generated SBOMs do not; operators' quarantines are not laundered.
#include "jobs/promotion.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "jobs/jobs_testing.h"
#include "trust/cosign_layout.h"
#include "vulndb/store.h"

namespace bulwark::jobs {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kManifestType = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kConfigType = "application/vnd.oci.image.config.v1+json";
constexpr std::string_view kLayerType = "application/vnd.oci.image.layer.v1.tar";

// A ustar archive of regular files (name -> content), written by hand (POSIX.1-1988 layout).
std::string tar_of(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out;
  for (const auto& [name, content] : files) {
    char header[512] = {};
    std::snprintf(header, 100, "%s", name.c_str());
    std::snprintf(header + 100, 8, "%07o", 0644);
    std::snprintf(header + 108, 8, "%07o", 0);
    std::snprintf(header + 116, 8, "%07o", 0);
    std::snprintf(header + 124, 12, "%011o", static_cast<unsigned>(content.size()));
    std::snprintf(header + 136, 12, "%011o", 0);
    header[156] = '0';
    std::memcpy(header + 257,
                "ustar\0"
                "00",
                8);
    std::memset(header + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : header) sum += c;
    std::snprintf(header + 148, 8, "%06o", sum);
    out.append(header, sizeof header);
    out += content;
    out.append((512 - content.size() % 512) % 512, '\0');
  }
  out.append(1024, '\0');
  return out;
}

// An installed Python distribution, as the python analyzer finds it.
std::string python_layer(const std::string& name, const std::string& version) {
  return tar_of({{"usr/lib/python3/site-packages/" + name + "-" + version + ".dist-info/METADATA",
                  "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n"}});
}

// An OSV record: PyPI `package` affected below `fixed`, CVSS 9.8 (critical).
std::string osv(std::string_view id, std::string_view package, std::string_view fixed) {
  return R"({"id": ")" + std::string(id) +
         R"(", "modified": "2099-01-01T00:00:00Z", "published": "2099-01-01T00:00:00Z",
  "aliases": [], "summary": "test flaw", "affected": [{"package": {"ecosystem": "PyPI", "name": ")" +
         std::string(package) +
         R"("}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": ")" +
         std::string(fixed) +
         R"("}]}]}], "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]})";
}

using testing::descriptor;

class PromoterTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    auto db = vulndb::VulnDb::open(dir_.file("vulndb.sqlite"), false);
    ASSERT_TRUE(db) << db.error().message;
    const fs::path feed = dir_.file("feed");
    fs::create_directories(feed);
    std::ofstream(feed / "PYSEC-2099-1.json") << osv("PYSEC-2099-1", "badlib", "2.0");
    const fs::path paths[] = {feed};
    auto imported = (*db)->import(paths);
    ASSERT_TRUE(imported) << imported.error().message;

    add_projects({{"staging", metadata::Environment::kStaging},
                  {"prod", metadata::Environment::kProduction}});
    matcher_.emplace(dir_.file("vulndb.sqlite"), *blobs_, *store_, *store_, DeadlinePolicy{});
    enforcer_.emplace(
        PolicyEnforcerStores{*blobs_, *store_, *store_, nullptr, *store_, *store_, *store_}, "");
    promoter_.emplace(
        PromoterServices{*blobs_, *store_, *store_, *store_, *matcher_, *enforcer_, nullptr},
        [this](const PromotionRequest& request, const PromotionResult& result) {
          audited_.emplace_back(request.actor, result.allowed);
        });
  }

  // Stores a manifest of `config` and `layers` (already linked) under `tag` (may be empty).
  Digest put_manifest(const std::string& repository, const std::string& config,
                      const std::vector<std::string>& layers, const std::string& tag,
                      std::optional<Digest> subject = std::nullopt,
                      const std::string& annotations = "") {
    const Digest config_digest = put_blob(repository, config);
    metadata::ManifestPut m;
    m.repository = repository;
    m.media_type = std::string(kManifestType);
    m.artifact_type = std::string(kConfigType);
    m.content = R"({"schemaVersion":2,"mediaType":")" + std::string(kManifestType) +
                R"(","config":)" + descriptor(kConfigType, config_digest, config.size()) +
                R"(,"layers":[)";
    m.blobs = {config_digest};
    for (size_t i = 0; i < layers.size(); ++i) {
      const Digest d = put_blob(repository, layers[i]);
      m.content += (i ? "," : "") + descriptor(kLayerType, d, layers[i].size());
      m.blobs.push_back(d);
    }
    m.content += "]";
    if (subject) m.content += R"(,"subject":)" + descriptor(kManifestType, *subject, 10);
    if (!annotations.empty()) m.content += R"(,"annotations":)" + annotations;
    m.content += "}";
    m.digest = Digest::of(m.content);
    m.subject = subject;
    m.annotations_json = annotations;
    if (!tag.empty()) m.tag = tag;
    m.pusher = "ci";
    EXPECT_TRUE(store_->put_manifest(m));
    return m.digest;
  }

  Digest push_image(const std::string& repository, const std::string& tag,
                    const std::string& package, const std::string& version) {
    const std::string layer = python_layer(package, version);
    const std::string config =
        R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[")" +
        Digest::of(layer).str() + R"("]}})";
    return put_manifest(repository, config, {layer}, tag);
  }

  // Stores an index of `children` (image manifests of `repository`) under `tag`.
  Digest push_index(const std::string& repository, const std::string& tag,
                    const std::vector<Digest>& children) {
    metadata::ManifestPut m;
    m.repository = repository;
    m.media_type = "application/vnd.oci.image.index.v1+json";
    m.content =
        R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)";
    for (size_t i = 0; i < children.size(); ++i) {
      auto child = store_->get_manifest(repository, children[i]);
      EXPECT_TRUE(child && *child);
      m.content += (i ? "," : "") + descriptor(kManifestType, children[i], (*child)->size);
      m.manifests.push_back(children[i]);
    }
    m.content += "]}";
    m.digest = Digest::of(m.content);
    m.tag = tag;
    EXPECT_TRUE(store_->put_manifest(m));
    return m.digest;
  }

  PromotionResult promote(const std::string& source, const std::string& reference,
                          std::optional<std::string> tag = std::nullopt) {
    auto r = promoter_->promote({source, reference, "prod/app", std::move(tag), "release-bot", ""});
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : PromotionResult{};
  }

  bool has_reason_with(const PromotionResult& r, std::string_view text) {
    for (const std::string& reason : r.reasons) {
      if (reason.find(text) != std::string::npos) return true;
    }
    return false;
  }

  std::optional<VulnMatcher> matcher_;
  std::optional<PolicyEnforcer> enforcer_;
  std::optional<Promoter> promoter_;
  std::vector<std::pair<std::string, bool>> audited_;
};

TEST_F(PromoterTest, ACleanImageIsMountedAndTaggedInTheDestination) {
  const Digest digest = push_image("staging/app", "1.0", "goodlib", "1.0");
  PromotionResult r = promote("staging/app", "1.0");
  EXPECT_TRUE(r.allowed) << (r.reasons.empty() ? "" : r.reasons[0]);
  EXPECT_EQ(r.digest, digest.str());
  EXPECT_EQ(r.destination, "prod/app:1.0");
  EXPECT_EQ(r.outcome, "allow");
  EXPECT_FALSE(r.pending);
  EXPECT_EQ(r.policy, "defaults");
  auto tagged = store_->resolve_tag("prod/app", "1.0");
  ASSERT_OK(tagged);
  EXPECT_EQ(*tagged, digest);
  // Every blob of the image is linked in the destination (nothing was uploaded: the one blob
  // store holds each once).
  auto manifest = store_->get_manifest("prod/app", digest);
  ASSERT_OK(manifest);
  ASSERT_TRUE(manifest->has_value());
  auto source = store_->get_manifest("staging/app", digest);
  EXPECT_EQ((*manifest)->content, (*source)->content);
  // No quarantine left, the decision stored and allowing; scanned in the destination.
  auto manual = store_->get_manual_quarantine("prod/app", digest.str());
  ASSERT_OK(manual);
  EXPECT_FALSE(manual->has_value());
  auto decision = store_->get_image_policy("prod/app", digest.str());
  ASSERT_OK(decision);
  ASSERT_TRUE(decision->has_value());
  EXPECT_EQ((*decision)->outcome, "allow");
  auto inventory = store_->get_inventory("prod/app", digest.str());
  ASSERT_OK(inventory);
  EXPECT_TRUE(inventory->has_value());
  EXPECT_EQ(audited_, (std::vector<std::pair<std::string, bool>>{{"release-bot", true}}));
}

TEST_F(PromoterTest, AVulnerableImageIsRefusedAndLeavesNothingTagged) {
  const Digest digest = push_image("staging/app", "2.0", "badlib", "1.0");
  PromotionResult r = promote("staging/app", "2.0");
  EXPECT_FALSE(r.allowed);
  EXPECT_EQ(r.outcome, "block");
  EXPECT_TRUE(has_reason_with(r, "PYSEC-2099-1"))
      << (r.reasons.empty() ? "no reasons" : r.reasons[0]);
  auto tagged = store_->resolve_tag("prod/app", "2.0");
  ASSERT_OK(tagged);
  EXPECT_FALSE(tagged->has_value());
  auto manifest = store_->get_manifest("prod/app", digest);
  ASSERT_OK(manifest);
  EXPECT_FALSE(manifest->has_value()) << "the copy was not removed";
  // The generated SBOM referrers went with it.
  auto referrers = store_->list_referrers("prod/app", digest, std::nullopt);
  ASSERT_OK(referrers);
  EXPECT_TRUE(referrers->empty());
  // The source is untouched.
  auto source_tag = store_->resolve_tag("staging/app", "2.0");
  ASSERT_OK(source_tag);
  EXPECT_EQ(*source_tag, digest);
  EXPECT_EQ(audited_, (std::vector<std::pair<std::string, bool>>{{"release-bot", false}}));
}

TEST_F(PromoterTest, AnUnsignedImageIsRefusedWhereThePolicyRequiresASignature) {
  set_policy("project:prod", "version: 1\nprovenance:\n  - repositories: [\"prod/*\"]\n");
  push_image("staging/app", "3.0", "goodlib", "1.0");
  PromotionResult r = promote("staging/app", "3.0");
  EXPECT_FALSE(r.allowed);
  EXPECT_EQ(r.policy, "project:prod@1");
  EXPECT_TRUE(has_reason_with(r, "provenance"))
      << (r.reasons.empty() ? "no reasons" : r.reasons[0]);
  EXPECT_EQ(r.provenance.at("configured").as_bool(), false);
  auto tagged = store_->resolve_tag("prod/app", "3.0");
  ASSERT_OK(tagged);
  EXPECT_FALSE(tagged->has_value());
}

TEST_F(PromoterTest, SignaturesTravelWithTheImageGeneratedSbomsDoNot) {
  const Digest digest = push_image("staging/app", "4.0", "goodlib", "1.0");
  const std::string sig_tag = trust::cosign::tag_for(digest, trust::cosign::TagKind::kSignature);
  const Digest sig = put_manifest("staging/app", R"({"sig":1})", {"payload"}, sig_tag);
  const Digest bundle = put_manifest("staging/app", R"({"bundle":1})", {"bundle"}, "", digest);
  const Digest generated = put_manifest("staging/app", R"({"sbom":1})", {"sbom"}, "", digest,
                                        R"({"dev.bulwark.sbom.format":"cyclonedx-1.6"})");
  PromotionResult r = promote("staging/app", "sha256:" + digest.hex(), "stable");
  EXPECT_TRUE(r.allowed) << (r.reasons.empty() ? "" : r.reasons[0]);
  EXPECT_EQ(r.destination, "prod/app:stable");
  auto sig_in_prod = store_->resolve_tag("prod/app", sig_tag);
  ASSERT_OK(sig_in_prod);
  EXPECT_EQ(*sig_in_prod, sig);
  auto bundle_in_prod = store_->get_manifest("prod/app", bundle);
  ASSERT_OK(bundle_in_prod);
  EXPECT_TRUE(bundle_in_prod->has_value());
  auto generated_in_prod = store_->get_manifest("prod/app", generated);
  ASSERT_OK(generated_in_prod);
  EXPECT_FALSE(generated_in_prod->has_value());
  EXPECT_EQ(r.copied.size(), 3u);  // the image, its .sig and the bundle referrer
}

TEST_F(PromoterTest, AnIndexTravelsWithItsChildrenAndIsJudgedByThem) {
  const Digest good_a = push_image("staging/app", "", "goodlib", "1.0");
  const Digest good_b = push_image("staging/app", "", "otherlib", "1.0");
  const Digest index = push_index("staging/app", "multi", {good_a, good_b});
  PromotionResult r = promote("staging/app", "multi");
  EXPECT_TRUE(r.allowed) << (r.reasons.empty() ? "" : r.reasons[0]);
  auto tagged = store_->resolve_tag("prod/app", "multi");
  ASSERT_OK(tagged);
  EXPECT_EQ(*tagged, index);
  for (const Digest& child : {good_a, good_b}) {
    auto inventory = store_->get_inventory("prod/app", child.str());
    ASSERT_OK(inventory);
    EXPECT_TRUE(inventory->has_value()) << "child " << child.str() << " not scanned in prod";
  }

  const Digest bad = push_image("staging/app", "", "badlib", "1.0");
  const Digest bad_index = push_index("staging/app", "multi-bad", {good_a, bad});
  PromotionResult refused = promote("staging/app", "multi-bad");
  EXPECT_FALSE(refused.allowed);
  EXPECT_TRUE(has_reason_with(refused, "PYSEC-2099-1"));
  for (const Digest& gone : {bad_index, bad}) {
    auto manifest = store_->get_manifest("prod/app", gone);
    ASSERT_OK(manifest);
    EXPECT_FALSE(manifest->has_value()) << gone.str() << " was left in prod";
  }
  // The child the first promotion brought stays: it was there before.
  auto kept = store_->get_manifest("prod/app", good_a);
  ASSERT_OK(kept);
  EXPECT_TRUE(kept->has_value());
}

TEST_F(PromoterTest, AnOperatorsQuarantineIsNotLaundered) {
  const Digest digest = push_image("staging/app", "5.0", "goodlib", "1.0");
  ASSERT_OK(
      store_->add_manual_quarantine({"staging/app", digest.str(), "incident 42", "alice", 1}));
  PromotionResult r = promote("staging/app", "5.0");
  EXPECT_FALSE(r.allowed);
  EXPECT_TRUE(has_reason_with(r, "incident 42"));
  auto manifest = store_->get_manifest("prod/app", digest);
  ASSERT_OK(manifest);
  EXPECT_FALSE(manifest->has_value());
}

TEST_F(PromoterTest, BadRequestsAreErrors) {
  push_image("staging/app", "6.0", "goodlib", "1.0");
  auto missing = promoter_->promote({"staging/app", "nope", "prod/app", std::nullopt, "x", ""});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto same = promoter_->promote({"staging/app", "6.0", "staging/app", "7.0", "x", ""});
  ASSERT_FALSE(same);
  EXPECT_EQ(same.error().code, ErrorCode::kInvalidArgument);
  auto bad_name = promoter_->promote({"staging/app", "6.0", "Prod/../x", std::nullopt, "x", ""});
  ASSERT_FALSE(bad_name);
  EXPECT_TRUE(audited_.empty());
}

}  // namespace
}  // namespace bulwark::jobs
