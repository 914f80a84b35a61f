#include "common/p256.h"
#include "common/temp_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <set>
#include <thread>
#include <vector>

#include "common/digest.h"

namespace bulwark {
namespace {

using ::testing::HasSubstr;

// Made with `openssl ecparam -name prime256v1 -genkey -noout` (SEC1 form).
constexpr std::string_view kSec1Pem =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIAQ7DVP8DxaBUc9OQXuZRbEy/RqIYgsQOgk4ud04JV3koAoGCCqGSM49\n"
    "AwEHoUQDQgAE5SUjvNnnGU7M1RXWOjBoFFmL60kRxQwyIBYk0lUacaUAoEfSx9iN\n"
    "B33Wvstoex/vtRdPRIOjGJQ21QBPZiRbpQ==\n"
    "-----END EC PRIVATE KEY-----\n";
// `openssl pkey -in sec1.pem -pubout`.
constexpr std::string_view kPublicPem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE5SUjvNnnGU7M1RXWOjBoFFmL60kR\n"
    "xQwyIBYk0lUacaUAoEfSx9iNB33Wvstoex/vtRdPRIOjGJQ21QBPZiRbpQ==\n"
    "-----END PUBLIC KEY-----\n";
// sha256 of `openssl pkey -in sec1.pem -pubout -outform DER`.
constexpr std::string_view kSpkiSha256 =
    "8adae35677e9a927dad5dd18d119616110a5058ffbb1ccd38042bbf3dd2ad660";
// The same key, `openssl pkey -aes-128-cbc -passout pass:test`.
constexpr std::string_view kEncryptedPem =
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
    "MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAj3NJ+C4hW8EQICCAAw\n"
    "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEAQIEELG/oq2Wc4gQsfz8igBZlgkEgZCO\n"
    "M0iA9pZWHbLjeYLT0IJvfnXr2oVEISi06XdaUXIB4P5b/01NgJK6uXllWyjgLQD6\n"
    "/iWNHbbx3H8ewGz/x6g2ef8PfB0pa9+gD30G+Xo0kDBMMvRBYcpIY9WJ+PfhLpsw\n"
    "Vs8DFAMojjXAfSzeAcXgHNXc+jxgMtiLn/Xm/UfWMYq5qKygm8minaxI3oYIyBc=\n"
    "-----END ENCRYPTED PRIVATE KEY-----\n";
// `openssl dgst -sha256 -sign sec1.pem` of kVectorMessage; r and s read with `openssl asn1parse`.
constexpr std::string_view kVectorMessage = "bulwark p256 vector";
constexpr std::string_view kVectorSignatureHex =
    "3E5ED90BFBE125985D708175C0C88DF8C1EBCA33B1E40F4996589FAB90E587A6"
    "6DD96237204D284591066F68A6FF6AEFEC43ACDAB01AB7393562CF472DA86852";

std::string unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

P256Key fresh_key() {
  auto key = P256Key::generate();
  EXPECT_TRUE(key) << key.error().message;
  return std::move(*key);
}

// PEM of a key made by OpenSSL directly, for keys P256Key must refuse.
std::string foreign_pem(EVP_PKEY* key, bool private_half) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (private_half) {
    PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    PEM_write_bio_PUBKEY(bio.get(), key);
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  EVP_PKEY_free(key);
  return std::string(data, static_cast<size_t>(n));
}

// Number of entries in `dir`.
size_t entries(const std::string& dir) {
  return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(dir),
                                           std::filesystem::directory_iterator()));
}


mode_t file_mode(const std::filesystem::path& file) {
  struct stat st {};
  return ::stat(file.c_str(), &st) == 0 ? st.st_mode & 0777 : 0;
}

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// ---- signing ----

TEST(P256Key, SignVerifyRoundTripWithRawSignatures) {
  P256Key key = fresh_key();
  EXPECT_TRUE(key.has_private());
  auto pub = key.public_only();
  ASSERT_TRUE(pub) << pub.error().message;
  EXPECT_FALSE(pub->has_private());
  EXPECT_EQ(pub->spki_der(), key.spki_der());

  // Many messages, so signatures whose r or s has leading zero bytes are among them.
  for (int i = 0; i < 300; ++i) {
    std::string message = "message " + std::to_string(i);
    auto sig = key.sign_raw(message);
    ASSERT_TRUE(sig) << sig.error().message;
    ASSERT_EQ(sig->size(), kP256SignatureBytes);
    ASSERT_TRUE(pub->verify_raw(message, *sig)) << i;
    ASSERT_TRUE(key.verify_raw(message, *sig)) << i;
  }
}

TEST(P256Key, VerifiesASignatureMadeByTheOpensslCommandLine) {
  auto pub = P256Key::from_pem(kPublicPem, PemKind::kPublic);
  ASSERT_TRUE(pub) << pub.error().message;
  const std::string sig = unhex(kVectorSignatureHex);
  EXPECT_TRUE(pub->verify_raw(kVectorMessage, sig));
  // s||r is not the same signature.
  EXPECT_FALSE(pub->verify_raw(kVectorMessage, sig.substr(32) + sig.substr(0, 32)));
}

