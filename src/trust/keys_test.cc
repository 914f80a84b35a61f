// Keys and signatures: the openssl-made cosign vectors verify and tampered variants do not;
// signatures Bulwark makes verify with the openssl CLI (an independent implementation) and
// openssl-made RSA-PSS / Ed25519 signatures verify with Bulwark; cosign's encrypted key format
// opens with the vector's password and round-trips; weak and foreign keys are refused.
#include "trust/keys.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/temp_dir.h"
#include "trust/pki_test_support.h"

namespace bulwark::trust {
namespace {

using testing::b64;
using testing::read_file;
using testing::run;
using testing::vector_file;
using testing::write_file;

constexpr KeyType kAllTypes[] = {KeyType::kEcdsaP256, KeyType::kEcdsaP384, KeyType::kRsa,
                                 KeyType::kEd25519};

std::string flip(std::string s, size_t at) {
  s[at % s.size()] ^= 0x01;
  return s;
}

PublicKey cosign_pub() {
  auto key = PublicKey::from_pem(vector_file("keybased-openssl/cosign.pub"));
  EXPECT_TRUE(key) << key.error().message;
  return *key;
}

TEST(Keys, CosignVectorsVerify) {
  PublicKey key = cosign_pub();
  EXPECT_EQ(key.type(), KeyType::kEcdsaP256);
  std::string payload = vector_file("keybased-openssl/payload.json");
  std::string sig = vector_file("keybased-openssl/payload.sig.der");
  EXPECT_TRUE(key.verify(payload, sig));
  EXPECT_EQ(b64(vector_file("keybased-openssl/payload.sig.b64")), sig);
  EXPECT_TRUE(key.verify(vector_file("keybased-openssl/statement.pae"),
                         vector_file("keybased-openssl/statement.sig.der")));
  // The same signature over the payload's digest, as a hashedrekord carries it.
  std::string digest = hash_bytes(HashAlgorithm::kSha256, payload);
  EXPECT_TRUE(key.verify_digest(digest, sig, default_scheme(key.type())));
}

TEST(Keys, KeyIdIsTheSha256OfTheSpki) {
  PublicKey key = cosign_pub();
  EXPECT_EQ(key.key_id(), b64(vector_file("keybased-openssl/cosign.pub.keyid.b64")));
}

TEST(Keys, TamperedSignaturesAndMessagesAreRefused) {
  PublicKey key = cosign_pub();
  std::string payload = vector_file("keybased-openssl/payload.json");
  std::string sig = vector_file("keybased-openssl/payload.sig.der");
  for (size_t at : {size_t{10}, sig.size() - 1}) {
    auto r = key.verify(payload, flip(sig, at));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().message, "signature does not verify");
  }
  EXPECT_FALSE(key.verify(flip(payload, 40), sig));
  EXPECT_FALSE(key.verify(payload, sig.substr(0, sig.size() - 1)));
  EXPECT_FALSE(key.verify(payload, ""));
  EXPECT_FALSE(key.verify(payload, std::string(4096, '\x30')));
  // The statement's signature does not verify the payload.
  EXPECT_FALSE(key.verify(payload, vector_file("keybased-openssl/statement.sig.der")));
  std::string digest = hash_bytes(HashAlgorithm::kSha256, flip(payload, 3));
  EXPECT_FALSE(key.verify_digest(digest, sig, default_scheme(key.type())));
  EXPECT_FALSE(key.verify_digest(digest.substr(1), sig, default_scheme(key.type())));
}

TEST(Keys, WrongKeyIsRefused) {
  auto other = PrivateKey::generate(KeyType::kEcdsaP256);
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->public_key().verify(vector_file("keybased-openssl/payload.json"),
                                          vector_file("keybased-openssl/payload.sig.der")));
}

