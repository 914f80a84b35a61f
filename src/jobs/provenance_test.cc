// The server's provenance pieces: the `trust:` configuration section, loading it (files checked,
// fingerprint), rule matching, and the verifier storing statuses in a real SQLite store.
#include <gtest/gtest.h>

#include <fstream>

#include <boost/json.hpp>

#include "common/clock.h"
#include "common/config.h"
#include "common/glob.h"
#include "common/temp_dir.h"
#include "jobs/provenance_config.h"
#include "jobs/provenance_job.h"
#include "metadata/sqlite/sqlite_metadata_store.h"
#include "metadata/store_backend.h"
#include "storage/fs/fs_blob_store.h"
#include "trust/keys.h"

namespace bulwark::jobs {
namespace {

void write(const std::string& path, std::string_view text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::string public_pem() {
  auto key = trust::PrivateKey::generate(trust::KeyType::kEcdsaP256);
  EXPECT_TRUE(key.has_value());
  return key->public_key().pem();
}

Result<Config> parse(const std::string& yaml) {
  Config config;
  BULWARK_TRY_VOID(apply_config_yaml(config, yaml));
  return config;
}

// --- configuration --------------------------------------------------------------------------

TEST(TrustConfig, ParsesRulesIdentitiesAndNotation) {
  auto config = parse(R"(
trust:
  trusted_root: /etc/bulwark/trusted_root.json
  rules:
    - repositories: ["prod/*", "release/app"]
      identities:
        - identity: ci@example.com
          issuer: https://accounts.example.com
        - identity_regexp: "^https://github.com/acme/.*$"
          issuer_regexp: "^https://token\\.actions\\..*$"
      attestations: [slsaprovenance, https://example.com/custom/v1]
    - repositories: "*"
      keys: [/keys/a.pub, /keys/b.pub]
      require_tlog: true
  notation:
    trust_policy: /etc/notation/trustpolicy.json
    trust_store: /etc/notation/truststore
)");
  ASSERT_TRUE(config) << config.error().message;
  const TrustConfig& t = config->trust;
  EXPECT_EQ(t.trusted_root, "/etc/bulwark/trusted_root.json");
  ASSERT_EQ(t.rules.size(), 2u);
  EXPECT_EQ(t.rules[0].repositories, (std::vector<std::string>{"prod/*", "release/app"}));
  ASSERT_EQ(t.rules[0].identities.size(), 2u);
  EXPECT_EQ(t.rules[0].identities[0].identity, "ci@example.com");
  EXPECT_EQ(t.rules[0].identities[0].issuer, "https://accounts.example.com");
  EXPECT_EQ(t.rules[0].identities[1].identity_regexp, "^https://github.com/acme/.*$");
  EXPECT_EQ(t.rules[0].identities[1].issuer_regexp, "^https://token\\.actions\\..*$");
  EXPECT_FALSE(t.rules[0].require_tlog.has_value());
  EXPECT_EQ(t.rules[0].attestations,
            (std::vector<std::string>{"slsaprovenance", "https://example.com/custom/v1"}));
  EXPECT_EQ(t.rules[1].repositories, (std::vector<std::string>{"*"}));
  EXPECT_EQ(t.rules[1].keys, (std::vector<std::string>{"/keys/a.pub", "/keys/b.pub"}));
  EXPECT_EQ(t.rules[1].require_tlog, std::optional<bool>(true));
  EXPECT_EQ(t.notation_trust_policy, "/etc/notation/trustpolicy.json");
  EXPECT_EQ(t.notation_trust_store, "/etc/notation/truststore");
  EXPECT_TRUE(t.configured());
  EXPECT_FALSE(Config{}.trust.configured());
}

TEST(TrustConfig, RefusesMalformedSections) {
  struct Case {
    const char* yaml;
    const char* says;  // part of the error message
  };
  const Case cases[] = {
      {"trust:\n  rule: []\n", "trust.rule"},
      {"trust:\n  rules:\n    - keys: [a.pub]\n", "trust.rules[0].repositories is required"},
      {"trust:\n  rules:\n    - repositories: []\n      keys: [a.pub]\n", "at least one"},
      {"trust:\n  rules:\n    - repositories: '*'\n      keys: [a.pub]\n      identities:\n"
       "        - {identity: a, issuer: b}\n",
       "give one or the other"},
      {"trust:\n  rules:\n    - repositories: '*'\n      identities:\n        - {identity: a}\n",
       "needs issuer or issuer_regexp"},
      {"trust:\n  rules:\n    - repositories: '*'\n      identities:\n"
       "        - {identity: a, identity_regexp: b, issuer: c}\n",
       "both set"},
      {"trust:\n  rules:\n    - repositories: '*'\n      keys: [a.pub]\n      require_tlog: yes please\n",
       "true or false"},
      {"trust:\n  rules:\n    - repositories: '*'\n      key: a.pub\n", "trust.rules[0].key"},
      {"trust:\n  notation:\n    trust_policy: p.json\n", "needs both"},
      {"trust:\n  rules: {repositories: '*'}\n", "must be a list"},
  };
  for (const Case& c : cases) {
    auto config = parse(c.yaml);
    ASSERT_FALSE(config) << c.yaml;
    EXPECT_NE(config.error().message.find(c.says), std::string::npos)
        << c.yaml << " -> " << config.error().message;
  }
}

TEST(TrustConfig, EnvironmentSetsFilesButKeepsRules) {
  auto config = parse("trust:\n  rules:\n    - repositories: '*'\n      keys: [a.pub]\n");
  ASSERT_TRUE(config);
  ASSERT_TRUE(apply_config_env(*config, {{"BULWARK_TRUSTED_ROOT", "/root.json"},
                                         {"BULWARK_NOTATION_TRUST_POLICY", "/p.json"},
                                         {"BULWARK_NOTATION_TRUST_STORE", "/store"}}));
  EXPECT_EQ(config->trust.trusted_root, "/root.json");
  EXPECT_EQ(config->trust.notation_trust_policy, "/p.json");
  EXPECT_EQ(config->trust.notation_trust_store, "/store");
  EXPECT_EQ(config->trust.rules.size(), 1u);
}

// --- rules ----------------------------------------------------------------------------------

TEST(ProvenanceRules, GlobMatching) {
  struct Case {
    const char* pattern;
    const char* repository;
    bool matches;
  };
  const Case cases[] = {
      {"*", "app", true},
      {"*", "team/app", true},
      {"prod/*", "prod/app", true},
      {"prod/*", "prod/team/app", true},
      {"prod/*", "prod", false},
      {"prod/*", "production/app", false},
      {"prod/*", "staging/prod/app", false},
      {"*/app", "team/app", true},
      {"*/app", "team/app2", false},
      {"team/*-svc", "team/pay-svc", true},
      {"team/*-svc", "team/pay-svc-old", false},
      {"a*b*c", "aXbYc", true},
      {"a*b*c", "aXbY", false},
      {"exact", "exact", true},
      {"exact", "exactly", false},
      {"", "", true},
      {"", "a", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(glob_match(c.pattern, c.repository), c.matches)
        << c.pattern << " vs " << c.repository;
  }
}

class ProvenanceLoad : public testing::Test {
 protected:
  void SetUp() override {
    key_a_ = dir_.file("a.pub");
    key_b_ = dir_.file("b.pub");
    write(key_a_, public_pem());
    write(key_b_, public_pem());
  }
  TrustConfig rules(std::vector<TrustRuleConfig> list) {
    TrustConfig config;
    config.rules = std::move(list);
    return config;
  }
  TrustRuleConfig key_rule(std::string pattern, std::string key) {
    TrustRuleConfig rule;
    rule.repositories = {std::move(pattern)};
    rule.keys = {std::move(key)};
    return rule;
  }
  TempDir dir_;
  std::string key_a_, key_b_;
};

TEST_F(ProvenanceLoad, FirstMatchingRuleApplies) {
  auto trust = load_provenance_trust(
      rules({key_rule("prod/*", key_a_), key_rule("*", key_b_), key_rule("prod/app", key_b_)}));
  ASSERT_TRUE(trust) << trust.error().message;
  ASSERT_NE(trust->rule_for("prod/app"), nullptr);
  EXPECT_EQ(trust->rule_for("prod/app")->index, 0u);
  EXPECT_EQ(trust->rule_for("dev/app")->index, 1u);
  auto only_prod = load_provenance_trust(rules({key_rule("prod/*", key_a_)}));
  ASSERT_TRUE(only_prod);
  EXPECT_EQ(only_prod->rule_for("dev/app"), nullptr);
  EXPECT_TRUE(only_prod->enabled());
  // Key-based rules need no transparency log unless asked; keyless ones do.
  EXPECT_EQ(only_prod->rules[0].sigstore.tlog_threshold, 0u);
  EXPECT_EQ(only_prod->rules[0].sigstore.keys.size(), 1u);
}

TEST_F(ProvenanceLoad, RefusesBadFilesNamingTheKey) {
  write(dir_.file("junk.pub"), "not a key");
  struct Case {
    TrustConfig config;
    const char* says;
  };
  TrustRuleConfig keyless;
  keyless.repositories = {"*"};
  keyless.identities = {TrustIdentityConfig{"a@example.com", "", "https://issuer", ""}};
  TrustRuleConfig bad_regex = keyless;
  bad_regex.identities = {TrustIdentityConfig{"", "(unclosed", "https://issuer", ""}};
  TrustRuleConfig bad_type = key_rule("*", key_a_);
  bad_type.attestations = {"no-such-type"};
  TrustConfig missing_root;
  missing_root.trusted_root = dir_.file("nope.json");
  TrustConfig bad_root;
  write(dir_.file("root.json"), "{}");
  bad_root.trusted_root = dir_.file("root.json");
  TrustConfig notation;
  write(dir_.file("policy.json"), "{\"version\":\"1.0\"}");
  notation.notation_trust_policy = dir_.file("policy.json");
  notation.notation_trust_store = dir_.file("no-store");
  const Case cases[] = {
      {rules({key_rule("*", dir_.file("missing.pub"))}), "trust.rules[0].keys[0]"},
      {rules({key_rule("*", dir_.file("junk.pub"))}), "junk.pub"},
      {rules({key_rule("*", key_a_), key_rule("x", dir_.file("junk.pub"))}),
       "trust.rules[1].keys[0]"},
      {rules({keyless}), "need trust.trusted_root"},
      {rules({bad_regex}), "regular expression"},
      {rules({bad_type}), "no-such-type"},
      {missing_root, "trust.trusted_root"},
      {bad_root, "trust.trusted_root"},
      {notation, "trust.notation"},
  };
  for (const Case& c : cases) {
    auto trust = load_provenance_trust(c.config);
    ASSERT_FALSE(trust) << c.says;
    EXPECT_NE(trust.error().message.find(c.says), std::string::npos) << trust.error().message;
  }
}

TEST_F(ProvenanceLoad, FingerprintFollowsContentNotPaths) {
  auto fingerprint = [&](const TrustConfig& config) {
    auto trust = load_provenance_trust(config);
    EXPECT_TRUE(trust) << trust.error().message;
    return trust ? trust->fingerprint : std::string();
  };
  const std::string base = fingerprint(rules({key_rule("prod/*", key_a_)}));
  EXPECT_EQ(base.rfind("sha256:", 0), 0u);
  EXPECT_EQ(base.size(), 7u + 64u);
  EXPECT_EQ(fingerprint(rules({key_rule("prod/*", key_a_)})), base);  // deterministic
  // The same key bytes elsewhere: the same configuration.
  std::ifstream in(key_a_);
  std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  write(dir_.file("copy.pub"), pem);
  EXPECT_EQ(fingerprint(rules({key_rule("prod/*", dir_.file("copy.pub"))})), base);
  // Another key, another pattern, another tlog requirement, an attestation: all differ.
  EXPECT_NE(fingerprint(rules({key_rule("prod/*", key_b_)})), base);
  EXPECT_NE(fingerprint(rules({key_rule("prod/**", key_a_)})), base);
  TrustRuleConfig tlog = key_rule("prod/*", key_a_);
  tlog.require_tlog = true;
  EXPECT_NE(fingerprint(rules({tlog})), base);
  TrustRuleConfig attest = key_rule("prod/*", key_a_);
  attest.attestations = {"slsaprovenance"};
  EXPECT_NE(fingerprint(rules({attest})), base);
  // The key file rewritten in place with another key: differs (content, not path).
  write(key_a_, public_pem());
  EXPECT_NE(fingerprint(rules({key_rule("prod/*", key_a_)})), base);
  // Rule order matters (first match wins).
  EXPECT_NE(fingerprint(rules({key_rule("a", key_b_), key_rule("b", key_b_)})),
            fingerprint(rules({key_rule("b", key_b_), key_rule("a", key_b_)})));
}

// --- the verifier over real stores -----------------------------------------------------------

class ProvenanceStoreTest : public ProvenanceLoad {
 protected:
  void SetUp() override {
    ProvenanceLoad::SetUp();
    metadata_ = std::move(*metadata::SqliteMetadataStore::open(dir_.file("m.db")));
    blobs_ = std::move(*storage::FsBlobStore::open(dir_.file("blobs")));
  }
  // Stores an image manifest (its config blob too) in `repository`, optionally under `tag`.
  Digest push_image(const std::string& repository, std::string_view seed,
                    std::optional<std::string> tag = std::nullopt) {
    const std::string config = R"({"architecture":"amd64","os":"linux","seed":")" +
                               std::string(seed) + "\"}";
    const Digest config_digest = Digest::of(config);
    EXPECT_TRUE(blobs_->put(config_digest, config));
    EXPECT_TRUE(metadata_->link_blob(repository, config_digest, config.size()));
    metadata::ManifestPut m;
    m.repository = repository;
    m.media_type = "application/vnd.oci.image.manifest.v1+json";
    m.artifact_type = "application/vnd.oci.image.config.v1+json";
    m.content = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
                R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
                config_digest.str() + R"(","size":)" + std::to_string(config.size()) +
                R"(},"layers":[]})";
    m.digest = Digest::of(m.content);
    m.blobs = {config_digest};
    m.tag = std::move(tag);
    EXPECT_TRUE(metadata_->put_manifest(m));
    return m.digest;
  }
  std::unique_ptr<metadata::SqliteMetadataStore> metadata_;
  std::unique_ptr<storage::FsBlobStore> blobs_;
};

TEST_F(ProvenanceStoreTest, UnsignedImageIsStoredUnverifiedAndCached) {
  auto loaded = load_provenance_trust(rules({key_rule("prod/*", key_a_)}));
  ASSERT_TRUE(loaded);
  auto trust = std::make_shared<const ProvenanceTrust>(std::move(*loaded));
  ProvenanceVerifier verifier(*blobs_, *metadata_, *metadata_, trust);
  const Digest image = push_image("prod/app", "1");

  auto status = verifier.refresh("prod/app", image.str());
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_FALSE(status->verified);
  EXPECT_EQ(status->reason, "no_signature");
  EXPECT_EQ(status->trust_fingerprint, trust->fingerprint);
  auto stored = metadata_->get_provenance("prod/app", image.str());
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->reason, "no_signature");
  auto detail = boost::json::parse((*stored)->detail_json).as_object();
  EXPECT_EQ(detail["digest"].as_string(), image.str());
  EXPECT_EQ(detail["verified"].as_bool(), false);
  EXPECT_EQ(detail["rule"].as_int64(), 0);
  EXPECT_TRUE(detail["signatures"].as_array().empty());

  // Asked again: answered from the cache, not verified again.
  const uint64_t misses = verifier.cache().misses();
  ASSERT_TRUE(verifier.status("prod/app", image.str()));
  ASSERT_TRUE(verifier.status("prod/app", image.str()));
  EXPECT_EQ(verifier.cache().misses(), misses);
  EXPECT_GE(verifier.cache().hits(), 2u);
  // A refresh (the job after a signature push) verifies again.
  ASSERT_TRUE(verifier.refresh("prod/app", image.str()));
  EXPECT_EQ(verifier.cache().misses(), misses + 1);
}

TEST_F(ProvenanceStoreTest, RepositoryWithoutRuleIsUnverifiedWithoutLookingFurther) {
  auto loaded = load_provenance_trust(rules({key_rule("prod/*", key_a_)}));
  ASSERT_TRUE(loaded);
  ProvenanceVerifier verifier(*blobs_, *metadata_, *metadata_,
                              std::make_shared<const ProvenanceTrust>(std::move(*loaded)));
  const Digest image = push_image("dev/app", "1");
  auto status = verifier.refresh("dev/app", image.str());
  ASSERT_TRUE(status);
  EXPECT_FALSE(status->verified);
  EXPECT_EQ(status->reason, kNoTrustRule);
  // A manifest that is not stored: nothing stored, no error.
  const std::string gone = Digest::of("gone").str();
  ASSERT_TRUE(verifier.refresh("dev/app", gone));
  auto stored = metadata_->get_provenance("dev/app", gone);
  ASSERT_TRUE(stored);
  EXPECT_FALSE(stored->has_value());
}

TEST_F(ProvenanceStoreTest, ChangedConfigurationQueuesEveryImageAgain) {
  auto first = load_provenance_trust(rules({key_rule("*", key_a_)}));
  auto second = load_provenance_trust(rules({key_rule("*", key_b_)}));
  ASSERT_TRUE(first && second);
  ASSERT_NE(first->fingerprint, second->fingerprint);
  ProvenanceVerifier before(*blobs_, *metadata_, *metadata_,
                            std::make_shared<const ProvenanceTrust>(std::move(*first)));
  const Digest a = push_image("team/a", "a");
  const Digest b = push_image("team/b", "b");
  // A signature manifest under cosign's tag is not an image.
  push_image("team/a", "sig", "sha256-" + a.hex() + ".sig");

  // Nothing verified yet: both images are stale, the signature manifest is not listed.
  EXPECT_EQ(*before.queue_stale(*metadata_), 2u);
  for (int i = 0; i < 2; ++i) {
    auto job = metadata_->claim_job(unix_seconds() + 1, 60);
    ASSERT_TRUE(job && job->has_value());
    EXPECT_EQ((*job)->kind, kProvenanceJob);
    ASSERT_TRUE(before.refresh((*job)->repository, (*job)->digest));
    ASSERT_TRUE(metadata_->complete_job((*job)->id));
  }
  EXPECT_EQ(*before.queue_stale(*metadata_), 0u);  // all current

  // Restarted with another key: every image is behind the new fingerprint.
  ProvenanceVerifier after(*blobs_, *metadata_, *metadata_,
                           std::make_shared<const ProvenanceTrust>(std::move(*second)));
  std::string cursor;
  auto page = metadata_->list_images_to_verify(after.fingerprint(), cursor, 1);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_FALSE(cursor.empty());
  auto rest = metadata_->list_images_to_verify(after.fingerprint(), cursor, 10);
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_TRUE(cursor.empty());
  EXPECT_NE((*page)[0].digest, (*rest)[0].digest);
  EXPECT_EQ(*after.queue_stale(*metadata_), 2u);
}

TEST(ProvenanceJobs, SignaturePushQueuesTheSubjectEvenWhileItsJobRuns) {
  TempDir dir;
  auto store = std::move(*metadata::SqliteMetadataStore::open(dir.file("m.db")));
  metadata::ManifestPut image;
  image.repository = "team/app";
  image.media_type = "application/vnd.oci.image.manifest.v1+json";
  image.content = R"({"schemaVersion":2,"seed":"image"})";
  image.digest = Digest::of(image.content);
  image.jobs = {std::string(kProvenanceJob)};
  ASSERT_OK(store->put_manifest(image));
  auto running = store->claim_job(unix_seconds() + 1, 600);
  ASSERT_TRUE(running && running->has_value());

  // The image's job is running (it may have read the signatures already): a signature pushed
  // now queues another one for the image.
  metadata::ManifestPut signature;
  signature.repository = "team/app";
  signature.media_type = "application/vnd.oci.image.manifest.v1+json";
  signature.content = R"({"schemaVersion":2,"seed":"signature"})";
  signature.digest = Digest::of(signature.content);
  signature.related_jobs = {{std::string(kProvenanceJob), image.digest}};
  ASSERT_OK(store->put_manifest(signature));
  ASSERT_OK(store->put_manifest(signature));  // queued already: not twice
  auto next = store->claim_job(unix_seconds() + 1, 600);
  ASSERT_TRUE(next && next->has_value());
  EXPECT_EQ((*next)->digest, image.digest.str());
  EXPECT_NE((*next)->id, (*running)->id);
  auto none = store->claim_job(unix_seconds() + 1, 600);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

}  // namespace
}  // namespace bulwark::jobs
