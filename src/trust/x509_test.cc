// X.509: the mock Fulcio leaf chains to the mock Fulcio root at its signing time and not outside
// its ten-minute validity nor against other roots; Fulcio identities come out of the SAN and
// issuer extensions; partial chains (an intermediate as the anchor), extended key usages and
// malformed input behave. A small PKI is made with the openssl CLI for the cases the vectors lack.
#include "trust/x509.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <memory>

#include "common/temp_dir.h"
#include "trust/pki_test_support.h"

namespace bulwark::trust {
namespace {

using testing::b64;
using testing::json_vector;
using testing::read_file;
using testing::rfc3339;
using testing::run;
using testing::vector_file;
using testing::write_file;
using namespace std::string_literals;

constexpr std::string_view kSan =
    "https://github.com/example-org/example-repo/.github/workflows/release.yml@refs/heads/main";
constexpr std::string_view kIssuer = "https://token.actions.githubusercontent.com";

Certificate load(std::string_view relative) {
  auto cert = Certificate::from_pem(vector_file(relative));
  EXPECT_TRUE(cert) << relative << ": " << (cert ? "" : cert.error().message);
  return *cert;
}

Certificate leaf() { return load("keyless-mock/image-sig-legacy/cert.pem"); }
Certificate fulcio_root() { return load("keyless-mock/fulcio-root.pem"); }

// The time the leaf was used: the Rekor entry's integratedTime of the same signature.
int64_t signing_time() {
  auto bundle = json_vector("keyless-mock/image-sig-legacy/payload.sigstore.json");
  auto text = bundle.at("verificationMaterial").at("tlogEntries").at(0).at("integratedTime");
  return std::stoll(std::string(text.as_string()));
}

std::string capture(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  std::string out;
  char buf[256];
  while (pipe && fgets(buf, sizeof buf, pipe.get()) != nullptr) out += buf;
  return out;
}

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty()) out += ':';
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

TEST(X509, ParsesTheFulcioLeaf) {
  Certificate cert = leaf();
  EXPECT_EQ(cert.issuer(), "O=sigstore.mock,CN=sigstore");
  EXPECT_EQ(cert.subject(), "");
  EXPECT_EQ(cert.not_before(), rfc3339("2026-11-27T18:44:35Z"));
  EXPECT_EQ(cert.not_after(), rfc3339("2026-11-27T18:54:35Z"));
  EXPECT_FALSE(cert.is_ca());
  EXPECT_TRUE(fulcio_root().is_ca());
  auto key = cert.public_key();
  ASSERT_TRUE(key);
  EXPECT_EQ(key->type(), KeyType::kEcdsaP256);
  // The leaf's key verifies the signature it made (the legacy .sig layer).
  EXPECT_TRUE(key->verify(vector_file("keyless-mock/image-sig-legacy/payload.json"),
                          vector_file("keyless-mock/image-sig-legacy/signature.der")));
  // Fingerprint, as the openssl CLI computes it.
  std::string expected =
      capture("openssl x509 -noout -fingerprint -sha256 -in " + std::string(TRUST_SIGSTORE_DIR) +
              "/keyless-mock/image-sig-legacy/cert.pem");
  ASSERT_NE(expected.find('='), std::string::npos);
  expected = expected.substr(expected.find('=') + 1);
  expected.erase(expected.find_last_not_of("\n") + 1);
  EXPECT_EQ(hex(cert.sha256_fingerprint()), expected);
  // PEM and DER round trips.
  auto again = Certificate::from_pem(cert.pem());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->der(), cert.der());
  auto from_der = Certificate::from_der(cert.der());
  ASSERT_TRUE(from_der);
  EXPECT_EQ(from_der->der(), cert.der());
}