TEST(Keys, RoundTripForEveryKeyType) {
  const std::string message = "hello, provenance";
  for (KeyType type : kAllTypes) {
    SCOPED_TRACE(std::string(key_type_name(type)));
    auto key = PrivateKey::generate(type);
    ASSERT_TRUE(key) << key.error().message;
    EXPECT_EQ(key->type(), type);
    auto sig = key->sign(message);
    ASSERT_TRUE(sig) << sig.error().message;
    EXPECT_TRUE(key->public_key().verify(message, *sig));
    EXPECT_FALSE(key->public_key().verify(message + ".", *sig));
    EXPECT_FALSE(key->public_key().verify(message, flip(*sig, sig->size() / 2)));
    // The public key survives PEM and DER.
    auto from_pem = PublicKey::from_pem(key->public_key().pem());
    ASSERT_TRUE(from_pem) << from_pem.error().message;
    EXPECT_EQ(from_pem->spki_der(), key->public_key().spki_der());
    auto from_der = PublicKey::from_der(key->public_key().spki_der());
    ASSERT_TRUE(from_der);
    EXPECT_TRUE(from_der->verify(message, *sig));
    // So does the private key.
    auto pem = key->pkcs8_pem();
    ASSERT_TRUE(pem);
    EXPECT_NE(pem->find("BEGIN PRIVATE KEY"), std::string::npos);
    auto reloaded = PrivateKey::from_pem(*pem);
    ASSERT_TRUE(reloaded) << reloaded.error().message;
    EXPECT_EQ(reloaded->public_key().spki_der(), key->public_key().spki_der());
  }
}

TEST(Keys, RsaPssAndOtherHashesRoundTrip) {
  const std::string message = "pss message";
  auto rsa = PrivateKey::generate(KeyType::kRsa);
  ASSERT_TRUE(rsa);
  for (HashAlgorithm hash :
       {HashAlgorithm::kSha256, HashAlgorithm::kSha384, HashAlgorithm::kSha512}) {
    SCOPED_TRACE(std::string(hash_algorithm_name(hash)));
    SignatureScheme pss{hash, RsaPadding::kPss};
    SignatureScheme pkcs1{hash, RsaPadding::kPkcs1v15};
    auto sig = rsa->sign(message, pss);
    ASSERT_TRUE(sig);
    EXPECT_TRUE(rsa->public_key().verify(message, *sig, pss));
    EXPECT_FALSE(rsa->public_key().verify(message, *sig, pkcs1));
    EXPECT_TRUE(rsa->public_key().verify_digest(hash_bytes(hash, message), *sig, pss));
    auto sig1 = rsa->sign(message, pkcs1);
    ASSERT_TRUE(sig1);
    EXPECT_TRUE(rsa->public_key().verify(message, *sig1, pkcs1));
    EXPECT_FALSE(rsa->public_key().verify(message, *sig1, pss));
  }
  auto p384 = PrivateKey::generate(KeyType::kEcdsaP384);
  ASSERT_TRUE(p384);
  EXPECT_EQ(default_scheme(KeyType::kEcdsaP384).hash, HashAlgorithm::kSha384);
  auto sig = p384->sign(message);
  ASSERT_TRUE(sig);
  EXPECT_TRUE(p384->public_key().verify(message, *sig, {HashAlgorithm::kSha384}));
  EXPECT_FALSE(p384->public_key().verify(message, *sig, {HashAlgorithm::kSha256}));
  EXPECT_TRUE(p384->public_key().verify_digest(hash_bytes(HashAlgorithm::kSha384, message), *sig,
                                               {HashAlgorithm::kSha384}));
}

TEST(Keys, Ed25519CannotVerifyADigest) {
  auto key = PrivateKey::generate(KeyType::kEd25519);
  ASSERT_TRUE(key);
  auto sig = key->sign("m");
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->size(), 64u);
  auto r = key->public_key().verify_digest(hash_bytes(HashAlgorithm::kSha256, "m"), *sig, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
}

// Bulwark's signatures, checked by the openssl CLI.
struct CliCase {
  KeyType type;
  SignatureScheme scheme;
  std::string verify_command;  // {pub} {sig} {msg} substituted
};

