#include "trust/bundle.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "common/encoding.h"
#include "trust/testing.h"

namespace bulwark::trust {
namespace {

using testing::vector_file;

namespace json = boost::json;


// Edits a vector bundle's JSON and returns the text (for the version-rule tests).
std::string edited(const std::string& rel, const std::function<void(json::object&)>& edit) {
  json::value v = json::parse(vector_file(rel));
  edit(v.as_object());
  return json::serialize(v);
}

constexpr const char* kBlob = "keyless-mock/blob/artifact.txt.sigstore.json";
constexpr const char* kSigBundle = "keyless-mock/image-sig-bundle/bundle.sigstore.json";

TEST(Bundle, ParsesEveryVector) {
  struct Case {
    const char* rel;
    BundleVersion version;
    MaterialKind material;
    bool dsse;
    const char* kind;
  };
  const Case cases[] = {
      {kBlob, BundleVersion::kV02, MaterialKind::kCertificateChain, false, "hashedrekord"},
      {"keyless-mock/image-sig-legacy/payload.sigstore.json", BundleVersion::kV02,
       MaterialKind::kCertificateChain, false, "hashedrekord"},
      {kSigBundle, BundleVersion::kV03, MaterialKind::kCertificate, true, "dsse"},
      {"keyless-mock/image-att-cyclonedx/bundle.sigstore.json", BundleVersion::kV03,
       MaterialKind::kCertificate, true, "dsse"},
      {"keyless-mock/image-att-cyclonedx/bundle-intoto-entry.sigstore.json", BundleVersion::kV02,
       MaterialKind::kCertificateChain, true, "intoto"},
      {"keybased-openssl/bundle-messagesig/payload.sigstore.json", BundleVersion::kV03,
       MaterialKind::kPublicKey, false, "hashedrekord"},
      {"keybased-openssl/bundle-dsse/statement.sigstore.json", BundleVersion::kV03,
       MaterialKind::kPublicKey, true, "dsse"},
  };
  for (const Case& c : cases) {
    auto b = parse_bundle(vector_file(c.rel));
    ASSERT_TRUE(b) << c.rel << ": " << b.error().message;
    EXPECT_EQ(b->version, c.version) << c.rel;
    EXPECT_EQ(b->material, c.material) << c.rel;
    EXPECT_EQ(b->dsse_envelope.has_value(), c.dsse) << c.rel;
    EXPECT_EQ(b->message_signature.has_value(), !c.dsse) << c.rel;
    ASSERT_EQ(b->tlog_entries.size(), 1u) << c.rel;
    EXPECT_EQ(b->tlog_entries[0].at("kindVersion").at("kind").as_string(), c.kind) << c.rel;
    // The keyless vectors were timestamped by the mock TSA; the key-based ones were not.
    EXPECT_EQ(b->rfc3161_timestamps.size(), c.material == MaterialKind::kPublicKey ? 0u : 1u)
        << c.rel;
    EXPECT_EQ(b->certificates.empty(), c.material == MaterialKind::kPublicKey) << c.rel;
  }
}

TEST(Bundle, MessageSignatureFields) {
  auto b = parse_bundle(vector_file(kBlob));
  ASSERT_TRUE(b);
  const std::string artifact = vector_file("keyless-mock/blob/artifact.txt");
  ASSERT_TRUE(b->message_signature->digest_algorithm);
  EXPECT_EQ(*b->message_signature->digest_algorithm, HashAlgorithm::kSha256);
  EXPECT_EQ(b->message_signature->digest, hash_bytes(HashAlgorithm::kSha256, artifact));
  EXPECT_GT(b->message_signature->signature.size(), 60u);
  EXPECT_EQ(b->rfc3161_timestamps[0][0], '\x30');  // DER SEQUENCE
  EXPECT_EQ(b->certificates[0][0], '\x30');
}

TEST(Bundle, KeyHintIsKept) {
  auto b = parse_bundle(vector_file("keybased-openssl/bundle-messagesig/payload.sigstore.json"));
  ASSERT_TRUE(b);
  std::string hint = vector_file("keybased-openssl/cosign.pub.keyid.b64");
  while (!hint.empty() && (hint.back() == '\n')) hint.pop_back();
  EXPECT_EQ(b->public_key_hint, hint);
}

TEST(Bundle, SerialisedV03RoundTrips) {
  for (const char* rel : {kSigBundle, "keybased-openssl/bundle-dsse/statement.sigstore.json",
                          "keybased-openssl/bundle-messagesig/payload.sigstore.json"}) {
    const std::string text = vector_file(rel);
    auto b = parse_bundle(text);
    ASSERT_TRUE(b) << rel;
    const std::string out = serialize_bundle(*b);
    // Same document as the vector (key order may differ): compare as JSON values.
    EXPECT_EQ(json::parse(out), json::parse(text)) << rel;
    auto again = parse_bundle(out);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->certificates, b->certificates);
    EXPECT_EQ(serialize_bundle(*again), out);
  }
}

TEST(Bundle, VersionRules) {
  // v0.1 needs an inclusion promise.
  auto v01_no_promise = edited(kBlob, [](json::object& o) {
    o["mediaType"] = kBundleMediaTypeV01;
    o["verificationMaterial"].as_object()["tlogEntries"].as_array()[0].as_object().erase(
        "inclusionPromise");
  });
  auto r = parse_bundle(v01_no_promise);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("inclusionPromise"), std::string::npos) << r.error().message;
  auto v01_ok = edited(kBlob, [](json::object& o) {
    o["mediaType"] = kBundleMediaTypeV01;
    o["verificationMaterial"].as_object()["tlogEntries"].as_array()[0].as_object().erase(
        "inclusionProof");
  });
  EXPECT_TRUE(parse_bundle(v01_ok));
  // v0.2 needs an inclusion proof.
  auto v02_no_proof = edited(kBlob, [](json::object& o) {
    o["verificationMaterial"].as_object()["tlogEntries"].as_array()[0].as_object().erase(
        "inclusionProof");
  });
  r = parse_bundle(v02_no_proof);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("inclusionProof"), std::string::npos);
  // v0.3 has a single certificate, not a chain.
  auto v03_chain = edited(kBlob, [](json::object& o) { o["mediaType"] = kBundleMediaTypeV03; });
  r = parse_bundle(v03_chain);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("single"), std::string::npos) << r.error().message;
  // ... and "certificate" is v0.3 only.
  auto v02_cert = edited(kSigBundle, [](json::object& o) { o["mediaType"] = kBundleMediaTypeV02; });
  r = parse_bundle(v02_cert);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("v0.3"), std::string::npos) << r.error().message;
}

