#include "trust/keys.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <sodium.h>
#include <unistd.h>

#include <array>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <vector>

#include "common/encoding.h"
#include "common/strict_json.h"
#include "trust/pki_internal.h"

namespace bulwark::trust {
namespace pki {

namespace {

// Each HashAlgorithm: its name and OpenSSL digest.
struct HashInfo {
  HashAlgorithm hash;
  std::string_view name;
  const EVP_MD* (*md)();
};
constexpr HashInfo kHashes[] = {
    {HashAlgorithm::kSha256, "sha256", EVP_sha256},
    {HashAlgorithm::kSha384, "sha384", EVP_sha384},
    {HashAlgorithm::kSha512, "sha512", EVP_sha512},
};

const HashInfo& hash_info(HashAlgorithm hash) {
  for (const auto& h : kHashes) {
    if (h.hash == hash) return h;
  }
  return kHashes[0];
}

}  // namespace

const EVP_MD* md_for(HashAlgorithm hash) { return hash_info(hash).md(); }

Result<std::string> read_small_file(const std::filesystem::path& file, size_t max_bytes) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int error = errno;
    return fail(error == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                "cannot open " + file.string() + ": " + std::strerror(error));
  }
  std::string out;
  std::array<char, 4096> buf{};
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      OPENSSL_cleanse(out.data(), out.size());
      return fail(ErrorCode::kIo, "cannot read " + file.string());
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      ::close(fd);
      OPENSSL_cleanse(buf.data(), buf.size());
      OPENSSL_cleanse(out.data(), out.size());
      return fail(ErrorCode::kTooLarge,
                  file.string() + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf.data(), static_cast<size_t>(n));
  }
  ::close(fd);
  OPENSSL_cleanse(buf.data(), buf.size());
  return out;
}

PemBlock::~PemBlock() { OPENSSL_cleanse(body.data(), body.size()); }

std::vector<PemBlock> pem_blocks(std::string_view pem) {
  std::vector<PemBlock> blocks;
  Bio bio = memory_bio(pem);
  if (!bio) return blocks;
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) break;
    PemBlock& block = blocks.emplace_back();
    block.name = name;
    block.header = header;
    block.body.assign(reinterpret_cast<char*>(data), static_cast<size_t>(len));
    OPENSSL_cleanse(data, static_cast<size_t>(len));
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
  }
  ERR_clear_error();  // the loop ends on "no start line"
  return blocks;
}

}  // namespace pki

namespace {

using Code = ErrorCode;
using pki::bytes_of;
using pki::openssl_fail;

constexpr size_t kMaxKeyFileBytes = 64 * 1024;
constexpr int kMinRsaBits = 2048;
constexpr int kGeneratedRsaBits = 3072;

// What Bulwark knows about each KeyType.
struct KeyTypeInfo {
  KeyType type;
  std::string_view name;
  HashAlgorithm default_hash;
  const char* openssl_type;  // EVP_PKEY_Q_keygen type
  const char* curve;         // EC group name (OpenSSL's), or null
};
constexpr KeyTypeInfo kKeyTypes[] = {
    {KeyType::kEcdsaP256, "ecdsa-p256", HashAlgorithm::kSha256, "EC", "prime256v1"},
    {KeyType::kEcdsaP384, "ecdsa-p384", HashAlgorithm::kSha384, "EC", "secp384r1"},
    {KeyType::kRsa, "rsa", HashAlgorithm::kSha256, "RSA", nullptr},
    {KeyType::kEd25519, "ed25519", HashAlgorithm::kSha256, "ED25519", nullptr},
};

const KeyTypeInfo& info(KeyType type) {
  for (const auto& i : kKeyTypes) {
    if (i.type == type) return i;
  }
  return kKeyTypes[0];
}

// Which accepted KeyType `key` is; kUnsupported for anything else.
Result<KeyType> classify(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "ED25519") == 1) return KeyType::kEd25519;
  if (EVP_PKEY_is_a(key, "RSA") == 1) {
    int bits = EVP_PKEY_get_bits(key);
    if (bits < kMinRsaBits) {
      return openssl_fail(Code::kUnsupported, "RSA key of " + std::to_string(bits) +
                                                  " bits refused (at least 2048 required)");
    }
    return KeyType::kRsa;
  }
  if (EVP_PKEY_is_a(key, "EC") == 1) {
    std::array<char, 64> group{};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(key, group.data(), group.size(), &len) == 1) {
      std::string_view curve(group.data(), len);
      for (const auto& i : kKeyTypes) {
        if (i.curve != nullptr && curve == i.curve) return i.type;
      }
      return openssl_fail(Code::kUnsupported,
                          "EC curve " + std::string(curve) + " refused (P-256 or P-384 only)");
    }
    return openssl_fail(Code::kUnsupported, "EC key with explicit parameters refused");
  }
  return openssl_fail(Code::kUnsupported,
                      "unsupported key type (ECDSA P-256/P-384, RSA or Ed25519 only)");
}

