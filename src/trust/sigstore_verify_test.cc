// The Sigstore vectors (../shared/data/sigstore, made by sigstore-js against a mock Sigstore and by
// openssl, and verified there by @sigstore/verify and an OpenSSL cross-check) must verify; variants
// derived here (flipped bytes, other artifacts, identities, issuers, roots, truncated proofs, other
// keys) must be refused with the reason that names what was changed.
#include "trust/sigstore_verify.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "trust/cosign_layout.h"
#include "trust/testing.h"

namespace bulwark::trust {
namespace {

using testing::vector_file;

namespace json = boost::json;


constexpr const char* kSan =
    "https://github.com/example-org/example-repo/.github/workflows/release.yml@refs/heads/main";
constexpr const char* kIssuer = "https://token.actions.githubusercontent.com";
constexpr const char* kImage =
    "sha256:1f302eb0b2525ff954c3b8570dbe9dedb0f0143b0750e6d5b442162547bb861a";

constexpr const char* kBlobBundle = "keyless-mock/blob/artifact.txt.sigstore.json";
constexpr const char* kPayloadBundle = "keyless-mock/image-sig-legacy/payload.sigstore.json";
constexpr const char* kSigBundle = "keyless-mock/image-sig-bundle/bundle.sigstore.json";
constexpr const char* kAttBundle = "keyless-mock/image-att-cyclonedx/bundle.sigstore.json";
constexpr const char* kAttIntotoBundle =
    "keyless-mock/image-att-cyclonedx/bundle-intoto-entry.sigstore.json";
constexpr const char* kKeyMsgBundle = "keybased-openssl/bundle-messagesig/payload.sigstore.json";
constexpr const char* kKeyDsseBundle = "keybased-openssl/bundle-dsse/statement.sigstore.json";

class SigstoreVerify : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    mock_root_ = new TrustedRoot(
        load_trusted_root(std::string(TRUST_SIGSTORE_DIR) + "/keyless-mock/trusted_root.json")
            .value());
    public_good_ = new TrustedRoot(
        load_trusted_root(std::string(TRUST_SIGSTORE_DIR) + "/public-good-trusted_root.json")
            .value());
  }
  static void TearDownTestSuite() {
    delete mock_root_;
    delete public_good_;
  }

  static SigstorePolicy keyless() {
    SigstorePolicy p;
    p.identities.push_back(KeylessIdentity{kSan, "", kIssuer, ""});
    return p;
  }
  static SigstorePolicy keybased() {
    SigstorePolicy p;
    p.keys.push_back(PublicKey::from_pem(vector_file("keybased-openssl/cosign.pub")).value());
    return p;
  }
  static Bundle bundle(const char* rel) { return parse_bundle(vector_file(rel)).value(); }
  static Artifact image() { return Artifact::from_digest(Digest::parse(kImage).value()); }

  static std::string explain(const Verdict& v) {
    std::string out = std::string(reason_name(v.reason)) + ": " + v.message + "\n";
    for (const Check& c : v.checks) {
      out += (c.passed ? "  ok   " : "  FAIL ") + c.name + ": " + c.detail + "\n";
    }
    return out;
  }

  static const Check* find_check(const Verdict& v, std::string_view prefix) {
    for (const Check& c : v.checks) {
      if (c.name.starts_with(prefix)) return &c;
    }
    return nullptr;
  }

  static inline TrustedRoot* mock_root_ = nullptr;
  static inline TrustedRoot* public_good_ = nullptr;
};

// ---- every vector verifies ----

TEST_F(SigstoreVerify, KeylessBlobBundle) {
  SigstorePolicy policy = keyless();
  policy.timestamp_threshold = 1;
  Verdict v = verify_bundle(bundle(kBlobBundle),
                            Artifact::from_bytes(vector_file("keyless-mock/blob/artifact.txt")),
                            *mock_root_, policy);
  ASSERT_TRUE(v.verified()) << explain(v);
  EXPECT_EQ(v.signer, kSan);
  EXPECT_EQ(v.issuer, kIssuer);
  ASSERT_TRUE(v.signed_at);
  // Signed 2026-11-27T18:44Z (README); integratedTime 1795805075.
  EXPECT_EQ(*v.signed_at, 1795805075);
  for (const char* step : {"material", "signer", "artifact digest", "signature", "rekor entry",
                           "timestamp", "certificate chain", "sct", "identity", "issuer"}) {
    const Check* c = find_check(v, step);
    ASSERT_NE(c, nullptr) << step << "\n" << explain(v);
    EXPECT_TRUE(c->passed) << step;
  }
}

