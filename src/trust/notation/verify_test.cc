#include "trust/notation/verify.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "common/encoding.h"
#include "common/temp_dir.h"
#include "trust/cbor.h"
#include "trust/notation/test_support.h"

namespace bulwark::trust::notation {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace testing;

constexpr const char* kRepository = "registry.example.com/demo/app";
constexpr const char* kIdentity =
    "x509.subject: C=US, ST=WA, L=Seattle, O=Example Registry Test, OU=CI, CN=image-signer";
constexpr int64_t kHour = 3600;

std::string jws_vector() { return read_file(vectors_dir() / "jws/envelope.jws"); }
std::string cose_vector() { return read_file(vectors_dir() / "cose/envelope.cose"); }

TrustPolicyDocument vector_policy() {
  return *TrustPolicyDocument::parse(read_file(vectors_dir() / "trustpolicy.oci.json"));
}
TrustStore vector_store() { return TrustStore::directory(vectors_dir() / "trust-store"); }

// The vector policy with another level / identity / overrides.
TrustPolicyDocument policy_with(const char* level, const char* identity = kIdentity,
                                json::object overrides = {}) {
  json::object verification{{"level", level}};
  if (!overrides.empty()) verification["override"] = overrides;
  json::object p{{"name", "example-registry-test"},
                 {"registryScopes", json::array{kRepository}},
                 {"signatureVerification", verification},
                 {"trustStores", json::array{"ca:example-registry-test"}},
                 {"trustedIdentities", json::array{identity}}};
  auto doc = TrustPolicyDocument::parse(
      json::serialize(json::object{{"version", "1.0"}, {"trustPolicies", json::array{p}}}));
  if (!doc) ADD_FAILURE() << doc.error().message;
  return *doc;
}

VerifyRequest request(std::string_view media_type, std::string_view envelope) {
  VerifyRequest r;
  r.media_type = media_type;
  r.envelope = envelope;
  r.repository = kRepository;
  r.image = image_digest();
  r.now = vector_signing_time() + kHour;
  return r;
}

const Check* find_check(const Verdict& v, std::string_view name) {
  for (const Check& c : v.checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string describe(const NotationVerification& v) {
  std::string s = std::string(reason_name(v.verdict.reason)) + " " + v.verdict.message + "\n";
  for (const Check& c : v.verdict.checks) {
    s += "  " + c.name + (c.passed ? " ok: " : " FAILED: ") + c.detail + "\n";
  }
  return s;
}

void expect_verified(const NotationVerification& v) {
  EXPECT_TRUE(v.verdict.verified()) << describe(v);
  EXPECT_FALSE(v.skipped);
  EXPECT_EQ(v.policy, "example-registry-test");
  EXPECT_NE(v.verdict.signer.find("CN=image-signer"), std::string::npos) << v.verdict.signer;
  EXPECT_NE(v.verdict.issuer.find("CN=Example Notation Test Root"), std::string::npos);
  for (const char* name : {"trust policy", "integrity: signature", "integrity: target artifact",
                           "authenticity: trust store", "authenticity: trusted identity",
                           "authenticTimestamp", "expiry", "revocation"}) {
    const Check* c = find_check(v.verdict, name);
    ASSERT_NE(c, nullptr) << name << "\n" << describe(v);
    EXPECT_TRUE(c->passed) << name;
  }
}

TEST(NotationVerifyTest, BothVectorsVerifyUnderTheVectorPolicy) {
  const std::string jws = jws_vector(), cose = cose_vector();
  auto v1 = verify_notation(request(kJwsMediaType, jws), vector_policy(), vector_store());
  expect_verified(v1);
  EXPECT_EQ(v1.logged_failures, 0);
  auto v2 = verify_notation(request(kCoseMediaType, cose), vector_policy(), vector_store());
  expect_verified(v2);
  // notary.x509 without a timestamp: the signing time is not authentic.
  EXPECT_FALSE(v2.verdict.signed_at);
}

TEST(NotationVerifyTest, FlippedSignatureByteIsBadSignature) {
  auto env = json::parse(jws_vector()).as_object();
  std::string sig = *base64url_decode(std::string_view(env["signature"].as_string()));
  sig[0] ^= 0x01;
  env["signature"] = base64url_encode(sig);
  const std::string jws = json::serialize(env);
  auto v = verify_notation(request(kJwsMediaType, jws), vector_policy(), vector_store());
  EXPECT_EQ(v.verdict.reason, Reason::kBadSignature) << describe(v);

  std::string cose = cose_vector();
  cose[cose.size() - 20] ^= 0x01;
  auto c = verify_notation(request(kCoseMediaType, cose), vector_policy(), vector_store());
  EXPECT_EQ(c.verdict.reason, Reason::kBadSignature) << describe(c);
  // Even the audit level enforces integrity.
  auto audit = verify_notation(request(kCoseMediaType, cose), policy_with("audit"), vector_store());
  EXPECT_EQ(audit.verdict.reason, Reason::kBadSignature) << describe(audit);
}

TEST(NotationVerifyTest, OtherImageDigestIsDigestMismatch) {
  const std::string jws = jws_vector();
  auto r = request(kJwsMediaType, jws);
  r.image = Digest::of("another manifest");
  auto v = verify_notation(r, vector_policy(), vector_store());
  EXPECT_EQ(v.verdict.reason, Reason::kDigestMismatch) << describe(v);
  const std::string cose = cose_vector();
  auto rc = request(kCoseMediaType, cose);
  rc.image = r.image;
  EXPECT_EQ(verify_notation(rc, policy_with("audit"), vector_store()).verdict.reason,
            Reason::kDigestMismatch);
}

TEST(NotationVerifyTest, TrustStoreWithAnotherCaIsUntrustedChain) {
  TempDir dir("notation-other-ca");
  const fs::path store_dir = fs::path(dir.path()) / "x509/ca/example-registry-test";
  fs::create_directories(store_dir);
  ASSERT_EQ(run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                dir.file("other.key") + " -out " + (store_dir / "other.crt").string() +
                " -days 3650 -subj '/C=US/ST=WA/O=Other/CN=Other Notation Root'"
                " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign"),
            0);
  const auto other = TrustStore::directory(dir.path());
  ASSERT_TRUE(other.certificates(StoreType::kCa, "example-registry-test"));
  for (auto [media_type, envelope] :
       {std::pair{kJwsMediaType, jws_vector()}, std::pair{kCoseMediaType, cose_vector()}}) {
    auto v = verify_notation(request(media_type, envelope), vector_policy(), other);
    EXPECT_EQ(v.verdict.reason, Reason::kUntrustedChain) << describe(v);
    // audit logs authenticity failures only.
    auto audit = verify_notation(request(media_type, envelope), policy_with("audit"), other);
    EXPECT_TRUE(audit.verdict.verified()) << describe(audit);
    EXPECT_EQ(audit.logged_failures, 1);
  }
  // A policy whose trust store does not exist cannot establish authenticity either.
  const auto empty = TrustStore::directory(dir.file("nothing-here"));
  const std::string jws = jws_vector();
  EXPECT_EQ(verify_notation(request(kJwsMediaType, jws), vector_policy(), empty).verdict.reason,
            Reason::kUntrustedChain);
}

TEST(NotationVerifyTest, UntrustedIdentityIsIdentityMismatch) {
  const std::string jws = jws_vector();
  auto doc =
      policy_with("strict", "x509.subject: C=US, ST=WA, O=Example Registry Test, CN=someone-else");
  auto v = verify_notation(request(kJwsMediaType, jws), doc, vector_store());
  EXPECT_EQ(v.verdict.reason, Reason::kIdentityMismatch) << describe(v);
  // A subset of the subject's attributes matches; "*" matches anyone.
  EXPECT_TRUE(
      verify_notation(request(kJwsMediaType, jws),
                      policy_with("strict", "x509.subject: C=US, ST=WA, O=Example Registry Test"),
                      vector_store())
          .verdict.verified());
  EXPECT_TRUE(
      verify_notation(request(kJwsMediaType, jws), policy_with("strict", "*"), vector_store())
          .verdict.verified());
}

TEST(NotationVerifyTest, RepositoryOutsideEveryScopeHasNoPolicy) {
  const std::string jws = jws_vector();
  auto r = request(kJwsMediaType, jws);
  r.repository = "registry.example.com/demo/other";
  auto v = verify_notation(r, vector_policy(), vector_store());
  EXPECT_EQ(v.verdict.reason, Reason::kPolicyNotMet) << describe(v);
  EXPECT_TRUE(v.policy.empty());
}

TEST(NotationVerifyTest, SkipLevelVerifiesNothingAndSaysSo) {
  json::object skip{{"name", "skip"},
                    {"registryScopes", json::array{kRepository}},
                    {"signatureVerification", json::object{{"level", "skip"}}}};
  auto doc = TrustPolicyDocument::parse(
      json::serialize(json::object{{"version", "1.0"}, {"trustPolicies", json::array{skip}}}));
  ASSERT_TRUE(doc);
  auto v = verify_notation(request(kJwsMediaType, "garbage"), *doc, vector_store());
  EXPECT_TRUE(v.skipped);
  EXPECT_EQ(v.level, VerificationLevel::kSkip);
  EXPECT_FALSE(v.verdict.checks.empty());
  EXPECT_NE(v.verdict.checks[0].detail.find("NOT verified"), std::string::npos);
}

TEST(NotationVerifyTest, ExpiredCertificateWithoutTimestampStrictVersusPermissive) {
  const std::string jws = jws_vector();
  auto r = request(kJwsMediaType, jws);
  r.now = vector_signing_time() + 5 * 365 * 24 * kHour;  // the leaf is valid for 825 days
  auto strict = verify_notation(r, vector_policy(), vector_store());
  EXPECT_EQ(strict.verdict.reason, Reason::kExpiredWithoutTimestamp) << describe(strict);
  auto permissive = verify_notation(r, policy_with("permissive"), vector_store());
  EXPECT_TRUE(permissive.verdict.verified()) << describe(permissive);
  EXPECT_EQ(permissive.logged_failures, 1);
  const Check* ts = find_check(permissive.verdict, "authenticTimestamp");
  ASSERT_NE(ts, nullptr);
  EXPECT_NE(ts->detail.find("not enforced (permissive"), std::string::npos) << ts->detail;
  EXPECT_NE(ts->detail.find("expired_without_timestamp"), std::string::npos) << ts->detail;
  // strict with authenticTimestamp overridden to log behaves like permissive here.
  auto overridden = verify_notation(
      r, policy_with("strict", kIdentity, json::object{{"authenticTimestamp", "log"}}),
      vector_store());
  EXPECT_TRUE(overridden.verdict.verified()) << describe(overridden);
}

// Signatures made here with the vectors' leaf key (pki/leaf.key), so headers can be chosen.
class SignedHereTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = PrivateKey::load(vectors_dir() / "pki/leaf.key");
    ASSERT_TRUE(key) << key.error().message;
    key_ = std::make_unique<PrivateKey>(*key);
    chain_ = pem_to_der(read_file(vectors_dir() / "pki/leaf.crt"));
    const auto root = pem_to_der(read_file(vectors_dir() / "pki/root.crt"));
    chain_.insert(chain_.end(), root.begin(), root.end());
    ASSERT_EQ(chain_.size(), 2u);
  }
  std::string sign(const json::object& header) {
    return make_jws(header, payload_for(image_digest()), *key_, chain_);
  }
  std::unique_ptr<PrivateKey> key_;
  std::vector<std::string> chain_;
};

