// OpenID Connect (OIDC Core 1.0, Discovery 1.0) on the relying-party side, for people and machines.
//
// OidcProvider is one configured OpenID provider: its discovery document, its signing keys (JWKS)
// and our client registration there. It
//   - verifies ID tokens (signature by a JWKS key, iss, aud/azp, exp, nbf, iat, nonce);
//   - runs the authorization-code flow with PKCE (S256) for people: begin_login() makes the
//     authorization URL and the secrets the caller keeps server-side until the callback,
//     finish_login() exchanges the code and returns who logged in (username, email, groups);
// and match_federation_rule() lets a CI job trade its provider-issued ID token for a registry
// token when a configured FederationRule matches the token's claims (no stored secret).
//
// The JWKS is fetched at discovery and again when a token names a kid the cached set lacks: the
// first such token refreshes at once, later ones at most once per
// OidcOptions::jwks_min_refresh_seconds (so unknown-kid tokens cannot make us hammer the provider). Errors never contain tokens, codes, the client secret or the PKCE verifier.
//
// Thread-safety: an OidcProvider is shared (std::shared_ptr) and all its methods are thread-safe;
// the key set is swapped atomically under a mutex and refreshes are serialised. Its methods block
// on outbound HTTP (discovery, JWKS, token endpoint): call them from a worker thread, not an I/O
// thread. The free functions are thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/jwks.h"
#include "common/result.h"

namespace bulwark::auth {

// How we authenticate to the token endpoint (RFC 6749 §2.3.1).
enum class OidcClientAuth {
  kClientSecretBasic,  // HTTP Basic with the form-encoded client id and secret
  kClientSecretPost,   // client_id and client_secret in the form body
};

struct OidcOptions {
  std::string client_id;      // our client id; also the audience people's ID tokens must carry
  std::string client_secret;  // a secret: never logged; empty for a public client
  OidcClientAuth client_auth = OidcClientAuth::kClientSecretBasic;
  std::vector<std::string> scopes = {"openid", "email", "profile"};  // "openid" is always sent
  std::string username_claim;         // empty: "preferred_username", else "sub"
  std::string groups_claim = "groups";  // an array of strings or a single string
  int64_t leeway_seconds = 60;          // clock skew tolerated on exp, nbf and iat
  int64_t jwks_min_refresh_seconds = 30;
  bool allow_http = false;  // accept http:// issuer and endpoints (tests, loopback); else https only
  int http_timeout_seconds = 10;
  std::string ca_file;  // PEM CA bundle for the provider's TLS; empty: the system's store
};

// The parts of the discovery document we use. Endpoints a provider does not publish are empty
// (CI token issuers have no authorization or token endpoint: they serve federation only).
struct OidcMetadata {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string jwks_uri;
  std::string userinfo_endpoint;
};

// A verified ID token.
struct IdTokenClaims {
  std::string issuer;
  std::string subject;
  std::vector<std::string> audience;
  int64_t expires_at = 0;
  int64_t issued_at = 0;
  std::optional<std::string> nonce;
  std::optional<std::string> email;
  std::optional<std::string> preferred_username;
  std::vector<std::string> groups;  // from OidcOptions::groups_claim; non-string entries dropped
  boost::json::object raw;          // every claim as the token carried it
};

// What the caller keeps (server-side, keyed by state) between begin_login() and finish_login().
// All three are secrets of this one login attempt.
struct PendingLogin {
  std::string state;
  std::string nonce;
  std::string code_verifier;
};

struct LoginStart {
  std::string authorization_url;  // send the browser here
  PendingLogin pending;
};

// Who logged in.
struct OidcIdentity {
  std::string issuer;
  std::string subject;
  // From OidcOptions::username_claim. Providers may let people change preferred_username or
  // email: key stored accounts by (issuer, subject), not by this.
  std::string username;
  std::optional<std::string> email;  // as the provider states it; see email_verified
  bool email_verified = false;
  std::vector<std::string> groups;
  IdTokenClaims claims;
};

class OidcProvider {
 public:
  // Fetches <issuer>/.well-known/openid-configuration (a trailing '/' of the issuer is not
  // doubled), whose "issuer" must equal `issuer` exactly, and then its jwks_uri. Refuses http://
  // URLs unless options.allow_http. Errors: kInvalidArgument for a bad issuer URL or document,
  // kUnavailable when the provider cannot be reached or answers other than 200.
  static Result<std::shared_ptr<OidcProvider>> discover(std::string_view issuer,
                                                        OidcOptions options);

  const OidcMetadata& metadata() const { return metadata_; }
  const OidcOptions& options() const { return options_; }

