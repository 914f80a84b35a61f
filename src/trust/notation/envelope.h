// Notary Project (Notation) signature envelopes: the JWS (application/jose+json, JSON
// serialization) and COSE_Sign1 (application/cose) forms a `notation sign` signature takes, both
// read into one NotationSignature. Parsing checks the envelope's own rules — the protected header
// fields and their types, the payload content type, the critical headers (an unknown critical
// header refuses the envelope), the signing scheme and its time field, the x5c/x5chain chain and
// the {"targetArtifact": descriptor} payload — but not whom to trust: that is verify.h under a
// trust policy (trust_policy.h) and trust store (trust_store.h).
//
// jws.cc and cose.cc each parse one form; envelope.cc holds what they share (algorithms, payload,
// integrity). NotationSignature is an immutable value after parsing; every function is pure and
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "oci/manifest.h"
#include "trust/keys.h"
#include "trust/x509.h"

namespace bulwark::trust::notation {

inline constexpr std::string_view kJwsMediaType = "application/jose+json";
inline constexpr std::string_view kCoseMediaType = "application/cose";
inline constexpr std::string_view kPayloadContentType =
    "application/vnd.cncf.notary.payload.v1+json";
inline constexpr std::string_view kSignatureArtifactType = "application/vnd.cncf.notary.signature";
// The signature manifest's annotation listing the hex SHA-256 of every chain certificate.
inline constexpr std::string_view kThumbprintAnnotation =
    "io.cncf.notary.x509chain.thumbprint#S256";

// io.cncf.notary.signingScheme.
enum class SigningScheme {
  kX509,                  // "notary.x509": signing time is the signer's claim
  kX509SigningAuthority,  // "notary.x509.signingAuthority": authentic signing time
};
std::string_view signing_scheme_name(SigningScheme scheme);

// A signature algorithm of the Notary Project (JWS "ES256"..., COSE -7...): the key it needs and
// how the signature is checked. ECDSA signatures are raw r||s in both envelopes.
struct Algorithm {
  std::string_view jws_name;  // "ES256"
  int64_t cose_id;            // -7
  KeyType key_type;
  int rsa_bits;  // RSA key size the spec pairs with this algorithm; 0 for ECDSA
  SignatureScheme scheme;
  size_t ecdsa_coordinate_bytes;  // 32 / 48; 0 for RSA
};
// nullptr for algorithms Notation or Bulwark do not accept (ES512 needs P-521: unsupported).
const Algorithm* algorithm_by_jws_name(std::string_view name);
const Algorithm* algorithm_by_cose_id(int64_t id);

// JOSE/COSE raw r||s ECDSA (each `coordinate_bytes` long) to a DER ECDSA-Sig-Value, the form
// PublicKey::verify takes. nullopt when `raw` is not 2 * coordinate_bytes long.
std::optional<std::string> ecdsa_raw_to_der(std::string_view raw, size_t coordinate_bytes);

struct NotationSignature {
  std::string media_type;  // kJwsMediaType or kCoseMediaType
  const Algorithm* algorithm = nullptr;
  SigningScheme scheme = SigningScheme::kX509;
  // io.cncf.notary.signingTime (notary.x509) or io.cncf.notary.authenticSigningTime
  // (notary.x509.signingAuthority), Unix seconds.
  int64_t signing_time = 0;
  bool authentic_signing_time = false;
  std::optional<int64_t> expiry;   // io.cncf.notary.expiry
  oci::Descriptor target;          // payload targetArtifact
  std::vector<Certificate> chain;  // x5c / x5chain, leaf first
  std::string signing_agent;       // io.cncf.notary.signingAgent (unprotected; informational)
  // io.cncf.notary.timestampSignature: an RFC 3161 TimeStampToken over `raw_signature`.
  std::optional<std::string> timestamp_token;
  std::string payload;        // the payload bytes
  std::string signed_bytes;   // JWS signing input or the COSE Sig_structure
  std::string raw_signature;  // the signature exactly as in the envelope

  // Integrity: the leaf certificate's key (of the kind `algorithm` requires) verifies
  // raw_signature over signed_bytes. kInvalidArgument with the reason otherwise.
  Result<void> verify() const;
};

// Parses the envelope of `media_type` (kJwsMediaType or kCoseMediaType; kUnsupported otherwise).
Result<NotationSignature> parse_envelope(std::string_view media_type, std::string_view envelope);
// The JWS JSON serialization: {"payload","protected","header":{"x5c",...},"signature"}.
Result<NotationSignature> parse_jws(std::string_view envelope);
// A COSE_Sign1_Tagged item (tag 18), or untagged COSE_Sign1.
Result<NotationSignature> parse_cose(std::string_view envelope);

namespace internal {
// Shared by jws.cc and cose.cc: the payload's targetArtifact descriptor (strict JSON).
Result<oci::Descriptor> parse_payload(std::string_view payload);
// Parses io.cncf.notary.signingScheme's value.
Result<SigningScheme> parse_signing_scheme(std::string_view name);
// Checks the signing-time rules of the scheme (required field present, the other absent) on a
// parsed signature whose time fields have been set; `has_signing_time` /
// `has_authentic_signing_time` say which header fields were present.
Result<void> check_times(NotationSignature& sig, bool has_signing_time,
                         bool has_authentic_signing_time);
// The critical header names Bulwark understands; any other in crit refuses the envelope.
bool is_known_critical(std::string_view name);
// The crit list's rules: non-empty names, no repeats, each known and present in the protected
// header (`present`), and io.cncf.notary.signingScheme plus, when present, io.cncf.notary.expiry
// and io.cncf.notary.authenticSigningTime listed.
Result<void> check_critical(const std::vector<std::string>& crit,
                            const std::vector<std::string>& present);
}  // namespace internal

}  // namespace bulwark::trust::notation
