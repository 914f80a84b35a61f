#include "auth/jwt.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <optional>
#include <span>

#include "common/encoding.h"
#include "common/strict_json.h"

namespace bulwark::auth {
namespace {

namespace json = boost::json;
using Code = ErrorCode;

// ---- key ids ------------------------------------------------------------------------------------

// libtrust's keyIDFromCryptoKey: base32(sha256(SPKI DER)[:30]) in ':'-joined groups of four.
std::string libtrust_key_id(std::string_view spki_der) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> hash{};
  unsigned int hash_len = 0;
  EVP_Digest(spki_der.data(), spki_der.size(), hash.data(), &hash_len, EVP_sha256(), nullptr);
  // 240 bits = 30 bytes = 48 base32 characters, so no padding.
  std::string b32 = base32_encode(std::span<const unsigned char>(hash.data(), 30));
  std::string out;
  for (size_t i = 0; i < b32.size(); i += 4) {
    if (i > 0) out += ':';
    out += b32.substr(i, 4);
  }
  return out;
}

// ---- token structure ----------------------------------------------------------------------------

tl::unexpected<Error> malformed(std::string_view why) {
  return fail(Code::kInvalidArgument, "malformed token: " + std::string(why));
}

// Decodes one base64url part and parses it as a strict JSON object.
Result<json::object> decode_json_part(std::string_view part, std::string_view what) {
  auto bytes = base64url_decode(part);
  if (!bytes) return malformed(std::string(what) + " is not base64url");
  auto value = parse_strict_json(*bytes, /*max_depth=*/16);
  if (!value) return malformed(std::string(what) + ": " + value.error().message);
  if (!value->is_object()) return malformed(std::string(what) + " is not a JSON object");
  return std::move(value->as_object());
}

std::optional<std::string_view> string_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string_view(v->get_string());
}

Result<void> check_header(const json::object& header) {
  const json::value* alg = header.if_contains("alg");
  if (alg == nullptr) return malformed("header has no alg");
  if (!alg->is_string() || alg->get_string() != "ES256") {
    return fail(Code::kUnsupported, "token algorithm is not ES256");
  }
  if (header.contains("crit")) return fail(Code::kUnsupported, "token has critical extensions");
  if (const json::value* typ = header.if_contains("typ");
      typ != nullptr && (!typ->is_string() || typ->get_string() != "JWT")) {
    return fail(Code::kUnsupported, "token type is not JWT");
  }
  return ok();
}

// ---- claim checks (RFC 7519 §4.1) ---------------------------------------------------------------

// A NumericDate as whole seconds; fractions are truncated toward the past, out-of-range values
// clamp (a uint64 far future stays far future). Nothing else is a NumericDate.
std::optional<int64_t> numeric_date(const json::value& v) {
  constexpr int64_t kLimit = int64_t{1} << 62;
  if (v.is_int64()) return std::clamp(v.get_int64(), -kLimit, kLimit);
  if (v.is_uint64()) return std::min<uint64_t>(v.get_uint64(), kLimit);
  if (v.is_double() && std::isfinite(v.get_double())) {
    return static_cast<int64_t>(std::clamp(std::floor(v.get_double()), -0x1p62, 0x1p62));
  }
  return std::nullopt;
}

using ClaimCheck = Result<void> (*)(const json::object&, const TokenExpectations&);

Result<void> check_issuer(const json::object& c, const TokenExpectations& e) {
  if (string_member(c, "iss") != e.issuer)
    return fail(Code::kInvalidArgument, "wrong token issuer");
  return ok();
}

Result<void> check_audience(const json::object& c, const TokenExpectations& e) {
  const json::value* aud = c.if_contains("aud");
  bool match = false;
  if (aud != nullptr && aud->is_string()) match = aud->get_string() == e.audience;
  if (aud != nullptr && aud->is_array()) {
    for (const json::value& a : aud->get_array())
      match = match || (a.is_string() && a.get_string() == e.audience);
  }
  if (!match) return fail(Code::kInvalidArgument, "wrong token audience");
  return ok();
}

Result<void> check_expiry(const json::object& c, const TokenExpectations& e) {
  const json::value* exp = c.if_contains("exp");
  std::optional<int64_t> at = exp ? numeric_date(*exp) : std::nullopt;
  if (!at) return fail(Code::kInvalidArgument, "token has no valid exp");
  if (e.now - e.leeway >= *at) return fail(Code::kInvalidArgument, "token expired");
  return ok();
}

Result<void> check_not_before(const json::object& c, const TokenExpectations& e) {
  const json::value* nbf = c.if_contains("nbf");
  if (nbf == nullptr) return ok();
  std::optional<int64_t> at = numeric_date(*nbf);
  if (!at) return fail(Code::kInvalidArgument, "token nbf is not a NumericDate");
  if (e.now + e.leeway < *at) return fail(Code::kInvalidArgument, "token not yet valid");
  return ok();
}

