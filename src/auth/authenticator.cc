#include "auth/authenticator.h"

#include <algorithm>
#include <utility>

#include "common/clock.h"
#include "common/log.h"
#include "common/strict_json.h"

namespace bulwark::auth {
namespace {

using metadata::PrincipalKind;

AuthResult refuse(AuthFailureKind kind, ErrorCode code, std::string message,
                  std::chrono::seconds retry_after = std::chrono::seconds(0)) {
  return tl::unexpected(AuthFailure{kind, Error{code, std::move(message)}, retry_after});
}

// The one answer for an unknown name and a wrong password or secret.
AuthResult bad_credentials() {
  return refuse(AuthFailureKind::kBadCredentials, ErrorCode::kInvalidArgument,
                "invalid username or password");
}

AuthResult store_failed(const Error& error) {
  log_event(LogLevel::kWarn, "identity store failed during authentication",
            {{"error", error.message}});
  return refuse(AuthFailureKind::kUnavailable, ErrorCode::kUnavailable,
                "authentication is temporarily unavailable");
}

bool is_robot_name(std::string_view name) { return name.starts_with(kRobotPrefix); }
bool is_federation_name(std::string_view name) { return name.starts_with(kFederationPrefix); }

constexpr std::string_view kLocalSource = "local";
constexpr std::string_view kLdapSource = "ldap";
constexpr std::string_view kOidcSource = "oidc";

// The source of an OpenID account: "oidc:<issuer>#<subject>".
std::string oidc_source(std::string_view issuer, std::string_view subject) {
  return std::string(kOidcSource) + ":" + std::string(issuer) + "#" + std::string(subject);
}

// The account checks shared by a login and a later look-up of the same subject.
AuthResult user_principal(const metadata::User& user) {
  if (user.disabled) {
    return refuse(AuthFailureKind::kDisabled, ErrorCode::kConflict, "account is disabled");
  }
  Principal p;
  p.type = PrincipalType::kUser;
  p.name = user.name;
  p.is_admin = user.admin;
  if (user.source != kLocalSource) p.groups = user.external_groups;
  return p;
}

// The robot-like principal of a federation rule; its facts expire `rule.token_lifetime` from now.
AuthResult federation_principal(const FederationRule& rule, int64_t now) {
  auto permissions = parse_robot_permissions(rule.permissions_json);
  if (!permissions) {  // validated at start; kept as a guard
    return refuse(AuthFailureKind::kMisconfigured, ErrorCode::kCorrupt,
                  "federation rule permissions are unusable; ask an administrator");
  }
  RobotFacts facts;
  facts.permissions = std::move(*permissions);
  facts.expires_at = now + rule.token_lifetime;
  Principal p;
  p.type = PrincipalType::kRobot;
  p.name = std::string(kFederationPrefix) + rule.name;
  p.robot = std::move(facts);
  return p;
}

// Group names as the store keeps them: non-empty single lines, sorted, unique.
std::vector<std::string> storable_groups(std::vector<std::string> groups) {
  std::erase_if(groups, [](const std::string& g) {
    return g.empty() || g.find_first_of("\r\n") != std::string::npos;
  });
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  return groups;
}

AuthResult robot_principal(const metadata::RobotAccount& robot, int64_t now) {
  if (robot.revoked_at) {
    return refuse(AuthFailureKind::kRobotRevoked, ErrorCode::kConflict,
                  "robot account was revoked");
  }
  if (now >= robot.expires_at) {
    return refuse(AuthFailureKind::kRobotExpired, ErrorCode::kConflict,
                  "robot account has expired");
  }
  auto permissions = parse_robot_permissions(robot.permissions_json);
  if (!permissions) {
    log_event(LogLevel::kWarn, "robot account permissions are unusable",
              {{"robot", robot.name}, {"error", permissions.error().message}});
    return refuse(AuthFailureKind::kMisconfigured, ErrorCode::kCorrupt,
                  "robot account permissions are unusable; ask an administrator");
  }
  Principal p;
  p.type = PrincipalType::kRobot;
  p.name = robot.name;
  p.robot = RobotFacts{std::move(*permissions), robot.project, robot.expires_at, robot.revoked_at,
                       robot.allowed_networks};
  return p;
}

}  // namespace

AuthTime AuthTime::current() { return {bulwark::unix_seconds(), LoginThrottle::Clock::now()}; }

Authenticator::Authenticator(metadata::IdentityStore& store, LoginThrottle& throttle,
                             AuthenticatorOptions options,
                             std::shared_ptr<IdentityProviders> identity_providers)
    : store_(store),
      throttle_(throttle),
      options_(std::move(options)),
      identity_providers_(std::move(identity_providers)) {}

AuthResult Authenticator::authenticate_basic(std::string_view username, std::string_view password,
                                             std::string_view client_address, const AuthTime& now) {
  // Over-long names cannot exist; their throttle key is cut so the throttle's keys stay small.
  std::string_view key = username.substr(0, options_.max_name_bytes);
  std::chrono::seconds wait = throttle_.check(key, client_address, now.steady);
  if (wait.count() > 0) {
    return refuse(AuthFailureKind::kThrottled, ErrorCode::kUnavailable,
                  "too many failed login attempts; retry in " + std::to_string(wait.count()) + " s",
                  wait);
  }
  AuthResult result = bad_credentials();
  if (username.empty() || username.size() > options_.max_name_bytes ||
      is_federation_name(username)) {
    verify(std::nullopt, password);  // no such account can exist; same work as for any other
  } else if (is_robot_name(username)) {
    result = authenticate_robot(username, password, now);
  } else {
    result = authenticate_user(username, password);
  }
  if (result) {
    throttle_.record_success(key);
  } else if (result.error().kind == AuthFailureKind::kBadCredentials) {
    throttle_.record_failure(key, client_address, now.steady);
  }
  return result;
}

AuthResult Authenticator::authenticate_user(std::string_view name, std::string_view password) {
  auto user = store_.get_user(name);
  if (!user) return store_failed(user.error());
  // Local users are checked here only; other names go to the directory when there is one.
  IdentityProviders* providers = identity_providers();
  if (providers != nullptr && providers->has_directory() &&
      (!*user || (*user)->source == kLdapSource)) {
    return authenticate_directory_user(name, password);
  }
  std::optional<std::string> stored;
  if (*user && !(*user)->password_hash.empty()) stored = (*user)->password_hash;
  if (!verify(stored, password)) return bad_credentials();

  const metadata::User& u = **user;
  AuthResult principal = user_principal(u);
  if (!principal) return principal;
  if (!u.totp_secret.empty()) {
    return refuse(AuthFailureKind::kSecondFactorRequired, ErrorCode::kUnsupported,
                  "account uses two-factor authentication: log in to the management API and "
                  "use a token it issues");
  }
  if (needs_rehash(u.password_hash, options_.password_params)) {
    auto rehashed = hash_password(password, options_.password_params);
    auto stored_ok = rehashed ? store_.set_user_password_hash(u.name, *rehashed)
                              : Result<void>(tl::unexpected(rehashed.error()));
    if (!stored_ok) {
      log_event(LogLevel::kWarn, "password re-hash failed",
                {{"user", u.name}, {"error", stored_ok.error().message}});
    }
  }
  return principal;
}

AuthResult Authenticator::authenticate_directory_user(std::string_view name,
                                                      std::string_view password) {
  auto identity = identity_providers()->directory_login(name, password);
  if (!identity) {
    if (identity.error().code == ErrorCode::kInvalidArgument) {
      verify(std::nullopt, password);  // a failure costs what a wrong local password costs
      return bad_credentials();
    }
    log_event(LogLevel::kWarn, "LDAP directory failed during authentication",
              {{"error", identity.error().message}});
    return refuse(AuthFailureKind::kUnavailable, ErrorCode::kUnavailable,
                  "authentication is temporarily unavailable");
  }
  // The directory's spelling of the name (a login as "ALICE" is the account "alice").
  const std::string& account = identity->username;
  if (account.empty() || account.size() > options_.max_name_bytes || is_robot_name(account) ||
      is_federation_name(account)) {
    return bad_credentials();
  }
  auto existing = store_.get_user(account);
  if (!existing) return store_failed(existing.error());
  if (*existing && (*existing)->source != kLdapSource) {
    // A local (or OpenID) account of that name: the directory may not vouch for it.
    log_event(LogLevel::kWarn, "LDAP login refused: an account of another source has the name",
              {{"user", account}, {"source", (*existing)->source}});
    return bad_credentials();
  }
  metadata::User user;
  user.name = account;
  user.source = std::string(kLdapSource);
  user.email = identity->email;
  user.external_groups = std::move(identity->groups);
  return provision_external(std::move(user), *existing);
}

AuthResult Authenticator::provision_external(metadata::User user,
                                             const std::optional<metadata::User>& existing) {
  user.external_groups = storable_groups(std::move(user.external_groups));
  const bool changed = !existing || existing->email != user.email ||
                       existing->external_groups != user.external_groups;
  if (changed) {
    auto stored = store_.upsert_external_user(user);
    if (!stored && stored.error().code == ErrorCode::kConflict) {
      return refuse(
          AuthFailureKind::kDisabled, ErrorCode::kConflict,
          "an account of another kind already has the name " + quote_untrusted(user.name));
    }
    if (!stored) return store_failed(stored.error());
  }
  // A new account is neither an administrator nor disabled; an existing one keeps both.
  metadata::User current = existing ? *existing : user;
  current.email = user.email;
  current.external_groups = user.external_groups;
  return user_principal(current);
}

AuthResult Authenticator::provision_oidc_user(const OidcIdentity& identity) {
  const std::string& name = identity.username;
  if (name.empty() || name.size() > options_.max_name_bytes || is_robot_name(name) ||
      is_federation_name(name) || name.find_first_of("\r\n") != std::string::npos) {
    return refuse(AuthFailureKind::kBadCredentials, ErrorCode::kInvalidArgument,
                  "the provider's username claim is missing or not usable as an account name");
  }
  // The account is bound to the provider's (issuer, subject): usernames can be renamed or
  // reused at the provider, and two providers may both have an "alice".
  const std::string source = oidc_source(identity.issuer, identity.subject);
  auto existing = store_.get_user(name);
  if (!existing) return store_failed(existing.error());
  if (*existing && (*existing)->source != source) {
    return refuse(AuthFailureKind::kDisabled, ErrorCode::kConflict,
                  "the account " + quote_untrusted(name) +
                      " belongs to another identity (a local, LDAP or other OpenID account)");
  }
  metadata::User user;
  user.name = name;
  user.source = source;
  if (identity.email && identity.email_verified) user.email = *identity.email;
  user.external_groups = identity.groups;
  return provision_external(std::move(user), *existing);
}

AuthResult Authenticator::authenticate_federated(std::string_view id_token, int64_t now,
                                                 FederationMatch* match) {
  IdentityProviders* providers = identity_providers();
  if (providers == nullptr) {
    return refuse(AuthFailureKind::kBadCredentials, ErrorCode::kNotFound,
                  "no federation rules are configured on this registry");
  }
  auto matched = providers->match_federation(id_token, now);
  if (!matched) {
    if (matched.error().code == ErrorCode::kUnavailable) {
      log_event(LogLevel::kWarn, "token exchange: provider unavailable",
                {{"error", matched.error().message}});
      return refuse(AuthFailureKind::kUnavailable, ErrorCode::kUnavailable,
                    matched.error().message);
    }
    return refuse(AuthFailureKind::kBadCredentials, ErrorCode::kInvalidArgument,
                  matched.error().message);
  }
  AuthResult principal = federation_principal(matched->rule, now);
  if (principal && match != nullptr) *match = std::move(*matched);
  return principal;
}

AuthResult Authenticator::authenticate_robot(std::string_view name, std::string_view secret,
                                             const AuthTime& now) {
  auto robot = store_.get_robot(name);
  if (!robot) return store_failed(robot.error());
  std::optional<std::string> stored;
  if (*robot) stored = (*robot)->secret_hash;
  if (!verify(stored, secret)) return bad_credentials();
  return robot_principal(**robot, now.unix_seconds);
}

AuthResult Authenticator::principal_for(std::string_view subject, int64_t now) {
  if (subject.empty()) return Principal::anonymous();
  auto gone = [] {
    return refuse(AuthFailureKind::kBadCredentials, ErrorCode::kNotFound,
                  "account no longer exists");
  };
  if (is_federation_name(subject)) {
    auto rule = federation_rule_of(subject);
    if (!rule) {
      return refuse(AuthFailureKind::kBadCredentials, ErrorCode::kNotFound,
                    "federation rule is no longer configured");
    }
    return federation_principal(*rule, now);
  }
  if (is_robot_name(subject)) {
    auto robot = store_.get_robot(subject);
    if (!robot) return store_failed(robot.error());
    if (!*robot) return gone();
    return robot_principal(**robot, now);
  }
  auto user = store_.get_user(subject);
  if (!user) return store_failed(user.error());
  if (!*user) return gone();
  return user_principal(**user);
}

Result<std::optional<metadata::Role>> Authenticator::effective_role(const Principal& principal,
                                                                    std::string_view project) {
  std::optional<metadata::Role> best;
  if (principal.type != PrincipalType::kUser) return best;
  auto consider = [&](PrincipalKind kind, std::string_view name) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(auto memberships, store_.list_memberships(kind, name));
    for (const metadata::Member& m : memberships) {
      if (m.project == project && (!best || role_outranks(m.role, *best))) best = m.role;
    }
    return ok();
  };
  BULWARK_TRY_VOID(consider(PrincipalKind::kUser, principal.name));
  for (const std::string& group : principal.groups) {
    BULWARK_TRY_VOID(consider(PrincipalKind::kGroup, group));
  }
  return best;
}