std::string substitute(std::string command, const TempDir& dir) {
  for (auto [from, to] : {std::pair<std::string, std::string>{"{pub}", dir.file("pub.pem")},
                          {"{sig}", dir.file("sig.bin")},
                          {"{msg}", dir.file("msg.bin")},
                          {"{key}", dir.file("key.pem")}}) {
    for (size_t at; (at = command.find(from)) != std::string::npos;) {
      command.replace(at, from.size(), to);
    }
  }
  return command;
}

TEST(Keys, BulwarkSignaturesVerifyWithTheOpensslCli) {
  const std::vector<CliCase> cases = {
      {KeyType::kEcdsaP256, {}, "openssl dgst -sha256 -verify {pub} -signature {sig} {msg}"},
      {KeyType::kEcdsaP384,
       {HashAlgorithm::kSha384},
       "openssl dgst -sha384 -verify {pub} -signature {sig} {msg}"},
      {KeyType::kRsa, {}, "openssl dgst -sha256 -verify {pub} -signature {sig} {msg}"},
      {KeyType::kRsa,
       {HashAlgorithm::kSha256, RsaPadding::kPss},
       "openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest "
       "-sigopt rsa_mgf1_md:sha256 -verify {pub} -signature {sig} {msg}"},
      {KeyType::kEd25519,
       {},
       "openssl pkeyutl -verify -pubin -inkey {pub} -rawin -in {msg} -sigfile {sig}"},
  };
  const std::string message = "{\"critical\":{\"type\":\"cosign container image signature\"}}";
  for (const auto& c : cases) {
    SCOPED_TRACE(c.verify_command);
    TempDir dir("pki-cli");
    auto key = PrivateKey::generate(c.type);
    ASSERT_TRUE(key);
    auto sig = key->sign(message, c.scheme);
    ASSERT_TRUE(sig);
    write_file(dir.file("pub.pem"), key->public_key().pem());
    write_file(dir.file("msg.bin"), message);
    write_file(dir.file("sig.bin"), *sig);
    EXPECT_TRUE(run(substitute(c.verify_command, dir)));
    // The oracle can fail: a flipped signature is refused by openssl too.
    write_file(dir.file("sig.bin"), flip(*sig, 7));
    EXPECT_FALSE(run(substitute(c.verify_command, dir)));
  }
}

TEST(Keys, OpensslSignaturesVerifyWithBulwark) {
  struct Case {
    std::string genkey;
    std::string sign;
    SignatureScheme scheme;
  };
  const std::vector<Case> cases = {
      {"openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out {key}",
       "openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest "
       "-sign {key} -out {sig} {msg}",
       {HashAlgorithm::kSha256, RsaPadding::kPss}},
      {"openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out {key}",
       "openssl dgst -sha512 -sign {key} -out {sig} {msg}",
       {HashAlgorithm::kSha512, RsaPadding::kPkcs1v15}},
      {"openssl genpkey -algorithm ED25519 -out {key}",
       "openssl pkeyutl -sign -inkey {key} -rawin -in {msg} -out {sig}",
       {}},
      {"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out {key}",
       "openssl dgst -sha384 -sign {key} -out {sig} {msg}",
       {HashAlgorithm::kSha384}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.sign);
    TempDir dir("pki-cli");
    write_file(dir.file("msg.bin"), "signed by openssl");
    ASSERT_TRUE(run(substitute(c.genkey, dir)));
    ASSERT_TRUE(run(substitute(c.sign, dir)));
    ASSERT_TRUE(run(substitute("openssl pkey -in {key} -pubout -out {pub}", dir)));
    auto pub = PublicKey::load(dir.file("pub.pem"));
    ASSERT_TRUE(pub) << pub.error().message;
    std::string sig = read_file(dir.file("sig.bin"));
    EXPECT_TRUE(pub->verify("signed by openssl", sig, c.scheme));
    EXPECT_FALSE(pub->verify("signed by openssl!", sig, c.scheme));
    // The private key loads as well and yields the same public key.
    auto priv = PrivateKey::load(dir.file("key.pem"));
    ASSERT_TRUE(priv) << priv.error().message;
    EXPECT_EQ(priv->public_key().spki_der(), pub->spki_der());
  }
}