// Sets the RSA padding of a signing or verifying context as `scheme` says.
bool set_rsa_padding(EVP_PKEY_CTX* pctx, const SignatureScheme& scheme) {
  if (scheme.rsa_padding == RsaPadding::kPkcs1v15) {
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
  }
  return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, pki::md_for(scheme.hash)) == 1;
}

// Initializes `ctx` for signing (sign=true) or verifying with `key` under `scheme`.
bool init_digest_ctx(EVP_MD_CTX* ctx, EVP_PKEY* key, KeyType type, const SignatureScheme& scheme,
                     bool sign) {
  // Ed25519 is pure: no digest.
  const EVP_MD* md = type == KeyType::kEd25519 ? nullptr : pki::md_for(scheme.hash);
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  int rc = sign ? EVP_DigestSignInit(ctx, &pctx, md, nullptr, key)
                : EVP_DigestVerifyInit(ctx, &pctx, md, nullptr, key);
  if (rc != 1) return false;
  return type != KeyType::kRsa || set_rsa_padding(pctx, scheme);
}

// Runs `d2i(&p, len)` over all of `der`; null when it fails or leaves bytes over.
template <class D2i>
EVP_PKEY* decode_whole(std::string_view der, D2i d2i) {
  const unsigned char* p = bytes_of(der);
  EVP_PKEY* key = d2i(&p, static_cast<long>(der.size()));
  if (key != nullptr && p != bytes_of(der) + der.size()) {
    EVP_PKEY_free(key);
    return nullptr;
  }
  return key;
}

EVP_PKEY* pkcs8_private(std::string_view der) {
  const unsigned char* p = bytes_of(der);
  PKCS8_PRIV_KEY_INFO* p8 = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size()));
  bool whole = p == bytes_of(der) + der.size();
  EVP_PKEY* key = p8 != nullptr && whole ? EVP_PKCS82PKEY(p8) : nullptr;
  PKCS8_PRIV_KEY_INFO_free(p8);
  return key;
}

// --- cosign's encrypted key format (go-securesystemslib "encrypted": scrypt + NaCl secretbox) ---

constexpr int64_t kCosignScryptN = 32768;
constexpr int64_t kCosignScryptR = 8;
constexpr int64_t kCosignScryptP = 1;
constexpr size_t kCosignSaltBytes = 32;
// Bounds on the scrypt work a key file may ask for (memory is 128*N*r bytes; cosign's is 32 MiB).
constexpr int64_t kMaxScryptN = int64_t{1} << 20;
constexpr int64_t kMaxScryptR = 32;
constexpr int64_t kMaxScryptP = 16;
constexpr int64_t kMaxScryptMemory = int64_t{256} << 20;
constexpr std::string_view kWrongPassword = "wrong password or corrupt key";

Result<void> sodium_ready() {
  if (sodium_init() < 0) return fail(Code::kInternal, "libsodium failed to initialize");
  return ok();
}

const boost::json::value* member(const boost::json::value& v, std::string_view key) {
  const auto* obj = v.if_object();
  return obj == nullptr ? nullptr : obj->if_contains(key);
}

Result<std::string> b64_member(const boost::json::value& v, std::string_view key) {
  const auto* m = member(v, key);
  const auto* s = m == nullptr ? nullptr : m->if_string();
  auto decoded = s == nullptr ? std::nullopt : base64_decode(std::string_view(*s));
  if (!decoded) {
    return fail(Code::kInvalidArgument,
                "cosign key: \"" + std::string(key) + "\" is not a base64 string");
  }
  return *decoded;
}

