// Authenticator: turns credentials into a Principal for the authorizer. HTTP basic credentials
// (registry API, token endpoint password grant) are checked against the IdentityStore — local
// users by argon2id password, robot accounts ("robot$..." names) by their secret — with failed
// attempts rate-limited through a LoginThrottle. It also answers the questions that need the store
// after login: a principal's effective role in a project, and whether a token issued to a subject
// is still good (the TokenService revocation hook).
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
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "auth/authorizer.h"
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

class Authenticator {
 public:
  // `store` and `throttle` must outlive the Authenticator.
  Authenticator(metadata::IdentityStore& store, LoginThrottle& throttle,
                AuthenticatorOptions options = {});

  // Checks HTTP basic credentials. On success the principal carries the user's admin flag (groups
  // empty: local users have none; OIDC/LDAP fill them later) or the robot's parsed permissions.
  // A successful user login whose hash was made with other params is re-hashed and stored.
  AuthResult authenticate_basic(std::string_view username, std::string_view password,
                                std::string_view client_address, const AuthTime& now);

  // The principal for an already authenticated subject (a token's `sub`, a refresh token's
  // owner), re-read from the store with authenticate_basic's account checks — disabled users,
  // revoked and expired robots are refused — except TOTP (the subject passed it when it first
  // logged in). Unknown subjects fail with kBadCredentials. "" is the anonymous principal.
  AuthResult principal_for(std::string_view subject, int64_t now);

  // The principal's role in `project`: the highest of the user's own membership and its groups'
  // memberships; nullopt for none, for anonymous principals and for robots (robots act by their
  // permissions).
  Result<std::optional<metadata::Role>> effective_role(const Principal& principal,
                                                       std::string_view project);

  // The TokenService revocation hook: false once the subject's account is gone, disabled,
  // revoked, expired, or (robots) had its secret rotated after `issued_at` (whole seconds: a token
  // issued in the same second as a rotation survives until it expires). Store errors answer
  // false (fail closed). The anonymous subject "" is always valid. `issued_at` is compared with
  // the store's updated_at stamp: both are wall-clock seconds, so nodes need synchronised clocks.
  bool still_valid(std::string_view subject, int64_t issued_at, int64_t now);

  // argon2id verifications done so far (dummy ones included), for metrics and for tests that
  // check unknown names cost the same work as wrong passwords.
  uint64_t hash_verifications() const;

 private:
  AuthResult authenticate_user(std::string_view name, std::string_view password);
  AuthResult authenticate_robot(std::string_view name, std::string_view secret,
                                const AuthTime& now);
  // Verifies `candidate` against `stored`, or against the dummy hash when `stored` is nullopt
  // (then always false).
  bool verify(const std::optional<std::string>& stored, std::string_view candidate);
  const std::string& dummy_hash();

  metadata::IdentityStore& store_;
  LoginThrottle& throttle_;
  const AuthenticatorOptions options_;

  std::once_flag dummy_once_;
  std::string dummy_hash_;  // written once under dummy_once_
  std::atomic<uint64_t> verifications_{0};
};

}  // namespace bulwark::auth
