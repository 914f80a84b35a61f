#include "trust/notation/trust_policy.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>

#include "common/temp_dir.h"
#include "trust/notation/test_support.h"
#include "trust/notation/trust_store.h"

namespace bulwark::trust::notation {
namespace {

namespace json = boost::json;
using namespace testing;

constexpr const char* kIdentity =
    "x509.subject: C=US, ST=WA, L=Seattle, O=Example Registry Test, OU=CI, CN=image-signer";

json::object policy(const char* name, json::array scopes, const char* level = "strict") {
  return json::object{{"name", name},
                      {"registryScopes", scopes},
                      {"signatureVerification", json::object{{"level", level}}},
                      {"trustStores", json::array{"ca:example-registry-test"}},
                      {"trustedIdentities", json::array{kIdentity}}};
}

std::string document(json::array policies, const char* version = "1.0") {
  return json::serialize(json::object{{"version", version}, {"trustPolicies", policies}});
}

TEST(NotationTrustPolicyTest, ParsesTheVectorPolicy) {
  auto doc = TrustPolicyDocument::parse(read_file(vectors_dir() / "trustpolicy.oci.json"));
  ASSERT_TRUE(doc) << doc.error().message;
  ASSERT_EQ(doc->policies().size(), 1u);
  const TrustPolicy& p = doc->policies()[0];
  EXPECT_EQ(p.name, "example-registry-test");
  EXPECT_EQ(p.level, VerificationLevel::kStrict);
  ASSERT_EQ(p.trust_stores.size(), 1u);
  EXPECT_EQ(p.trust_stores[0].type, StoreType::kCa);
  EXPECT_EQ(p.trust_stores[0].name, "example-registry-test");
  EXPECT_FALSE(p.any_identity);
  ASSERT_EQ(p.trusted_subjects.size(), 1u);
  EXPECT_EQ(p.trusted_subjects[0].size(), 6u);
  auto selected = doc->select("registry.example.com/demo/app");
  ASSERT_TRUE(selected);
  EXPECT_EQ((*selected)->name, "example-registry-test");
  auto other = doc->select("registry.example.com/demo/other");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kNotFound);
}

TEST(NotationTrustPolicyTest, SelectsExactScopeBeforeWildcard) {
  auto doc = TrustPolicyDocument::parse(document(json::array{
      policy("wildcard", json::array{"*"}, "audit"),
      policy("app", json::array{"registry.example.com/demo/app", "localhost:5000/demo/app"})}));
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ((*doc->select("registry.example.com/demo/app"))->name, "app");
  EXPECT_EQ((*doc->select("localhost:5000/demo/app"))->name, "app");
  EXPECT_EQ((*doc->select("registry.example.com/demo/app2"))->name, "wildcard");
  EXPECT_EQ((*doc->select("registry.example.com/demo"))->name, "wildcard");
}

TEST(NotationTrustPolicyTest, LevelsAndOverrides) {
  using A = CheckAction;
  EXPECT_EQ(level_actions(VerificationLevel::kStrict),
            (std::array<A, 5>{A::kEnforce, A::kEnforce, A::kEnforce, A::kEnforce, A::kEnforce}));
  EXPECT_EQ(level_actions(VerificationLevel::kPermissive),
            (std::array<A, 5>{A::kEnforce, A::kEnforce, A::kLog, A::kLog, A::kLog}));
  EXPECT_EQ(level_actions(VerificationLevel::kAudit),
            (std::array<A, 5>{A::kEnforce, A::kLog, A::kLog, A::kLog, A::kLog}));
  EXPECT_EQ(level_actions(VerificationLevel::kSkip),
            (std::array<A, 5>{A::kSkip, A::kSkip, A::kSkip, A::kSkip, A::kSkip}));
  auto p = policy("p", json::array{"registry.example.com/demo/app"});
  p["signatureVerification"] = json::object{
      {"level", "strict"}, {"override", json::object{{"expiry", "log"}, {"revocation", "skip"}}}};
  auto doc = TrustPolicyDocument::parse(document(json::array{p}));
  ASSERT_TRUE(doc) << doc.error().message;
  const TrustPolicy& tp = doc->policies()[0];
  EXPECT_EQ(tp.action(ValidationCheck::kExpiry), A::kLog);
  EXPECT_EQ(tp.action(ValidationCheck::kRevocation), A::kSkip);
  EXPECT_EQ(tp.action(ValidationCheck::kAuthenticity), A::kEnforce);
}

TEST(NotationTrustPolicyTest, SkipPolicyTakesNoStoresOrIdentities) {
  json::object skip{{"name", "skip"},
                    {"registryScopes", json::array{"registry.example.com/demo/app"}},
                    {"signatureVerification", json::object{{"level", "skip"}}}};
  auto doc = TrustPolicyDocument::parse(document(json::array{skip}));
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->policies()[0].level, VerificationLevel::kSkip);
}

