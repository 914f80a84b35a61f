#include "auth/oidc.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "auth/authorizer.h"
#include "common/encoding.h"
#include "common/glob.h"
#include "auth/jwt.h"
#include "common/digest.h"
#include "common/http_client.h"
#include "common/random.h"
#include "common/strict_json.h"

namespace bulwark::auth {

namespace json = boost::json;
using Code = ErrorCode;

namespace {

constexpr size_t kMaxDiscoveryBytes = 256 * 1024;
constexpr size_t kMaxJwksBytes = 256 * 1024;
constexpr size_t kMaxTokenResponseBytes = 256 * 1024;
constexpr std::string_view kDiscoveryPath = "/.well-known/openid-configuration";

std::optional<std::string_view> string_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string_view(v->get_string());
}

// An absolute https (or, when allowed, http) URL with a host and no fragment.
Result<void> check_url(std::string_view url, bool allow_http, std::string_view what) {
  auto u = boost::urls::parse_absolute_uri(url);
  bool scheme_ok = u && (u->scheme_id() == boost::urls::scheme::https ||
                         (allow_http && u->scheme_id() == boost::urls::scheme::http));
  if (!u || !scheme_ok || u->encoded_host().empty() || u->has_fragment()) {
    return fail(Code::kInvalidArgument,
                std::string(what) + " is not an absolute " + (allow_http ? "http(s)" : "https") +
                    " URL without fragment");
  }
  return ok();
}

HttpClientRequest request_for(const OidcOptions& options, std::string method, std::string url,
                              size_t max_bytes) {
  HttpClientRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.headers.emplace_back("Accept", "application/json");
  request.timeout_seconds = options.http_timeout_seconds;
  request.max_response_bytes = max_bytes;
  request.ca_file = options.ca_file;
  return request;
}

// GETs a document that must answer 200; `what` names it in errors.
Result<std::string> fetch_document(const OidcOptions& options, const std::string& url,
                                   size_t max_bytes, std::string_view what) {
  BULWARK_ASSIGN_OR_RETURN(HttpClientResponse response,
                           http_fetch(request_for(options, "GET", url, max_bytes)));
  if (response.status != 200) {
    return fail(Code::kUnavailable,
                std::string(what) + " answered HTTP " + std::to_string(response.status));
  }
  return std::move(response.body);
}

Result<Jwks> fetch_jwks(const OidcOptions& options, const OidcMetadata& metadata) {
  BULWARK_ASSIGN_OR_RETURN(std::string body,
                           fetch_document(options, metadata.jwks_uri, kMaxJwksBytes,
                                          "JWKS of " + quote_untrusted(metadata.issuer)));
  return Jwks::parse(body);
}

// Reads one endpoint URL of the discovery document; empty when absent and optional.
Result<std::string> endpoint(const json::object& doc, std::string_view name, bool required,
                             bool allow_http) {
  const json::value* v = doc.if_contains(name);
  if (v == nullptr && !required) return std::string();
  if (v == nullptr || !v->is_string()) {
    return fail(Code::kInvalidArgument, "discovery document has no " + std::string(name));
  }
  std::string url(v->get_string());
  BULWARK_TRY_VOID(check_url(url, allow_http, "discovery document's " + std::string(name)));
  return url;
}

// The claim as a list of strings: a string is a list of one; non-string entries are dropped.
std::vector<std::string> string_list(const json::object& claims, std::string_view name) {
  std::vector<std::string> out;
  const json::value* v = claims.if_contains(name);
  if (v == nullptr) return out;
  if (v->is_string()) out.emplace_back(v->get_string());
  if (v->is_array()) {
    for (const json::value& item : v->get_array()) {
      if (item.is_string()) out.emplace_back(item.get_string());
    }
  }
  return out;
}

std::optional<std::string> optional_string(const json::object& claims, std::string_view name) {
  std::optional<std::string_view> v = string_member(claims, name);
  return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
}

// A NumericDate claim that check_registered_claims() accepted, as whole seconds (clamped).
int64_t date_claim(const json::object& claims, std::string_view name) {
  constexpr int64_t kLimit = int64_t{1} << 62;
  const json::value* v = claims.if_contains(name);
  if (v == nullptr) return 0;
  if (v->is_int64()) return std::clamp(v->get_int64(), -kLimit, kLimit);
  if (v->is_uint64()) return static_cast<int64_t>(std::min<uint64_t>(v->get_uint64(), kLimit));
  if (v->is_double() && std::isfinite(v->get_double())) {
    return static_cast<int64_t>(std::clamp(std::floor(v->get_double()), -0x1p62, 0x1p62));
  }
  return 0;
}

tl::unexpected<Error> id_token_error(std::string_view why) {
  return fail(Code::kInvalidArgument, "ID token refused: " + std::string(why));
}

// What an ID token must say, beyond its signature.
struct IdTokenCheck {
  std::string_view issuer;
  std::string_view audience;
  std::optional<std::string_view> nonce;
  int64_t now = 0;
  int64_t leeway = 60;
  bool azp_rule = true;  // OIDC Core §3.1.3.7 steps 4-5 (people); federation checks aud only
};

Result<IdTokenClaims> check_id_token(json::object claims, const IdTokenCheck& check,
                                     std::string_view groups_claim) {
  Result<void> registered = check_registered_claims(
      claims, TokenExpectations{check.issuer, check.audience, check.now, check.leeway});
  if (!registered) return id_token_error(registered.error().message);
  std::optional<std::string_view> sub = string_member(claims, "sub");
  if (!sub || sub->empty()) return id_token_error("no sub");
  if (!claims.contains("iat")) return id_token_error("no iat");
  std::vector<std::string> audience = string_list(claims, "aud");
  std::optional<std::string_view> azp = string_member(claims, "azp");
  if (check.azp_rule) {
    if (audience.size() > 1 && !azp) return id_token_error("several audiences and no azp");
    if (claims.contains("azp") && azp != check.audience) return id_token_error("wrong azp");
  }
  if (check.nonce) {
    std::optional<std::string_view> nonce = string_member(claims, "nonce");
    if (!nonce || check.nonce->empty() || !constant_time_equal(*nonce, *check.nonce)) {
      return id_token_error("nonce does not match");
    }
  }
  IdTokenClaims out;
  out.issuer = std::string(check.issuer);
  out.subject = std::string(*sub);
  out.audience = std::move(audience);
  out.expires_at = date_claim(claims, "exp");
  out.issued_at = date_claim(claims, "iat");
  out.nonce = optional_string(claims, "nonce");
  out.email = optional_string(claims, "email");
  out.preferred_username = optional_string(claims, "preferred_username");
  out.groups = string_list(claims, groups_claim);
  out.raw = std::move(claims);
  return out;
}

// PKCE S256 (RFC 7636 §4.2): base64url(sha256(verifier)).
std::string pkce_challenge(std::string_view verifier) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> hash{};
  unsigned int len = 0;
  EVP_Digest(verifier.data(), verifier.size(), hash.data(), &len, EVP_sha256(), nullptr);
  return base64url_encode(std::span<const unsigned char>(hash.data(), len));
}

