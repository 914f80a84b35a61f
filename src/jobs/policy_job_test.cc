// The policy enforcer over real stores: facts gathered from the manifest, its config, its
// findings and its provenance; decisions stored; quarantine transitions reported; signatures and
// other artifacts never judged; policy changes re-queue every image.
#include "jobs/policy_job.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/clock.h"
#include "jobs/jobs_testing.h"
#include "policy/enforcement.h"

namespace bulwark::jobs {
namespace {

constexpr std::string_view kManifestType = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kLayerType = "application/vnd.oci.image.layer.v1.tar+gzip";

using testing::descriptor;

class PolicyEnforcerTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    add_projects({{"dev", metadata::Environment::kDevelopment},
                  {"prod", metadata::Environment::kProduction}});
    enforcer_.emplace(
        PolicyEnforcerStores{*blobs_, *store_, *store_, nullptr, *store_, *store_, *store_}, "",
        [this](const PolicyTransition& t) { transitions_.push_back(t); });
  }

  // Stores an image with one layer and a config carrying `labels_json` (a JSON object).
  std::string push_image(const std::string& repository, std::string_view seed,
                         const std::string& labels_json = "{}",
                         std::string_view layer_type = kLayerType, std::string pusher = "alice") {
    const std::string config = R"({"architecture":"amd64","os":"linux","config":{"Labels":)" +
                               labels_json + R"(},"seed":")" + std::string(seed) + "\"}";
    const std::string layer = "layer of " + std::string(seed);
    const Digest config_digest = put_blob(repository, config);
    const Digest layer_digest = put_blob(repository, layer);
    metadata::ManifestPut m;
    m.repository = repository;
    m.media_type = std::string(kManifestType);
    m.artifact_type = "application/vnd.oci.image.config.v1+json";
    m.content =
        R"({"schemaVersion":2,"mediaType":")" + std::string(kManifestType) + R"(","config":)" +
        descriptor("application/vnd.oci.image.config.v1+json", config_digest, config.size()) +
        R"(,"layers":[)" + descriptor(layer_type, layer_digest, layer.size()) +
        R"(],"annotations":{"org.example.team":"payments"}})";
    m.digest = Digest::of(m.content);
    m.blobs = {config_digest, layer_digest};
    m.pusher = std::move(pusher);
    EXPECT_TRUE(store_->put_manifest(m));
    layers_[m.digest.str()] = layer_digest.str();
    return m.digest.str();
  }

  // Records a match of `digest` with the given findings (vulnerability, severity, fixed, kev).
  struct Vuln {
    std::string id;
    std::string severity;
    std::string fixed;
    bool kev = false;
  };
  void record_match(const std::string& repository, const std::string& digest,
                    const std::vector<Vuln>& vulns) {
    ASSERT_OK(store_->put_image_packages(repository, digest, "debian:12", {}));
    metadata::ImageMatch match{repository, digest, 1, {}, {}};
    for (const Vuln& v : vulns) {
      boost::json::object detail{
          {"vulnerability", v.id},
          {"aliases", boost::json::array{}},
          {"kev", v.kev ? boost::json::value(boost::json::object{{"dueDate", "2026-01-01"}})
                        : boost::json::value(nullptr)},
          {"epss", nullptr}};
      metadata::FindingRecord f;
      f.vulnerability = v.id;
      f.package_type = "deb";
      f.package_name = "openssl";
      f.installed_version = "3.0.1";
      f.severity = v.severity;
      f.fixed_version = v.fixed;
      f.detail_json = boost::json::serialize(detail);
      match.findings.push_back(std::move(f));
    }
    ASSERT_OK(store_->record_matches(std::vector<metadata::ImageMatch>{match}, unix_seconds(), {}));
  }

  metadata::ImagePolicyRecord evaluate(const std::string& repository, const std::string& digest) {
    auto r = enforcer_->evaluate(repository, digest);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    EXPECT_TRUE(r && r->has_value());
    return r && *r ? **r : metadata::ImagePolicyRecord{};
  }

  std::optional<PolicyEnforcer> enforcer_;
  std::vector<PolicyTransition> transitions_;
  std::map<std::string, std::string> layers_;
};