struct BadDocument {
  const char* what;
  std::string json;
  const char* message;  // a substring of the error
};

TEST(NotationTrustPolicyTest, RefusesInvalidDocuments) {
  const std::string app = "registry.example.com/demo/app";
  auto with = [&](const char* key, json::value v) {
    auto p = policy("p", json::array{app.c_str()});
    p[key] = std::move(v);
    return document(json::array{p});
  };
  auto skip_with_stores = policy("p", json::array{app.c_str()}, "skip");
  const std::vector<BadDocument> cases = {
      {"version", document(json::array{policy("p", json::array{app.c_str()})}, "2.0"), "version"},
      {"no policies", document(json::array{}), "at least one"},
      {"duplicate names",
       document(json::array{policy("p", json::array{app.c_str()}),
                            policy("p", json::array{"registry.example.com/other"})}),
       "named"},
      {"two wildcards",
       document(json::array{policy("a", json::array{"*"}), policy("b", json::array{"*"})}),
       "wildcard"},
      {"wildcard shared", document(json::array{policy("a", json::array{"*", app.c_str()})}),
       "wildcard"},
      {"scope in two policies",
       document(json::array{policy("a", json::array{app.c_str()}),
                            policy("b", json::array{app.c_str()})}),
       "more than one policy"},
      {"scope with tag", with("registryScopes", json::array{"registry.example.com/demo/app:v1"}),
       "registry scope"},
      {"scope with digest",
       with("registryScopes",
            json::array{
                "registry.example.com/demo/"
                "app@sha256:1f302eb0b2525ff954c3b8570dbe9dedb0f0143b0750e6d5b442162547bb861a"}),
       "registry scope"},
      {"scope without registry", with("registryScopes", json::array{"demo/app"}), "registry scope"},
      {"empty scopes", with("registryScopes", json::array{}), "registryScopes"},
      {"unknown level", with("signatureVerification", json::object{{"level", "lenient"}}), "level"},
      {"override integrity",
       with("signatureVerification",
            json::object{{"level", "audit"}, {"override", json::object{{"integrity", "log"}}}}),
       "integrity"},
      {"override unknown check",
       with("signatureVerification",
            json::object{{"level", "audit"}, {"override", json::object{{"freshness", "log"}}}}),
       "unknown validation"},
      {"override bad action",
       with("signatureVerification",
            json::object{{"level", "audit"}, {"override", json::object{{"expiry", "warn"}}}}),
       "enforce, log or skip"},
      {"skip authenticity",
       with(
           "signatureVerification",
           json::object{{"level", "strict"}, {"override", json::object{{"authenticity", "skip"}}}}),
       "authenticity"},
      {"skip with stores", document(json::array{skip_with_stores}), "skip"},
      {"no stores", with("trustStores", json::array{}), "trustStores"},
      {"bad store type", with("trustStores", json::array{"x509:example"}), "trust store"},
      {"bad store name", with("trustStores", json::array{"ca:../etc"}), "trust store"},
      {"no identities", with("trustedIdentities", json::array{}), "trustedIdentities"},
      {"identity without C/ST/O",
       with("trustedIdentities", json::array{"x509.subject: CN=image-signer"}), "mandatory"},
      {"identity of unknown kind", with("trustedIdentities", json::array{"email: a@example.com"}),
       "x509.subject"},
      {"wildcard identity shared", with("trustedIdentities", json::array{"*", kIdentity}),
       "wildcard trusted identity"},
      {"overlapping identities",
       with("trustedIdentities",
            json::array{kIdentity, "x509.subject: C=US, ST=WA, O=Example Registry Test"}),
       "overlapping"},
      {"multi-valued RDN",
       with("trustedIdentities", json::array{"x509.subject: C=US, ST=WA, O=Example+OU=CI"}),
       "multi-valued"},
      {"unknown member", with("trustedIdentity", json::array{"*"}), "unknown member"},
      {"not JSON", "{", "JSON"},
  };
  for (const BadDocument& c : cases) {
    auto doc = TrustPolicyDocument::parse(c.json);
    ASSERT_FALSE(doc) << c.what;
    EXPECT_EQ(doc.error().code, ErrorCode::kInvalidArgument) << c.what;
    EXPECT_NE(doc.error().message.find(c.message), std::string::npos)
        << c.what << ": " << doc.error().message;
  }
  // The base policy is valid, so each case fails for its own change.
  EXPECT_TRUE(
      TrustPolicyDocument::parse(document(json::array{policy("p", json::array{app.c_str()})})));
}