constexpr std::array<std::string_view, 8> kLoginParams = {
    "response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge",
    "code_challenge_method"};

}  // namespace

// ---- OidcProvider -------------------------------------------------------------------------------

OidcProvider::OidcProvider(OidcMetadata metadata, OidcOptions options, Jwks jwks)
    : metadata_(std::move(metadata)),
      options_(std::move(options)),
      jwks_(std::make_shared<const Jwks>(std::move(jwks))) {}

Result<std::shared_ptr<OidcProvider>> OidcProvider::discover(std::string_view issuer,
                                                             OidcOptions options) {
  BULWARK_TRY_VOID(check_url(issuer, options.allow_http, "OIDC issuer"));
  if (auto u = boost::urls::parse_absolute_uri(issuer); u->has_query()) {
    return fail(Code::kInvalidArgument, "OIDC issuer has a query");
  }
  std::string base(issuer);
  if (base.ends_with('/')) base.pop_back();
  BULWARK_ASSIGN_OR_RETURN(
      std::string body,
      fetch_document(options, base + std::string(kDiscoveryPath), kMaxDiscoveryBytes,
                     "OIDC discovery document of " + quote_untrusted(issuer)));
  auto parsed = parse_strict_json(body);
  if (!parsed || !parsed->is_object()) {
    return fail(Code::kInvalidArgument,
                "invalid OIDC discovery document: " +
                    (parsed ? std::string("not a JSON object") : parsed.error().message));
  }
  const json::object& doc = parsed->as_object();
  if (string_member(doc, "issuer") != issuer) {
    return fail(Code::kInvalidArgument, "OIDC discovery document names issuer " +
                                            quote_untrusted(string_member(doc, "issuer").value_or("")) +
                                            ", not the configured " + quote_untrusted(issuer));
  }
  OidcMetadata metadata;
  metadata.issuer = std::string(issuer);
  const bool http = options.allow_http;
  BULWARK_ASSIGN_OR_RETURN(metadata.jwks_uri, endpoint(doc, "jwks_uri", true, http));
  BULWARK_ASSIGN_OR_RETURN(metadata.authorization_endpoint,
                           endpoint(doc, "authorization_endpoint", false, http));
  BULWARK_ASSIGN_OR_RETURN(metadata.token_endpoint, endpoint(doc, "token_endpoint", false, http));
  BULWARK_ASSIGN_OR_RETURN(metadata.userinfo_endpoint,
                           endpoint(doc, "userinfo_endpoint", false, http));

  BULWARK_ASSIGN_OR_RETURN(Jwks jwks, fetch_jwks(options, metadata));
  return std::make_shared<OidcProvider>(std::move(metadata), std::move(options), std::move(jwks));
}

