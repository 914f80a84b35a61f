// Image-level provenance over an in-memory ArtifactStore that behaves like a registry (tags,
// manifests by digest, blobs, a referrers index built from pushed subjects, or none at all when
// it plays a registry without the referrers API): what sign_image/attest_image write is what
// find_signatures finds and verify_image accepts, and changes to it are refused.
#include <gtest/gtest.h>

#include <map>
#include <boost/json.hpp>

#include "common/strict_json.h"
#include "oci/media_types.h"
#include "trust/cosign_layout.h"
#include "trust/image_signing.h"
#include "trust/image_verify.h"
#include "trust/intoto.h"

namespace bulwark::trust {
namespace {

namespace json = boost::json;

class MemoryStore final : public ArtifactStore {
 public:
  explicit MemoryStore(bool referrers_api) : referrers_api_(referrers_api) {}

  Result<std::optional<std::string>> manifest_by_tag(std::string_view tag) override {
    auto it = tags_.find(std::string(tag));
    if (it == tags_.end()) return std::optional<std::string>();
    return std::optional<std::string>(manifests_.at(it->second));
  }
  Result<std::string> manifest(const Digest& digest) override {
    auto it = manifests_.find(digest.str());
    if (it == manifests_.end()) return fail(ErrorCode::kNotFound, "no manifest " + digest.str());
    return it->second;
  }
  Result<std::string> blob(const Digest& digest, uint64_t max_bytes) override {
    auto it = blobs_.find(digest.str());
    if (it == blobs_.end()) return fail(ErrorCode::kNotFound, "no blob " + digest.str());
    if (it->second.size() > max_bytes) return fail(ErrorCode::kTooLarge, "blob too large");
    return it->second;
  }
  Result<std::string> referrers(const Digest& subject) override {
    json::array manifests;
    if (referrers_api_) {
      for (const auto& [digest, bytes] : manifests_) {
        json::value doc = *parse_strict_json(bytes);
        const json::value* s = doc.as_object().if_contains("subject");
        if (s == nullptr || s->as_object().at("digest").as_string() != subject.str()) continue;
        json::object entry{{"mediaType", oci::media::kOciManifest}, {"digest", digest},
                           {"size", bytes.size()}};
        if (const json::value* a = doc.as_object().if_contains("artifactType")) {
          entry["artifactType"] = *a;
        }
        if (const json::value* a = doc.as_object().if_contains("annotations")) {
          entry["annotations"] = *a;
        }
        manifests.push_back(std::move(entry));
      }
    } else if (auto fallback = manifest_by_tag(cosign::tag_for(subject, cosign::TagKind::kReferrersFallback));
               *fallback) {
      return **fallback;
    }
    return json::serialize(json::object{{"schemaVersion", 2}, {"mediaType", oci::media::kOciIndex},
                                        {"manifests", std::move(manifests)}});
  }
  Result<void> push_blob(std::string_view bytes) override {
    blobs_[Digest::of(bytes).str()] = std::string(bytes);
    return ok();
  }
  Result<bool> push_manifest(std::string_view tag, std::string_view, std::string_view bytes) override {
    const std::string digest = Digest::of(bytes).str();
    manifests_[digest] = std::string(bytes);
    if (!tag.empty()) tags_[std::string(tag)] = digest;
    return referrers_api_ && bytes.find("\"subject\"") != std::string_view::npos;
  }

  std::map<std::string, std::string>& blobs() { return blobs_; }
  std::map<std::string, std::string>& tags() { return tags_; }

 private:
  bool referrers_api_;
  std::map<std::string, std::string> manifests_;  // digest -> bytes
  std::map<std::string, std::string> blobs_;      // digest -> bytes
  std::map<std::string, std::string> tags_;       // tag -> digest
};

constexpr std::string_view kImageManifest =
    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]})";

class ImageProvenance : public ::testing::Test {
 protected:
  void SetUp() override {
    image_.repository = "registry.example.com/demo/app";
    image_.media_type = std::string(oci::media::kOciManifest);
    image_.digest = Digest::of(kImageManifest);
    image_.size = kImageManifest.size();
    key_ = PrivateKey::generate(KeyType::kEcdsaP256).value();
    other_ = PrivateKey::generate(KeyType::kEcdsaP256).value();
  }

  ImageTrust trust_in(const PrivateKey& key) {
    ImageTrust t;
    t.sigstore.keys = {key.public_key()};
    t.sigstore.tlog_threshold = 0;
    t.sigstore.sct_threshold = 0;
    t.now = 1'800'000'000;
    return t;
  }

  ImageVerification verify(MemoryStore& store, const ImageTrust& trust,
                           const std::optional<std::string>& predicate = std::nullopt) {
    auto found = find_signatures(store, image_.digest);
    EXPECT_TRUE(found) << found.error().message;
    return verify_image(*found, image_.repository, image_.digest, trust, predicate);
  }

  ImageSubject image_;
  std::optional<PrivateKey> key_, other_;
};

