// IdentityProviders: the external identity sources the registry trusts besides its own accounts —
// an LDAP directory for HTTP Basic logins, OpenID providers for people's browser logins, and
// federation rules under which CI jobs trade provider-issued ID tokens for registry tokens.
//
// IdentityProviders is the interface the Authenticator and the AccessService use (tests substitute
// fakes). make_identity_providers() builds the configured implementation from Config:
//  - the configuration is checked completely when it is built (LDAP options, provider names and
//    URLs, federation rules and their issuers), so a bad configuration refuses to start; error
//    messages name the key, never a secret;
//  - OpenID providers are discovered lazily, on first use, and kept; a failed discovery is retried
//    at most every kDiscoveryRetrySeconds, so an unreachable provider does not stop the registry:
//    its logins and exchanges fail with kUnavailable until it answers;
//  - people's logins in progress (state, nonce, PKCE verifier) stay server-side in PendingLogins:
//    single use, bounded, expiring after kPendingLoginSeconds.
//
// Thread-safety: PendingLogins and every implementation are thread-safe. Methods that talk to a
// provider or a directory block on the network: call them on a worker thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "auth/ldap.h"
#include "auth/oidc.h"
#include "common/config.h"
#include "common/result.h"

namespace bulwark::auth {

inline constexpr int64_t kPendingLoginSeconds = 600;
inline constexpr size_t kMaxPendingLogins = 10000;
inline constexpr int64_t kDiscoveryRetrySeconds = 30;

class IdentityProviders {
 public:
  virtual ~IdentityProviders() = default;

  // ---- LDAP
  // True when a directory is configured.
  virtual bool has_directory() const = 0;
  // LdapDirectory::authenticate: kInvalidArgument (kLdapBadCredentialsMessage) for bad
  // credentials, anything else is directory trouble. REQUIRES: has_directory().
  virtual Result<LdapIdentity> directory_login(std::string_view username,
                                               std::string_view password) const = 0;

  // ---- machines
  // The configured federation rule of that name.
  virtual std::optional<FederationRule> federation_rule(std::string_view name) const = 0;
  // match_federation_rule() over the configured rules and their issuers' providers. Errors as
  // that function's, plus kUnavailable when the token's issuer cannot be discovered right now.
  virtual Result<FederationMatch> match_federation(std::string_view id_token,
                                                   int64_t now) const = 0;

  // ---- people
  // Starts a login at the provider configured under `provider`: the authorization URL to send
  // the browser to; state, nonce and PKCE verifier are kept until finish_login. `extra_params`
  // (login_hint, prompt) are passed on. kNotFound for an unknown provider or one without login
  // (no client), kUnavailable when it cannot be discovered.
  virtual Result<std::string> begin_login(
      std::string_view provider, std::span<const std::pair<std::string, std::string>> extra_params,
      int64_t now) = 0;
  // Completes the login `state` names (once: the pending login is consumed whatever happens).
  // kInvalidArgument for an unknown, used or expired state, a state of another provider, or what
  // OidcProvider::finish_login refuses; kUnavailable when the provider cannot be reached.
  virtual Result<OidcIdentity> finish_login(std::string_view provider, std::string_view code,
                                            std::string_view state, int64_t now) = 0;
};

// The configured providers (see the header comment). nullptr when the configuration has no
// ldap or oidc section. kInvalidArgument naming the offending key for a bad configuration.
Result<std::shared_ptr<IdentityProviders>> make_identity_providers(const Config& config);

// Logins in progress, by state. Bounded: when full, expired entries go first, then the oldest.
class PendingLogins {
 public:
  explicit PendingLogins(size_t capacity = kMaxPendingLogins,
                         int64_t ttl_seconds = kPendingLoginSeconds);

  // Keeps `pending` (keyed by pending.state) for `provider` until now + ttl.
  void put(std::string_view provider, PendingLogin pending, int64_t now);
  // Removes the login started under `state` and returns it when it is for `provider` and has not
  // expired; nullopt otherwise (the entry is removed all the same: a state is good for one try).
  std::optional<PendingLogin> take(std::string_view provider, std::string_view state, int64_t now);

  size_t size() const;

 private:
  struct Entry {
    std::string provider;
    PendingLogin pending;
    std::multimap<int64_t, std::string>::iterator by_expiry;
  };
  // REQUIRES: mu_ held.
  void erase(std::map<std::string, Entry, std::less<>>::iterator it);

  const size_t capacity_;
  const int64_t ttl_seconds_;
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> by_state_;  // guarded by mu_
  std::multimap<int64_t, std::string> by_expiry_;       // expiry -> state; guarded by mu_
};

}  // namespace bulwark::auth