void OidcProvider::refresh_jwks(uint64_t seen_generation) const {
  std::lock_guard refresh_lock(refresh_mu_);
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    if (jwks_generation_ != seen_generation) return;  // another thread just refreshed
    if (jwks_refreshed_at_ &&
        now - *jwks_refreshed_at_ < std::chrono::seconds(options_.jwks_min_refresh_seconds)) {
      return;
    }
    jwks_refreshed_at_ = now;  // failed fetches count too: an unreachable provider is not hammered
  }
  Result<Jwks> fetched = fetch_jwks(options_, metadata_);
  if (!fetched) return;  // keep the keys we have; the token stays refused
  std::lock_guard lock(mu_);
  jwks_ = std::make_shared<const Jwks>(std::move(*fetched));
  ++jwks_generation_;
}

Result<json::object> OidcProvider::verify_signature(std::string_view token) const {
  auto snapshot = [this] {
    std::lock_guard lock(mu_);
    return std::pair(jwks_, jwks_generation_);
  };
  auto [jwks, generation] = snapshot();
  Result<json::object> verified = verify_jws(token, *jwks);
  if (verified || verified.error().code != Code::kNotFound) return verified;
  refresh_jwks(generation);
  auto [fresh, fresh_generation] = snapshot();
  if (fresh_generation == generation) return verified;
  return verify_jws(token, *fresh);
}

Result<IdTokenClaims> OidcProvider::verify_id_token(std::string_view token,
                                                    std::string_view audience,
                                                    std::optional<std::string_view> nonce,
                                                    int64_t now) const {
  BULWARK_ASSIGN_OR_RETURN(json::object claims, verify_signature(token));
  return check_id_token(std::move(claims),
                        IdTokenCheck{metadata_.issuer, audience, nonce, now,
                                     options_.leeway_seconds, /*azp_rule=*/true},
                        options_.groups_claim);
}

