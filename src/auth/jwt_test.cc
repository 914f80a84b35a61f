#include "auth/jwt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/hmac.h>
#include <sys/stat.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <regex>
#include <sstream>

#include "common/encoding.h"

namespace bulwark::auth {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

std::string testdata(const std::string& name) {
  std::ifstream in(std::string(AUTH_TESTDATA_DIR) + "/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

constexpr int64_t kNow = 1'750'000'000;

class JwtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = SigningKey::generate();
    ASSERT_TRUE(key) << key.error().message;
    key_.emplace(std::move(*key));
    keys_.emplace(key_->key_id(), key_->public_key());
  }

  json::object claims() const {
    return json::object{{"iss", "bulwark"},  {"sub", "alice"}, {"aud", "registry"},
                        {"exp", kNow + 300}, {"nbf", kNow},    {"iat", kNow}};
  }
  TokenExpectations expect(int64_t now = kNow) const { return {"bulwark", "registry", now, 60}; }

  // A token from raw header and claims JSON text, properly signed with key_.
  std::string raw_token(std::string_view header, std::string_view claims_json) const {
    std::string input = base64url_encode(header) + "." + base64url_encode(claims_json);
    auto sig = key_->sign_es256(input);
    EXPECT_TRUE(sig);
    return input + "." + base64url_encode(*sig);
  }
  std::string header(std::string_view alg = "ES256") const {
    return R"({"alg":")" + std::string(alg) + R"(","typ":"JWT","kid":")" + key_->key_id() + R"("})";
  }

  // Verifies and expects a refusal whose message contains `reason`.
  void expect_refused(std::string_view token, std::string_view reason,
                      ErrorCode code = ErrorCode::kInvalidArgument) const {
    auto r = verify_jwt(token, keys_, expect());
    ASSERT_FALSE(r) << "accepted: " << json::serialize(*r);
    EXPECT_THAT(r.error().message, HasSubstr(std::string(reason)));
    EXPECT_EQ(r.error().code, code) << r.error().message;
  }

  std::optional<SigningKey> key_;
  KeySet keys_;
};

// ---- keys ----

TEST(JwtKeys, KeyIdMatchesLibtrustComputedIndependently) {
  const std::string want = trimmed(testdata("es256_key.kid"));
  auto pub = PublicKey::from_pem(testdata("es256_pub.pem"));
  ASSERT_TRUE(pub) << pub.error().message;
  EXPECT_EQ(pub->key_id(), want);
  auto key = SigningKey::load(std::string(AUTH_TESTDATA_DIR) + "/es256_key.pem");
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->key_id(), want);
}

TEST(JwtKeys, KeyIdIsTwelveGroupsOfFourBase32) {
  auto key = SigningKey::generate();
  ASSERT_TRUE(key);
  EXPECT_TRUE(std::regex_match(key->key_id(), std::regex("[A-Z2-7]{4}(:[A-Z2-7]{4}){11}")))
      << key->key_id();
  auto other = SigningKey::generate();
  ASSERT_TRUE(other);
  EXPECT_NE(key->key_id(), other->key_id());
}

TEST(JwtKeys, PublicPemRoundTrips) {
  auto key = SigningKey::generate();
  ASSERT_TRUE(key);
  auto pub = PublicKey::from_pem(key->public_key().pem());
  ASSERT_TRUE(pub);
  EXPECT_EQ(pub->key_id(), key->key_id());
  EXPECT_THAT(pub->pem(), HasSubstr("-----BEGIN PUBLIC KEY-----"));
}

TEST(JwtKeys, RefusesOtherKeyKinds) {
  for (const char* name : {"p384_key.pem", "rsa_key.pem"}) {
    auto key = SigningKey::from_pem(testdata(name));
    ASSERT_FALSE(key) << name;
    EXPECT_EQ(key.error().code, ErrorCode::kUnsupported) << name;
  }
  EXPECT_FALSE(SigningKey::from_pem("not a key"));
  EXPECT_FALSE(SigningKey::from_pem(testdata("es256_pub.pem")));  // public only
  EXPECT_FALSE(PublicKey::from_pem(testdata("es256_key.pem")));   // private, not SPKI
}

TEST(JwtKeys, EncryptedKeyFailsWithoutPrompting) {
  auto key = SigningKey::from_pem(testdata("es256_encrypted.pem"));
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
}

