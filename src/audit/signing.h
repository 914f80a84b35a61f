// Checkpoint signatures: the statement a checkpoint signs and the P-256 keys that sign (ES256:
// ECDSA over SHA-256, signature as raw r||s, 64 bytes, base64-encoded) and verify it.
//
// The signing key is a PEM file (PKCS#8 private key) in the data directory, created on first
// use with mode 0600 and refused when group or others may read it. A key's id is the lowercase
// hex of the first 16 bytes of the SHA-256 of its DER SubjectPublicKeyInfo.
//
// Keys are immutable after loading; sign() and verify() are thread-safe (each call uses its own
// OpenSSL context). Copies share the underlying key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/p256.h"
#include "common/result.h"

namespace bulwark::audit {

// "bulwark-audit-checkpoint v1\n<seq>\n<hash>\n<time_ms>\n"
std::string checkpoint_statement(int64_t seq, std::string_view hash, int64_t time_ms);

class VerifyKey {
 public:
  // Parses a PEM public key, or the public half of a PEM private key. Only P-256 keys.
  static Result<VerifyKey> from_pem(std::string_view pem);
  static Result<VerifyKey> load(const std::string& path);

  const std::string& key_id() const { return key_id_; }
  // SubjectPublicKeyInfo PEM, for handing to verifiers that must not hold the private key.
  std::string public_pem() const;
  // True when `signature` (base64 raw r||s) is this key's ES256 signature over `message`.
  bool verify(std::string_view message, std::string_view signature) const;

 private:
  friend class SigningKey;
  explicit VerifyKey(P256Key key);
  P256Key key_;
  std::string key_id_;
};

class SigningKey {
 public:
  // Loads the private key at `path`, generating a new P-256 key there (mode 0600) when the file
  // does not exist. Concurrent first uses by several processes end with one shared key.
  // REQUIRES: the directory of `path` exists.
  static Result<SigningKey> load_or_create(const std::string& path);

  const std::string& key_id() const { return public_.key_id(); }
  const VerifyKey& verify_key() const { return public_; }
  // base64 of the raw r||s ES256 signature over `message`.
  Result<std::string> sign(std::string_view message) const;

 private:
  explicit SigningKey(VerifyKey key) : public_(std::move(key)) {}
  VerifyKey public_;  // shares the private key object
};

}  // namespace bulwark::audit
