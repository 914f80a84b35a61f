// AccessService: the registry's door. For one HTTP request it answers who is asking (the
// Authorization header: nothing, HTTP Basic credentials, or a Bearer token this registry issued)
// and whether they may do what the route needs; for the token endpoint it runs the Docker token
// flow's grants (anonymous or Basic GET, OAuth2 password and refresh_token grants, and the RFC 8693
// token exchange of a CI job's ID token under a federation rule); and it completes people's
// OpenID logins with a refresh token (usable as a docker "identity token").
//
// Decisions come from the authorizer (authorizer.h) over the identity store; a Bearer token's
// `access` claim is itself the decision the token endpoint made when it issued the token.
//
// Caching, so that a warm request costs a hash-map lookup and no store, argon2 or signature work:
// verified Basic credentials (keyed by a salted SHA-256 of name and password — the password
// itself is never kept) and verified tokens are remembered with the principal and, per
// repository, the actions granted. An entry is dropped when the store's identity generation moves
// (any user, robot, project or member change, also by `bulwark admin` in another process), when
// its token or robot expires, and after `cache_seconds` in any case. So revoking a robot, disabling
// a user or changing a role takes effect on the next request.
//
// What a client is told: 401 with a Bearer challenge (scope of the refused request; error
// "invalid_token" for a bad token, "insufficient_scope" for a token lacking the action) whenever
// presenting (other) credentials could help; 403 when valid Basic credentials are not enough;
// 429 with a retry time while throttled; 503 when the store fails. Client messages never say
// whether a private project or an account exists; the outcome's `reason` (for the audit trail)
// names the rule that decided.
//
// Thread-safety: thread-safe. check_cached() never blocks (call it on an I/O thread); check()
// and grant_token() block on the store and on argon2id (call them on a worker thread).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/authenticator.h"
#include "auth/authorizer.h"
#include "auth/scope.h"
#include "auth/token_service.h"
#include "metadata/identity_store.h"

namespace bulwark::auth {

// What an Authorization header carries.
struct Credentials {
  enum class Kind { kNone, kBasic, kBearer, kMalformed };
  Kind kind = Kind::kNone;
  std::string username;  // kBasic
  std::string secret;    // kBasic password or kBearer token
};
// Parses "Basic <base64(name:password)>" or "Bearer <token>" (scheme case-insensitive); anything
// else present is kMalformed. nullopt (no header) is kNone.
Credentials parse_authorization(std::optional<std::string_view> header);

// What a route needs.
struct Need {
  enum class Kind {
    kAuthenticated,  // any valid credentials or token (the /v2/ version check)
    kRepository,     // `actions` on `repository`
    kCatalog,        // registry:catalog:*
  };
  Kind kind = Kind::kAuthenticated;
  std::string repository;
  ActionSet actions;

  // The scope a client should request for this need (nullopt for kAuthenticated).
  std::optional<Scope> scope() const;
};

struct AccessRequest {
  const Credentials& credentials;
  std::string_view client_address;  // IP address of the client (for throttling and audit)
  const Need& need;
  std::string_view realm;  // the token endpoint's absolute URL, for challenges
};

enum class Verdict { kAllowed, kUnauthenticated, kDenied, kThrottled, kUnavailable };

struct AccessOutcome {
  Verdict verdict = Verdict::kUnauthenticated;
  std::string subject;    // who asked: user or robot name, "" when anonymous or unknown
  std::string message;    // for the client; never names private facts or secrets
  std::string reason;     // for the audit trail and logs: what decided
  std::string challenge;  // WWW-Authenticate value (401, and 401/403 for tokens)
  std::chrono::seconds retry_after{0};  // kThrottled
  bool login_failed = false;            // presented Basic credentials were refused (a failed login)
  bool logged_in = false;               // Basic credentials were verified now (not from the cache)

  bool allowed() const { return verdict == Verdict::kAllowed; }
};

// A token endpoint request.
struct TokenRequest {
  Credentials credentials;             // Basic (GET, or the password grant's username/password)
  std::optional<std::string> refresh;  // the refresh_token grant's token
  std::optional<std::string> subject_token;  // the token-exchange grant's ID token (CI jobs)
  std::vector<std::string> scopes;     // raw `scope` parameter values
  std::string service;                 // `service` parameter; must match when present
  bool offline = false;                // also issue a refresh token (access_type=offline)
  std::string client_address;
};

struct TokenGrant {
  std::string subject;
  IssuedToken token;
  std::optional<std::string> refresh_token;
  std::vector<Scope> granted;
  std::vector<std::string> refused;  // "repository:x:push: <reason>" for the audit trail
  // Token exchange: the rule that matched and the token's issuer and subject, for the audit trail.
  std::string exchange;
};

// A completed OpenID login.
struct OidcLoginGrant {
  Principal principal;
  std::string refresh_token;  // redeemable with the refresh_token grant
};

struct AccessOptions {
  std::string service = "bulwark";  // the challenge's service (= TokenService audience)
  int64_t cache_seconds = 60;       // longest time a cached decision is trusted
  size_t cache_entries = 50000;     // cached credentials/tokens held at most
};

class AccessService {
 public:
  // All references must outlive the service.
  AccessService(metadata::IdentityStore& store, Authenticator& authenticator, TokenService& tokens,
                AccessOptions options = {});
  ~AccessService();

