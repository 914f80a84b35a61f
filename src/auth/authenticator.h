// Authenticator: turns credentials into a Principal for the authorizer. HTTP basic credentials
// (registry API, token endpoint password grant) are checked against the IdentityStore — local
// users by argon2id password, robot accounts ("robot$..." names) by their secret — and, when an
// LDAP directory is configured (IdentityProviders), names that are not local users against the
// directory, with failed attempts rate-limited through a LoginThrottle. It provisions the
// accounts of external logins (LDAP, OpenID) and turns a CI job's ID token into the principal of
// the federation rule it matches. It also answers the questions that need the store after login:
// a principal's effective role in a project, and whether a token issued to a subject is still
// good (the TokenService revocation hook).
//
// External accounts:
//  - A local user is only ever checked by its local password, never against LDAP; an LDAP login
//    never takes over an account of another source (the store refuses, the login fails as bad
//    credentials). Directory logins are provisioned as source "ldap" users with the directory's
//    e-mail and groups; OpenID logins as users of source "oidc:<issuer>#<subject>" (bound to
//    that person at that provider) with the provider's groups. The store row is written only
//    when something changed (every write invalidates access caches).
//  - Their groups (stored external_groups, refreshed at each login) are the principal's groups,
//    so group memberships give them roles; principal_for() reads them from the store, so refresh
//    grants and tokens keep working between logins. Disabled external users are refused.
//  - Federation principals ("federation:<rule>") are robot-like: the rule's permissions, no
//    project; principal_for() answers for them while the rule is configured, and still_valid()
//    also ends their tokens rule.token_lifetime seconds after issue.
//
// Guarantees:
//  - The throttle is consulted before any hash is verified; a throttled attempt costs no argon2
//    work and answers with a retry-after.
//  - An unknown name and a wrong password or secret get the same failure (kind, code, message),
//    and both verify one argon2id hash (a dummy one for unknown names), so neither the answer nor
//    its timing tells whether the account exists. Both count against the throttle.
//  - Disabled users, TOTP-enrolled users (they must log in to the management API and use its
//    tokens), revoked and expired robots are refused with a reason — but only after the password
//    or secret proved right, so the reason reveals nothing to a guesser.
//  - Robot expiry and revocation are read from the store at every call (no caching), so revoking
//    takes effect on the next request.
//  - No password, secret or hash appears in any failure message or log line.
//
// Thread-safety: thread-safe (the store and throttle are; the dummy hash is made once). Calls block
// on the store and on argon2id: call them from a worker thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "auth/authorizer.h"
#include "auth/identity_providers.h"
#include "auth/login_throttle.h"
#include "auth/password.h"
#include "common/result.h"
#include "metadata/identity_store.h"

namespace bulwark::auth {

// The two clocks an authentication needs: wall time for expiry, monotonic time for backoff.
struct AuthTime {
  int64_t unix_seconds = 0;
  LoginThrottle::Clock::time_point steady;

  static AuthTime current();
};

// Why authenticate_basic said no. Kinds let the HTTP edge pick its answer (401, 429 + Retry-After,
// 403); `error` is safe to show the client. (A richer error than Result's, because a throttled
// answer must carry its retry-after.)
enum class AuthFailureKind {
  kThrottled,             // too many failures: retry_after says when to try again
  kBadCredentials,        // unknown name, wrong password or secret (indistinguishable)
  kDisabled,              // user account disabled
  kSecondFactorRequired,  // TOTP-enrolled user tried basic auth
  kRobotRevoked,
  kRobotExpired,
  kMisconfigured,  // the account's stored data is unusable (e.g. malformed permissions)
  kUnavailable,    // the identity store failed
};

struct AuthFailure {
  AuthFailureKind kind;
  Error error;
  std::chrono::seconds retry_after{0};  // > 0 only for kThrottled
};

using AuthResult = tl::expected<Principal, AuthFailure>;

struct AuthenticatorOptions {
  // argon2id cost used for the dummy hash verified for unknown names (match the cost of the real
  // hashes so both paths take the same time) and for re-hashing outdated user hashes.
  PasswordParams password_params{};
  // Longest account name accepted; longer names fail as bad credentials without touching the
  // throttle (keeps its keys small).
  size_t max_name_bytes = 256;
};

// Robot account names start with this.
inline constexpr std::string_view kRobotPrefix = "robot$";
// Federation principals are named this followed by the rule's name. No account has such a name.
inline constexpr std::string_view kFederationPrefix = "federation:";

class Authenticator {
 public:
  // `store` and `throttle` must outlive the Authenticator. `identity_providers`: LDAP, OpenID
  // providers and federation rules; nullptr for local accounts and robots only.
  Authenticator(metadata::IdentityStore& store, LoginThrottle& throttle,
                AuthenticatorOptions options = {},
                std::shared_ptr<IdentityProviders> identity_providers = nullptr);

