#include "auth/jwks.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <array>
#include <optional>
#include <string>

#include "common/encoding.h"
#include "auth/jwt.h"
#include "common/strict_json.h"

namespace bulwark::auth {

namespace json = boost::json;
using Code = ErrorCode;

namespace {

template <auto Free>
struct Freer {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using Pkey = std::shared_ptr<EVP_PKEY>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Freer<EVP_PKEY_CTX_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Freer<EVP_MD_CTX_free>>;
using Bignum = std::unique_ptr<BIGNUM, Freer<BN_free>>;
using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, Freer<OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Freer<OSSL_PARAM_free>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, Freer<ECDSA_SIG_free>>;

// The kinds of public key a JWK may hold (and a JWS algorithm may require).
enum class KeyType { kRsa, kEcP256, kEcP384, kEd25519 };

// One accepted JWS algorithm and how to verify it.
struct Algorithm {
  std::string_view name;
  KeyType key_type;
  const EVP_MD* (*digest)();  // nullptr: the algorithm hashes internally (Ed25519)
  int rsa_padding;            // RSA_PKCS1_PADDING or RSA_PKCS1_PSS_PADDING; 0 for others
  size_t ec_coordinate_bytes; // ECDSA: r and s are this long in the JOSE signature; 0 for others
};

constexpr std::array<Algorithm, 10> kAlgorithms = {{
    {"RS256", KeyType::kRsa, EVP_sha256, RSA_PKCS1_PADDING, 0},
    {"RS384", KeyType::kRsa, EVP_sha384, RSA_PKCS1_PADDING, 0},
    {"RS512", KeyType::kRsa, EVP_sha512, RSA_PKCS1_PADDING, 0},
    {"PS256", KeyType::kRsa, EVP_sha256, RSA_PKCS1_PSS_PADDING, 0},
    {"PS384", KeyType::kRsa, EVP_sha384, RSA_PKCS1_PSS_PADDING, 0},
    {"PS512", KeyType::kRsa, EVP_sha512, RSA_PKCS1_PSS_PADDING, 0},
    {"ES256", KeyType::kEcP256, EVP_sha256, 0, 32},
    {"ES384", KeyType::kEcP384, EVP_sha384, 0, 48},
    {"EdDSA", KeyType::kEd25519, nullptr, 0, 0},
    {"Ed25519", KeyType::kEd25519, nullptr, 0, 0},
}};

const Algorithm* find_algorithm(std::string_view name) {
  for (const Algorithm& a : kAlgorithms) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

tl::unexpected<Error> openssl_fail(Code code, std::string message) {
  ERR_clear_error();
  return fail(code, std::move(message));
}

std::optional<std::string_view> string_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string_view(v->get_string());
}

}  // namespace

struct Jwks::Key {
  Pkey pkey;
  KeyType type;
  std::optional<std::string> kid;
  const Algorithm* alg = nullptr;  // the JWK's "alg": when set, the only algorithm it verifies

  bool fits(const Algorithm& a) const { return a.key_type == type && (alg == nullptr || alg == &a); }
};

namespace {

// ---- JWK parsing --------------------------------------------------------------------------------

tl::unexpected<Error> bad_key(std::string_view why) {
  return openssl_fail(Code::kInvalidArgument, "invalid JWKS key: " + std::string(why));
}

// A base64url member of the JWK, decoded.
Result<std::string> b64_member(const json::object& jwk, std::string_view name) {
  std::optional<std::string_view> text = string_member(jwk, name);
  if (!text) return bad_key("missing \"" + std::string(name) + "\"");
  std::optional<std::string> bytes = base64url_decode(*text);
  if (!bytes || bytes->empty()) return bad_key("\"" + std::string(name) + "\" is not base64url");
  return std::move(*bytes);
}

// Builds a public key of `type_name` ("RSA", "EC") from OSSL_PARAMs and checks it.
Result<Pkey> key_from_params(const char* type_name, const OSSL_PARAM* params) {
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type_name, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, const_cast<OSSL_PARAM*>(params)) != 1) {
    return bad_key("OpenSSL refused the key");
  }
  Pkey key(raw, EVP_PKEY_free);
  PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, raw, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return bad_key("public key check failed");
  return key;
}

Result<Pkey> parse_rsa(const json::object& jwk, KeyType&) {
  BULWARK_ASSIGN_OR_RETURN(std::string n, b64_member(jwk, "n"));
  BULWARK_ASSIGN_OR_RETURN(std::string e, b64_member(jwk, "e"));
  if (n.size() > 16384 / 8 + 1) return bad_key("RSA modulus is not 2048 to 16384 bits");
  if (e.size() > 8) return bad_key("RSA exponent too large");
  auto bn = [](const std::string& bytes) {
    return Bignum(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()), nullptr));
  };
  Bignum bn_n = bn(n), bn_e = bn(e);
  if (!bn_n || !bn_e) return bad_key("out of memory");
  if (BN_num_bits(bn_n.get()) < 2048 || BN_num_bits(bn_n.get()) > 16384) return bad_key("RSA modulus is not 2048 to 16384 bits");
  if (!BN_is_odd(bn_e.get()) || BN_is_one(bn_e.get())) return bad_key("invalid RSA exponent");
  ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return bad_key("out of memory");
  }
  Params params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return bad_key("out of memory");
  return key_from_params("RSA", params.get());
}