TEST_F(SignedHereTest, PlainSignatureVerifies) {
  const std::string jws = sign(notation_header(vector_signing_time()));
  expect_verified(verify_notation(request(kJwsMediaType, jws), vector_policy(), vector_store()));
}

TEST_F(SignedHereTest, ExpiredSignatureStrictFailsPermissiveLogs) {
  json::object h = notation_header(vector_signing_time());
  h["io.cncf.notary.expiry"] = rfc3339(vector_signing_time() + 60);
  h["crit"].as_array().emplace_back("io.cncf.notary.expiry");
  const std::string jws = sign(h);
  auto strict = verify_notation(request(kJwsMediaType, jws), vector_policy(), vector_store());
  EXPECT_FALSE(strict.verdict.verified());
  EXPECT_EQ(strict.verdict.reason, Reason::kSignatureExpired) << describe(strict);
  const Check* expiry = find_check(strict.verdict, "expiry");
  ASSERT_NE(expiry, nullptr);
  EXPECT_FALSE(expiry->passed);
  // Every other check passed: the failure is the expiry's.
  for (const Check& c : strict.verdict.checks) {
    if (c.name != "expiry") {
      EXPECT_TRUE(c.passed) << c.name << ": " << c.detail;
    }
  }
  for (const char* level : {"permissive", "audit"}) {
    auto lenient = verify_notation(request(kJwsMediaType, jws), policy_with(level), vector_store());
    EXPECT_TRUE(lenient.verdict.verified()) << level << describe(lenient);
    EXPECT_EQ(lenient.logged_failures, 1) << level;
  }
  // Before the expiry, strict accepts it.
  auto r = request(kJwsMediaType, jws);
  r.now = vector_signing_time() + 30;
  EXPECT_TRUE(verify_notation(r, vector_policy(), vector_store()).verdict.verified());
  // strict with expiry overridden to skip accepts it without checking.
  auto skipped = verify_notation(request(kJwsMediaType, jws),
                                 policy_with("strict", kIdentity, json::object{{"expiry", "skip"}}),
                                 vector_store());
  EXPECT_TRUE(skipped.verdict.verified()) << describe(skipped);
  EXPECT_NE(find_check(skipped.verdict, "expiry")->detail.find("skipped"), std::string::npos);
}