Result<int64_t> int_member(const boost::json::value& v, std::string_view key, int64_t max) {
  const auto* m = member(v, key);
  const auto* i = m == nullptr ? nullptr : m->if_int64();
  if (i == nullptr || *i < 1 || *i > max) {
    return fail(Code::kInvalidArgument,
                "cosign key: scrypt parameter " + std::string(key) + " missing or out of range");
  }
  return *i;
}

// The scrypt key of `password`.
Result<std::array<unsigned char, crypto_secretbox_KEYBYTES>> scrypt_key(std::string_view password,
                                                                        std::string_view salt,
                                                                        int64_t n, int64_t r,
                                                                        int64_t p) {
  std::array<unsigned char, crypto_secretbox_KEYBYTES> key{};
  if (crypto_pwhash_scryptsalsa208sha256_ll(bytes_of(password), password.size(), bytes_of(salt),
                                            salt.size(), static_cast<uint64_t>(n),
                                            static_cast<uint32_t>(r), static_cast<uint32_t>(p),
                                            key.data(), key.size()) != 0) {
    return fail(Code::kInvalidArgument, "cosign key: scrypt failed (bad parameters)");
  }
  return key;
}

// The PKCS#8 DER inside a cosign encrypted key body (the PEM body: JSON).
Result<std::string> cosign_decrypt(std::string_view body, std::string_view password) {
  BULWARK_TRY_VOID(sodium_ready());
  auto doc = parse_strict_json(body, 8);
  if (!doc) return fail(Code::kInvalidArgument, "cosign key: " + doc.error().message);
  const auto* kdf = member(*doc, "kdf");
  const auto* cipher = member(*doc, "cipher");
  const auto* kdf_name = kdf == nullptr ? nullptr : member(*kdf, "name");
  const auto* cipher_name = cipher == nullptr ? nullptr : member(*cipher, "name");
  const auto* params = kdf == nullptr ? nullptr : member(*kdf, "params");
  if (kdf_name == nullptr || !kdf_name->is_string() || kdf_name->get_string() != "scrypt" ||
      params == nullptr) {
    return fail(Code::kUnsupported, "cosign key: only the scrypt key derivation is supported");
  }
  if (cipher_name == nullptr || !cipher_name->is_string() ||
      cipher_name->get_string() != "nacl/secretbox") {
    return fail(Code::kUnsupported, "cosign key: only the nacl/secretbox cipher is supported");
  }
  BULWARK_ASSIGN_OR_RETURN(int64_t n, int_member(*params, "N", kMaxScryptN));
  BULWARK_ASSIGN_OR_RETURN(int64_t r, int_member(*params, "r", kMaxScryptR));
  BULWARK_ASSIGN_OR_RETURN(int64_t p, int_member(*params, "p", kMaxScryptP));
  if (128 * n * r > kMaxScryptMemory) {
    return fail(Code::kUnsupported, "cosign key: scrypt parameters ask for too much memory");
  }
  BULWARK_ASSIGN_OR_RETURN(std::string salt, b64_member(*kdf, "salt"));
  BULWARK_ASSIGN_OR_RETURN(std::string nonce, b64_member(*cipher, "nonce"));
  BULWARK_ASSIGN_OR_RETURN(std::string sealed, b64_member(*doc, "ciphertext"));
  if (nonce.size() != crypto_secretbox_NONCEBYTES || sealed.size() < crypto_secretbox_MACBYTES) {
    return fail(Code::kInvalidArgument, "cosign key: bad nonce or ciphertext length");
  }
  BULWARK_ASSIGN_OR_RETURN(auto key, scrypt_key(password, salt, n, r, p));
  std::string plain(sealed.size() - crypto_secretbox_MACBYTES, '\0');
  int opened =
      crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), bytes_of(sealed),
                                 sealed.size(), bytes_of(nonce), key.data());
  sodium_memzero(key.data(), key.size());
  if (opened != 0) return fail(Code::kInvalidArgument, std::string(kWrongPassword));
  return plain;
}