TEST_F(PolicyEnforcerTest, FactsComeFromTheManifestConfigAndFindings) {
  const std::string digest =
      push_image("dev/app", "a", R"({"org.opencontainers.image.source":"https://x"})");
  record_match("dev/app", digest, {{"CVE-2026-1", "high", "3.0.2", true}});
  auto facts = enforcer_->facts("dev/app", digest);
  ASSERT_OK(facts);
  EXPECT_TRUE(facts->scanned);
  EXPECT_EQ(facts->layers, std::vector<std::string>{layers_[digest]});
  EXPECT_EQ(facts->labels.at("org.opencontainers.image.source"), "https://x");
  EXPECT_EQ(facts->annotations.at("org.example.team"), "payments");
  ASSERT_EQ(facts->findings.size(), 1u);
  EXPECT_EQ(facts->findings[0].vulnerability, "CVE-2026-1");
  EXPECT_EQ(facts->findings[0].severity, policy::Severity::kHigh);
  EXPECT_TRUE(facts->findings[0].fix_available);
  EXPECT_TRUE(facts->findings[0].known_exploited);
  // Verification is not configured: known, with nothing verified and the reason why.
  EXPECT_TRUE(facts->provenance.known);
  EXPECT_TRUE(facts->provenance.signatures.empty());
  EXPECT_NE(facts->provenance.unsigned_reason.find("not configured"), std::string::npos);
}

TEST_F(PolicyEnforcerTest, CriticalFindingQuarantinesAndAnExceptionReleasesUntilItExpires) {
  const std::string digest = push_image("dev/app", "b");
  record_match("dev/app", digest, {{"CVE-2026-2", "critical", "3.0.2"}});
  metadata::ImagePolicyRecord blocked = evaluate("dev/app", digest);
  EXPECT_EQ(blocked.outcome, "block");
  EXPECT_EQ(blocked.policy, "defaults");
  policy::ImageStatus status = policy::image_status(blocked, std::nullopt);
  EXPECT_TRUE(status.quarantined);
  ASSERT_FALSE(status.reasons.empty());
  EXPECT_NE(status.reasons[0].find("CVE-2026-2"), std::string::npos) << status.reasons[0];
  ASSERT_EQ(transitions_.size(), 1u);
  EXPECT_TRUE(transitions_[0].quarantined);

  const int64_t expires = unix_seconds() + 3600;
  set_policy("project:dev",
             "version: 1\nexceptions:\n  - vulnerability: CVE-2026-2\n"
             "    justification: not reachable\n    approver: bob\n"
             "    expires: " +
                 rfc3339_utc(expires) + "\n");
  metadata::ImagePolicyRecord released = evaluate("dev/app", digest);
  EXPECT_EQ(released.outcome, "allow");
  EXPECT_EQ(released.policy, "project:dev@1");
  status = policy::image_status(released, std::nullopt);
  EXPECT_FALSE(status.quarantined);
  EXPECT_EQ(status.valid_until, expires);  // the gate evaluates again when the exception ends
  ASSERT_EQ(transitions_.size(), 2u);
  EXPECT_FALSE(transitions_[1].quarantined);
  // Evaluating again without a change reports no transition.
  evaluate("dev/app", digest);
  EXPECT_EQ(transitions_.size(), 2u);
}

TEST_F(PolicyEnforcerTest, HighFindingBlocksOnlyInProduction) {
  const std::string dev = push_image("dev/app", "c");
  const std::string prod = push_image("prod/app", "c");
  record_match("dev/app", dev, {{"CVE-2026-3", "high", "3.0.2"}});
  record_match("prod/app", prod, {{"CVE-2026-3", "high", "3.0.2"}});
  EXPECT_EQ(evaluate("dev/app", dev).outcome, "flag");
  EXPECT_EQ(evaluate("prod/app", prod).outcome, "block");
  EXPECT_TRUE(transitions_.size() == 1u && transitions_[0].decision.repository == "prod/app");
}

TEST_F(PolicyEnforcerTest, UnscannedImageIsPending) {
  const std::string digest = push_image("prod/app", "d");
  metadata::ImagePolicyRecord pending = evaluate("prod/app", digest);
  EXPECT_TRUE(pending.pending);
  // Production's default while a scan is pending is to refuse.
  EXPECT_TRUE(policy::image_status(pending, std::nullopt).quarantined);
}

TEST_F(PolicyEnforcerTest, SignaturesAndArtifactsAreNotJudged) {
  const std::string signature =
      push_image("dev/app", "sig", "{}", "application/vnd.dev.cosign.simplesigning.v1+json");
  auto r = enforcer_->evaluate("dev/app", signature);
  ASSERT_OK(r);
  EXPECT_FALSE(r->has_value());
  auto stored = store_->get_image_policy("dev/app", signature);
  ASSERT_OK(stored);
  EXPECT_FALSE(stored->has_value());
  // Gone manifests neither.
  auto gone = enforcer_->evaluate("dev/app", "sha256:" + std::string(64, '0'));
  ASSERT_OK(gone);
  EXPECT_FALSE(gone->has_value());
}

TEST_F(PolicyEnforcerTest, PusherIsRecordedOnceAndPolicyChangesRequeueEveryImage) {
  const std::string a = push_image("dev/app", "e", "{}", kLayerType, "alice");
  const std::string b = push_image("prod/app", "f", "{}", kLayerType, "carol");
  EXPECT_EQ(*store_->manifest_pusher("dev/app", a), "alice");
  push_image("dev/app", "e", "{}", kLayerType, "mallory");  // the same bytes again
  EXPECT_EQ(*store_->manifest_pusher("dev/app", a), "alice");

  auto queued_jobs = [&] {
    std::set<std::string> seen;
    while (auto job = store_->claim_job(unix_seconds(), 60)) {
      if (!*job) break;
      if ((*job)->kind == kPolicyJob) seen.insert((*job)->repository + "@" + (*job)->digest);
      EXPECT_TRUE(store_->complete_job((*job)->id));
    }
    return seen;
  };
  const std::set<std::string> both{"dev/app@" + a, "prod/app@" + b};
  // The first call queues everything: documents may have changed while no server watched.
  auto first = enforcer_->requeue_if_changed(*store_);
  ASSERT_OK(first);
  EXPECT_EQ(*first, 2u);
  EXPECT_EQ(queued_jobs(), both);
  auto unchanged = enforcer_->requeue_if_changed(*store_);
  ASSERT_OK(unchanged);
  EXPECT_EQ(*unchanged, 0u);
  set_policy("environment:production", "version: 1\n");
  auto queued = enforcer_->requeue_if_changed(*store_);
  ASSERT_OK(queued);
  EXPECT_EQ(*queued, 2u);
  EXPECT_EQ(queued_jobs(), both);
  auto again = enforcer_->requeue_if_changed(*store_);
  ASSERT_OK(again);
  EXPECT_EQ(*again, 0u);
}

TEST_F(PolicyEnforcerTest, PlatformsAreSignedThroughTheirIndex) {
  PolicyEnforcer verified({*blobs_, *store_, *store_, store_.get(), *store_, *store_, *store_},
                          "fp");
  set_policy("project:dev", "version: 1\nprovenance:\n  - repositories: [\"dev/*\"]\n");
  const std::string child = push_image("dev/multi", "amd64");
  record_match("dev/multi", child, {});
  metadata::ManifestPut index;
  index.repository = "dev/multi";
  index.media_type = "application/vnd.oci.image.index.v1+json";
  index.content = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",)"
                  R"("manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
                  R"("digest":")" +
                  child + R"(","size":10}]})";
  index.digest = Digest::of(index.content);
  index.manifests = {*Digest::parse(child)};
  ASSERT_OK(store_->put_manifest(index));
  auto status = [&](const std::string& digest, bool signed_, std::string detail) {
    ASSERT_OK(store_->put_provenance(
        {"dev/multi", digest, "fp", signed_, signed_ ? "verified" : "no_signature", detail, 1}));
  };
  status(child, false, R"({"signatures":[]})");
  status(index.digest.str(), false, R"({"signatures":[]})");
  ASSERT_OK(verified.evaluate("dev/multi", index.digest.str()));
  auto child_decision = store_->get_image_policy("dev/multi", child);
  ASSERT_OK(child_decision);
  ASSERT_TRUE(child_decision->has_value());
  EXPECT_EQ((*child_decision)->outcome, "block");  // nothing verified anywhere

  status(
      index.digest.str(), true,
      R"({"signatures":[{"format":"cosign","verified":true,"signer":"sha256:abc","issuer":""}]})");
  auto index_decision = verified.evaluate("dev/multi", index.digest.str());
  ASSERT_OK(index_decision);
  EXPECT_EQ((*index_decision)->outcome, "allow");
  child_decision = store_->get_image_policy("dev/multi", child);
  ASSERT_OK(child_decision);
  EXPECT_EQ((*child_decision)->outcome, "allow");  // re-decided with its index's signature
  auto facts = verified.facts("dev/multi", child);
  ASSERT_OK(facts);
  ASSERT_EQ(facts->provenance.signatures.size(), 1u);
  EXPECT_EQ(facts->provenance.signatures[0].signer, "sha256:abc");
}

}  // namespace
}  // namespace bulwark::jobs