TEST_F(SignedHereTest, SigningTimeOutsideCertificateValidityIsCertificateExpired) {
  const std::string jws = sign(notation_header(vector_signing_time() - 400 * 24 * kHour));
  auto v = verify_notation(request(kJwsMediaType, jws), vector_policy(), vector_store());
  EXPECT_EQ(v.verdict.reason, Reason::kCertificateExpired) << describe(v);
}

TEST_F(SignedHereTest, AlgorithmThatDoesNotFitTheKeyIsBadSignature) {
  json::object h = notation_header(vector_signing_time());
  h["alg"] = "ES384";  // the leaf key is P-256
  const std::string jws = sign(h);
  auto v = verify_notation(request(kJwsMediaType, jws), vector_policy(), vector_store());
  EXPECT_EQ(v.verdict.reason, Reason::kBadSignature) << describe(v);
  EXPECT_NE(v.verdict.message.find("does not match"), std::string::npos) << v.verdict.message;
}

TEST_F(SignedHereTest, UnknownCriticalHeaderIsRefused) {
  json::object h = notation_header(vector_signing_time());
  h["io.cncf.notary.verificationPlugin"] = "com.example.plugin";
  h["crit"].as_array().emplace_back("io.cncf.notary.verificationPlugin");
  const std::string jws = sign(h);
  auto v = verify_notation(request(kJwsMediaType, jws), policy_with("audit"), vector_store());
  EXPECT_EQ(v.verdict.reason, Reason::kUnsupported) << describe(v);
}