TEST_F(SigstoreVerify, KeylessBundlesOfTheImage) {
  Verdict v =
      verify_bundle(bundle(kPayloadBundle),
                    Artifact::from_bytes(vector_file("keyless-mock/image-sig-legacy/payload.json")),
                    *mock_root_, keyless());
  EXPECT_TRUE(v.verified()) << explain(v);
  for (const char* rel : {kSigBundle, kAttBundle, kAttIntotoBundle}) {
    Verdict d = verify_bundle(bundle(rel), image(), *mock_root_, keyless());
    EXPECT_TRUE(d.verified()) << rel << "\n" << explain(d);
  }
  SigstorePolicy cyclonedx = keyless();
  cyclonedx.predicate_type = "https://cyclonedx.org/bom";
  EXPECT_TRUE(verify_bundle(bundle(kAttBundle), image(), *mock_root_, cyclonedx).verified());
}

TEST_F(SigstoreVerify, KeylessIdentityByRegexp) {
  SigstorePolicy policy;
  policy.identities.push_back(KeylessIdentity{
      "", R"(https://github\.com/example-org/.*/\.github/workflows/.*@refs/heads/main)", "",
      R"(https://token\.actions\.githubusercontent\.com)"});
  Verdict v = verify_bundle(bundle(kSigBundle), image(), *mock_root_, policy);
  EXPECT_TRUE(v.verified()) << explain(v);
  // Fully matched: a pattern matching only part of the SAN is not enough.
  policy.identities[0].san_regex = "https://github\\.com/example-org";
  v = verify_bundle(bundle(kSigBundle), image(), *mock_root_, policy);
  EXPECT_EQ(v.reason, Reason::kIdentityMismatch) << explain(v);
}

TEST_F(SigstoreVerify, KeyBasedBundles) {
  Verdict v = verify_bundle(bundle(kKeyMsgBundle),
                            Artifact::from_bytes(vector_file("keybased-openssl/payload.json")),
                            *mock_root_, keybased());
  ASSERT_TRUE(v.verified()) << explain(v);
  EXPECT_EQ(v.signer.rfind("sha256:", 0), 0u);
  v = verify_bundle(bundle(kKeyDsseBundle), image(), *mock_root_, keybased());
  EXPECT_TRUE(v.verified()) << explain(v);
  // Only the digest of the payload is known: the signature is checked over the digest.
  v = verify_bundle(bundle(kKeyMsgBundle),
                    Artifact::from_digest(Digest::of(vector_file("keybased-openssl/payload.json"))),
                    *mock_root_, keybased());
  EXPECT_TRUE(v.verified()) << explain(v);
}

struct LegacyCase {
  const char* dir;
  const char* blob;
  bool keyless;
  size_t tlog_threshold;
};

TEST_F(SigstoreVerify, LegacySigAndAttManifests) {
  const LegacyCase cases[] = {
      {"keyless-mock/image-sig-legacy/", "keyless-mock/image-sig-legacy/payload.json", true, 1},
      {"keyless-mock/image-att-cyclonedx/legacy-att/",
       "keyless-mock/image-att-cyclonedx/legacy-att/envelope.dsse.json", true, 1},
      {"keybased-openssl/sig-legacy-notlog/", "keybased-openssl/payload.json", false, 0},
      {"keybased-openssl/sig-legacy-tlog/", "keybased-openssl/payload.json", false, 1},
      {"keybased-openssl/att-legacy-tlog/", "keybased-openssl/envelope.dsse.json", false, 1},
  };
  for (const LegacyCase& c : cases) {
    auto layers = cosign::parse_cosign_manifest(vector_file(std::string(c.dir) + "manifest.json"));
    ASSERT_TRUE(layers) << c.dir;
    ASSERT_EQ(layers->size(), 1u);
    SigstorePolicy policy = c.keyless ? keyless() : keybased();
    policy.tlog_threshold = c.tlog_threshold;
    Verdict v = verify_cosign_signature((*layers)[0], vector_file(c.blob), *Digest::parse(kImage),
                                        *mock_root_, policy);
    EXPECT_TRUE(v.verified()) << c.dir << "\n" << explain(v);
  }
}

