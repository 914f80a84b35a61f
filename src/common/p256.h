// P256Key: one ECDSA P-256 key, private or public only, with the ES256 operations (ECDSA over
// SHA-256) and the PEM, DER and key-file handling every signer in Bulwark needs. It is the one
// place that talks to OpenSSL about signing keys; auth (JWT ES256) and audit (checkpoint
// signatures) build their own key types and key ids on top of it.
//
// Signatures are in the JOSE form (RFC 7518 §3.4): big-endian r||s, 32 bytes each, 64 in all;
// the DER ECDSA-Sig-Value OpenSSL uses is converted at this boundary. Only P-256 keys are ever
// accepted: every constructor refuses other curves and key types with kUnsupported.
//
// A P256Key is immutable after construction and cheap to copy (copies share one OpenSSL key).
// All const methods are thread-safe: each signing or verifying call uses its own OpenSSL context,
// and failures drop OpenSSL's thread-local error queue so it does not grow across requests.
#pragma once

#include <openssl/types.h>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/durable_file.h"  // KeyFileWrite
#include "common/result.h"

namespace bulwark {

// Length of a raw r||s P-256 signature.
inline constexpr size_t kP256SignatureBytes = 64;

// Which PEM key a parser accepts.
enum class PemKind {
  kPrivate,  // unencrypted PKCS#8 "PRIVATE KEY" or SEC1 "EC PRIVATE KEY"
  kPublic,   // "PUBLIC KEY" (SubjectPublicKeyInfo)
  kEither,   // a private key when the text names one ("PRIVATE KEY"), else a public key
};

class P256Key {
 public:
  // A fresh private key from OpenSSL's CSPRNG.
  static Result<P256Key> generate();
  // Parses a PEM key of `kind`. Errors: kInvalidArgument when the text holds no such key (an
  // encrypted private key fails here: there is never a passphrase prompt), kUnsupported when the
  // key is not an EC P-256 key.
  static Result<P256Key> from_pem(std::string_view pem, PemKind kind = PemKind::kEither);
  // Reads from_pem() input from `file` (at most 64 KiB). kNotFound when the file does not exist;
  // error messages name the file.
  static Result<P256Key> load(const std::filesystem::path& file,
                              PemKind kind = PemKind::kEither);
  // The private key in `file`, created there (KeyFileWrite::kCreateNew) from generate() when the
  // file does not exist; concurrent first uses by several processes end with one shared key. An
  // existing file that group or others may access is refused (kUnsupported) before it is read.
  // REQUIRES: the directory of `file` exists.
  static Result<P256Key> load_or_create(const std::filesystem::path& file);

  bool has_private() const { return has_private_; }
  // A copy that holds only the public half (has_private() is false), for handing to verifiers.
  Result<P256Key> public_only() const;

  // DER SubjectPublicKeyInfo of the public half: the input of key ids.
  const std::string& spki_der() const { return spki_der_; }
  // PEM "PUBLIC KEY" (SubjectPublicKeyInfo) of the public half.
  std::string public_pem() const;
  // Unencrypted PKCS#8 PEM "PRIVATE KEY". The result is a secret: never log it.
  // REQUIRES: has_private().
  Result<std::string> private_pem() const;
  // Writes private_pem() to `file`, mode 0600, with write_durable_file (common/durable_file.h).
  // REQUIRES: has_private().
  Result<void> save_private(const std::filesystem::path& file,
                            KeyFileWrite how = KeyFileWrite::kCreateNew) const;

  // The ES256 signature of `message`: raw r||s, kP256SignatureBytes long.
  // REQUIRES: has_private().
  Result<std::string> sign_raw(std::string_view message) const;
  // True when `signature` is a raw r||s ES256 signature of `message` under this key; false for
  // anything else, including signatures of the wrong length.
  bool verify_raw(std::string_view message, std::string_view signature) const;

 private:
  // Takes ownership of `key` and refuses it unless it is a P-256 EC key. REQUIRES: key != null.
  static Result<P256Key> adopt(EVP_PKEY* key, bool has_private);
  P256Key(std::shared_ptr<EVP_PKEY> key, std::string spki_der, bool has_private)
      : key_(std::move(key)), spki_der_(std::move(spki_der)), has_private_(has_private) {}

  std::shared_ptr<EVP_PKEY> key_;
  std::string spki_der_;
  bool has_private_ = false;
};

}  // namespace bulwark
