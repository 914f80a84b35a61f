#include "trust/notation/envelope.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cstddef>

#include "common/strict_json.h"

namespace bulwark::trust::notation {
namespace {

constexpr SignatureScheme kEs256{HashAlgorithm::kSha256, RsaPadding::kPkcs1v15};
constexpr SignatureScheme kEs384{HashAlgorithm::kSha384, RsaPadding::kPkcs1v15};
constexpr SignatureScheme kPs256{HashAlgorithm::kSha256, RsaPadding::kPss};
constexpr SignatureScheme kPs384{HashAlgorithm::kSha384, RsaPadding::kPss};
constexpr SignatureScheme kPs512{HashAlgorithm::kSha512, RsaPadding::kPss};

// The Notary Project signature algorithms (signature-specification.md "Algorithm Selection")
// Bulwark verifies. ES512 (P-521) is not among the key types keys.h accepts.
const std::array<Algorithm, 5> kAlgorithms = {{
    {"ES256", -7, KeyType::kEcdsaP256, 0, kEs256, 32},
    {"ES384", -35, KeyType::kEcdsaP384, 0, kEs384, 48},
    {"PS256", -37, KeyType::kRsa, 2048, kPs256, 0},
    {"PS384", -38, KeyType::kRsa, 3072, kPs384, 0},
    {"PS512", -39, KeyType::kRsa, 4096, kPs512, 0},
}};

struct SchemeName {
  SigningScheme scheme;
  std::string_view name;
};
constexpr std::array<SchemeName, 2> kSchemes = {{
    {SigningScheme::kX509, "notary.x509"},
    {SigningScheme::kX509SigningAuthority, "notary.x509.signingAuthority"},
}};

// The critical headers Bulwark understands (their meaning is applied by verify.cc).
constexpr std::array<std::string_view, 3> kKnownCritical = {
    "io.cncf.notary.signingScheme", "io.cncf.notary.expiry", "io.cncf.notary.authenticSigningTime"};

// DER INTEGER of a big-endian unsigned value.
std::string der_integer(std::string_view be) {
  size_t i = 0;
  while (i + 1 < be.size() && be[i] == 0) ++i;
  std::string v(be.substr(i));
  if (static_cast<uint8_t>(v[0]) & 0x80) v.insert(v.begin(), '\0');
  return std::string{0x02, static_cast<char>(v.size())} + v;
}

}  // namespace

std::string_view signing_scheme_name(SigningScheme scheme) {
  for (const SchemeName& s : kSchemes) {
    if (s.scheme == scheme) return s.name;
  }
  return "unknown";
}

const Algorithm* algorithm_by_jws_name(std::string_view name) {
  for (const Algorithm& a : kAlgorithms) {
    if (a.jws_name == name) return &a;
  }
  return nullptr;
}

const Algorithm* algorithm_by_cose_id(int64_t id) {
  for (const Algorithm& a : kAlgorithms) {
    if (a.cose_id == id) return &a;
  }
  return nullptr;
}

std::optional<std::string> ecdsa_raw_to_der(std::string_view raw, size_t coordinate_bytes) {
  if (coordinate_bytes == 0 || coordinate_bytes > 66 || raw.size() != 2 * coordinate_bytes) {
    return std::nullopt;
  }
  const std::string body =
      der_integer(raw.substr(0, coordinate_bytes)) + der_integer(raw.substr(coordinate_bytes));
  std::string out{0x30};
  if (body.size() >= 0x80) out.push_back(static_cast<char>(0x81));
  out.push_back(static_cast<char>(body.size()));
  return out + body;
}

Result<void> NotationSignature::verify() const {
  if (algorithm == nullptr || chain.empty()) {
    return fail(ErrorCode::kInvalidArgument, "signature has no algorithm or certificate");
  }
  BULWARK_ASSIGN_OR_RETURN(PublicKey key, chain.front().public_key());
  if (key.type() != algorithm->key_type) {
    return fail(ErrorCode::kInvalidArgument, std::string("algorithm ") +
                                                 std::string(algorithm->jws_name) +
                                                 " does not match the signing certificate's " +
                                                 std::string(key_type_name(key.type())) + " key");
  }
  if (algorithm->rsa_bits != 0 && EVP_PKEY_get_bits(key.native()) != algorithm->rsa_bits) {
    return fail(ErrorCode::kInvalidArgument,
                std::string("algorithm ") + std::string(algorithm->jws_name) + " requires an RSA " +
                    std::to_string(algorithm->rsa_bits) + "-bit key, the certificate has " +
                    std::to_string(EVP_PKEY_get_bits(key.native())));
  }
  std::string signature = raw_signature;
  if (algorithm->ecdsa_coordinate_bytes != 0) {
    auto der = ecdsa_raw_to_der(raw_signature, algorithm->ecdsa_coordinate_bytes);
    if (!der) {
      return fail(ErrorCode::kInvalidArgument,
                  "ECDSA signature is not " +
                      std::to_string(2 * algorithm->ecdsa_coordinate_bytes) + " bytes of r||s");
    }
    signature = std::move(*der);
  }
  return key.verify(signed_bytes, signature, algorithm->scheme);
}

Result<NotationSignature> parse_envelope(std::string_view media_type, std::string_view envelope) {
  if (media_type == kJwsMediaType) return parse_jws(envelope);
  if (media_type == kCoseMediaType) return parse_cose(envelope);
  return fail(ErrorCode::kUnsupported,
              "not a Notation signature envelope media type: " + quote_untrusted(media_type));
}

namespace internal {

Result<oci::Descriptor> parse_payload(std::string_view payload) {
  auto parsed = parse_strict_json(payload, 16);
  if (!parsed) return fail(ErrorCode::kInvalidArgument, "payload: " + parsed.error().message);
  const auto* root = parsed->if_object();
  const auto* target = root ? root->if_contains("targetArtifact") : nullptr;
  const auto* desc = target ? target->if_object() : nullptr;
  if (desc == nullptr) {
    return fail(ErrorCode::kInvalidArgument, "payload: targetArtifact object missing");
  }
  oci::Descriptor out;
  const auto* media_type = desc->if_contains("mediaType");
  const auto* digest = desc->if_contains("digest");
  const auto* size = desc->if_contains("size");
  if (!media_type || !media_type->is_string() || media_type->get_string().empty()) {
    return fail(ErrorCode::kInvalidArgument, "payload: targetArtifact.mediaType missing");
  }
  if (!digest || !digest->is_string()) {
    return fail(ErrorCode::kInvalidArgument, "payload: targetArtifact.digest missing");
  }
  if (!size || !(size->is_uint64() || (size->is_int64() && size->get_int64() >= 0))) {
    return fail(ErrorCode::kInvalidArgument, "payload: targetArtifact.size missing or negative");
  }
  out.media_type = std::string(media_type->get_string());
  auto d = Digest::parse(std::string_view(digest->get_string()));
  if (!d)
    return fail(ErrorCode::kInvalidArgument,
                "payload: targetArtifact.digest: " + d.error().message);
  out.digest = *d;
  out.size = size->is_uint64() ? size->get_uint64() : static_cast<uint64_t>(size->get_int64());
  return out;
}

Result<SigningScheme> parse_signing_scheme(std::string_view name) {
  for (const SchemeName& s : kSchemes) {
    if (s.name == name) return s.scheme;
  }
  return fail(ErrorCode::kUnsupported, "unknown signing scheme " + quote_untrusted(name));
}

Result<void> check_times(NotationSignature& sig, bool has_signing_time,
                         bool has_authentic_signing_time) {
  if (sig.scheme == SigningScheme::kX509) {
    if (!has_signing_time) {
      return fail(ErrorCode::kInvalidArgument,
                  "notary.x509 signature without io.cncf.notary.signingTime");
    }
    if (has_authentic_signing_time) {
      return fail(ErrorCode::kInvalidArgument,
                  "notary.x509 signature must not carry io.cncf.notary.authenticSigningTime");
    }
    sig.authentic_signing_time = false;
  } else {
    if (!has_authentic_signing_time) {
      return fail(
          ErrorCode::kInvalidArgument,
          "notary.x509.signingAuthority signature without io.cncf.notary.authenticSigningTime");
    }
    sig.authentic_signing_time = true;
  }
  if (sig.expiry && *sig.expiry < sig.signing_time) {
    return fail(ErrorCode::kInvalidArgument, "io.cncf.notary.expiry is before the signing time");
  }
  return ok();
}

bool is_known_critical(std::string_view name) {
  for (std::string_view k : kKnownCritical) {
    if (k == name) return true;
  }
  return false;
}

Result<void> check_critical(const std::vector<std::string>& crit,
                            const std::vector<std::string>& present) {
  auto has = [](const std::vector<std::string>& list, std::string_view name) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  for (size_t i = 0; i < crit.size(); ++i) {
    if (crit[i].empty()) return fail(ErrorCode::kInvalidArgument, "crit: empty header name");
    if (std::find(crit.begin(), crit.begin() + static_cast<std::ptrdiff_t>(i), crit[i]) !=
        crit.begin() + static_cast<std::ptrdiff_t>(i)) {
      return fail(ErrorCode::kInvalidArgument,
                  "crit: header listed twice: " + quote_untrusted(crit[i]));
    }
    if (!is_known_critical(crit[i])) {
      return fail(ErrorCode::kUnsupported,
                  "crit: unsupported critical header " + quote_untrusted(crit[i]));
    }
    if (!has(present, crit[i])) {
      return fail(ErrorCode::kInvalidArgument, "crit: critical header " + quote_untrusted(crit[i]) +
                                                   " is not in the protected header");
    }
  }
  for (std::string_view required : kKnownCritical) {
    if ((required == kKnownCritical[0] || has(present, std::string(required))) &&
        !has(crit, std::string(required))) {
      return fail(ErrorCode::kInvalidArgument,
                  "crit: " + std::string(required) + " must be marked critical");
    }
  }
  return ok();
}

}  // namespace internal
}  // namespace bulwark::trust::notation