  // The decision from the caches alone, or nullopt when it needs blocking work (then call
  // check() on a worker thread). Never blocks.
  std::optional<AccessOutcome> check_cached(const AccessRequest& request, int64_t now) const;

  // The full decision; fills the caches. Creates a missing project when a system administrator
  // pushes to it (private, development). Blocking.
  AccessOutcome check(const AccessRequest& request, const AuthTime& now);

  // The token endpoint: authenticates (anonymous, Basic, password, refresh or token-exchange
  // grant), narrows every requested scope to what the principal may do and issues the token. On
  // failure the outcome says why (401 bad credentials, 429 throttled, 400-class messages as
  // kDenied for a wrong service or unusable refresh token, 503 store failure). An exchanged
  // token lives as long as its federation rule says and comes without a refresh token.
  // Blocking.
  tl::expected<TokenGrant, AccessOutcome> grant_token(const TokenRequest& request,
                                                      const AuthTime& now);

  // People's OpenID login. begin: the provider's authorization URL (IdentityProviders::
  // begin_login). finish: completes the login, provisions the account
  // (Authenticator::provision_oidc_user) and issues a refresh token. Failures: kUnauthenticated
  // (refused login, unknown state, unusable account), kDenied (no such provider), kUnavailable
  // (provider or store unreachable); messages never hold codes, tokens or secrets. Blocking.
  tl::expected<std::string, AccessOutcome> begin_oidc_login(
      std::string_view provider, std::span<const std::pair<std::string, std::string>> extra_params,
      const AuthTime& now);
  tl::expected<OidcLoginGrant, AccessOutcome> finish_oidc_login(std::string_view provider,
                                                                std::string_view code,
                                                                std::string_view state,
                                                                const AuthTime& now);

  // Whether the principal behind `request`'s credentials may do every action of its (repository)
  // need by its own rights now: for a Bearer token regardless of the scope the token was issued
  // for — the token still proves who is asking. The pull gate asks this of the puller of a
  // quarantined image (who may scan it may pull it), whose token was issued for pull only.
  // Never challenges, records nothing. Blocking.
  bool principal_may(const AccessRequest& request, const AuthTime& now);

  // Drops every cached decision (tests, and callers that know identities changed).
  void clear_cache();

 private:
  struct Entry;
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, std::shared_ptr<Entry>> entries;  // guarded by mu
  };

  std::string cache_key(const Credentials& credentials) const;
  Shard& shard_for(const std::string& key) const;
  std::shared_ptr<Entry> lookup(const std::string& key, int64_t now) const;
  void remember(const std::string& key, std::shared_ptr<Entry> entry);

  // The identity behind the request's credentials (cached, or verified now and then
  // `*verified_now` is set), or the refusal.
  tl::expected<std::shared_ptr<Entry>, AccessOutcome> identify(const AccessRequest& request,
                                                               const AuthTime& now,
                                                               bool* verified_now);
  // What the store says of the principal and the repository's project; creates a missing
  // project first when `create_for_push` and the principal is a system administrator.
  struct Facts;
  Result<Facts> facts(const Principal& principal, std::string_view repository,
                      bool create_for_push);
  // check() once the identity is known.
  AccessOutcome decide_for(const AccessRequest& request, Entry& entry, const AuthTime& now);
  // The outcome for `entry` given the actions granted on the needed repository (nullopt for
  // non-repository needs); `why` is the rule refusing the first missing action, shown to the
  // client only when `explain`.
  AccessOutcome judge(const AccessRequest& request, const Entry& entry,
                      std::optional<ActionSet> granted, const std::string& why, bool explain) const;
  // judge() from the entry's cached decision for the needed repository; nullopt when there is
  // none yet.
  std::optional<AccessOutcome> judge_cached_grant(const AccessRequest& request,
                                                  const Entry& entry) const;

  metadata::IdentityStore& store_;
  Authenticator& authenticator_;
  TokenService& tokens_;
  const AccessOptions options_;
  std::string salt_;  // random per process: cached credential keys mean nothing elsewhere

  static constexpr size_t kShards = 16;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace bulwark::auth