Result<LoginStart> OidcProvider::begin_login(
    std::string_view redirect_uri,
    std::span<const std::pair<std::string, std::string>> extra_params) const {
  if (metadata_.authorization_endpoint.empty()) {
    return fail(Code::kUnsupported, "OIDC provider has no authorization endpoint");
  }
  for (const auto& [name, value] : extra_params) {
    if (std::find(kLoginParams.begin(), kLoginParams.end(), name) != kLoginParams.end()) {
      return fail(Code::kInvalidArgument, "login parameter " + name + " is set by begin_login");
    }
  }
  LoginStart start;
  start.pending.state = random_hex(16);
  start.pending.nonce = random_hex(16);
  start.pending.code_verifier = random_hex(32);  // 64 unreserved characters (RFC 7636 §4.1)

  std::string scope = "openid";
  for (const std::string& s : options_.scopes) {
    if (s != "openid") scope += " " + s;
  }
  std::vector<std::pair<std::string, std::string>> params = {
      {"response_type", "code"},
      {"client_id", options_.client_id},
      {"redirect_uri", std::string(redirect_uri)},
      {"scope", scope},
      {"state", start.pending.state},
      {"nonce", start.pending.nonce},
      {"code_challenge", pkce_challenge(start.pending.code_verifier)},
      {"code_challenge_method", "S256"},
  };
  params.insert(params.end(), extra_params.begin(), extra_params.end());

  boost::urls::url url(metadata_.authorization_endpoint);  // validated at discovery
  std::string query = url.has_query() && !url.encoded_query().empty()
                          ? std::string(url.encoded_query()) + "&"
                          : std::string();
  url.set_encoded_query(query + form_urlencode(params));
  start.authorization_url = std::string(url.buffer());
  return start;
}

Result<OidcIdentity> OidcProvider::finish_login(std::string_view code, std::string_view state,
                                                const PendingLogin& pending,
                                                std::string_view redirect_uri, int64_t now) const {
  if (metadata_.token_endpoint.empty()) {
    return fail(Code::kUnsupported, "OIDC provider has no token endpoint");
  }
  if (pending.state.empty() || !constant_time_equal(state, pending.state)) {
    return fail(Code::kInvalidArgument, "login state does not match");
  }
  if (code.empty()) return fail(Code::kInvalidArgument, "login callback has no code");

  std::vector<std::pair<std::string, std::string>> form = {
      {"grant_type", "authorization_code"},
      {"code", std::string(code)},
      {"redirect_uri", std::string(redirect_uri)},
      {"code_verifier", pending.code_verifier},
  };
  HttpClientRequest request =
      request_for(options_, "POST", metadata_.token_endpoint, kMaxTokenResponseBytes);
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  if (options_.client_secret.empty() ||
      options_.client_auth == OidcClientAuth::kClientSecretPost) {
    form.emplace_back("client_id", options_.client_id);
    if (!options_.client_secret.empty()) form.emplace_back("client_secret", options_.client_secret);
  } else {
    // RFC 6749 §2.3.1: id and secret are form-encoded before Basic encoding.
    request.headers.emplace_back("Authorization",
                                 basic_authorization(percent_encode(options_.client_id),
                                                     percent_encode(options_.client_secret)));
  }
  request.body = form_urlencode(form);

  BULWARK_ASSIGN_OR_RETURN(HttpClientResponse response, http_fetch(request));
  auto doc = parse_strict_json(response.body);
  const json::object* body = doc && doc->is_object() ? &doc->as_object() : nullptr;
  if (response.status != 200) {
    std::optional<std::string_view> error = body ? string_member(*body, "error") : std::nullopt;
    Code code_for_status = response.status >= 500 ? Code::kUnavailable : Code::kInvalidArgument;
    return fail(code_for_status, "OIDC token endpoint refused the authorization code: HTTP " +
                                     std::to_string(response.status) +
                                     (error ? " " + quote_untrusted(*error) : std::string()));
  }
  std::optional<std::string_view> id_token = body ? string_member(*body, "id_token") : std::nullopt;
  if (!id_token) return fail(Code::kInvalidArgument, "OIDC token response has no id_token");

  BULWARK_ASSIGN_OR_RETURN(IdTokenClaims claims,
                           verify_id_token(*id_token, options_.client_id,
                                           std::string_view(pending.nonce), now));
  OidcIdentity identity;
  if (!options_.username_claim.empty()) {
    std::optional<std::string_view> name = string_member(claims.raw, options_.username_claim);
    if (!name || name->empty()) {
      return id_token_error("no " + quote_untrusted(options_.username_claim) + " claim");
    }
    identity.username = std::string(*name);
  } else {
    identity.username = claims.preferred_username && !claims.preferred_username->empty()
                            ? *claims.preferred_username
                            : claims.subject;
  }
  identity.issuer = claims.issuer;
  identity.subject = claims.subject;
  identity.email = claims.email;
  const json::value* verified = claims.raw.if_contains("email_verified");
  identity.email_verified = verified != nullptr && verified->is_bool() && verified->get_bool();
  identity.groups = claims.groups;
  identity.claims = std::move(claims);
  return identity;
}