// The EC curves a JWK may name, with OpenSSL's group name and the coordinate size.
struct Curve {
  std::string_view crv;
  const char* group;
  size_t coordinate_bytes;
  KeyType type;
};
constexpr std::array<Curve, 2> kCurves = {{
    {"P-256", "prime256v1", 32, KeyType::kEcP256},
    {"P-384", "secp384r1", 48, KeyType::kEcP384},
}};

// kUnsupported for a curve we skip; the caller drops such keys.
Result<Pkey> parse_ec(const json::object& jwk, KeyType& type) {
  std::optional<std::string_view> crv = string_member(jwk, "crv");
  const Curve* curve = nullptr;
  for (const Curve& c : kCurves) {
    if (crv == c.crv) curve = &c;
  }
  if (curve == nullptr) return fail(Code::kUnsupported, "unsupported curve");
  BULWARK_ASSIGN_OR_RETURN(std::string x, b64_member(jwk, "x"));
  BULWARK_ASSIGN_OR_RETURN(std::string y, b64_member(jwk, "y"));
  if (x.size() != curve->coordinate_bytes || y.size() != curve->coordinate_bytes) {
    return bad_key("EC coordinates have the wrong length");
  }
  std::string point = "\x04" + x + y;  // uncompressed SEC1 point
  ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve->group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return bad_key("out of memory");
  }
  Params params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return bad_key("out of memory");
  type = curve->type;
  return key_from_params("EC", params.get());
}

Result<Pkey> parse_okp(const json::object& jwk, KeyType&) {
  if (string_member(jwk, "crv") != "Ed25519") return fail(Code::kUnsupported, "unsupported curve");
  BULWARK_ASSIGN_OR_RETURN(std::string x, b64_member(jwk, "x"));
  if (x.size() != 32) return bad_key("Ed25519 key is not 32 bytes");
  EVP_PKEY* raw = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x.data()), x.size());
  if (raw == nullptr) return bad_key("OpenSSL refused the Ed25519 key");
  return Pkey(raw, EVP_PKEY_free);
}

// The key types a JWK may declare, with their parsers (which may refine the KeyType).
struct KeyKind {
  std::string_view kty;
  KeyType type;
  Result<Pkey> (*parse)(const json::object&, KeyType&);
};
constexpr std::array<KeyKind, 3> kKeyKinds = {{
    {"RSA", KeyType::kRsa, parse_rsa},
    {"EC", KeyType::kEcP256, parse_ec},
    {"OKP", KeyType::kEd25519, parse_okp},
}};

// True when the JWK says it is for something other than verifying signatures.
bool not_for_signatures(const json::object& jwk) {
  if (const json::value* use = jwk.if_contains("use"); use != nullptr) {
    if (!use->is_string() || use->get_string() != "sig") return true;
  }
  if (const json::value* ops = jwk.if_contains("key_ops"); ops != nullptr) {
    if (!ops->is_array()) return true;
    bool verify = false;
    for (const json::value& op : ops->get_array()) verify = verify || (op.is_string() && op.get_string() == "verify");
    if (!verify) return true;
  }
  return false;
}

// Parses one JWK; nullptr (no error) for a key we skip.
Result<std::shared_ptr<const Jwks::Key>> parse_key(const json::value& value) {
  if (!value.is_object()) return bad_key("not a JSON object");
  const json::object& jwk = value.as_object();
  if (not_for_signatures(jwk)) return nullptr;
  std::optional<std::string_view> kty = string_member(jwk, "kty");
  const KeyKind* kind = nullptr;
  for (const KeyKind& k : kKeyKinds) {
    if (kty == k.kty) kind = &k;
  }
  if (kind == nullptr) return nullptr;
  const Algorithm* alg = nullptr;
  if (const json::value* a = jwk.if_contains("alg"); a != nullptr) {
    if (!a->is_string()) return bad_key("\"alg\" is not a string");
    alg = find_algorithm(a->get_string());
    if (alg == nullptr) return nullptr;  // e.g. an HMAC or encryption key: not ours to use
  }
  std::optional<std::string> kid;
  if (const json::value* k = jwk.if_contains("kid"); k != nullptr) {
    if (!k->is_string()) return bad_key("\"kid\" is not a string");
    kid = std::string(k->get_string());
  }
  KeyType type = kind->type;
  Result<Pkey> pkey = kind->parse(jwk, type);
  if (!pkey && pkey.error().code == Code::kUnsupported) return nullptr;
  if (!pkey) return fail(std::move(pkey.error()));
  if (alg != nullptr && alg->key_type != type) return bad_key("\"alg\" does not fit the key type");
  return std::make_shared<const Jwks::Key>(Jwks::Key{std::move(*pkey), type, std::move(kid), alg});
}