// ---- tampered variants are refused with the right reason ----

TEST_F(SigstoreVerify, FlippedSignatureByteIsBadSignature) {
  Bundle b = bundle(kBlobBundle);
  b.message_signature->signature.back() ^= 0x01;
  Verdict v = verify_bundle(b, Artifact::from_bytes(vector_file("keyless-mock/blob/artifact.txt")),
                            *mock_root_, keyless());
  EXPECT_EQ(v.reason, Reason::kBadSignature) << explain(v);
  EXPECT_FALSE(v.verified());

  Bundle d = bundle(kSigBundle);
  d.dsse_envelope->signatures[0].sig[10] ^= 0x40;
  v = verify_bundle(d, image(), *mock_root_, keyless());
  EXPECT_EQ(v.reason, Reason::kBadSignature) << explain(v);

  Bundle k = bundle(kKeyDsseBundle);
  k.dsse_envelope->signatures[0].sig.back() ^= 0x01;
  v = verify_bundle(k, image(), *mock_root_, keybased());
  EXPECT_EQ(v.reason, Reason::kBadSignature) << explain(v);
}

TEST_F(SigstoreVerify, FlippedPayloadByteIsRefused) {
  // A DSSE payload changed after signing: its signature no longer verifies.
  Bundle d = bundle(kSigBundle);
  d.dsse_envelope->payload[20] ^= 0x01;
  EXPECT_EQ(verify_bundle(d, image(), *mock_root_, keyless()).reason, Reason::kBadSignature);
  // A legacy .sig payload changed: it no longer hashes to the layer digest.
  auto layers =
      cosign::parse_cosign_manifest(vector_file("keyless-mock/image-sig-legacy/manifest.json"));
  std::string payload = vector_file("keyless-mock/image-sig-legacy/payload.json");
  payload[30] ^= 0x01;
  Verdict v = verify_cosign_signature((*layers)[0], payload, *Digest::parse(kImage), *mock_root_,
                                      keyless());
  EXPECT_EQ(v.reason, Reason::kTamperedPayload) << explain(v);
}

TEST_F(SigstoreVerify, OtherArtifactIsTamperedPayload) {
  Verdict v = verify_bundle(bundle(kBlobBundle), Artifact::from_bytes("not the artifact\n"),
                            *mock_root_, keyless());
  EXPECT_EQ(v.reason, Reason::kTamperedPayload) << explain(v);
  v = verify_bundle(bundle(kKeyMsgBundle), Artifact::from_digest(Digest::of("other")), *mock_root_,
                    keybased());
  EXPECT_EQ(v.reason, Reason::kTamperedPayload) << explain(v);
}

TEST_F(SigstoreVerify, OtherDigestIsDigestMismatch) {
  const Artifact other = Artifact::from_digest(Digest::of("another image"));
  for (const char* rel : {kSigBundle, kAttBundle, kAttIntotoBundle}) {
    Verdict v = verify_bundle(bundle(rel), other, *mock_root_, keyless());
    EXPECT_EQ(v.reason, Reason::kDigestMismatch) << rel << "\n" << explain(v);
  }
  EXPECT_EQ(verify_bundle(bundle(kKeyDsseBundle), other, *mock_root_, keybased()).reason,
            Reason::kDigestMismatch);
  // The legacy .sig payload names the image: presenting it for another image is refused.
  auto layers =
      cosign::parse_cosign_manifest(vector_file("keybased-openssl/sig-legacy-tlog/manifest.json"));
  Verdict v = verify_cosign_signature((*layers)[0], vector_file("keybased-openssl/payload.json"),
                                      Digest::of("another image"), *mock_root_, keybased());
  EXPECT_EQ(v.reason, Reason::kDigestMismatch) << explain(v);
  auto att = cosign::parse_cosign_manifest(
      vector_file("keyless-mock/image-att-cyclonedx/legacy-att/manifest.json"));
  v = verify_cosign_signature(
      (*att)[0], vector_file("keyless-mock/image-att-cyclonedx/legacy-att/envelope.dsse.json"),
      Digest::of("another image"), *mock_root_, keyless());
  EXPECT_EQ(v.reason, Reason::kDigestMismatch) << explain(v);
}