// How each PEM private-key type is decoded: `decode(body, header, password)`.
using PrivateDecoder = Result<EVP_PKEY*> (*)(std::string_view body, const std::string& header,
                                             std::string_view password);

Result<EVP_PKEY*> or_refuse(EVP_PKEY* key, std::string_view what) {
  if (key == nullptr)
    return openssl_fail(Code::kInvalidArgument, "not a valid " + std::string(what));
  return key;
}

// Traditional ("EC PRIVATE KEY", "RSA PRIVATE KEY") blocks may be encrypted with a DEK-Info
// header; decrypts the body in place when so.
Result<void> legacy_pem_decrypt(std::string& body, const std::string& header,
                                std::string_view password) {
  if (header.empty()) return ok();
  EVP_CIPHER_INFO cipher;
  std::string head = header;
  if (PEM_get_EVP_CIPHER_INFO(head.data(), &cipher) != 1) {
    return openssl_fail(Code::kInvalidArgument, "unreadable PEM encryption header");
  }
  if (cipher.cipher == nullptr) return ok();
  std::string pw(password);
  auto cb = [](char* buf, int size, int, void* u) -> int {
    auto* s = static_cast<std::string*>(u);
    if (s->size() > static_cast<size_t>(size)) return 0;
    std::memcpy(buf, s->data(), s->size());
    return static_cast<int>(s->size());
  };
  long len = static_cast<long>(body.size());
  int rc = PEM_do_header(&cipher, reinterpret_cast<unsigned char*>(body.data()), &len, cb, &pw);
  OPENSSL_cleanse(pw.data(), pw.size());
  if (rc != 1) return openssl_fail(Code::kInvalidArgument, std::string(kWrongPassword));
  body.resize(static_cast<size_t>(len));
  return ok();
}

// A traditional SEC1 or PKCS#1 private key of OpenSSL type `Type`, perhaps encrypted.
template <int Type>
Result<EVP_PKEY*> traditional_private(std::string_view body, const std::string& header,
                                      std::string_view password) {
  std::string der(body);
  auto decrypted = legacy_pem_decrypt(der, header, password);
  EVP_PKEY* key = !decrypted ? nullptr : decode_whole(der, [](const unsigned char** p, long n) {
    return d2i_PrivateKey(Type, nullptr, p, n);
  });
  OPENSSL_cleanse(der.data(), der.size());
  if (!decrypted) return fail(decrypted.error());
  return or_refuse(key, "traditional (SEC1 or PKCS#1) private key");
}

struct PrivatePemType {
  std::string_view name;
  PrivateDecoder decode;
};
const PrivatePemType kPrivatePemTypes[] = {
    {"PRIVATE KEY",
     [](std::string_view body, const std::string&, std::string_view) {
       return or_refuse(pkcs8_private(body), "PKCS#8 private key");
     }},
    {"EC PRIVATE KEY", traditional_private<EVP_PKEY_EC>},
    {"RSA PRIVATE KEY", traditional_private<EVP_PKEY_RSA>},
    {"ENCRYPTED PRIVATE KEY",
     [](std::string_view body, const std::string&, std::string_view password) -> Result<EVP_PKEY*> {
       const unsigned char* p = bytes_of(body);
       X509_SIG* sealed = d2i_X509_SIG(nullptr, &p, static_cast<long>(body.size()));
       if (sealed == nullptr) {
         return openssl_fail(Code::kInvalidArgument, "not a valid encrypted PKCS#8 key");
       }
       PKCS8_PRIV_KEY_INFO* p8 =
           PKCS8_decrypt(sealed, password.data(), static_cast<int>(password.size()));
       X509_SIG_free(sealed);
       if (p8 == nullptr) return openssl_fail(Code::kInvalidArgument, std::string(kWrongPassword));
       EVP_PKEY* key = EVP_PKCS82PKEY(p8);
       PKCS8_PRIV_KEY_INFO_free(p8);
       return or_refuse(key, "PKCS#8 private key");
     }},
    {"ENCRYPTED SIGSTORE PRIVATE KEY",
     [](std::string_view body, const std::string&, std::string_view password) -> Result<EVP_PKEY*> {
       BULWARK_ASSIGN_OR_RETURN(std::string der, cosign_decrypt(body, password));
       EVP_PKEY* key = pkcs8_private(der);
       OPENSSL_cleanse(der.data(), der.size());
       return or_refuse(key, "cosign private key (the decrypted key is not PKCS#8)");
     }},
};

