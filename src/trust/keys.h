// Signing keys for provenance: the public keys signatures are verified with (ECDSA P-256/P-384,
// RSA with PKCS#1 v1.5 or PSS padding, Ed25519) and the private keys `bulwark sign` and
// `bulwark attest` sign with. This is the one place in the trust module that talks to OpenSSL about
// keys and signatures; certificates (x509.h), logs (rekor.h, checkpoint.h) and Notation build on it.
//
// Signatures are in the form X.509, cosign, Sigstore and Rekor use: ECDSA as a DER
// ECDSA-Sig-Value, RSA as the big-endian integer, Ed25519 as its 64 bytes (pure Ed25519, no
// pre-hash). JOSE's raw r||s ECDSA form is converted by the callers that need it (notation/jws.cc).
//
// PublicKey and PrivateKey are immutable after construction and cheap to copy (copies share one
// OpenSSL key). Every const method is thread-safe: each operation uses its own OpenSSL context and
// failures drop OpenSSL's thread-local error queue.
#pragma once

#include <openssl/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace bulwark::trust {

// The kinds of key Bulwark accepts. Others (DSA, P-521, Ed448, RSA under 2048 bits) are refused
// with kUnsupported when a key is loaded.
enum class KeyType { kEcdsaP256, kEcdsaP384, kRsa, kEd25519 };

// "ecdsa-p256", "ecdsa-p384", "rsa", "ed25519".
std::string_view key_type_name(KeyType type);

enum class HashAlgorithm { kSha256, kSha384, kSha512 };

// "sha256", "sha384", "sha512" (also the names Sigstore's HashAlgorithm enum ends in).
std::string_view hash_algorithm_name(HashAlgorithm hash);
// The digest of `bytes` (raw, not hex).
std::string hash_bytes(HashAlgorithm hash, std::string_view bytes);

enum class RsaPadding { kPkcs1v15, kPss };

// How a signature was made. Ed25519 ignores both fields. For RSA-PSS the salt length is the
// digest length and MGF1 uses the same digest, as every Sigstore and Notation signer does.
struct SignatureScheme {
  HashAlgorithm hash = HashAlgorithm::kSha256;
  RsaPadding rsa_padding = RsaPadding::kPkcs1v15;
};

// The usual scheme for a key: SHA-256 for P-256, RSA and Ed25519; SHA-384 for P-384.
SignatureScheme default_scheme(KeyType type);

class PublicKey {
 public:
  // PEM "PUBLIC KEY" (SubjectPublicKeyInfo); also accepts PEM "RSA PUBLIC KEY" (PKCS#1).
  // kInvalidArgument when the text holds no public key, kUnsupported for other key types.
  static Result<PublicKey> from_pem(std::string_view pem);
  // DER SubjectPublicKeyInfo (the form in trusted_root.json, Fulcio certificates and bundles).
  static Result<PublicKey> from_der(std::string_view spki_der);
  // from_pem() of `file` (at most 64 KiB); the error names the file.
  static Result<PublicKey> load(const std::filesystem::path& file);
  // Takes a reference on `key` (from a certificate). kUnsupported for other key types.
  static Result<PublicKey> from_native(EVP_PKEY* key);

  KeyType type() const { return type_; }
  const std::string& spki_der() const { return spki_der_; }
  std::string pem() const;
  // SHA-256 of spki_der(), raw 32 bytes: the key id of Sigstore bundle key hints, Rekor and CT
  // log ids (hex- or base64-encoded by the caller as each format wants).
  std::string key_id() const;

  // Ok when `signature` is this key's signature of `message` under `scheme`. kInvalidArgument
  // ("signature does not verify") otherwise; never throws, never crashes on garbage.
  Result<void> verify(std::string_view message, std::string_view signature,
                      const SignatureScheme& scheme) const;
  Result<void> verify(std::string_view message, std::string_view signature) const {
    return verify(message, signature, default_scheme(type_));
  }
  // Like verify() over a message whose digest under scheme.hash is `digest` (raw bytes), for
  // records that carry only the digest (Rekor hashedrekord). kUnsupported for Ed25519, which
  // cannot sign a pre-hashed message.
  Result<void> verify_digest(std::string_view digest, std::string_view signature,
                             const SignatureScheme& scheme) const;

  EVP_PKEY* native() const { return key_.get(); }

 private:
  PublicKey(std::shared_ptr<EVP_PKEY> key, KeyType type, std::string spki_der)
      : key_(std::move(key)), type_(type), spki_der_(std::move(spki_der)) {}
  std::shared_ptr<EVP_PKEY> key_;
  KeyType type_ = KeyType::kEcdsaP256;
  std::string spki_der_;
};

class PrivateKey {
 public:
  // A fresh key from OpenSSL's CSPRNG (RSA keys are 3072 bits).
  static Result<PrivateKey> generate(KeyType type);
  // PEM private key in any of: PKCS#8 "PRIVATE KEY", SEC1 "EC PRIVATE KEY", PKCS#1
  // "RSA PRIVATE KEY", encrypted PKCS#8 "ENCRYPTED PRIVATE KEY" and cosign's
  // "ENCRYPTED SIGSTORE PRIVATE KEY" / "ENCRYPTED COSIGN PRIVATE KEY" (scrypt + NaCl secretbox
  // around a PKCS#8 DER key). `password` is used only by the encrypted forms. A wrong password is
  // kInvalidArgument ("wrong password or corrupt key"); the password never appears in an error.
  static Result<PrivateKey> from_pem(std::string_view pem, std::string_view password = {});
  // from_pem() of `file` (at most 64 KiB); the error names the file.
  static Result<PrivateKey> load(const std::filesystem::path& file, std::string_view password = {});

  KeyType type() const { return public_.type(); }
  const PublicKey& public_key() const { return public_; }

  // This key's signature of `message` (DER for ECDSA), made under `scheme`.
  Result<std::string> sign(std::string_view message, const SignatureScheme& scheme) const;
  Result<std::string> sign(std::string_view message) const {
    return sign(message, default_scheme(type()));
  }

  // Unencrypted PKCS#8 PEM. A secret: never log it.
  Result<std::string> pkcs8_pem() const;
  // cosign's "ENCRYPTED SIGSTORE PRIVATE KEY" PEM: the PKCS#8 DER sealed with NaCl secretbox
  // under a key derived by scrypt (N=32768, r=8, p=1) from `password`, as `cosign
  // generate-key-pair` writes it, so cosign itself can load the key.
  Result<std::string> cosign_encrypted_pem(std::string_view password) const;

  EVP_PKEY* native() const { return key_.get(); }

 private:
  PrivateKey(std::shared_ptr<EVP_PKEY> key, PublicKey public_key)
      : key_(std::move(key)), public_(std::move(public_key)) {}
  std::shared_ptr<EVP_PKEY> key_;
  PublicKey public_;
};

}  // namespace bulwark::trust