  // Checks HTTP basic credentials. On success the principal carries the user's admin flag (groups
  // empty: local users have none; OIDC/LDAP fill them later) or the robot's parsed permissions.
  // A successful user login whose hash was made with other params is re-hashed and stored.
  AuthResult authenticate_basic(std::string_view username, std::string_view password,
                                std::string_view client_address, const AuthTime& now);

  // The principal for an already authenticated subject (a token's `sub`, a refresh token's
  // owner), re-read from the store with authenticate_basic's account checks — disabled users,
  // revoked and expired robots are refused — except TOTP (the subject passed it when it first
  // logged in). Unknown subjects fail with kBadCredentials. "" is the anonymous principal;
  // "federation:<rule>" the rule's principal while the rule is configured.
  AuthResult principal_for(std::string_view subject, int64_t now);

  // A CI job's ID token: the principal "federation:<rule>" of the first configured federation
  // rule it matches (IdentityProviders::match_federation), with the rule's permissions; `match`
  // (optional) receives the rule and the verified claims. kBadCredentials with the matcher's
  // message (it names issuer and subject, never the token) when nothing matches, the token does
  // not verify or no providers are configured; kUnavailable when the provider cannot be reached.
  AuthResult authenticate_federated(std::string_view id_token, int64_t now,
                                    FederationMatch* match = nullptr);

  // Provisions (creates or updates) the "oidc" account of a completed OpenID login and returns
  // its principal. Refused: a username that is empty, too long, or shaped like a robot or
  // federation name (kBadCredentials); an account of another source with that name (kDisabled,
  // error code kConflict: the login may not take it over); a disabled account (kDisabled).
  AuthResult provision_oidc_user(const OidcIdentity& identity);

  // The configured external providers, or nullptr.
  IdentityProviders* identity_providers() const { return identity_providers_.get(); }

  // The principal's role in `project`: the highest of the user's own membership and its groups'
  // memberships; nullopt for none, for anonymous principals and for robots (robots act by their
  // permissions).
  Result<std::optional<metadata::Role>> effective_role(const Principal& principal,
                                                       std::string_view project);

  // The TokenService revocation hook: false once the subject's account is gone, disabled,
  // revoked, expired, or was changed in any way after `issued_at` — a new password, TOTP
  // enrolment, rotated secret, new networks or directory groups (whole seconds: a token issued in
  // the same second as a change survives until it expires). Store errors answer
  // false (fail closed). The anonymous subject "" is always valid. `issued_at` is compared with
  // the store's updated_at stamp: both are wall-clock seconds, so nodes need synchronised clocks.
  bool still_valid(std::string_view subject, int64_t issued_at, int64_t now);

  // argon2id verifications done so far (dummy ones included), for metrics and for tests that
  // check unknown names cost the same work as wrong passwords.
  uint64_t hash_verifications() const;

 private:
  AuthResult authenticate_user(std::string_view name, std::string_view password);
  // authenticate_user() for a name that is no local user, when a directory is configured.
  AuthResult authenticate_directory_user(std::string_view name, std::string_view password);
  // The configured rule a "federation:<rule>" subject names.
  std::optional<FederationRule> federation_rule_of(std::string_view subject) const;
  // Creates or updates an external account (only when something changed) and returns its
  // principal; `existing` is the stored row of that name, if any.
  AuthResult provision_external(metadata::User user, const std::optional<metadata::User>& existing);
  AuthResult authenticate_robot(std::string_view name, std::string_view secret,
                                const AuthTime& now);
  // Verifies `candidate` against `stored`, or against the dummy hash when `stored` is nullopt
  // (then always false).
  bool verify(const std::optional<std::string>& stored, std::string_view candidate);
  const std::string& dummy_hash();

  metadata::IdentityStore& store_;
  LoginThrottle& throttle_;
  const AuthenticatorOptions options_;
  const std::shared_ptr<IdentityProviders> identity_providers_;

  std::once_flag dummy_once_;
  std::string dummy_hash_;  // written once under dummy_once_
  std::atomic<uint64_t> verifications_{0};
};

}  // namespace bulwark::auth