TEST(X509, RefusesMalformedInput) {
  std::string der = leaf().der();
  auto trailing = Certificate::from_der(der + "\0"s);
  ASSERT_FALSE(trailing);
  EXPECT_EQ(trailing.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(Certificate::from_der(der.substr(0, der.size() - 1)));
  EXPECT_FALSE(Certificate::from_der(""));
  EXPECT_FALSE(Certificate::from_pem("no certificate here"));
  EXPECT_FALSE(Certificate::from_pem(vector_file("keybased-openssl/cosign.pub")));
  EXPECT_FALSE(Certificate::all_from_pem(""));
  auto both = Certificate::all_from_pem(vector_file("keyless-mock/image-sig-legacy/cert.pem") +
                                        vector_file("keyless-mock/fulcio-root.pem"));
  ASSERT_TRUE(both);
  ASSERT_EQ(both->size(), 2u);
  EXPECT_EQ((*both)[1].der(), fulcio_root().der());
}

TEST(X509, FulcioIdentityOfTheMockLeaf) {
  Certificate cert = leaf();
  auto id = fulcio_identity(cert);
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(id->issuer, kIssuer);
  ASSERT_EQ(id->identities.size(), 1u);
  EXPECT_EQ(id->identities[0], kSan);
  SubjectAltNames san = cert.subject_alt_names();
  EXPECT_EQ(san.uris, std::vector<std::string>{std::string(kSan)});
  EXPECT_TRUE(san.emails.empty());
  // The legacy extension holds the raw text; the new one a DER UTF8String of it.
  EXPECT_EQ(cert.extension("1.3.6.1.4.1.57264.1.1"), std::string(kIssuer));
  auto v2 = cert.extension("1.3.6.1.4.1.57264.1.8");
  ASSERT_TRUE(v2);
  EXPECT_EQ(*v2, "\x0c"s + static_cast<char>(kIssuer.size()) + std::string(kIssuer));
  EXPECT_FALSE(cert.extension("1.2.3.4"));
  EXPECT_FALSE(cert.extension("not an oid"));
  // The root has no Fulcio identity.
  EXPECT_FALSE(fulcio_identity(fulcio_root()));
}

TEST(X509, LeafChainsToTheFulcioRootAtSigningTime) {
  std::vector<Certificate> roots{fulcio_root()};
  ChainOptions options;
  options.at = signing_time();
  EXPECT_TRUE(leaf().valid_at(options.at));
  auto chain = verify_chain(leaf(), {}, roots, options);
  ASSERT_TRUE(chain) << chain.error().message;
  ASSERT_EQ(chain->size(), 2u);
  EXPECT_EQ((*chain)[0].der(), leaf().der());
  EXPECT_EQ((*chain)[1].der(), fulcio_root().der());
}

TEST(X509, LeafIsRefusedOutsideItsValidity) {
  std::vector<Certificate> roots{fulcio_root()};
  ChainOptions options;
  options.at = leaf().not_after() + 1;
  auto expired = verify_chain(leaf(), {}, roots, options);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(expired.error().message.find("expired"), std::string::npos) << expired.error().message;
  options.at = leaf().not_before() - 1;
  auto early = verify_chain(leaf(), {}, roots, options);
  ASSERT_FALSE(early);
  EXPECT_NE(early.error().message.find("not yet valid"), std::string::npos);
}

TEST(X509, LeafIsRefusedAgainstAnotherRoot) {
  ChainOptions options;
  options.at = signing_time();
  std::vector<Certificate> others{load("notation-synthetic/pki/root.crt")};
  auto r = verify_chain(leaf(), {}, others, options);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("unable to get local issuer certificate"), std::string::npos)
      << r.error().message;
  // Nor with the real root offered as a mere intermediate.
  std::vector<Certificate> fulcio{fulcio_root()};
  EXPECT_FALSE(verify_chain(leaf(), fulcio, others, options));
  EXPECT_FALSE(verify_chain(leaf(), {}, {}, options));
}

TEST(X509, ExtendedKeyUsageIsEnforcedOnTheLeaf) {
  auto root = json_vector("keyless-mock/trusted_root.json");
  auto& tsa = root.at("timestampAuthorities").at(0).at("certChain").at("certificates");
  auto tsa_leaf = Certificate::from_der(b64(tsa.at(0).at("rawBytes").as_string()));
  auto tsa_root = Certificate::from_der(b64(tsa.at(1).at("rawBytes").as_string()));
  ASSERT_TRUE(tsa_leaf && tsa_root);
  std::vector<Certificate> roots{*tsa_root};
  ChainOptions options;
  options.at = signing_time();
  auto code = verify_chain(*tsa_leaf, {}, roots, options);  // codeSigning required by default
  ASSERT_FALSE(code);
  EXPECT_NE(code.error().message.find("codeSigning"), std::string::npos);
  options.require_code_signing = false;
  options.require_timestamping = true;
  EXPECT_TRUE(verify_chain(*tsa_leaf, {}, roots, options));
  // And the Fulcio leaf is no TSA.
  std::vector<Certificate> fulcio{fulcio_root()};
  auto tsa_use = verify_chain(leaf(), {}, fulcio, options);
  ASSERT_FALSE(tsa_use);
  EXPECT_NE(tsa_use.error().message.find("timeStamping"), std::string::npos);
}

TEST(X509, NotationLeafChainsToItsRoot) {
  std::vector<Certificate> roots{load("notation-synthetic/pki/root.crt")};
  Certificate notation_leaf = load("notation-synthetic/pki/leaf.crt");
  ChainOptions options;
  options.at = notation_leaf.not_before() + 60;
  auto chain = verify_chain(notation_leaf, {}, roots, options);
  ASSERT_TRUE(chain) << chain.error().message;
  EXPECT_EQ(chain->size(), 2u);
  EXPECT_NE(notation_leaf.subject().find("O=Example"), std::string::npos);
}

