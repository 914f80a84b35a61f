#include "trust/notation/signature_manifest.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "trust/notation/test_support.h"

namespace bulwark::trust::notation {
namespace {

namespace json = boost::json;
using namespace testing;

TEST(NotationSignatureManifestTest, ReadsTheVectorManifestsAndTheirThumbprints) {
  struct Vector {
    const char* manifest;
    const char* envelope;
    std::string_view media_type;
  };
  for (const Vector& v :
       {Vector{"jws/manifest.json", "jws/envelope.jws", kJwsMediaType},
        Vector{"jws/manifest-legacy-config-mediatype.json", "jws/envelope.jws", kJwsMediaType},
        Vector{"cose/manifest.json", "cose/envelope.cose", kCoseMediaType}}) {
    auto m = parse_signature_manifest(read_file(vectors_dir() / v.manifest));
    ASSERT_TRUE(m) << v.manifest << ": " << m.error().message;
    EXPECT_EQ(m->envelope.media_type, v.media_type);
    const std::string envelope = read_file(vectors_dir() / v.envelope);
    EXPECT_EQ(m->envelope.digest, Digest::of(envelope)) << v.manifest;
    EXPECT_EQ(m->envelope.size, envelope.size());
    ASSERT_TRUE(m->subject);
    EXPECT_EQ(m->subject->digest, image_digest());
    ASSERT_EQ(m->thumbprints.size(), 2u);
    auto sig = parse_envelope(v.media_type, envelope);
    ASSERT_TRUE(sig);
    EXPECT_TRUE(check_thumbprints(*sig, m->thumbprints)) << v.manifest;
    auto reversed = m->thumbprints;
    std::swap(reversed[0], reversed[1]);
    EXPECT_FALSE(check_thumbprints(*sig, reversed));
    EXPECT_FALSE(check_thumbprints(*sig, {m->thumbprints[0]}));
  }
}

TEST(NotationSignatureManifestTest, RefusesOtherManifests) {
  auto base = json::parse(read_file(vectors_dir() / "jws/manifest.json")).as_object();
  auto changed = [&](auto change) {
    json::object m = base;
    change(m);
    return parse_signature_manifest(json::serialize(m));
  };
  EXPECT_TRUE(changed([](json::object&) {}));
  EXPECT_FALSE(changed([](json::object& m) {
    m["artifactType"] = "application/vnd.dev.cosign.artifact.sig.v1+json";
  }));
  EXPECT_FALSE(changed([](json::object& m) {
    m["layers"].as_array()[0].as_object()["mediaType"] = "application/json";
  }));
  EXPECT_FALSE(changed(
      [](json::object& m) { m["layers"].as_array().push_back(m["layers"].as_array()[0]); }));
  EXPECT_FALSE(changed([](json::object& m) { m.erase("annotations"); }));
  EXPECT_FALSE(changed(
      [](json::object& m) { m["annotations"].as_object()[kThumbprintAnnotation] = "[\"abc\"]"; }));
  EXPECT_FALSE(parse_signature_manifest(
      read_file(std::filesystem::path(TRUST_SIGSTORE_DIR) / "oci-image/manifest.json")));
}

}  // namespace
}  // namespace bulwark::trust::notation