// The older name cosign wrote before "SIGSTORE"; same format.
constexpr std::string_view kCosignLegacyPemName = "ENCRYPTED COSIGN PRIVATE KEY";
constexpr std::string_view kCosignPemName = "ENCRYPTED SIGSTORE PRIVATE KEY";

const PrivatePemType* private_pem_type(std::string_view name) {
  if (name == kCosignLegacyPemName) name = kCosignPemName;
  for (const auto& t : kPrivatePemTypes) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

// How each PEM public-key type is decoded.
struct PublicPemType {
  std::string_view name;
  EVP_PKEY* (*decode)(std::string_view der);
};
EVP_PKEY* spki_public(std::string_view der) {
  return decode_whole(der,
                      [](const unsigned char** p, long n) { return d2i_PUBKEY(nullptr, p, n); });
}
const PublicPemType kPublicPemTypes[] = {
    {"PUBLIC KEY", spki_public},
    {"RSA PUBLIC KEY",
     [](std::string_view der) {
       return decode_whole(der, [](const unsigned char** p, long n) {
         return d2i_PublicKey(EVP_PKEY_RSA, nullptr, p, n);
       });
     }},
};

}  // namespace

std::string_view key_type_name(KeyType type) { return info(type).name; }

std::string_view hash_algorithm_name(HashAlgorithm hash) { return pki::hash_info(hash).name; }

std::string hash_bytes(HashAlgorithm hash, std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), out.data(), &len, pki::md_for(hash), nullptr) != 1) {
    ERR_clear_error();
    return {};
  }
  return std::string(reinterpret_cast<char*>(out.data()), len);
}

SignatureScheme default_scheme(KeyType type) {
  return SignatureScheme{info(type).default_hash, RsaPadding::kPkcs1v15};
}

// ---------------------------------------------------------------------------------------------
// PublicKey

Result<PublicKey> PublicKey::from_native(EVP_PKEY* key) {
  if (key == nullptr) return fail(Code::kInvalidArgument, "no public key");
  BULWARK_ASSIGN_OR_RETURN(KeyType type, classify(key));
  std::string spki = pki::to_der(i2d_PUBKEY, key);
  if (spki.empty()) return openssl_fail(Code::kInternal, "cannot encode the public key");
  if (EVP_PKEY_up_ref(key) != 1) return openssl_fail(Code::kInternal, "cannot reference the key");
  return PublicKey(std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free), type, std::move(spki));
}

Result<PublicKey> PublicKey::from_der(std::string_view spki_der) {
  pki::Pkey key(spki_public(spki_der));
  if (!key) {
    return openssl_fail(Code::kInvalidArgument, "not a DER SubjectPublicKeyInfo public key");
  }
  return from_native(key.get());
}

Result<PublicKey> PublicKey::from_pem(std::string_view pem) {
  for (const pki::PemBlock& block : pki::pem_blocks(pem)) {
    for (const auto& t : kPublicPemTypes) {
      if (block.name != t.name) continue;
      pki::Pkey key(t.decode(block.body));
      if (!key) {
        return openssl_fail(Code::kInvalidArgument, "not a valid PEM " + std::string(t.name));
      }
      return from_native(key.get());
    }
  }
  return fail(Code::kInvalidArgument, "no PEM public key (\"PUBLIC KEY\" or \"RSA PUBLIC KEY\")");
}

Result<PublicKey> PublicKey::load(const std::filesystem::path& file) {
  BULWARK_ASSIGN_OR_RETURN(std::string pem, pki::read_small_file(file, kMaxKeyFileBytes));
  auto key = from_pem(pem);
  if (!key) return fail(key.error().code, file.string() + ": " + key.error().message);
  return key;
}

std::string PublicKey::pem() const {
  pki::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
    ERR_clear_error();
    return {};
  }
  return pki::bio_contents(bio.get());
}

