// Registry bearer tokens: compact JWS (RFC 7515/7519) signed with ES256 (ECDSA P-256 + SHA-256)
// and nothing else, as the Docker distribution token spec uses them.
//
// SigningKey is the token service's private key; PublicKey is what a verifier holds, looked up by
// the token's `kid`, which is the libtrust key id the distribution spec names (see key_id()).
// verify_jwt() accepts a token only if every check passes; its Error names the first that failed
// (kTooLarge for oversized tokens, kUnsupported for a refused algorithm, kNotFound for an unknown
// kid, kInvalidArgument for everything else — callers answer 401 for all of them).
//
// Both key types are immutable after construction, cheap to copy (shared OpenSSL handle) and
// thread-safe; sign() and verify_jwt() may run concurrently on the same keys.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "common/p256.h"
#include "common/result.h"

namespace bulwark::auth {

// Tokens longer than this are refused before any decoding.
inline constexpr size_t kMaxTokenBytes = 8192;

class PublicKey {
 public:
  // Parses a PEM "PUBLIC KEY" (SubjectPublicKeyInfo); only P-256 EC keys are accepted.
  static Result<PublicKey> from_pem(std::string_view pem);

  // PEM "PUBLIC KEY" text, e.g. for the registry's token verification config.
  std::string pem() const;
  // libtrust key id: base32 of the first 240 bits of sha256(DER SubjectPublicKeyInfo), 48
  // characters in 12 groups of 4 joined by ':', e.g. "ABCD:EFGH:...".
  const std::string& key_id() const { return key_id_; }

  // True when `signature` is a JOSE ES256 signature (raw big-endian r||s, 64 bytes) of `message`
  // under this key. Also usable for other detached signatures (e.g. audit checkpoints).
  bool verify_es256(std::string_view message, std::string_view signature) const;

 private:
  friend class SigningKey;
  // A PublicKey for the public half of `key`.
  static Result<PublicKey> of(const P256Key& key);
  PublicKey(P256Key key, std::string key_id) : key_(std::move(key)), key_id_(std::move(key_id)) {}

  P256Key key_;  // public half only
  std::string key_id_;
};

// Verification keys by key id; a kid not in the set is refused.
using KeySet = std::map<std::string, PublicKey, std::less<>>;

class SigningKey {
 public:
  // A fresh P-256 key from OpenSSL's CSPRNG.
  static Result<SigningKey> generate();
  // Parses an unencrypted PEM private key (PKCS#8 "PRIVATE KEY" or SEC1 "EC PRIVATE KEY"); only
  // P-256 EC keys are accepted.
  static Result<SigningKey> from_pem(std::string_view pem);
  // Reads from_pem() input from a file.
  static Result<SigningKey> load(const std::filesystem::path& file);

  // Writes the key as PKCS#8 PEM with mode 0600, atomically: a temporary file in the same
  // directory is written, fsynced and renamed over `file`, so readers see the old or new key.
  Result<void> save(const std::filesystem::path& file) const;

  const PublicKey& public_key() const { return public_; }
  const std::string& key_id() const { return public_.key_id(); }

  // Signs `claims` into a compact token with header {"alg":"ES256","typ":"JWT","kid":key_id()}.
  Result<std::string> sign(const boost::json::object& claims) const;
  // The JOSE ES256 signature (raw r||s, 64 bytes) of `message`; see PublicKey::verify_es256.
  Result<std::string> sign_es256(std::string_view message) const;

 private:
  // REQUIRES: key.has_private().
  static Result<SigningKey> of(P256Key key);
  SigningKey(P256Key key, PublicKey pub) : key_(std::move(key)), public_(std::move(pub)) {}

  P256Key key_;
  PublicKey public_;
};

// What a token must say to be accepted, and the clock to judge it by.
struct TokenExpectations {
  std::string_view issuer;    // `iss` must equal this
  std::string_view audience;  // `aud` (a string, or an array of strings) must contain this
  int64_t now = 0;            // unix seconds
  int64_t leeway = 60;        // seconds of clock skew tolerated on exp, nbf and iat
};

// ---- building blocks shared with verifiers of other issuers' tokens (auth/jwks.h) ----

// A compact JWS split into its three parts with the header decoded; nothing verified yet.
// The views point into the token passed to split_compact_jws().
struct CompactJws {
  boost::json::object header;      // a strict JSON object (duplicate keys refused)
  std::string_view signing_input;  // "<header>.<payload>", the bytes the signature covers
  std::string_view payload_part;   // base64url payload
  std::string_view signature_part; // base64url signature
};

// Splits a compact JWS and decodes its header. Refuses tokens over `max_bytes` (kTooLarge, before
// any decoding), anything but three dot-separated parts and a header that is not base64url of a
// strict JSON object (kInvalidArgument).
Result<CompactJws> split_compact_jws(std::string_view token, size_t max_bytes);
// Decodes a payload part as a strict JSON object; call only once the signature has verified.
Result<boost::json::object> decode_jws_payload(std::string_view payload_part);
// The registered-claim checks verify_jwt() applies after the signature: iss, aud, exp, nbf, iat.
Result<void> check_registered_claims(const boost::json::object& claims,
                                     const TokenExpectations& expect);

// Verifies a compact ES256 token and returns its claims. Refuses: tokens over kMaxTokenBytes;
// anything but three base64url parts; headers that are not strict JSON objects, or whose `alg` is
// not "ES256" (so "none" and HS256-with-the-public-key are refused), whose `typ` is present and
// not "JWT", or that carry `crit`; an unknown `kid`; a signature that is not 64 bytes or does not
// verify; claims that are not a strict JSON object (duplicate keys refused); a wrong `iss` or
// `aud`; a missing or non-numeric `exp`; now >= exp + leeway; now + leeway < nbf; and
// iat > now + leeway.
Result<boost::json::object> verify_jwt(std::string_view token, const KeySet& keys,
                                       const TokenExpectations& expect);

}  // namespace bulwark::auth