  // Verifies an ID token at unix time `now`: the signature by a key of the provider's JWKS
  // (refreshed once when the kid is unknown, rate-limited), iss equal to our issuer, aud
  // containing `audience` (and, with several audiences, azp equal to it; a present azp must
  // always equal it), exp > now - leeway, nbf and iat not in the future, sub present, and the
  // nonce equal to `nonce` when one is expected. Errors as verify_jws() plus kInvalidArgument for
  // a failed claim check.
  Result<IdTokenClaims> verify_id_token(std::string_view token, std::string_view audience,
                                        std::optional<std::string_view> nonce, int64_t now) const;

  // Starts a login: fresh random state, nonce and PKCE verifier, and the authorization URL for
  // `redirect_uri` (which must be registered at the provider). `extra_params` are appended (e.g.
  // prompt, login_hint) and may not repeat the parameters this function sets.
  // kUnsupported when the provider has no authorization endpoint.
  Result<LoginStart> begin_login(
      std::string_view redirect_uri,
      std::span<const std::pair<std::string, std::string>> extra_params = {}) const;

  // Completes a login from the callback's `code` and `state`: `state` must equal pending.state;
  // the code is exchanged at the token endpoint with pending.code_verifier and `redirect_uri`
  // (the same as begin_login's), and the returned ID token must verify with pending.nonce and
  // the client id as audience. Errors: kInvalidArgument (state mismatch, refused code, bad token),
  // kUnavailable (provider unreachable), kUnsupported (no token endpoint).
  Result<OidcIdentity> finish_login(std::string_view code, std::string_view state,
                                    const PendingLogin& pending, std::string_view redirect_uri,
                                    int64_t now) const;

  // Verifies only the token's signature (with the kid refresh above) and returns its claims
  // unchecked: the building block of verify_id_token() and of federation.
  Result<boost::json::object> verify_signature(std::string_view token) const;

  // Use discover(). Public for std::make_shared only.
  OidcProvider(OidcMetadata metadata, OidcOptions options, Jwks jwks);

 private:
  // Fetches the JWKS again unless another thread did since `seen_generation` or the last fetch
  // was less than jwks_min_refresh_seconds ago.
  void refresh_jwks(uint64_t seen_generation) const;

  const OidcMetadata metadata_;
  const OidcOptions options_;

  mutable std::mutex mu_;  // guards the three members below
  mutable std::shared_ptr<const Jwks> jwks_;
  mutable uint64_t jwks_generation_ = 0;
  // Last refresh attempt; none yet after discovery, so the first unknown kid refreshes at once.
  mutable std::optional<std::chrono::steady_clock::time_point> jwks_refreshed_at_;
  mutable std::mutex refresh_mu_;  // serialises JWKS fetches
};

// ---- machine federation (CI jobs) --------------------------------------------------------------

// One trust rule: ID tokens from `issuer` for `audience` whose claims all match `claims` may be
// exchanged for a registry token with `permissions_json` (RobotPermissions JSON, auth/authorizer.h)
// that lives `token_lifetime` seconds.
struct FederationRule {
  std::string name;
  std::string issuer;
  std::string audience;
  // claim name -> pattern: the exact value, or a glob where '*' stands for any run of characters
  // (none included, '/' and ':' included); every other character is literal. Only string claim
  // values ever match.
  std::vector<std::pair<std::string, std::string>> claims;
  std::string permissions_json;
  int64_t token_lifetime = 0;
};

// Largest FederationRule::token_lifetime accepted: registry tokens for pipelines are short-lived.
inline constexpr int64_t kMaxFederationTokenLifetime = 12 * 3600;

// Checks a rule before it is stored: name, issuer, audience non-empty, at least one claim
// constraint (a rule on issuer alone would admit every pipeline that provider serves), patterns
// non-empty, permissions that parse as RobotPermissions, and 0 < token_lifetime <=
// kMaxFederationTokenLifetime. kInvalidArgument naming the problem.
Result<void> validate_federation_rule(const FederationRule& rule);


// Verified providers, keyed by their metadata().issuer.
using OidcProviders = std::map<std::string, std::shared_ptr<const OidcProvider>, std::less<>>;

struct FederationMatch {
  size_t rule_index = 0;  // into the rules passed in
  FederationRule rule;
  IdTokenClaims claims;
};

// Verifies a CI job's ID token against the provider of its issuer (signature, exp, nbf, iat; aud
// must contain the rule's audience; no nonce) and returns the FIRST rule, in order, whose issuer,
// audience and claim patterns all match. Rules with no claim patterns never match. Errors:
// kNotFound "no OIDC provider is configured for issuer X", verification errors, and
// kNotFound "no federation rule matches issuer X subject Y". The token is never echoed.
Result<FederationMatch> match_federation_rule(std::string_view token,
                                              std::span<const FederationRule> rules,
                                              const OidcProviders& providers, int64_t now);

}  // namespace bulwark::auth