std::string PublicKey::key_id() const { return hash_bytes(HashAlgorithm::kSha256, spki_der_); }

Result<void> PublicKey::verify(std::string_view message, std::string_view signature,
                               const SignatureScheme& scheme) const {
  pki::MdCtx ctx(EVP_MD_CTX_new());
  bool valid = ctx && init_digest_ctx(ctx.get(), key_.get(), type_, scheme, /*sign=*/false) &&
               EVP_DigestVerify(ctx.get(), bytes_of(signature), signature.size(), bytes_of(message),
                                message.size()) == 1;
  if (!valid) return openssl_fail(Code::kInvalidArgument, "signature does not verify");
  ERR_clear_error();
  return ok();
}

Result<void> PublicKey::verify_digest(std::string_view digest, std::string_view signature,
                                      const SignatureScheme& scheme) const {
  if (type_ == KeyType::kEd25519) {
    return fail(Code::kUnsupported, "Ed25519 cannot verify a pre-hashed message");
  }
  const EVP_MD* md = pki::md_for(scheme.hash);
  if (digest.size() != static_cast<size_t>(EVP_MD_get_size(md))) {
    return fail(Code::kInvalidArgument,
                "digest length does not match " + std::string(hash_algorithm_name(scheme.hash)));
  }
  pki::PkeyCtx pctx(EVP_PKEY_CTX_new(key_.get(), nullptr));
  bool valid = pctx && EVP_PKEY_verify_init(pctx.get()) == 1 &&
               EVP_PKEY_CTX_set_signature_md(pctx.get(), md) == 1 &&
               (type_ != KeyType::kRsa || set_rsa_padding(pctx.get(), scheme)) &&
               EVP_PKEY_verify(pctx.get(), bytes_of(signature), signature.size(), bytes_of(digest),
                               digest.size()) == 1;
  if (!valid) return openssl_fail(Code::kInvalidArgument, "signature does not verify");
  ERR_clear_error();
  return ok();
}

// ---------------------------------------------------------------------------------------------
// PrivateKey

namespace {

// A private key and its public half as its own object, so a PublicKey never holds private
// material.
struct Adopted {
  std::shared_ptr<EVP_PKEY> key;
  PublicKey public_key;
};

// Takes ownership of `key`.
Result<Adopted> adopt_private(EVP_PKEY* key) {
  std::shared_ptr<EVP_PKEY> owned(key, EVP_PKEY_free);
  std::string spki = pki::to_der(i2d_PUBKEY, key);
  if (spki.empty()) return openssl_fail(Code::kInvalidArgument, "cannot derive the public key");
  BULWARK_ASSIGN_OR_RETURN(PublicKey pub, PublicKey::from_der(spki));
  return Adopted{std::move(owned), std::move(pub)};
}

}  // namespace

Result<PrivateKey> PrivateKey::generate(KeyType type) {
  const KeyTypeInfo& i = info(type);
  EVP_PKEY* key = nullptr;
  if (i.curve != nullptr) {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", i.curve);
  } else if (type == KeyType::kRsa) {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(kGeneratedRsaBits));
  } else {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, i.openssl_type);
  }
  if (key == nullptr) {
    return openssl_fail(Code::kInternal, "cannot generate a " + std::string(i.name) + " key");
  }
  BULWARK_ASSIGN_OR_RETURN(Adopted adopted, adopt_private(key));
  return PrivateKey(std::move(adopted.key), std::move(adopted.public_key));
}

Result<PrivateKey> PrivateKey::from_pem(std::string_view pem, std::string_view password) {
  for (const pki::PemBlock& block : pki::pem_blocks(pem)) {
    const PrivatePemType* t = private_pem_type(block.name);
    if (t == nullptr) continue;  // e.g. "EC PARAMETERS" before "EC PRIVATE KEY"
    BULWARK_ASSIGN_OR_RETURN(EVP_PKEY * key, t->decode(block.body, block.header, password));
    pki::Pkey owned(key);
    BULWARK_TRY_VOID(classify(key));
    BULWARK_ASSIGN_OR_RETURN(Adopted adopted, adopt_private(owned.release()));
    return PrivateKey(std::move(adopted.key), std::move(adopted.public_key));
  }
  return fail(Code::kInvalidArgument, "no PEM private key");
}