TEST(Bundle, RefusesMalformedBundles) {
  const std::function<void(json::object&)> edits[] = {
      [](json::object& o) {
        o["mediaType"] = "application/vnd.dev.sigstore.bundle+json;version=9";
      },
      [](json::object& o) { o.erase("mediaType"); },
      [](json::object& o) { o.erase("verificationMaterial"); },
      [](json::object& o) { o.erase("dsseEnvelope"); },
      [](json::object& o) {
        o["messageSignature"] = json::object{{"signature", "eA=="}};
      },
      [](json::object& o) {
        o["verificationMaterial"].as_object()["publicKey"] = json::object{{"hint", "x"}};
      },
      [](json::object& o) { o["verificationMaterial"].as_object().erase("certificate"); },
      [](json::object& o) {
        o["verificationMaterial"].as_object()["certificate"] = json::object{{"rawBytes", "!!"}};
      },
      [](json::object& o) {
        o["verificationMaterial"].as_object()["timestampVerificationData"] =
            json::object{{"rfc3161Timestamps", json::array{json::object{{"signedTimestamp", 1}}}}};
      },
      [](json::object& o) { o["dsseEnvelope"].as_object()["signatures"] = json::array(); },
      [](json::object& o) { o["extra"] = 1; },
  };
  for (const auto& edit : edits) {
    const std::string text = edited(kSigBundle, edit);
    EXPECT_FALSE(parse_bundle(text)) << text.substr(0, 200);
  }
  EXPECT_FALSE(parse_bundle(""));
  EXPECT_FALSE(parse_bundle("[]"));
  auto bad_alg = edited(kBlob, [](json::object& o) {
    o["messageSignature"].as_object()["messageDigest"].as_object()["algorithm"] = "MD5";
  });
  auto r = parse_bundle(bad_alg);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace bulwark::trust