TEST_F(ImageProvenance, BothLayoutsAreFoundAndVerify) {
  MemoryStore store(/*referrers_api=*/true);
  auto written = sign_image(store, image_, *key_, {SignatureLayout::kBoth, 1'800'000'000});
  ASSERT_TRUE(written) << written.error().message;
  ASSERT_EQ(written->size(), 2u);  // the .sig tag and the referrer; no fallback tag needed
  EXPECT_EQ(store.tags().count(cosign::tag_for(image_.digest, cosign::TagKind::kSignature)), 1u);
  EXPECT_EQ(store.tags().count(cosign::tag_for(image_.digest, cosign::TagKind::kReferrersFallback)),
            0u);

  ImageVerification v = verify(store, trust_in(*key_));
  ASSERT_EQ(v.signatures.size(), 2u);
  EXPECT_EQ(v.signatures[0].format, SignatureFormat::kCosignSignature);
  EXPECT_EQ(v.signatures[1].format, SignatureFormat::kSigstoreBundle);
  for (const auto& s : v.signatures) EXPECT_TRUE(s.verdict.verified()) << s.verdict.message;
  EXPECT_TRUE(v.signed_verified());
  EXPECT_EQ(v.signature_reason(), Reason::kNone);
}

TEST_F(ImageProvenance, AnotherKeyIsRefusedAsWrongKey) {
  MemoryStore store(true);
  ASSERT_TRUE(sign_image(store, image_, *key_, {SignatureLayout::kBoth, 0}));
  ImageVerification v = verify(store, trust_in(*other_));
  ASSERT_EQ(v.signatures.size(), 2u);
  EXPECT_FALSE(v.signed_verified());
  for (const auto& s : v.signatures) EXPECT_EQ(s.verdict.reason, Reason::kWrongKey) << s.location;
}

TEST_F(ImageProvenance, UnsignedImageHasNoSignature) {
  MemoryStore store(true);
  ImageVerification v = verify(store, trust_in(*key_));
  EXPECT_TRUE(v.signatures.empty());
  EXPECT_EQ(v.signature_reason(), Reason::kNoSignature);
}

TEST_F(ImageProvenance, SigningTwiceAppendsOnlyNewSignatures) {
  MemoryStore store(true);
  ASSERT_TRUE(sign_image(store, image_, *key_, {SignatureLayout::kLegacy, 0}));
  ASSERT_TRUE(sign_image(store, image_, *other_, {SignatureLayout::kLegacy, 0}));
  ImageVerification v = verify(store, trust_in(*other_));
  ASSERT_EQ(v.signatures.size(), 2u);  // both layers of one .sig manifest
  EXPECT_FALSE(v.signatures[0].verdict.verified());
  EXPECT_TRUE(v.signatures[1].verdict.verified());
  EXPECT_TRUE(v.signed_verified());
}

TEST_F(ImageProvenance, ChangedPayloadBlobIsTampered) {
  MemoryStore store(true);
  ASSERT_TRUE(sign_image(store, image_, *key_, {SignatureLayout::kLegacy, 0}));
  for (auto& [digest, bytes] : store.blobs()) {
    if (bytes.find("docker-manifest-digest") != std::string::npos) bytes[bytes.size() - 2] = ' ';
  }
  ImageVerification v = verify(store, trust_in(*key_));
  ASSERT_EQ(v.signatures.size(), 1u);
  EXPECT_EQ(v.signatures[0].verdict.reason, Reason::kTamperedPayload)
      << v.signatures[0].verdict.message;
}

TEST_F(ImageProvenance, WithoutReferrersApiTheFallbackTagIsWrittenAndRead) {
  MemoryStore store(/*referrers_api=*/false);
  auto written = sign_image(store, image_, *key_, {SignatureLayout::kBundle, 0});
  ASSERT_TRUE(written) << written.error().message;
  ASSERT_EQ(written->size(), 2u);
  EXPECT_NE(written->back().find("referrers fallback"), std::string::npos);
  ImageVerification v = verify(store, trust_in(*key_));
  ASSERT_EQ(v.signatures.size(), 1u);
  EXPECT_EQ(v.signatures[0].format, SignatureFormat::kSigstoreBundle);
  EXPECT_TRUE(v.signed_verified()) << v.signatures[0].verdict.message;
}

TEST_F(ImageProvenance, AttestationsVerifyByPredicateType) {
  MemoryStore store(true);
  const std::string cyclonedx = *resolve_predicate_type("cyclonedx");
  auto written = attest_image(store, image_, *key_, cyclonedx,
                              R"({"bomFormat":"CycloneDX","specVersion":"1.5"})",
                              {SignatureLayout::kBoth, 0});
  ASSERT_TRUE(written) << written.error().message;
  ImageVerification v = verify(store, trust_in(*key_), cyclonedx);
  ASSERT_EQ(v.attestations.size(), 2u);
  EXPECT_EQ(v.attestations[0].format, SignatureFormat::kCosignAttestation);
  EXPECT_EQ(v.attestations[1].format, SignatureFormat::kSigstoreBundle);
  EXPECT_TRUE(v.attested(cyclonedx));
  EXPECT_TRUE(v.signatures.empty());  // an attestation is not a signature of the image
  EXPECT_FALSE(v.attested(*resolve_predicate_type("slsaprovenance")));
  ImageVerification slsa = verify(store, trust_in(*key_), *resolve_predicate_type("slsaprovenance"));
  EXPECT_TRUE(slsa.attestations.empty());
  ImageVerification other = verify(store, trust_in(*other_), cyclonedx);
  EXPECT_FALSE(other.attested(cyclonedx));
}

TEST_F(ImageProvenance, PredicateMustBeJson) {
  MemoryStore store(true);
  auto written = attest_image(store, image_, *key_, "https://example.com/p", "{not json",
                              {SignatureLayout::kBoth, 0});
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(ImageProvenance, BlobBundleVerifiesAndRefusesOtherBytes) {
  auto bundle = sign_blob_bundle("hello, world\n", *key_);
  ASSERT_TRUE(bundle) << bundle.error().message;
  SigstorePolicy policy = trust_in(*key_).sigstore;
  TrustedRoot empty;
  EXPECT_TRUE(verify_bundle_json(*bundle, Artifact::from_bytes("hello, world\n"), empty, policy)
                  .verified());
  EXPECT_EQ(verify_bundle_json(*bundle, Artifact::from_bytes("hello, world!\n"), empty, policy).reason,
            Reason::kTamperedPayload);
}

}  // namespace
}  // namespace bulwark::trust