TEST(Keys, OtherPemFormsLoad) {
  TempDir dir("pki-pem");
  ASSERT_TRUE(run(
      substitute("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out {key}", dir)));
  // PKCS#1 "RSA PUBLIC KEY" and "RSA PRIVATE KEY".
  ASSERT_TRUE(run(substitute("openssl rsa -in {key} -RSAPublicKey_out -out {pub}", dir)));
  std::string pkcs1_pub = read_file(dir.file("pub.pem"));
  ASSERT_NE(pkcs1_pub.find("BEGIN RSA PUBLIC KEY"), std::string::npos);
  auto pub = PublicKey::from_pem(pkcs1_pub);
  ASSERT_TRUE(pub) << pub.error().message;
  ASSERT_TRUE(run(substitute("openssl rsa -in {key} -traditional -out {sig}", dir)));
  std::string pkcs1_priv = read_file(dir.file("sig.bin"));
  ASSERT_NE(pkcs1_priv.find("BEGIN RSA PRIVATE KEY"), std::string::npos);
  auto priv = PrivateKey::from_pem(pkcs1_priv);
  ASSERT_TRUE(priv) << priv.error().message;
  EXPECT_EQ(priv->public_key().spki_der(), pub->spki_der());

  // SEC1 "EC PRIVATE KEY" with an "EC PARAMETERS" block before it.
  ASSERT_TRUE(run(substitute("openssl ecparam -name prime256v1 -genkey -out {key}", dir)));
  std::string sec1 = read_file(dir.file("key.pem"));
  ASSERT_NE(sec1.find("BEGIN EC PARAMETERS"), std::string::npos);
  auto ec = PrivateKey::from_pem(sec1);
  ASSERT_TRUE(ec) << ec.error().message;
  EXPECT_EQ(ec->type(), KeyType::kEcdsaP256);

  // Encrypted PKCS#8.
  ASSERT_TRUE(run(substitute(
      "openssl pkcs8 -topk8 -v2 aes-256-cbc -in {key} -passout pass:s3cret -out {sig}", dir)));
  std::string encrypted = read_file(dir.file("sig.bin"));
  ASSERT_NE(encrypted.find("BEGIN ENCRYPTED PRIVATE KEY"), std::string::npos);
  auto opened = PrivateKey::from_pem(encrypted, "s3cret");
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->public_key().spki_der(), ec->public_key().spki_der());
  auto wrong = PrivateKey::from_pem(encrypted, "guess");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(wrong.error().message.find("guess"), std::string::npos);
}

TEST(Keys, WeakAndForeignKeysAreRefused) {
  struct Case {
    std::string genkey;
    ErrorCode code;
  };
  const std::vector<Case> cases = {
      {"openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out {key}",
       ErrorCode::kUnsupported},
      {"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out {key}",
       ErrorCode::kUnsupported},
      {"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -out {key}",
       ErrorCode::kUnsupported},
      {"openssl genpkey -algorithm ED448 -out {key}", ErrorCode::kUnsupported},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.genkey);
    TempDir dir("pki-weak");
    ASSERT_TRUE(run(substitute(c.genkey, dir)));
    ASSERT_TRUE(run(substitute("openssl pkey -in {key} -pubout -out {pub}", dir)));
    auto pub = PublicKey::load(dir.file("pub.pem"));
    ASSERT_FALSE(pub);
    EXPECT_EQ(pub.error().code, c.code);
    auto priv = PrivateKey::load(dir.file("key.pem"));
    ASSERT_FALSE(priv);
    EXPECT_EQ(priv.error().code, c.code);
  }
}