TEST(P256Key, DetectsTampering) {
  P256Key key = fresh_key();
  const std::string message = "checkpoint 42";
  auto sig = key.sign_raw(message);
  ASSERT_TRUE(sig);
  ASSERT_TRUE(key.verify_raw(message, *sig));

  EXPECT_FALSE(key.verify_raw("checkpoint 43", *sig));
  EXPECT_FALSE(key.verify_raw(message + " ", *sig));
  for (size_t at : {size_t{0}, size_t{31}, size_t{32}, size_t{63}}) {  // first/last bytes of r, s
    std::string bad = *sig;
    bad[at] = static_cast<char>(bad[at] ^ 0x01);
    EXPECT_FALSE(key.verify_raw(message, bad)) << at;
  }
  EXPECT_FALSE(key.verify_raw(message, sig->substr(0, 63)));
  EXPECT_FALSE(key.verify_raw(message, *sig + '\0'));
  EXPECT_FALSE(key.verify_raw(message, ""));
  EXPECT_FALSE(key.verify_raw(message, std::string(kP256SignatureBytes, '\0')));
  EXPECT_FALSE(fresh_key().verify_raw(message, *sig));  // another key's signature
}

TEST(P256Key, PublicKeyCannotSign) {
  auto pub = fresh_key().public_only();
  ASSERT_TRUE(pub);
  EXPECT_FALSE(pub->sign_raw("x"));
  EXPECT_FALSE(pub->private_pem());
  TempDir dir;
  EXPECT_FALSE(pub->save_private(std::filesystem::path(dir.path()) / "key.pem"));
  EXPECT_EQ(entries(dir.path()), 0u);
}

// ---- PEM ----

TEST(P256Key, PemRoundTrips) {
  P256Key key = fresh_key();
  auto pem = key.private_pem();
  ASSERT_TRUE(pem);
  EXPECT_THAT(*pem, HasSubstr("-----BEGIN PRIVATE KEY-----"));  // PKCS#8
  auto again = P256Key::from_pem(*pem, PemKind::kPrivate);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->has_private());
  EXPECT_EQ(again->spki_der(), key.spki_der());
  auto sig = again->sign_raw("m");
  ASSERT_TRUE(sig);
  EXPECT_TRUE(key.verify_raw("m", *sig));

  std::string public_pem = key.public_pem();
  EXPECT_THAT(public_pem, HasSubstr("-----BEGIN PUBLIC KEY-----"));
  EXPECT_THAT(public_pem, ::testing::Not(HasSubstr("PRIVATE")));
  auto pub = P256Key::from_pem(public_pem);  // kEither
  ASSERT_TRUE(pub) << pub.error().message;
  EXPECT_FALSE(pub->has_private());
  EXPECT_EQ(pub->spki_der(), key.spki_der());
  EXPECT_EQ(pub->public_pem(), public_pem);
}

TEST(P256Key, ReadsSec1AndExportsTheSpkiOpensslComputes) {
  auto key = P256Key::from_pem(kSec1Pem);  // kEither: a private key
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_TRUE(key->has_private());
  EXPECT_EQ(Digest::of(key->spki_der()).hex(), kSpkiSha256);
  EXPECT_EQ(key->public_pem(), kPublicPem);
  auto sig = key->sign_raw(kVectorMessage);
  ASSERT_TRUE(sig);
  EXPECT_TRUE(key->verify_raw(kVectorMessage, *sig));
  EXPECT_TRUE(key->verify_raw(kVectorMessage, unhex(kVectorSignatureHex)));
}