// ---- signature verification ---------------------------------------------------------------------

// JOSE ECDSA signature (big-endian r||s, `n` bytes each) as the DER ECDSA-Sig-Value OpenSSL takes.
std::optional<std::string> ecdsa_raw_to_der(std::string_view raw, size_t n) {
  if (raw.size() != 2 * n) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  EcdsaSig sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(p, static_cast<int>(n), nullptr);
  BIGNUM* s = BN_bin2bn(p + n, static_cast<int>(n), nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

bool verify_signature(const Algorithm& alg, EVP_PKEY* key, std::string_view input,
                      std::string_view signature) {
  std::string der;
  if (alg.ec_coordinate_bytes != 0) {
    std::optional<std::string> converted = ecdsa_raw_to_der(signature, alg.ec_coordinate_bytes);
    if (!converted) return false;
    der = std::move(*converted);
    signature = der;
  }
  MdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  const EVP_MD* md = alg.digest != nullptr ? alg.digest() : nullptr;
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key) == 1;
  if (ok && alg.rsa_padding != 0) {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, alg.rsa_padding) == 1;
    if (ok && alg.rsa_padding == RSA_PKCS1_PSS_PADDING) {
      // RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash.
      ok = EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1;
    }
  }
  ok = ok && EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                              signature.size(),
                              reinterpret_cast<const unsigned char*>(input.data()),
                              input.size()) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

}  // namespace

// ---- Jwks ---------------------------------------------------------------------------------------

Result<Jwks> Jwks::parse(std::string_view text) {
  auto doc = parse_strict_json(text, /*max_depth=*/8);
  if (!doc) return fail(Code::kInvalidArgument, "invalid JWKS: " + doc.error().message);
  const json::value* keys = doc->is_object() ? doc->as_object().if_contains("keys") : nullptr;
  if (keys == nullptr || !keys->is_array()) {
    return fail(Code::kInvalidArgument, "invalid JWKS: no \"keys\" array");
  }
  Jwks out;
  for (const json::value& value : keys->get_array()) {
    BULWARK_ASSIGN_OR_RETURN(std::shared_ptr<const Key> key, parse_key(value));
    if (key == nullptr) continue;
    if (out.keys_.size() == kMaxJwksKeys) {
      return fail(Code::kInvalidArgument, "invalid JWKS: more than " +
                                              std::to_string(kMaxJwksKeys) + " keys");
    }
    out.keys_.push_back(std::move(key));
  }
  return out;
}

bool Jwks::has_kid(std::string_view kid) const {
  for (const auto& key : keys_) {
    if (key->kid == kid) return true;
  }
  return false;
}

Result<json::object> verify_jws(std::string_view token, const Jwks& jwks) {
  BULWARK_ASSIGN_OR_RETURN(CompactJws jws, split_compact_jws(token, kMaxForeignTokenBytes));
  std::optional<std::string_view> alg_name = string_member(jws.header, "alg");
  if (!alg_name) return fail(Code::kInvalidArgument, "malformed token: header has no alg");
  const Algorithm* alg = find_algorithm(*alg_name);
  if (alg == nullptr) {
    return fail(Code::kUnsupported, "token algorithm " + quote_untrusted(*alg_name) + " is not accepted");
  }
  if (jws.header.contains("crit")) return fail(Code::kUnsupported, "token has critical extensions");

  std::vector<const Jwks::Key*> candidates;
  const json::value* kid = jws.header.if_contains("kid");
  if (kid != nullptr) {
    if (!kid->is_string()) return fail(Code::kInvalidArgument, "malformed token: kid is not a string");
    bool known = false;
    for (const auto& key : jwks.keys_) {
      if (key->kid != std::string_view(kid->get_string())) continue;
      known = true;
      if (key->fits(*alg)) candidates.push_back(key.get());
    }
    if (!known) return fail(Code::kNotFound, "token signed by an unknown key");
  } else {
    for (const auto& key : jwks.keys_) {
      if (key->fits(*alg)) candidates.push_back(key.get());
    }
  }
  if (candidates.empty()) {
    return fail(Code::kUnsupported, "token algorithm " + std::string(alg->name) +
                                        " does not fit the signing key");
  }

  std::optional<std::string> signature = base64url_decode(jws.signature_part);
  if (!signature) return fail(Code::kInvalidArgument, "malformed token: signature is not base64url");
  bool verified = false;
  for (const Jwks::Key* key : candidates) {
    verified = verified || verify_signature(*alg, key->pkey.get(), jws.signing_input, *signature);
  }
  if (!verified) return fail(Code::kInvalidArgument, "token signature does not verify");
  return decode_jws_payload(jws.payload_part);
}

}  // namespace bulwark::auth