TEST_F(SignedHereTest, SigningAuthorityNeedsASigningAuthorityStore) {
  json::object h = notation_header(vector_signing_time());
  h.erase("io.cncf.notary.signingTime");
  h["io.cncf.notary.signingScheme"] = "notary.x509.signingAuthority";
  h["io.cncf.notary.authenticSigningTime"] = rfc3339(vector_signing_time());
  h["crit"].as_array().emplace_back("io.cncf.notary.authenticSigningTime");
  const std::string jws = sign(h);
  // The vector policy names a "ca" store only: untrusted for this scheme.
  auto ca_only = verify_notation(request(kJwsMediaType, jws), vector_policy(), vector_store());
  EXPECT_EQ(ca_only.verdict.reason, Reason::kUntrustedChain) << describe(ca_only);

  TempDir dir("notation-sa");
  write_file(fs::path(dir.path()) / "x509/signingAuthority/sa/root.crt",
             read_file(vectors_dir() / "pki/root.crt"));
  json::object p{{"name", "sa"},
                 {"registryScopes", json::array{kRepository}},
                 {"signatureVerification", json::object{{"level", "strict"}}},
                 {"trustStores", json::array{"signingAuthority:sa"}},
                 {"trustedIdentities", json::array{kIdentity}}};
  auto doc = TrustPolicyDocument::parse(
      json::serialize(json::object{{"version", "1.0"}, {"trustPolicies", json::array{p}}}));
  ASSERT_TRUE(doc) << doc.error().message;
  auto r = request(kJwsMediaType, jws);
  r.now =
      vector_signing_time() + 5 * 365 * 24 * kHour;  // after the leaf expired: time is authentic
  auto v = verify_notation(r, *doc, TrustStore::directory(dir.path()));
  EXPECT_TRUE(v.verdict.verified()) << describe(v);
  ASSERT_TRUE(v.verdict.signed_at);
  EXPECT_EQ(*v.verdict.signed_at, vector_signing_time());
}