Result<void> check_issued_at(const json::object& c, const TokenExpectations& e) {
  const json::value* iat = c.if_contains("iat");
  if (iat == nullptr) return ok();
  std::optional<int64_t> at = numeric_date(*iat);
  if (!at) return fail(Code::kInvalidArgument, "token iat is not a NumericDate");
  if (*at > e.now + e.leeway) return fail(Code::kInvalidArgument, "token issued in the future");
  return ok();
}

constexpr std::array<ClaimCheck, 5> kClaimChecks = {check_issuer, check_audience, check_expiry,
                                                    check_not_before, check_issued_at};

}  // namespace

// ---- keys ---------------------------------------------------------------------------------------

Result<PublicKey> PublicKey::of(const P256Key& key) {
  BULWARK_ASSIGN_OR_RETURN(P256Key pub, key.public_only());
  std::string key_id = libtrust_key_id(pub.spki_der());
  return PublicKey(std::move(pub), std::move(key_id));
}

Result<PublicKey> PublicKey::from_pem(std::string_view pem) {
  BULWARK_ASSIGN_OR_RETURN(P256Key key, P256Key::from_pem(pem, PemKind::kPublic));
  return of(key);
}

std::string PublicKey::pem() const { return key_.public_pem(); }

bool PublicKey::verify_es256(std::string_view message, std::string_view signature) const {
  return key_.verify_raw(message, signature);
}

Result<SigningKey> SigningKey::of(P256Key key) {
  BULWARK_ASSIGN_OR_RETURN(PublicKey pub, PublicKey::of(key));
  return SigningKey(std::move(key), std::move(pub));
}

Result<SigningKey> SigningKey::generate() { return P256Key::generate().and_then(of); }

Result<SigningKey> SigningKey::from_pem(std::string_view pem) {
  return P256Key::from_pem(pem, PemKind::kPrivate).and_then(of);
}

Result<SigningKey> SigningKey::load(const std::filesystem::path& file) {
  return P256Key::load(file, PemKind::kPrivate).and_then(of);
}

Result<void> SigningKey::save(const std::filesystem::path& file) const {
  return key_.save_private(file, KeyFileWrite::kReplace);
}

Result<std::string> SigningKey::sign_es256(std::string_view message) const {
  return key_.sign_raw(message);
}

// ---- tokens -------------------------------------------------------------------------------------

Result<std::string> SigningKey::sign(const json::object& claims) const {
  json::object header;
  header["alg"] = "ES256";
  header["typ"] = "JWT";
  header["kid"] = key_id();
  std::string input =
      base64url_encode(json::serialize(header)) + "." + base64url_encode(json::serialize(claims));
  BULWARK_ASSIGN_OR_RETURN(std::string signature, sign_es256(input));
  return input + "." + base64url_encode(signature);
}

Result<CompactJws> split_compact_jws(std::string_view token, size_t max_bytes) {
  if (token.size() > max_bytes) {
    return fail(Code::kTooLarge, "token longer than " + std::to_string(max_bytes / 1024) + " KiB");
  }
  size_t dot1 = token.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return malformed("not three dot-separated parts");
  }
  BULWARK_ASSIGN_OR_RETURN(json::object header, decode_json_part(token.substr(0, dot1), "header"));
  return CompactJws{std::move(header), token.substr(0, dot2),
                    token.substr(dot1 + 1, dot2 - dot1 - 1), token.substr(dot2 + 1)};
}

Result<json::object> decode_jws_payload(std::string_view payload_part) {
  return decode_json_part(payload_part, "claims");
}

Result<void> check_registered_claims(const json::object& claims, const TokenExpectations& expect) {
  for (ClaimCheck check : kClaimChecks) BULWARK_TRY_VOID(check(claims, expect));
  return ok();
}

Result<json::object> verify_jwt(std::string_view token, const KeySet& keys,
                                const TokenExpectations& expect) {
  BULWARK_ASSIGN_OR_RETURN(CompactJws jws, split_compact_jws(token, kMaxTokenBytes));
  BULWARK_TRY_VOID(check_header(jws.header));
  std::optional<std::string_view> kid = string_member(jws.header, "kid");
  if (!kid) return malformed("header has no kid");
  auto key = keys.find(*kid);
  if (key == keys.end()) return fail(Code::kNotFound, "token signed by an unknown key");

  auto signature = base64url_decode(jws.signature_part);
  if (!signature) return malformed("signature is not base64url");
  if (signature->size() != kP256SignatureBytes) return malformed("signature is not 64 bytes");
  if (!key->second.verify_es256(jws.signing_input, *signature)) {
    return fail(Code::kInvalidArgument, "token signature does not verify");
  }

  BULWARK_ASSIGN_OR_RETURN(json::object claims, decode_jws_payload(jws.payload_part));
  BULWARK_TRY_VOID(check_registered_claims(claims, expect));
  return claims;
}

}  // namespace bulwark::auth