TEST(NotationTrustPolicyTest, DistinguishedNames) {
  auto dn = parse_distinguished_name("C=US,  ST=WA;O=Example\\, Inc.,CN=a\\2Bb ,OU=x\\ ");
  ASSERT_TRUE(dn) << dn.error().message;
  ASSERT_EQ(dn->size(), 5u);
  EXPECT_EQ((*dn)[0], (std::pair<std::string, std::string>{"C", "US"}));
  EXPECT_EQ((*dn)[1], (std::pair<std::string, std::string>{"ST", "WA"}));
  EXPECT_EQ((*dn)[2], (std::pair<std::string, std::string>{"O", "Example, Inc."}));
  EXPECT_EQ((*dn)[3], (std::pair<std::string, std::string>{"CN", "a+b"}));
  EXPECT_EQ((*dn)[4], (std::pair<std::string, std::string>{"OU", "x "}));
  EXPECT_FALSE(parse_distinguished_name("C=US, C=CA"));
  EXPECT_FALSE(parse_distinguished_name("C=US, ST"));
  EXPECT_FALSE(parse_distinguished_name("=US"));
  EXPECT_FALSE(parse_distinguished_name("C=US\\"));
  EXPECT_FALSE(parse_distinguished_name(""));

  auto subject = *parse_distinguished_name(
      "CN=image-signer,OU=CI,O=Example Registry Test,L=Seattle,ST=WA,C=US");
  EXPECT_TRUE(
      dn_matches(*parse_distinguished_name("C=US, ST=WA, O=Example Registry Test"), subject));
  EXPECT_FALSE(dn_matches(*parse_distinguished_name("C=US, ST=WA, O=Example Registry"), subject));
  EXPECT_FALSE(dn_matches(
      *parse_distinguished_name("C=US, ST=WA, O=Example Registry Test, OU=Prod"), subject));
}

TEST(NotationTrustStoreTest, LoadsTheVectorStore) {
  auto store = TrustStore::directory(vectors_dir() / "trust-store");
  auto certs = store.certificates(StoreType::kCa, "example-registry-test");
  ASSERT_TRUE(certs) << certs.error().message;
  ASSERT_EQ(certs->size(), 1u);
  EXPECT_NE((*certs)[0].subject().find("CN=Example Notation Test Root"), std::string::npos);
  auto missing = store.certificates(StoreType::kCa, "nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store.certificates(StoreType::kTsa, "example-registry-test").error().code,
            ErrorCode::kNotFound);
  EXPECT_FALSE(store.certificates(StoreType::kCa, "../x509"));
}

TEST(NotationTrustStoreTest, RefusesBadStoreContents) {
  TempDir dir("notation-store");
  const std::filesystem::path root = dir.path();
  const auto store = TrustStore::directory(root);
  const std::string ca_pem = read_file(vectors_dir() / "pki/root.crt");
  // DER is accepted as well as PEM.
  write_file(root / "x509/ca/der/root.cer", pem_to_der(ca_pem).at(0));
  ASSERT_TRUE(store.certificates(StoreType::kCa, "der"));
  // A leaf (neither CA nor self-signed) is refused.
  write_file(root / "x509/ca/leaf/leaf.crt", read_file(vectors_dir() / "pki/leaf.crt"));
  auto leaf = store.certificates(StoreType::kCa, "leaf");
  ASSERT_FALSE(leaf);
  EXPECT_NE(leaf.error().message.find("neither a CA"), std::string::npos) << leaf.error().message;
  write_file(root / "x509/ca/garbage/x.pem", "not a certificate");
  EXPECT_FALSE(store.certificates(StoreType::kCa, "garbage"));
  std::filesystem::create_directories(root / "x509/ca/empty");
  EXPECT_FALSE(store.certificates(StoreType::kCa, "empty"));
  write_file(root / "x509/ca/nested/sub/root.crt", ca_pem);
  EXPECT_FALSE(store.certificates(StoreType::kCa, "nested"));
  std::filesystem::create_directories(root / "x509/ca/link");
  std::filesystem::create_symlink(vectors_dir() / "pki/root.crt", root / "x509/ca/link/root.crt");
  auto link = store.certificates(StoreType::kCa, "link");
  ASSERT_FALSE(link);
  EXPECT_NE(link.error().message.find("symlink"), std::string::npos);
}

}  // namespace
}  // namespace bulwark::trust::notation