// root -> intermediate -> leaf (codeSigning, SANs of every kind, Fulcio issuer extensions), made
// with the openssl CLI once for the suite.
class GeneratedPki : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("pki-x509");
    auto f = [](std::string_view name) { return dir_->file(name); };
    write_file(f("ext.cnf"),
               "[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
               "[leaf]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
               "extendedKeyUsage=codeSigning\n"
               "subjectAltName=email:dev@example.com,URI:https://example.com/wf,"
               "DNS:example.com,otherName:1.3.6.1.4.1.57264.1.7;UTF8:alice\n"
               "1.3.6.1.4.1.57264.1.8=ASN1:UTF8String:https://issuer.example\n"
               "[legacy]\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=codeSigning\n"
               "subjectAltName=email:old@example.com\n"
               // raw "https://old.example" (no DER wrapping), as Fulcio's deprecated extension
               "1.3.6.1.4.1.57264.1.1=DER:68747470733a2f2f6f6c642e6578616d706c65\n"
               "[noissuer]\nextendedKeyUsage=codeSigning\nsubjectAltName=email:x@example.com\n");
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes ";
    const std::string dirs = " -extfile " + f("ext.cnf") + " -days 2 -set_serial ";
    ok_ = run("openssl req -x509" + ec + "-keyout " + f("root.key") + " -out " + f("root.pem") +
              " -subj /CN=Test-Root -days 3 -addext basicConstraints=critical,CA:TRUE"
              " -addext keyUsage=critical,keyCertSign") &&
          run("openssl req -new" + ec + "-keyout " + f("int.key") + " -out " + f("int.csr") +
              " -subj /CN=Test-Intermediate") &&
          run("openssl x509 -req -in " + f("int.csr") + " -CA " + f("root.pem") + " -CAkey " +
              f("root.key") + " -out " + f("int.pem") + " -extensions ca" + dirs + "2");
    for (std::string_view name : {"leaf", "legacy", "noissuer"}) {
      std::string n(name);
      ok_ = ok_ &&
            run("openssl req -new" + ec + "-keyout " + f(n + ".key") + " -out " + f(n + ".csr") +
                " -subj /CN=" + n) &&
            run("openssl x509 -req -in " + f(n + ".csr") + " -CA " + f("int.pem") + " -CAkey " +
                f("int.key") + " -out " + f(n + ".pem") + " -extensions " + n + dirs +
                std::to_string(10 + n.size()));
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(ok_) << "openssl could not make the test PKI"; }

  static Certificate cert(std::string_view name) {
    auto c = Certificate::from_pem(read_file(dir_->file(std::string(name) + ".pem")));
    EXPECT_TRUE(c);
    return *c;
  }
  static ChainOptions now() {
    ChainOptions options;
    options.at = static_cast<int64_t>(std::time(nullptr));
    return options;
  }

  static inline TempDir* dir_ = nullptr;
  static inline bool ok_ = false;
};

TEST_F(GeneratedPki, ChainsThroughAnIntermediate) {
  std::vector<Certificate> intermediates{cert("int")};
  std::vector<Certificate> roots{cert("root")};
  auto chain = verify_chain(cert("leaf"), intermediates, roots, now());
  ASSERT_TRUE(chain) << chain.error().message;
  ASSERT_EQ(chain->size(), 3u);
  EXPECT_EQ((*chain)[1].der(), cert("int").der());
  EXPECT_EQ((*chain)[2].der(), cert("root").der());
  // Without the intermediate there is no path.
  EXPECT_FALSE(verify_chain(cert("leaf"), {}, roots, now()));
}

TEST_F(GeneratedPki, AnIntermediateMayBeTheAnchor) {
  std::vector<Certificate> anchors{cert("int")};
  auto chain = verify_chain(cert("leaf"), {}, anchors, now());
  ASSERT_TRUE(chain) << chain.error().message;
  EXPECT_EQ(chain->size(), 2u);
  // After the certificates expire (two days), the chain is refused.
  ChainOptions later = now();
  later.at += 4 * 24 * 3600;
  auto expired = verify_chain(cert("leaf"), {}, anchors, later);
  ASSERT_FALSE(expired);
  EXPECT_NE(expired.error().message.find("expired"), std::string::npos);
  // The mock Fulcio root is not an anchor for this leaf.
  std::vector<Certificate> fulcio{fulcio_root()};
  EXPECT_FALSE(verify_chain(cert("leaf"), {}, fulcio, now()));
}

TEST_F(GeneratedPki, SubjectAltNamesAndFulcioIdentity) {
  Certificate c = cert("leaf");
  SubjectAltNames san = c.subject_alt_names();
  EXPECT_EQ(san.emails, std::vector<std::string>{"dev@example.com"});
  EXPECT_EQ(san.uris, std::vector<std::string>{"https://example.com/wf"});
  EXPECT_EQ(san.dns, std::vector<std::string>{"example.com"});
  EXPECT_EQ(san.others, std::vector<std::string>{"alice"});
  auto id = fulcio_identity(c);
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(id->issuer, "https://issuer.example");
  EXPECT_EQ(id->identities,
            (std::vector<std::string>{"dev@example.com", "https://example.com/wf", "alice"}));
  EXPECT_EQ(c.subject(), "CN=leaf");
  EXPECT_EQ(c.issuer(), "CN=Test-Intermediate");

  auto legacy = fulcio_identity(cert("legacy"));
  ASSERT_TRUE(legacy) << legacy.error().message;
  EXPECT_EQ(legacy->issuer, "https://old.example");
  EXPECT_EQ(legacy->identities, std::vector<std::string>{"old@example.com"});

  auto none = fulcio_identity(cert("noissuer"));
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("issuer"), std::string::npos);
}

}  // namespace
}  // namespace bulwark::trust