TEST(JwtKeys, SaveIsPrivateAtomicAndLoadsBack) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("bulwark-jwt-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::path file = dir / "token-signing.pem";
  auto first = SigningKey::generate();
  auto second = SigningKey::generate();
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->save(file));
  ASSERT_TRUE(second->save(file));  // replaces the first

  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir),
                          std::filesystem::directory_iterator()),
            1);  // no temporary files left behind

  auto loaded = SigningKey::load(file);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->key_id(), second->key_id());
  auto token = loaded->sign({{"iss", "i"}, {"aud", "a"}, {"exp", kNow + 10}});
  ASSERT_TRUE(token);
  KeySet keys{{second->key_id(), second->public_key()}};
  EXPECT_TRUE(verify_jwt(*token, keys, {"i", "a", kNow, 0}));

  std::filesystem::remove_all(dir);
  auto missing = SigningKey::load(file);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(first->save(dir / "no-such-dir" / "key.pem"));
}

// ---- interoperability ----

TEST(JwtInterop, VerifiesTokenSignedByPythonCryptography) {
  auto pub = PublicKey::from_pem(testdata("es256_pub.pem"));
  ASSERT_TRUE(pub);
  KeySet keys{{pub->key_id(), *pub}};
  std::string token = trimmed(testdata("es256_python.jwt"));
  auto claims = verify_jwt(token, keys, {"bulwark-test", "registry", 1'700'000'100, 0});
  ASSERT_TRUE(claims) << claims.error().message;
  EXPECT_EQ(claims->at("sub"), "alice");
  EXPECT_TRUE(verify_jwt(token, keys, {"bulwark-test", "other", 1'700'000'100, 0}));
  EXPECT_FALSE(verify_jwt(token, keys, {"bulwark-test", "nope", 1'700'000'100, 0}));
  EXPECT_FALSE(verify_jwt(token, keys, {"bulwark-test", "registry", 1'699'999'000, 0}));  // nbf
}

// ---- signing ----

TEST_F(JwtTest, SignedTokenVerifiesAndCarriesTheSpecHeader) {
  auto token = key_->sign(claims());
  ASSERT_TRUE(token) << token.error().message;
  auto verified = verify_jwt(*token, keys_, expect());
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(*verified, claims());

  std::string_view t = *token;
  auto header = base64url_decode(t.substr(0, t.find('.')));
  ASSERT_TRUE(header);
  EXPECT_EQ(json::parse(*header),
            (json::object{{"alg", "ES256"}, {"typ", "JWT"}, {"kid", key_->key_id()}}));
  auto signature = base64url_decode(t.substr(t.rfind('.') + 1));
  ASSERT_TRUE(signature);
  EXPECT_EQ(signature->size(), 64u);  // JOSE r||s, not DER
}

// ---- refusals ----

TEST_F(JwtTest, RefusesAlgNone) {
  std::string none_header = R"({"alg":"none","typ":"JWT","kid":")" + key_->key_id() + R"("})";
  std::string token =
      base64url_encode(none_header) + "." + base64url_encode(json::serialize(claims())) + ".";
  expect_refused(token, "not ES256", ErrorCode::kUnsupported);
  std::string none_lower = R"({"alg":"None","kid":")" + key_->key_id() + R"("})";
  expect_refused(
      base64url_encode(none_lower) + "." + base64url_encode(json::serialize(claims())) + ".",
      "not ES256", ErrorCode::kUnsupported);
}

TEST_F(JwtTest, RefusesHs256SignedWithThePublicKey) {
  // Algorithm confusion: an attacker HMACs with the (public) verification key as the secret.
  std::string pem = key_->public_key().pem();
  std::string input =
      base64url_encode(header("HS256")) + "." + base64url_encode(json::serialize(claims()));
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), pem.data(), static_cast<int>(pem.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac.data(), &mac_len);
  std::string token =
      input + "." + base64url_encode(std::span<const unsigned char>(mac.data(), mac_len));
  expect_refused(token, "not ES256", ErrorCode::kUnsupported);
}

TEST_F(JwtTest, RefusesOtherAlgorithmsAndHeaders) {
  std::string c = json::serialize(claims());
  expect_refused(raw_token(header("ES384"), c), "not ES256", ErrorCode::kUnsupported);
  expect_refused(raw_token(header("es256"), c), "not ES256", ErrorCode::kUnsupported);
  std::string kid = key_->key_id();
  expect_refused(raw_token(R"({"typ":"JWT","kid":")" + kid + R"("})", c), "no alg");
  expect_refused(raw_token(R"({"alg":"ES256","kid":")" + kid + R"(","crit":["exp"]})", c),
                 "critical", ErrorCode::kUnsupported);
  expect_refused(raw_token(R"({"alg":"ES256","typ":"JWS","kid":")" + kid + R"("})", c), "type",
                 ErrorCode::kUnsupported);
  expect_refused(raw_token(R"({"alg":"ES256"})", c), "no kid");
  // Without typ the header is fine.
  EXPECT_TRUE(
      verify_jwt(raw_token(R"({"alg":"ES256","kid":")" + kid + R"("})", c), keys_, expect()));
}

TEST_F(JwtTest, RefusesUnknownKid) {
  auto other = SigningKey::generate();
  ASSERT_TRUE(other);
  auto token = other->sign(claims());
  ASSERT_TRUE(token);
  expect_refused(*token, "unknown key", ErrorCode::kNotFound);
}

TEST_F(JwtTest, RefusesBadSignatures) {
  auto token = key_->sign(claims());
  ASSERT_TRUE(token);
  std::string_view t = *token;
  std::string input(t.substr(0, t.rfind('.')));

  // Claims changed after signing.
  json::object forged = claims();
  forged["sub"] = "admin";
  std::string tampered = std::string(t.substr(0, t.find('.'))) + "." +
                         base64url_encode(json::serialize(forged)) +
                         std::string(t.substr(t.rfind('.')));
  expect_refused(tampered, "signature does not verify");

  // Signed by another key that claims our kid.
  auto other = SigningKey::generate();
  ASSERT_TRUE(other);
  auto other_sig = other->sign_es256(input);
  ASSERT_TRUE(other_sig);
  expect_refused(input + "." + base64url_encode(*other_sig), "signature does not verify");

  // Wrong lengths: empty, one byte short, and the DER form OpenSSL would produce.
  auto sig = base64url_decode(t.substr(t.rfind('.') + 1));
  ASSERT_TRUE(sig);
  expect_refused(input + ".", "not 64 bytes");
  expect_refused(input + "." + base64url_encode(sig->substr(0, 63)), "not 64 bytes");
  expect_refused(input + "." + base64url_encode(*sig + std::string(1, '\0')), "not 64 bytes");
  // Flipped bit in s.
  std::string flipped = *sig;
  flipped[40] ^= 0x01;
  expect_refused(input + "." + base64url_encode(flipped), "signature does not verify");
  // All zeros (r = s = 0 is never a valid signature).
  expect_refused(input + "." + base64url_encode(std::string(64, '\0')),
                 "signature does not verify");
}

TEST_F(JwtTest, RefusesWrongIssuerAndAudience) {
  json::object c = claims();
  c["iss"] = "someone-else";
  expect_refused(*key_->sign(c), "issuer");
  c = claims();
  c.erase("iss");
  expect_refused(*key_->sign(c), "issuer");

  for (json::value aud : {json::value("other"), json::value(json::array{"a", "b"}),
                          json::value(json::array{}), json::value(42), json::value(nullptr)}) {
    c = claims();
    c["aud"] = aud;
    expect_refused(*key_->sign(c), "audience");
  }
  c = claims();
  c.erase("aud");
  expect_refused(*key_->sign(c), "audience");

  c = claims();
  c["aud"] = json::array{"other", "registry"};
  EXPECT_TRUE(verify_jwt(*key_->sign(c), keys_, expect()));
}

TEST_F(JwtTest, EnforcesExpiryWithLeeway) {
  json::object c = claims();
  c["exp"] = kNow - 60;  // expired exactly `leeway` seconds ago
  expect_refused(*key_->sign(c), "expired");
  c["exp"] = kNow - 59;
  EXPECT_TRUE(verify_jwt(*key_->sign(c), keys_, expect()));
  c["exp"] = 4102444800.5;  // NumericDate may be fractional
  EXPECT_TRUE(verify_jwt(*key_->sign(c), keys_, expect()));

  c = claims();
  c.erase("exp");
  expect_refused(*key_->sign(c), "no valid exp");
  c["exp"] = std::to_string(kNow + 300);  // a string is not a NumericDate
  expect_refused(*key_->sign(c), "no valid exp");
  c["exp"] = nullptr;
  expect_refused(*key_->sign(c), "no valid exp");
}

TEST_F(JwtTest, EnforcesNotBeforeAndIssuedAt) {
  json::object c = claims();
  c["nbf"] = kNow + 61;
  expect_refused(*key_->sign(c), "not yet valid");
  c["nbf"] = kNow + 60;
  EXPECT_TRUE(verify_jwt(*key_->sign(c), keys_, expect()));
  c["nbf"] = "soon";
  expect_refused(*key_->sign(c), "nbf");

  c = claims();
  c["iat"] = kNow + 3600;
  expect_refused(*key_->sign(c), "issued in the future");
  c["iat"] = kNow + 60;
  EXPECT_TRUE(verify_jwt(*key_->sign(c), keys_, expect()));
  c.erase("iat");
  c.erase("nbf");
  EXPECT_TRUE(verify_jwt(*key_->sign(c), keys_, expect()));
}

TEST_F(JwtTest, RefusesMalformedStructure) {
  auto token = key_->sign(claims());
  ASSERT_TRUE(token);
  std::string t = *token;
  expect_refused("", "three");
  expect_refused("abc", "three");
  expect_refused("a.b", "three");
  expect_refused(t + ".x", "three");
  expect_refused(t + ".", "three");
  // Standard base64 characters and padding are not base64url.
  std::string padded = t;
  padded.insert(padded.find('.'), "=");
  expect_refused(padded, "header is not base64url");
  std::string plus = t;
  plus[3] = '+';
  expect_refused(plus, "header is not base64url");
  // The claims are decoded only after the signature verified, so damage there fails the signature.
  std::string claims_plus = t;
  claims_plus[claims_plus.find('.') + 3] = '+';
  expect_refused(claims_plus, "signature does not verify");
  std::string sig_plus = t;
  sig_plus[sig_plus.size() - 2] = '/';
  expect_refused(sig_plus, "signature is not base64url");
}

TEST_F(JwtTest, RefusesMalformedJson) {
  std::string c = json::serialize(claims());
  expect_refused(raw_token("{", c), "header");
  expect_refused(raw_token(R"(["ES256"])", c), "header is not a JSON object");
  expect_refused(raw_token(header() + " x", c), "header");
  expect_refused(raw_token(header(), "[]"), "claims is not a JSON object");
  expect_refused(raw_token(header(), c.substr(0, c.size() - 1)), "claims");
  expect_refused(raw_token(header(), "{\"exp\":1,}"), "claims");
  expect_refused(raw_token(header(), "{\"sub\":\"\xff\"}"), "claims");  // invalid UTF-8
}

TEST_F(JwtTest, RefusesDuplicateKeys) {
  // Different JSON parsers resolve duplicates differently; the token must have one reading.
  std::string c = json::serialize(claims());
  std::string dup_claim = c.substr(0, c.size() - 1) + R"(,"sub":"admin"})";
  expect_refused(raw_token(header(), dup_claim), "duplicate key \"sub\"");
  std::string dup_exp = c.substr(0, c.size() - 1) + R"(,"exp":99999999999})";
  expect_refused(raw_token(header(), dup_exp), "duplicate key \"exp\"");
  std::string dup_alg = R"({"alg":"none","alg":"ES256","kid":")" + key_->key_id() + R"("})";
  expect_refused(raw_token(dup_alg, c), "duplicate key \"alg\"");
  std::string nested = c.substr(0, c.size() - 1) +
                       R"(,"access":[{"type":"repository","name":"a","name":"b","actions":[]}]})";
  expect_refused(raw_token(header(), nested), "duplicate key \"name\"");
}

TEST_F(JwtTest, RefusesOversizedTokens) {
  json::object c = claims();
  c["pad"] = std::string(5000, 'x');  // ~6.8 KiB once encoded: fine
  auto fits = key_->sign(c);
  ASSERT_TRUE(fits);
  ASSERT_LT(fits->size(), kMaxTokenBytes);
  EXPECT_TRUE(verify_jwt(*fits, keys_, expect()));
  c["pad"] = std::string(6200, 'x');
  auto big = key_->sign(c);
  ASSERT_TRUE(big);
  ASSERT_GT(big->size(), kMaxTokenBytes);
  expect_refused(*big, "8 KiB", ErrorCode::kTooLarge);
  expect_refused(std::string(1 << 20, 'a'), "8 KiB", ErrorCode::kTooLarge);
}

TEST_F(JwtTest, RefusesDeepNestingInsteadOfRecursing) {
  std::string deep = R"({"exp":1,"x":)" + std::string(2000, '[') + std::string(2000, ']') + "}";
  expect_refused(raw_token(header(), deep), "claims");
}

}  // namespace
}  // namespace bulwark::auth
