#include "trust/cosign_layout.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/encoding.h"
#include "trust/testing.h"

namespace bulwark::trust::cosign {
namespace {

using testing::vector_file;


std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

constexpr const char* kImage =
    "sha256:1f302eb0b2525ff954c3b8570dbe9dedb0f0143b0750e6d5b442162547bb861a";

TEST(CosignLayout, TagNamesMatchTheVectors) {
  const Digest image = *Digest::parse(kImage);
  EXPECT_EQ(tag_for(image, TagKind::kSignature),
            trimmed(vector_file("keyless-mock/image-sig-legacy/TAG")));
  EXPECT_EQ(tag_for(image, TagKind::kAttestation),
            trimmed(vector_file("keyless-mock/image-att-cyclonedx/legacy-att/TAG")));
  EXPECT_EQ(tag_for(image, TagKind::kSbom),
            "sha256-1f302eb0b2525ff954c3b8570dbe9dedb0f0143b0750e6d5b442162547bb861a.sbom");
  EXPECT_EQ(tag_for(image, TagKind::kReferrersFallback),
            "sha256-1f302eb0b2525ff954c3b8570dbe9dedb0f0143b0750e6d5b442162547bb861a");
  for (TagKind kind :
       {TagKind::kSignature, TagKind::kAttestation, TagKind::kSbom, TagKind::kReferrersFallback}) {
    auto parsed = parse_tag(tag_for(image, kind));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->first, image);
    EXPECT_EQ(parsed->second, kind);
  }
  EXPECT_FALSE(parse_tag("latest"));
  EXPECT_FALSE(parse_tag("sha256-abc.sig"));
  EXPECT_FALSE(
      parse_tag("sha256-1f302eb0b2525ff954c3b8570dbe9dedb0f0143b0750e6d5b442162547bb861a.xyz"));
}

TEST(CosignLayout, ReadsKeylessSigLayer) {
  const std::string dir = "keyless-mock/image-sig-legacy/";
  auto layers = parse_cosign_manifest(vector_file(dir + "manifest.json"));
  ASSERT_TRUE(layers) << layers.error().message;
  ASSERT_EQ(layers->size(), 1u);
  const CosignLayer& l = (*layers)[0];
  EXPECT_EQ(l.media_type, kSimpleSigningMediaType);
  const std::string payload = vector_file(dir + "payload.json");
  EXPECT_EQ(l.digest, Digest::of(payload));
  EXPECT_EQ(l.size, payload.size());
  EXPECT_EQ(base64_decode(l.signature_b64), vector_file(dir + "signature.der"));
  EXPECT_EQ(l.certificate_pem, vector_file(dir + "cert.pem"));
  EXPECT_EQ(l.chain_pem, vector_file(dir + "chain.pem"));
  ASSERT_TRUE(l.rekor_bundle);
  EXPECT_EQ(l.rekor_bundle->body, vector_file(dir + "rekor-body.json"));
  EXPECT_GT(l.rekor_bundle->integrated_time, 1790000000);
  EXPECT_EQ(l.rekor_bundle->log_id_hex.size(), 64u);
  EXPECT_EQ(l.rfc3161_timestamp[0], '\x30');
  EXPECT_TRUE(l.predicate_type.empty());
}

TEST(CosignLayout, ReadsAttLayers) {
  for (const char* dir :
       {"keyless-mock/image-att-cyclonedx/legacy-att/", "keybased-openssl/att-legacy-tlog/"}) {
    auto layers = parse_cosign_manifest(vector_file(std::string(dir) + "manifest.json"));
    ASSERT_TRUE(layers) << layers.error().message;
    ASSERT_EQ(layers->size(), 1u);
    EXPECT_EQ((*layers)[0].media_type, kDsseMediaType);
    EXPECT_EQ((*layers)[0].signature_b64, "");
    EXPECT_EQ((*layers)[0].predicate_type, "https://cyclonedx.org/bom");
    EXPECT_TRUE((*layers)[0].rekor_bundle);
  }
  auto keyless = parse_cosign_manifest(
      vector_file("keyless-mock/image-att-cyclonedx/legacy-att/manifest.json"));
  EXPECT_EQ(
      (*keyless)[0].digest,
      Digest::of(vector_file("keyless-mock/image-att-cyclonedx/legacy-att/envelope.dsse.json")));
}

// Rebuilding each vector's manifest from its parsed layers gives the same bytes and config.
TEST(CosignLayout, RebuildsEveryLegacyManifestByteExactly) {
  for (const char* dir :
       {"keyless-mock/image-sig-legacy/", "keyless-mock/image-att-cyclonedx/legacy-att/",
        "keybased-openssl/sig-legacy-notlog/", "keybased-openssl/sig-legacy-tlog/",
        "keybased-openssl/att-legacy-tlog/"}) {
    const std::string manifest = vector_file(std::string(dir) + "manifest.json");
    auto layers = parse_cosign_manifest(manifest);
    ASSERT_TRUE(layers) << dir;
    BuiltManifest built = make_cosign_manifest(*layers);
    EXPECT_EQ(built.manifest, manifest) << dir;
    EXPECT_EQ(built.config, vector_file(std::string(dir) + "config.json")) << dir;
    EXPECT_EQ(built.digest, Digest::of(manifest));
    EXPECT_EQ(built.config_digest, Digest::of(built.config));
  }
}

TEST(CosignLayout, RebuildsBundleReferrerManifestsByteExactly) {
  const SubjectDescriptor subject{"application/vnd.oci.image.manifest.v1+json",
                                  *Digest::parse(kImage), 401};
  struct Case {
    const char* bundle;
    const char* manifest;
    const char* predicate;
  };
  const Case cases[] = {
      {"keyless-mock/image-sig-bundle/bundle.sigstore.json",
       "keyless-mock/image-sig-bundle/manifest.json", "https://sigstore.dev/cosign/sign/v1"},
      {"keyless-mock/image-att-cyclonedx/bundle.sigstore.json",
       "keyless-mock/image-att-cyclonedx/referrer-manifest.json", "https://cyclonedx.org/bom"},
  };
  for (const Case& c : cases) {
    BuiltManifest built = make_bundle_referrer_manifest(vector_file(c.bundle), true, c.predicate,
                                                        "2026-11-27T18:44:35Z", subject);
    EXPECT_EQ(built.manifest, vector_file(c.manifest)) << c.manifest;
    EXPECT_EQ(built.config, vector_file("keyless-mock/image-sig-bundle/empty-config.json"));
  }
}

TEST(CosignLayout, RekorBundleAnnotationRoundTrips) {
  auto layers =
      parse_cosign_manifest(vector_file("keybased-openssl/sig-legacy-tlog/manifest.json"));
  ASSERT_TRUE(layers);
  const CosignLayer& l = (*layers)[0];
  EXPECT_EQ(make_rekor_bundle(*l.rekor_bundle), l.rekor_bundle_json);
  EXPECT_EQ(l.rekor_bundle->log_index, 5218603);
  EXPECT_EQ(l.rekor_bundle->integrated_time, 1795805333);
}

TEST(CosignLayout, RefusesMalformedManifests) {
  const char* bad[] = {
      "",
      "{}",
      R"({"layers":{}})",
      R"({"layers":[{"mediaType":"x","size":1}]})",
      R"({"layers":[{"mediaType":"x","size":-1,"digest":"sha256:1f302eb0b2525ff954c3b8570dbe9dedb0f0143b0750e6d5b442162547bb861a"}]})",
      R"({"layers":[{"mediaType":"x","size":1,"digest":"sha256:1f302eb0b2525ff954c3b8570dbe9dedb0f0143b0750e6d5b442162547bb861a","annotations":{"dev.sigstore.cosign/bundle":"{}"}}]})",
      R"({"layers":[{"mediaType":"x","size":1,"digest":"sha256:1f302eb0b2525ff954c3b8570dbe9dedb0f0143b0750e6d5b442162547bb861a","annotations":{"dev.sigstore.cosign/rfc3161timestamp":"{\"SignedRFC3161Timestamp\":\"!\"}"}}]})",
      R"({"layers":[{"mediaType":"x","size":1,"digest":"sha256:1f302eb0b2525ff954c3b8570dbe9dedb0f0143b0750e6d5b442162547bb861a","annotations":{"k":1}}]})",
  };
  for (const char* text : bad) EXPECT_FALSE(parse_cosign_manifest(text)) << text;
  auto empty = parse_cosign_manifest(R"({"layers":[]})");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace bulwark::trust::cosign
