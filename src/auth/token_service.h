// TokenService: issues and verifies the registry's bearer tokens (Docker distribution token spec:
// short-lived ES256 JWTs whose `access` claim lists the granted scopes) and OAuth2 refresh tokens
// for the token endpoint's refresh_token grant.
//
// Access tokens carry iss (the issuer), sub (principal name; "" for anonymous), aud (the service
// name), exp, nbf, iat, a random jti and access (auth/scope.h's claim form). verify() accepts only
// tokens signed by this service's key, for this issuer and audience, unexpired, and whose subject
// the revocation hook still vouches for — so revoking a robot (or disabling a user) invalidates
// its outstanding tokens on the next request instead of when they expire.
//
// Refresh tokens are opaque random strings (256 bits). Only their SHA-256 is kept (plain SHA-256
// suffices for high-entropy random strings; argon2 is for human-chosen passwords), together with
// subject and expiry, in the metadata store when options.refresh_store is set (the server's
// case: they survive restarts and every node shares them; expired rows are deleted at most once
// a minute), else in a bounded in-memory table (oldest expiry evicted first; tests and tools).
// Redeeming checks expiry and the revocation hook; a token may be redeemed
// repeatedly until it expires (as docker clients do). Redeeming yields only the subject: callers
// re-read the principal (Authenticator::principal_for) and re-authorize the new scopes, so a
// refresh never carries stale permissions.
//
// No token, refresh token or key material appears in an error message or log line.
//
// Thread-safety: thread-safe; issue() and verify() run concurrently without locking (the key is
// immutable), the in-memory refresh table is guarded by a mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authorizer.h"
#include "auth/jwt.h"
#include "auth/scope.h"
#include "common/result.h"
#include "metadata/refresh_token_store.h"

namespace bulwark::auth {

struct TokenServiceOptions {
  std::string issuer = "bulwark";   // `iss` of issued tokens, required on verify
  std::string service = "bulwark";  // `aud`: the registry's service name, as in its challenge
  int64_t token_lifetime = 300;     // seconds an access token is valid (the spec's expires_in)
  int64_t leeway = 30;              // seconds of clock skew tolerated when verifying
  int64_t refresh_lifetime = 7 * 24 * 3600;  // seconds a refresh token may be redeemed
  size_t max_refresh_tokens = 100000;        // refresh tokens held at most (in memory)
  // Where refresh tokens are kept; nullptr: in memory. Must outlive the service.
  metadata::RefreshTokenStore* refresh_store = nullptr;
  // When set, consulted on every issue() / issue_refresh() instead of the fixed lifetimes above
  // (runtime settings, api/runtime_settings.h). Must be thread-safe and return > 0; may block
  // (issuing runs on worker threads).
  std::function<int64_t()> token_lifetime_source;
  std::function<int64_t()> refresh_lifetime_source;
};

// The token endpoint's answer, minus the refresh token.
struct IssuedToken {
  std::string token;
  int64_t expires_in = 0;  // seconds
  int64_t issued_at = 0;   // unix seconds

  // `issued_at` as the spec's RFC 3339 UTC string, e.g. "2025-06-15T14:13:20Z".
  std::string issued_at_rfc3339() const;
};

// What a verified access token says.
struct TokenClaims {
  std::string subject;  // "" for anonymous
  std::vector<Scope> access;
  std::string jti;
  int64_t issued_at = 0;
  int64_t expires_at = 0;
};

// What a redeemed refresh token says.
struct RefreshGrant {
  std::string subject;
  int64_t issued_at = 0;  // when the refresh token was issued
};

// Consulted by verify() and redeem_refresh(): false when tokens issued to `subject` at `issued_at`
// must no longer be honoured (Authenticator::still_valid fits). Must be thread-safe.
using RevocationCheck =
    std::function<bool(std::string_view subject, int64_t issued_at, int64_t now)>;

class TokenService {
 public:
  // The signing key at `key_file`, created there first (P-256, PKCS#8 PEM, mode 0600) when the
  // file does not exist. An existing file readable or writable by group or others is refused
  // (kConflict): a leaked key lets anyone mint tokens. Only one process should create the key.
  static Result<SigningKey> load_or_create_key(const std::filesystem::path& key_file);

  // A service signing with the key at `key_file` (see load_or_create_key).
  static Result<std::unique_ptr<TokenService>> open(const std::filesystem::path& key_file,
                                                    TokenServiceOptions options,
                                                    RevocationCheck still_valid);

  // REQUIRES: options.token_lifetime > 0, options.refresh_lifetime > 0, still_valid callable.
  TokenService(SigningKey key, TokenServiceOptions options, RevocationCheck still_valid);

  // A signed access token granting exactly `granted` (already narrowed by the authorizer), valid
  // for `lifetime` seconds when given (a federation rule's), else the current token lifetime
  // (options().token_lifetime_source, or options().token_lifetime).
  // REQUIRES: lifetime, when given, > 0.
  Result<IssuedToken> issue(const Principal& principal, std::span<const Scope> granted, int64_t now,
                            std::optional<int64_t> lifetime = std::nullopt) const;

  // The claims of a token this service issued, or an error (kInvalidArgument, kTooLarge,
  // kUnsupported, kNotFound — answer all with 401 invalid_token) naming the failed check. A
  // revoked subject fails with "token was revoked".
  Result<TokenClaims> verify(std::string_view token, int64_t now) const;

  // A new refresh token for `principal`. kInvalidArgument for the anonymous principal.
  Result<std::string> issue_refresh(const Principal& principal, int64_t now);
  // The subject of a live refresh token. kInvalidArgument for unknown, expired or revoked ones
  // (all with the same message, so a probe learns nothing).
  Result<RefreshGrant> redeem_refresh(std::string_view refresh_token, int64_t now);

  const PublicKey& public_key() const { return key_.public_key(); }
  const TokenServiceOptions& options() const { return options_; }

 private:
  using RefreshEntry = metadata::RefreshTokenRecord;
  // The refresh table: options_.refresh_store or refresh_ (three operations, two homes).
  Result<void> remember_refresh(const RefreshEntry& entry, int64_t now);
  Result<std::optional<RefreshEntry>> find_refresh(const std::string& hash);
  void forget_refresh(const std::string& hash);
  // Drops expired entries, then the entries expiring soonest while the table is full.
  // REQUIRES: refresh_mu_ held; in-memory table only.
  void make_room(int64_t now);

  const SigningKey key_;
  const KeySet keys_;
  const TokenServiceOptions options_;
  const RevocationCheck still_valid_;

  std::mutex refresh_mu_;
  std::map<std::string, RefreshEntry, std::less<>> refresh_;  // by hash; guarded by refresh_mu_
  std::atomic<int64_t> next_store_sweep_{0};  // when expired stored rows are next deleted
};

}  // namespace bulwark::auth