TEST(Keys, GarbageIsRefusedCleanly) {
  for (std::string_view text :
       {"", "not a key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"}) {
    auto pub = PublicKey::from_pem(text);
    ASSERT_FALSE(pub);
    EXPECT_EQ(pub.error().code, ErrorCode::kInvalidArgument);
    auto priv = PrivateKey::from_pem(text);
    ASSERT_FALSE(priv);
    EXPECT_EQ(priv.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_FALSE(PublicKey::from_der("\x30\x03\x02\x01\x01"));
  // Trailing bytes after a valid SPKI.
  EXPECT_FALSE(PublicKey::from_der(cosign_pub().spki_der() + "x"));
  auto missing = PublicKey::load("/nonexistent/key.pub");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("/nonexistent/key.pub"), std::string::npos);
}

TEST(Keys, CosignEncryptedKeyOpensWithItsPassword) {
  std::string password = vector_file("keybased-openssl/cosign.key.password");
  auto key = PrivateKey::from_pem(vector_file("keybased-openssl/cosign.key"), password);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->public_key().spki_der(), cosign_pub().spki_der());
  auto plain = PrivateKey::from_pem(vector_file("keybased-openssl/cosign.key.pem"));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->public_key().spki_der(), cosign_pub().spki_der());
  // A signature by the opened key verifies with cosign.pub.
  auto sig = key->sign("x");
  ASSERT_TRUE(sig);
  EXPECT_TRUE(cosign_pub().verify("x", *sig));
}

TEST(Keys, CosignEncryptedKeyRefusesAWrongPasswordWithoutEchoingIt) {
  std::string pem = vector_file("keybased-openssl/cosign.key");
  for (std::string_view wrong : {"wrong-password-xyzzy", ""}) {
    auto key = PrivateKey::from_pem(pem, wrong);
    ASSERT_FALSE(key);
    EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(key.error().message, "wrong password or corrupt key");
  }
  // A corrupted ciphertext fails the same way (the MAC catches it).
  std::string corrupt = pem;
  size_t at = corrupt.find("aXBoZXJ0ZXh0");  // inside base64("ciphertext...")
  ASSERT_NE(at, std::string::npos);
  corrupt[at + 40] = corrupt[at + 40] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(PrivateKey::from_pem(corrupt, vector_file("keybased-openssl/cosign.key.password")));
}

TEST(Keys, CosignEncryptedPemRoundTrips) {
  for (KeyType type : {KeyType::kEcdsaP256, KeyType::kEd25519}) {
    auto key = PrivateKey::generate(type);
    ASSERT_TRUE(key);
    auto pem = key->cosign_encrypted_pem("correct horse");
    ASSERT_TRUE(pem) << pem.error().message;
    EXPECT_EQ(pem->rfind("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n", 0), 0u);
    // The body is go-securesystemslib's JSON with cosign's scrypt parameters.
    std::string body;
    size_t start = pem->find('\n') + 1;
    size_t end = pem->find("-----END");
    for (char ch : pem->substr(start, end - start)) {
      if (ch != '\n') body += ch;
    }
    auto doc = boost::json::parse(b64(body)).as_object();
    EXPECT_EQ(doc.at("kdf").at("name"), "scrypt");
    EXPECT_EQ(doc.at("kdf").at("params").at("N").as_int64(), 32768);
    EXPECT_EQ(doc.at("kdf").at("params").at("r").as_int64(), 8);
    EXPECT_EQ(doc.at("kdf").at("params").at("p").as_int64(), 1);
    EXPECT_EQ(doc.at("cipher").at("name"), "nacl/secretbox");
    EXPECT_EQ(b64(doc.at("cipher").at("nonce").as_string()).size(), 24u);
    EXPECT_EQ(pem->find("correct horse"), std::string::npos);

    auto back = PrivateKey::from_pem(*pem, "correct horse");
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->public_key().spki_der(), key->public_key().spki_der());
    EXPECT_FALSE(PrivateKey::from_pem(*pem, "correct horsf"));
  }
}

}  // namespace
}  // namespace bulwark::trust