TEST_F(SigstoreVerify, OtherIdentityIsIdentityMismatch) {
  SigstorePolicy policy = keyless();
  policy.identities[0].san =
      "https://github.com/example-org/other-repo/.github/workflows/release.yml@refs/heads/main";
  for (const char* rel : {kSigBundle, kAttBundle}) {
    Verdict v = verify_bundle(bundle(rel), image(), *mock_root_, policy);
    EXPECT_EQ(v.reason, Reason::kIdentityMismatch) << rel << "\n" << explain(v);
  }
  Verdict v = verify_bundle(bundle(kBlobBundle),
                            Artifact::from_bytes(vector_file("keyless-mock/blob/artifact.txt")),
                            *mock_root_, policy);
  EXPECT_EQ(v.reason, Reason::kIdentityMismatch) << explain(v);
  auto layers =
      cosign::parse_cosign_manifest(vector_file("keyless-mock/image-sig-legacy/manifest.json"));
  v = verify_cosign_signature((*layers)[0],
                              vector_file("keyless-mock/image-sig-legacy/payload.json"),
                              *Digest::parse(kImage), *mock_root_, policy);
  EXPECT_EQ(v.reason, Reason::kIdentityMismatch) << explain(v);
}

TEST_F(SigstoreVerify, OtherIssuerIsIssuerMismatch) {
  SigstorePolicy policy = keyless();
  policy.identities[0].issuer = "https://accounts.google.com";
  Verdict v = verify_bundle(bundle(kSigBundle), image(), *mock_root_, policy);
  EXPECT_EQ(v.reason, Reason::kIssuerMismatch) << explain(v);
  policy = keyless();
  policy.identities[0].issuer = "";
  policy.identities[0].issuer_regex = "https://token\\.actions\\.githubusercontent\\.co";
  v = verify_bundle(bundle(kSigBundle), image(), *mock_root_, policy);
  EXPECT_EQ(v.reason, Reason::kIssuerMismatch) << explain(v);
}

TEST_F(SigstoreVerify, OtherTrustRootIsRefused) {
  // The transparency-log step runs before the certificate step: the mock Rekor is unknown there.
  for (const char* rel : {kSigBundle, kBlobBundle}) {
    Bundle b = bundle(rel);
    Verdict v = verify_bundle(
        b,
        rel == kSigBundle ? image()
                          : Artifact::from_bytes(vector_file("keyless-mock/blob/artifact.txt")),
        *public_good_, keyless());
    EXPECT_EQ(v.reason, Reason::kUnknownLog) << rel << "\n" << explain(v);
  }
  // Without log entries and timestamps (and no log required), the chain is the first to fail.
  Bundle b = bundle(kSigBundle);
  b.tlog_entries.clear();
  b.rfc3161_timestamps.clear();
  SigstorePolicy policy = keyless();
  policy.tlog_threshold = 0;
  policy.now = 1795805100;  // inside the leaf's validity
  Verdict v = verify_bundle(b, image(), *public_good_, policy);
  EXPECT_EQ(v.reason, Reason::kUntrustedChain) << explain(v);
  // ... and the key-based bundles' log is unknown to the public-good root too.
  v = verify_bundle(bundle(kKeyDsseBundle), image(), *public_good_, keybased());
  EXPECT_EQ(v.reason, Reason::kUnknownLog) << explain(v);
}

