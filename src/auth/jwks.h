// JSON Web Key Sets (RFC 7517) published by OpenID providers, and verification of the compact JWS
// tokens (RFC 7515) they sign: ID tokens of people's logins and of CI jobs.
//
// Accepted algorithms (RFC 7518, RFC 8037, RFC 9864) and the only key type each may use:
//   RS256 RS384 RS512 PS256 PS384 PS512   RSA key ("kty":"RSA", 2048 to 16384 bits)
//   ES256 / ES384                         EC key on P-256 / P-384 ("kty":"EC")
//   EdDSA, Ed25519                        Ed25519 key ("kty":"OKP", "crv":"Ed25519")
// Everything else is refused, "none" and the HMAC algorithms included, and so is a token whose
// algorithm does not fit the key it names (no algorithm confusion: an RSA public key is never an
// HMAC secret, an ES256 token never verifies with a P-384 key).
//
// Jwks is immutable after parse() and cheap to copy (keys are shared); verify_jws() is a pure
// function. Both are thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bulwark::auth {

// Tokens of other issuers longer than this are refused before any decoding.
inline constexpr size_t kMaxForeignTokenBytes = 16 * 1024;
// A key set with more usable keys than this is refused.
inline constexpr size_t kMaxJwksKeys = 64;

class Jwks {
 public:
  // Parses a JWKS document ({"keys":[...]}, strict JSON). Keys that cannot verify signatures for
  // us are skipped: "use" other than "sig", "key_ops" without "verify", an "alg" not in the table
  // above, an unsupported "kty" or "crv". A key of a supported type that is malformed (bad
  // base64url, wrong coordinate length, a point not on the curve, an RSA modulus under 2048 bits,
  // an "alg" that does not fit the key) fails the whole document with kInvalidArgument.
  static Result<Jwks> parse(std::string_view json);

  // Number of usable keys.
  size_t size() const { return keys_.size(); }
  // True when some usable key has this "kid".
  bool has_kid(std::string_view kid) const;

  struct Key;  // defined in jwks.cc

 private:
  friend Result<boost::json::object> verify_jws(std::string_view token, const Jwks& jwks);
  std::vector<std::shared_ptr<const Key>> keys_;
};

// Verifies the signature of a compact JWS token with a key of `jwks` and returns its payload as a
// strict JSON object. It checks no claims: the caller does (iss, aud, exp, ...).
// The key is the one whose "kid" the token's header names; a token without "kid" is tried
// against every key that fits its algorithm. Errors:
//   kTooLarge        token over kMaxForeignTokenBytes
//   kUnsupported     "alg" not accepted ("none", HS256, ...), "crit" present, or the named key's
//                    type or declared "alg" does not fit the token's algorithm
//   kNotFound        no key has the token's "kid" (the caller may fetch a fresh key set)
//   kInvalidArgument malformed token or a signature that does not verify
// Messages never contain the token.
Result<boost::json::object> verify_jws(std::string_view token, const Jwks& jwks);

}  // namespace bulwark::auth