TEST(P256Key, PemKindIsEnforced) {
  auto pub = P256Key::from_pem(kPublicPem, PemKind::kPrivate);
  ASSERT_FALSE(pub);
  EXPECT_EQ(pub.error().code, ErrorCode::kInvalidArgument);
  auto priv = P256Key::from_pem(kSec1Pem, PemKind::kPublic);
  ASSERT_FALSE(priv);
  EXPECT_EQ(priv.error().code, ErrorCode::kInvalidArgument);
  for (PemKind kind : {PemKind::kPrivate, PemKind::kPublic, PemKind::kEither}) {
    auto garbage = P256Key::from_pem("not a key", kind);
    ASSERT_FALSE(garbage);
    EXPECT_EQ(garbage.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(P256Key, EncryptedKeyFailsWithoutPrompting) {
  auto key = P256Key::from_pem(kEncryptedPem);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
}

TEST(P256Key, RefusesOtherCurvesAndKeyTypes) {
  struct Foreign {
    const char* name;
    EVP_PKEY* (*make)();
  };
  const Foreign kForeign[] = {
      {"secp256k1", [] { return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1"); }},
      {"P-384", [] { return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"); }},
      {"Ed25519", [] { return EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); }},
      {"RSA", [] { return EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024}); }},
  };
  for (const Foreign& f : kForeign) {
    for (bool private_half : {true, false}) {
      EVP_PKEY* made = f.make();
      ASSERT_NE(made, nullptr) << f.name;
      std::string pem = foreign_pem(made, private_half);
      auto key = P256Key::from_pem(pem);
      ASSERT_FALSE(key) << f.name << " private=" << private_half;
      EXPECT_EQ(key.error().code, ErrorCode::kUnsupported) << f.name;
    }
  }
}

// ---- key files ----

TEST(P256Key, SavedKeyFileIsOwnerOnlyWhateverTheUmask) {
  TempDir dir;
  P256Key key = fresh_key();
  for (mode_t mask : {mode_t{0}, mode_t{022}, mode_t{0277}}) {
    std::filesystem::path file = std::filesystem::path(dir.path()) / ("key-" + std::to_string(mask) + ".pem");
    mode_t old = ::umask(mask);
    auto saved = key.save_private(file);
    ::umask(old);
    ASSERT_TRUE(saved) << saved.error().message;
    EXPECT_EQ(file_mode(file), 0600u) << "umask " << mask;
  }
  EXPECT_EQ(entries(dir.path()), 3u);  // no temporary files left behind
  auto loaded = P256Key::load(std::filesystem::path(dir.path()) / "key-0.pem", PemKind::kPrivate);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->spki_der(), key.spki_der());
}

TEST(P256Key, CreateNewNeverReplacesAKeyAndReplaceDoes) {
  TempDir dir;
  const std::filesystem::path file = std::filesystem::path(dir.path()) / "key.pem";
  P256Key first = fresh_key();
  P256Key second = fresh_key();
  ASSERT_TRUE(first.save_private(file, KeyFileWrite::kCreateNew));
  const std::string original = read_text(file);

  auto again = second.save_private(file, KeyFileWrite::kCreateNew);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(read_text(file), original);

  ASSERT_TRUE(second.save_private(file, KeyFileWrite::kReplace));
  EXPECT_EQ(file_mode(file), 0600u);
  auto loaded = P256Key::load(file);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->spki_der(), second.spki_der());
  EXPECT_EQ(entries(dir.path()), 1u);

  EXPECT_FALSE(first.save_private(std::filesystem::path(dir.path()) / "no-such-dir" / "key.pem"));
  EXPECT_EQ(entries(dir.path()), 1u);
}

TEST(P256Key, LoadNamesTheFileAndReportsAMissingOne) {
  TempDir dir;
  auto missing = P256Key::load(std::filesystem::path(dir.path()) / "absent.pem");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  const std::filesystem::path file = std::filesystem::path(dir.path()) / "garbage.pem";
  std::ofstream(file) << "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
  auto garbage = P256Key::load(file);
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(garbage.error().message, HasSubstr("garbage.pem"));
}

TEST(P256Key, LoadOrCreateMakesOneKeyAndReusesIt) {
  TempDir dir;
  const std::filesystem::path file = std::filesystem::path(dir.path()) / "audit-key.pem";
  auto created = P256Key::load_or_create(file);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_TRUE(created->has_private());
  EXPECT_EQ(file_mode(file), 0600u);
  auto reloaded = P256Key::load_or_create(file);
  ASSERT_TRUE(reloaded) << reloaded.error().message;
  EXPECT_EQ(reloaded->spki_der(), created->spki_der());
  EXPECT_EQ(entries(dir.path()), 1u);
}

TEST(P256Key, LoadOrCreateRacersAgreeOnOneKey) {
  TempDir dir;
  const std::filesystem::path file = std::filesystem::path(dir.path()) / "key.pem";
  constexpr int kRacers = 8;
  std::vector<std::string> spki(kRacers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRacers; ++i) {
    threads.emplace_back([&, i] {
      auto key = P256Key::load_or_create(file);
      if (key) spki[i] = key->spki_der();
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_FALSE(spki[0].empty());
  EXPECT_EQ(std::set<std::string>(spki.begin(), spki.end()).size(), 1u);
  EXPECT_EQ(entries(dir.path()), 1u);
}

TEST(P256Key, LoadOrCreateRefusesAKeyFileOthersCanRead) {
  TempDir dir;
  const std::filesystem::path file = std::filesystem::path(dir.path()) / "key.pem";
  ASSERT_TRUE(P256Key::load_or_create(file));
  ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
  auto key = P256Key::load_or_create(file);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::kUnsupported);
  EXPECT_THAT(key.error().message, HasSubstr("0600"));
}

TEST(P256Key, LoadOrCreateRefusesAPublicKeyFile) {
  TempDir dir;
  const std::filesystem::path file = std::filesystem::path(dir.path()) / "key.pem";
  std::ofstream(file) << kPublicPem;
  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  auto key = P256Key::load_or_create(file);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(read_text(file), kPublicPem);  // left alone, not replaced by a new key
}

}  // namespace
}  // namespace bulwark