TEST_F(SigstoreVerify, TruncatedOrAlteredInclusionProofIsBadInclusionProof) {
  // The mock log's proofs are for a 1-leaf tree (no hashes): claiming a tree of 2 makes the proof
  // one hash short.
  Bundle b = bundle(kSigBundle);
  b.tlog_entries[0]["inclusionProof"].as_object()["treeSize"] = "2";
  Verdict v = verify_bundle(b, image(), *mock_root_, keyless());
  EXPECT_EQ(v.reason, Reason::kBadInclusionProof) << explain(v);

  Bundle r = bundle(kKeyMsgBundle);
  json::object& proof = r.tlog_entries[0]["inclusionProof"].as_object();
  std::string root(proof["rootHash"].as_string());
  root[2] = root[2] == 'A' ? 'B' : 'A';
  proof["rootHash"] = root;
  v = verify_bundle(r, Artifact::from_bytes(vector_file("keybased-openssl/payload.json")),
                    *mock_root_, keybased());
  EXPECT_EQ(v.reason, Reason::kBadInclusionProof) << explain(v);
}

TEST_F(SigstoreVerify, WrongKeyIsWrongKey) {
  SigstorePolicy other;
  other.keys.push_back(PrivateKey::generate(KeyType::kEcdsaP256).value().public_key());
  Verdict v = verify_bundle(bundle(kKeyMsgBundle),
                            Artifact::from_bytes(vector_file("keybased-openssl/payload.json")),
                            *mock_root_, other);
  EXPECT_EQ(v.reason, Reason::kWrongKey) << explain(v);
  v = verify_bundle(bundle(kKeyDsseBundle), image(), *mock_root_, other);
  EXPECT_EQ(v.reason, Reason::kWrongKey) << explain(v);
  // Legacy .sig without a hint: the key the Rekor entry records is not trusted.
  auto layers =
      cosign::parse_cosign_manifest(vector_file("keybased-openssl/sig-legacy-tlog/manifest.json"));
  v = verify_cosign_signature((*layers)[0], vector_file("keybased-openssl/payload.json"),
                              *Digest::parse(kImage), *mock_root_, other);
  EXPECT_EQ(v.reason, Reason::kWrongKey) << explain(v);
  // A keyless signature under a key-based policy: the certificate's key is not trusted.
  v = verify_bundle(bundle(kSigBundle), image(), *mock_root_, keybased());
  EXPECT_EQ(v.reason, Reason::kWrongKey) << explain(v);
}

TEST_F(SigstoreVerify, TlogAndTimestampFailures) {
  const Artifact blob = Artifact::from_bytes(vector_file("keyless-mock/blob/artifact.txt"));
  // No entry where one is required.
  Bundle b = bundle(kBlobBundle);
  b.tlog_entries.clear();
  EXPECT_EQ(verify_bundle(b, blob, *mock_root_, keyless()).reason, Reason::kMissingTlogEntry);
  // Another signature's entry (valid SET and proof, other body).
  b = bundle(kBlobBundle);
  b.tlog_entries = bundle(kPayloadBundle).tlog_entries;
  Verdict v = verify_bundle(b, blob, *mock_root_, keyless());
  EXPECT_EQ(v.reason, Reason::kTlogBodyMismatch) << explain(v);
  // A flipped signed entry timestamp.
  b = bundle(kBlobBundle);
  json::object& promise = b.tlog_entries[0]["inclusionPromise"].as_object();
  std::string set(promise["signedEntryTimestamp"].as_string());
  set[12] = set[12] == 'A' ? 'B' : 'A';
  promise["signedEntryTimestamp"] = set;
  v = verify_bundle(b, blob, *mock_root_, keyless());
  EXPECT_EQ(v.reason, Reason::kBadSignedEntryTimestamp) << explain(v);
  // Another signature's timestamp.
  b = bundle(kBlobBundle);
  b.rfc3161_timestamps = bundle(kPayloadBundle).rfc3161_timestamps;
  v = verify_bundle(b, blob, *mock_root_, keyless());
  EXPECT_EQ(v.reason, Reason::kBadTimestamp) << explain(v);
  // Required timestamps missing.
  b = bundle(kBlobBundle);
  b.rfc3161_timestamps.clear();
  SigstorePolicy policy = keyless();
  policy.timestamp_threshold = 1;
  EXPECT_EQ(verify_bundle(b, blob, *mock_root_, policy).reason, Reason::kPolicyNotMet);
  // The timestamp alone is a trusted time: still verified without the log entry.
  b = bundle(kBlobBundle);
  b.tlog_entries.clear();
  policy = keyless();
  policy.tlog_threshold = 0;
  v = verify_bundle(b, blob, *mock_root_, policy);
  EXPECT_TRUE(v.verified()) << explain(v);
}