// ---- federation ---------------------------------------------------------------------------------

Result<void> validate_federation_rule(const FederationRule& rule) {
  auto invalid = [&](std::string why) {
    return fail(Code::kInvalidArgument,
                "federation rule " + quote_untrusted(rule.name) + ": " + std::move(why));
  };
  if (rule.name.empty()) return fail(Code::kInvalidArgument, "federation rule has no name");
  if (rule.issuer.empty()) return invalid("no issuer");
  if (rule.audience.empty()) return invalid("no audience");
  if (rule.claims.empty()) return invalid("no claim conditions (it would admit every token of the issuer)");
  for (const auto& [claim, pattern] : rule.claims) {
    if (claim.empty() || pattern.empty()) return invalid("empty claim name or pattern");
  }
  if (rule.token_lifetime <= 0 || rule.token_lifetime > kMaxFederationTokenLifetime) {
    return invalid("token lifetime must be 1 to " + std::to_string(kMaxFederationTokenLifetime) +
                   " seconds");
  }
  auto permissions = parse_robot_permissions(rule.permissions_json);
  if (!permissions) return invalid("permissions: " + permissions.error().message);
  return ok();
}

namespace {

bool rule_claims_match(const FederationRule& rule, const json::object& claims) {
  if (rule.claims.empty()) return false;
  return std::all_of(rule.claims.begin(), rule.claims.end(), [&](const auto& condition) {
    std::optional<std::string_view> value = string_member(claims, condition.first);
    return value && glob_match(condition.second, *value);
  });
}

}  // namespace

Result<FederationMatch> match_federation_rule(std::string_view token,
                                              std::span<const FederationRule> rules,
                                              const OidcProviders& providers, int64_t now) {
  // The issuer picks the provider whose keys verify the token; it is trusted only after that.
  BULWARK_ASSIGN_OR_RETURN(CompactJws jws, split_compact_jws(token, kMaxForeignTokenBytes));
  BULWARK_ASSIGN_OR_RETURN(json::object unverified, decode_jws_payload(jws.payload_part));
  std::optional<std::string_view> issuer = string_member(unverified, "iss");
  if (!issuer) return id_token_error("no iss");
  auto provider = providers.find(*issuer);
  if (provider == providers.end() || provider->second == nullptr) {
    return fail(Code::kNotFound,
                "no OIDC provider is configured for issuer " + quote_untrusted(*issuer));
  }
  const OidcProvider& op = *provider->second;
  BULWARK_ASSIGN_OR_RETURN(json::object claims, op.verify_signature(token));

  std::vector<std::string> audiences = string_list(claims, "aud");
  for (size_t i = 0; i < rules.size(); ++i) {
    const FederationRule& rule = rules[i];
    if (rule.issuer != op.metadata().issuer) continue;
    if (std::find(audiences.begin(), audiences.end(), rule.audience) == audiences.end()) continue;
    // exp, nbf, iat and sub do not depend on the rule: a failure here refuses the token.
    BULWARK_ASSIGN_OR_RETURN(
        IdTokenClaims checked,
        check_id_token(claims,
                       IdTokenCheck{op.metadata().issuer, rule.audience, std::nullopt, now,
                                    op.options().leeway_seconds, /*azp_rule=*/false},
                       op.options().groups_claim));
    if (rule_claims_match(rule, checked.raw)) return FederationMatch{i, rule, std::move(checked)};
  }
  return fail(Code::kNotFound, "no federation rule matches issuer " + quote_untrusted(*issuer) +
                                   " subject " +
                                   quote_untrusted(string_member(claims, "sub").value_or("")));
}

}  // namespace bulwark::auth