// An RFC 3161 timestamp over the signature from a TSA made here with the openssl CLI (issued by
// the vectors' root, which the policy's "tsa" store holds) proves the signing time after the
// leaf expired.
TEST_F(SignedHereTest, Rfc3161TimestampFromATsaStoreProvesTheSigningTime) {
  TempDir dir("notation-tsa");
  const std::string d = dir.path();
  const std::string pki = (vectors_dir() / "pki").string();
  write_file(d + "/tsa.ext",
             "extendedKeyUsage=critical,timeStamping\nkeyUsage=critical,digitalSignature\n");
  write_file(d + "/tsa.cnf",
             "[tsa]\ndefault_tsa=t\n[t]\nserial=" + d +
                 "/serial\nsigner_digest=sha256\n"
                 "default_policy=1.2.3.4.1\ndigests=sha256\ness_cert_id_alg=sha256\n");
  write_file(d + "/serial", "01\n");
  ASSERT_EQ(run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + d +
                "/tsa.key -subj '/C=US/O=Example/CN=Test TSA' -out " + d + "/tsa.csr"),
            0);
  ASSERT_EQ(
      run("openssl x509 -req -in " + d + "/tsa.csr -CA " + pki + "/root.crt -CAkey " + pki +
          "/root.key -set_serial 4242 -days 800 -extfile " + d + "/tsa.ext -out " + d + "/tsa.crt"),
      0);
  json::object envelope = json::parse(sign(notation_header(vector_signing_time()))).as_object();
  write_file(d + "/sig.bin",
             *base64url_decode(std::string_view(envelope["signature"].as_string())));
  ASSERT_EQ(run("openssl ts -query -data " + d + "/sig.bin -sha256 -cert -out " + d + "/q.tsq"), 0);
  ASSERT_EQ(run("openssl ts -reply -config " + d + "/tsa.cnf -queryfile " + d + "/q.tsq -inkey " +
                d + "/tsa.key -signer " + d + "/tsa.crt -token_out -out " + d + "/token.der"),
            0);
  envelope["header"].as_object()["io.cncf.notary.timestampSignature"] =
      base64_encode(read_file(d + "/token.der"));
  const std::string jws = json::serialize(envelope);
  write_file(d + "/store/x509/tsa/tsa/root.crt", read_file(vectors_dir() / "pki/root.crt"));
  write_file(d + "/store/x509/ca/example-registry-test/root.crt",
             read_file(vectors_dir() / "pki/root.crt"));
  auto policy = [&](bool with_tsa) {
    json::array stores{"ca:example-registry-test"};
    if (with_tsa) stores.emplace_back("tsa:tsa");
    json::object p{{"name", "p"},
                   {"registryScopes", json::array{kRepository}},
                   {"signatureVerification", json::object{{"level", "strict"}}},
                   {"trustStores", stores},
                   {"trustedIdentities", json::array{kIdentity}}};
    return *TrustPolicyDocument::parse(
        json::serialize(json::object{{"version", "1.0"}, {"trustPolicies", json::array{p}}}));
  };
  const auto store = TrustStore::directory(d + "/store");
  auto r = request(kJwsMediaType, jws);
  r.now = vector_signing_time() + 5 * 365 * 24 * kHour;  // the leaf has expired by then
  auto v = verify_notation(r, policy(true), store);
  EXPECT_TRUE(v.verdict.verified()) << describe(v);
  ASSERT_TRUE(v.verdict.signed_at);
  EXPECT_GE(*v.verdict.signed_at, vector_signing_time());  // genTime: when this test ran
  // Without a tsa store the token is not trusted: expired without timestamp.
  auto no_tsa = verify_notation(r, policy(false), store);
  EXPECT_EQ(no_tsa.verdict.reason, Reason::kExpiredWithoutTimestamp) << describe(no_tsa);
  // A token over other bytes (another signature's) is a bad timestamp.
  json::object other = json::parse(jws).as_object();
  write_file(d + "/other.bin", "some other signature");
  ASSERT_EQ(run("openssl ts -query -data " + d + "/other.bin -sha256 -cert -out " + d + "/q2.tsq"),
            0);
  ASSERT_EQ(run("openssl ts -reply -config " + d + "/tsa.cnf -queryfile " + d + "/q2.tsq -inkey " +
                d + "/tsa.key -signer " + d + "/tsa.crt -token_out -out " + d + "/token2.der"),
            0);
  other["header"].as_object()["io.cncf.notary.timestampSignature"] =
      base64_encode(read_file(d + "/token2.der"));
  const std::string other_jws = json::serialize(other);
  auto bad = verify_notation(request(kJwsMediaType, other_jws), policy(true), store);
  EXPECT_EQ(bad.verdict.reason, Reason::kBadTimestamp) << describe(bad);
}

TEST_F(SignedHereTest, MalformedEnvelopeIsMalformed) {
  auto v =
      verify_notation(request(kJwsMediaType, "{\"payload\":1}"), vector_policy(), vector_store());
  EXPECT_EQ(v.verdict.reason, Reason::kMalformed) << describe(v);
  auto c = verify_notation(request(kCoseMediaType, std::string("\xd2\x84", 2)), vector_policy(),
                           vector_store());
  EXPECT_EQ(c.verdict.reason, Reason::kMalformed) << describe(c);
}

}  // namespace
}  // namespace bulwark::trust::notation