Result<PrivateKey> PrivateKey::load(const std::filesystem::path& file, std::string_view password) {
  BULWARK_ASSIGN_OR_RETURN(std::string pem, pki::read_small_file(file, kMaxKeyFileBytes));
  auto key = from_pem(pem, password);
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!key) return fail(key.error().code, file.string() + ": " + key.error().message);
  return key;
}

Result<std::string> PrivateKey::sign(std::string_view message,
                                     const SignatureScheme& scheme) const {
  pki::MdCtx ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (!ctx || !init_digest_ctx(ctx.get(), key_.get(), type(), scheme, /*sign=*/true) ||
      EVP_DigestSign(ctx.get(), nullptr, &len, bytes_of(message), message.size()) != 1) {
    return openssl_fail(Code::kInternal, "cannot sign");
  }
  std::string signature(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len,
                     bytes_of(message), message.size()) != 1) {
    return openssl_fail(Code::kInternal, "cannot sign");
  }
  signature.resize(len);
  return signature;
}

namespace {

// PKCS#8 DER of `key`; a secret the caller wipes.
Result<std::string> pkcs8_der(EVP_PKEY* key) {
  PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(key);
  if (p8 == nullptr) return openssl_fail(Code::kInternal, "cannot encode the private key");
  std::string der = pki::to_der(i2d_PKCS8_PRIV_KEY_INFO, p8);
  PKCS8_PRIV_KEY_INFO_free(p8);
  if (der.empty()) return openssl_fail(Code::kInternal, "cannot encode the private key");
  return der;
}

// `body` as a PEM block named `name` (64-column base64).
std::string pem_encode(std::string_view name, std::string_view body) {
  std::string b64 = base64_encode(body);
  std::string out = "-----BEGIN " + std::string(name) + "-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) {
    out.append(b64, i, 64);
    out += '\n';
  }
  OPENSSL_cleanse(b64.data(), b64.size());
  out += "-----END " + std::string(name) + "-----\n";
  return out;
}

}  // namespace

Result<std::string> PrivateKey::pkcs8_pem() const {
  BULWARK_ASSIGN_OR_RETURN(std::string der, pkcs8_der(key_.get()));
  std::string pem = pem_encode("PRIVATE KEY", der);
  OPENSSL_cleanse(der.data(), der.size());
  return pem;
}

Result<std::string> PrivateKey::cosign_encrypted_pem(std::string_view password) const {
  BULWARK_TRY_VOID(sodium_ready());
  BULWARK_ASSIGN_OR_RETURN(std::string der, pkcs8_der(key_.get()));
  std::string salt(kCosignSaltBytes, '\0');
  std::string nonce(crypto_secretbox_NONCEBYTES, '\0');
  randombytes_buf(salt.data(), salt.size());
  randombytes_buf(nonce.data(), nonce.size());
  auto key = scrypt_key(password, salt, kCosignScryptN, kCosignScryptR, kCosignScryptP);
  if (!key) {
    OPENSSL_cleanse(der.data(), der.size());
    return fail(key.error());
  }
  std::string sealed(der.size() + crypto_secretbox_MACBYTES, '\0');
  crypto_secretbox_easy(reinterpret_cast<unsigned char*>(sealed.data()), bytes_of(der), der.size(),
                        bytes_of(nonce), key->data());
  sodium_memzero(key->data(), key->size());
  OPENSSL_cleanse(der.data(), der.size());
  // The member order of go-securesystemslib's json.Marshal.
  boost::json::object params{{"N", kCosignScryptN}, {"r", kCosignScryptR}, {"p", kCosignScryptP}};
  boost::json::object kdf{{"name", "scrypt"}, {"params", params}, {"salt", base64_encode(salt)}};
  boost::json::object cipher{{"name", "nacl/secretbox"}, {"nonce", base64_encode(nonce)}};
  boost::json::object doc{{"kdf", kdf}, {"cipher", cipher}, {"ciphertext", base64_encode(sealed)}};
  return pem_encode(kCosignPemName, boost::json::serialize(doc));
}

}  // namespace bulwark::trust
