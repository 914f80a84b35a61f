// The JWS form of a Notation signature (jws.md of the Notary Project specifications): the
// flattened JSON serialization, ES256/ES384/PS256/PS384/PS512, payload and protected header
// base64url, x5c standard base64 DER certificates, times as RFC 3339 strings.
#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/encoding.h"
#include "common/clock.h"
#include "common/strict_json.h"
#include "trust/notation/envelope.h"
#include "trust/trusted_root.h"

namespace bulwark::trust::notation {
namespace {

namespace json = boost::json;

constexpr size_t kMaxEnvelope = 4u << 20;
constexpr size_t kMaxChain = 10;

Result<void> bad(const std::string& what) {
  return fail(ErrorCode::kInvalidArgument, "JWS envelope: " + what);
}

Result<std::string> string_field(const json::object& o, std::string_view key, bool required,
                                 bool* present = nullptr) {
  const json::value* v = o.if_contains(key);
  if (present) *present = v != nullptr;
  if (v == nullptr) {
    if (required)
      return fail(ErrorCode::kInvalidArgument, "JWS envelope: " + std::string(key) + " missing");
    return std::string();
  }
  if (!v->is_string()) {
    return fail(ErrorCode::kInvalidArgument,
                "JWS envelope: " + std::string(key) + " is not a string");
  }
  return std::string(v->get_string());
}

Result<int64_t> time_field(const json::object& header, std::string_view key) {
  BULWARK_ASSIGN_OR_RETURN(std::string text, string_field(header, key, true));
  auto t = parse_rfc3339(text);
  if (!t) {
    return fail(
        ErrorCode::kInvalidArgument,
        "JWS envelope: " + std::string(key) + " is not an RFC 3339 time: " + quote_untrusted(text));
  }
  return *t;
}

// The protected header into `sig` (alg, cty, crit, scheme, times).
Result<void> read_protected(const json::object& h, NotationSignature& sig) {
  BULWARK_ASSIGN_OR_RETURN(std::string alg, string_field(h, "alg", true));
  sig.algorithm = algorithm_by_jws_name(alg);
  if (sig.algorithm == nullptr) {
    return fail(ErrorCode::kUnsupported, "JWS envelope: unsupported alg " + quote_untrusted(alg));
  }
  BULWARK_ASSIGN_OR_RETURN(std::string cty, string_field(h, "cty", true));
  if (cty != kPayloadContentType) return bad("cty is not " + std::string(kPayloadContentType));

  std::vector<std::string> crit;
  const json::value* crit_value = h.if_contains("crit");
  if (crit_value == nullptr || !crit_value->is_array() || crit_value->get_array().empty()) {
    return bad("crit must be a non-empty array");
  }
  for (const json::value& c : crit_value->get_array()) {
    if (!c.is_string()) return bad("crit entries must be strings");
    crit.emplace_back(c.get_string());
  }
  std::vector<std::string> present;
  for (const auto& kv : h) present.emplace_back(kv.key());
  BULWARK_TRY_VOID(internal::check_critical(crit, present));

  BULWARK_ASSIGN_OR_RETURN(std::string scheme,
                           string_field(h, "io.cncf.notary.signingScheme", true));
  BULWARK_ASSIGN_OR_RETURN(sig.scheme, internal::parse_signing_scheme(scheme));
  const bool has_time = h.contains("io.cncf.notary.signingTime");
  const bool has_authentic = h.contains("io.cncf.notary.authenticSigningTime");
  if (sig.scheme == SigningScheme::kX509 && has_time) {
    BULWARK_ASSIGN_OR_RETURN(sig.signing_time, time_field(h, "io.cncf.notary.signingTime"));
  } else if (sig.scheme == SigningScheme::kX509SigningAuthority && has_authentic) {
    BULWARK_ASSIGN_OR_RETURN(sig.signing_time,
                             time_field(h, "io.cncf.notary.authenticSigningTime"));
  }
  if (h.contains("io.cncf.notary.expiry")) {
    BULWARK_ASSIGN_OR_RETURN(sig.expiry, time_field(h, "io.cncf.notary.expiry"));
  }
  return internal::check_times(sig, has_time, has_authentic);
}

// The unprotected header: x5c (required), signingAgent, timestampSignature.
Result<void> read_unprotected(const json::object& h, NotationSignature& sig) {
  const json::value* x5c = h.if_contains("x5c");
  if (x5c == nullptr || !x5c->is_array() || x5c->get_array().empty()) {
    return bad("header.x5c must be a non-empty array of certificates");
  }
  if (x5c->get_array().size() > kMaxChain) return bad("header.x5c has too many certificates");
  for (const json::value& c : x5c->get_array()) {
    if (!c.is_string()) return bad("header.x5c entries must be strings");
    auto der = base64_decode(std::string_view(c.get_string()));
    if (!der) return bad("header.x5c entry is not base64");
    auto cert = Certificate::from_der(*der);
    if (!cert) return bad("header.x5c: " + cert.error().message);
    sig.chain.push_back(std::move(*cert));
  }
  BULWARK_ASSIGN_OR_RETURN(sig.signing_agent,
                           string_field(h, "io.cncf.notary.signingAgent", false));
  bool has_tst = false;
  BULWARK_ASSIGN_OR_RETURN(std::string tst,
                           string_field(h, "io.cncf.notary.timestampSignature", false, &has_tst));
  if (has_tst) {
    auto raw = base64_decode(tst);
    if (!raw) return bad("io.cncf.notary.timestampSignature is not base64");
    sig.timestamp_token = std::move(*raw);
  }
  return ok();
}

}  // namespace

Result<NotationSignature> parse_jws(std::string_view envelope) {
  if (envelope.size() > kMaxEnvelope) return fail(ErrorCode::kTooLarge, "JWS envelope too large");
  auto parsed = parse_strict_json(envelope, 16);
  if (!parsed) return fail(ErrorCode::kInvalidArgument, "JWS envelope: " + parsed.error().message);
  const json::object* root = parsed->if_object();
  if (root == nullptr) return fail(ErrorCode::kInvalidArgument, "JWS envelope: not a JSON object");
  for (const auto& kv : *root) {
    static constexpr std::array<std::string_view, 4> kFields = {"payload", "protected", "header",
                                                                "signature"};
    if (std::find(kFields.begin(), kFields.end(), std::string_view(kv.key())) == kFields.end()) {
      return fail(ErrorCode::kInvalidArgument,
                  "JWS envelope: unexpected member " + quote_untrusted(kv.key()) +
                      " (only the flattened JSON serialization is accepted)");
    }
  }
  NotationSignature sig;
  sig.media_type = std::string(kJwsMediaType);
  BULWARK_ASSIGN_OR_RETURN(std::string payload_b64, string_field(*root, "payload", true));
  BULWARK_ASSIGN_OR_RETURN(std::string protected_b64, string_field(*root, "protected", true));
  BULWARK_ASSIGN_OR_RETURN(std::string signature_b64, string_field(*root, "signature", true));
  const json::value* header = root->if_contains("header");
  if (header == nullptr || !header->is_object()) {
    return fail(ErrorCode::kInvalidArgument, "JWS envelope: header object missing");
  }
  auto payload = base64url_decode(payload_b64);
  auto protected_json = base64url_decode(protected_b64);
  auto signature = base64url_decode(signature_b64);
  if (!payload || !protected_json || !signature) {
    return fail(ErrorCode::kInvalidArgument,
                "JWS envelope: payload, protected or signature is not base64url");
  }
  auto prot = parse_strict_json(*protected_json, 8);
  if (!prot || !prot->is_object()) {
    return fail(ErrorCode::kInvalidArgument, "JWS envelope: protected header is not a JSON object");
  }
  BULWARK_TRY_VOID(read_protected(prot->get_object(), sig));
  BULWARK_TRY_VOID(read_unprotected(header->get_object(), sig));
  BULWARK_ASSIGN_OR_RETURN(sig.target, internal::parse_payload(*payload));
  sig.payload = std::move(*payload);
  sig.signed_bytes = protected_b64 + "." + payload_b64;
  sig.raw_signature = std::move(*signature);
  return sig;
}

}  // namespace bulwark::trust::notation