bool Authenticator::still_valid(std::string_view subject, int64_t issued_at, int64_t now) {
  if (subject.empty()) return true;
  if (is_federation_name(subject)) {
    // Tokens of a federation live no longer than its rule says now, and die with the rule.
    auto rule = federation_rule_of(subject);
    return rule && now < issued_at + rule->token_lifetime;
  }
  // Any change to the account after the token was issued — a new password or secret, TOTP
  // enrolment, disabling, rotation, revocation, new networks, new directory groups — ends the
  // token (a never-changed row has updated_at == created_at <= iat).
  if (!is_robot_name(subject)) {
    auto user = store_.get_user(subject);
    if (!user || !*user || (*user)->updated_at > issued_at) return false;
    return user_principal(**user).has_value();
  }
  auto robot = store_.get_robot(subject);
  if (!robot || !*robot || (*robot)->updated_at > issued_at) return false;
  return robot_principal(**robot, now).has_value();
}

std::optional<FederationRule> Authenticator::federation_rule_of(std::string_view subject) const {
  IdentityProviders* providers = identity_providers();
  if (providers == nullptr || !is_federation_name(subject)) return std::nullopt;
  return providers->federation_rule(subject.substr(kFederationPrefix.size()));
}

uint64_t Authenticator::hash_verifications() const { return verifications_.load(); }

bool Authenticator::verify(const std::optional<std::string>& stored, std::string_view candidate) {
  ++verifications_;
  if (!stored) {
    (void)verify_password(dummy_hash(), candidate);  // same work as a real check; result unused
    return false;
  }
  return verify_password(*stored, candidate);
}

const std::string& Authenticator::dummy_hash() {
  std::call_once(dummy_once_, [&] {
    auto hash = hash_password(generate_secret(), options_.password_params);
    if (hash) {
      dummy_hash_ = std::move(*hash);
    } else {
      log_event(LogLevel::kError, "cannot make the dummy password hash",
                {{"error", hash.error().message}});
    }
  });
  return dummy_hash_;
}

}  // namespace bulwark::auth