TEST_F(SigstoreVerify, ExpiredCertificateWithoutTrustedTime) {
  Bundle b = bundle(kSigBundle);
  b.tlog_entries.clear();
  b.rfc3161_timestamps.clear();
  SigstorePolicy policy = keyless();
  policy.tlog_threshold = 0;
  policy.now = 1795805075 + 24 * 3600;  // a day later; the leaf lived 10 minutes
  Verdict v = verify_bundle(b, image(), *mock_root_, policy);
  EXPECT_EQ(v.reason, Reason::kExpiredWithoutTimestamp) << explain(v);
  policy.now = 1795805100;
  v = verify_bundle(b, image(), *mock_root_, policy);
  EXPECT_TRUE(v.verified()) << explain(v);
}

TEST_F(SigstoreVerify, BundleV01WithInclusionPromiseOnly) {
  // The v0.2 blob bundle re-labelled v0.1 without its inclusion proof: the SET alone carries it.
  Bundle b = bundle(kBlobBundle);
  b.version = BundleVersion::kV01;
  b.tlog_entries[0].erase("inclusionProof");
  auto reparsed = parse_bundle(serialize_bundle(b));
  ASSERT_TRUE(reparsed) << reparsed.error().message;
  Verdict v =
      verify_bundle(*reparsed, Artifact::from_bytes(vector_file("keyless-mock/blob/artifact.txt")),
                    *mock_root_, keyless());
  EXPECT_TRUE(v.verified()) << explain(v);
}

TEST_F(SigstoreVerify, LegacyLayerWithoutSignatureOrOfUnknownType) {
  auto layers = cosign::parse_cosign_manifest(
      vector_file("keybased-openssl/sig-legacy-notlog/manifest.json"));
  cosign::CosignLayer layer = (*layers)[0];
  const std::string payload = vector_file("keybased-openssl/payload.json");
  SigstorePolicy policy = keybased();
  policy.tlog_threshold = 0;
  layer.signature_b64.clear();
  EXPECT_EQ(
      verify_cosign_signature(layer, payload, *Digest::parse(kImage), *mock_root_, policy).reason,
      Reason::kNoSignature);
  layer = (*layers)[0];
  layer.media_type = "application/octet-stream";
  EXPECT_EQ(
      verify_cosign_signature(layer, payload, *Digest::parse(kImage), *mock_root_, policy).reason,
      Reason::kUnsupported);
  // Without a hint or log entry, a signature that verifies under none of the trusted keys was,
  // as far as anyone can tell, made with another key.
  policy.keys = {PrivateKey::generate(KeyType::kEcdsaP256).value().public_key()};
  EXPECT_EQ(
      verify_cosign_signature((*layers)[0], payload, *Digest::parse(kImage), *mock_root_, policy)
          .reason,
      Reason::kWrongKey);
}

TEST_F(SigstoreVerify, WrongPredicateTypeAndMalformedInput) {
  SigstorePolicy policy = keyless();
  policy.predicate_type = "https://slsa.dev/provenance/v1";
  EXPECT_EQ(verify_bundle(bundle(kAttBundle), image(), *mock_root_, policy).reason,
            Reason::kWrongPredicateType);
  EXPECT_EQ(verify_bundle_json("{", image(), *mock_root_, keyless()).reason, Reason::kMalformed);
  EXPECT_EQ(verify_bundle_json(vector_file(kSigBundle), image(), *mock_root_, keyless()).reason,
            Reason::kNone);
  EXPECT_EQ(verify_bundle(bundle(kSigBundle), image(), *mock_root_, SigstorePolicy{}).reason,
            Reason::kPolicyNotMet);
}

}  // namespace
}  // namespace bulwark::trust
