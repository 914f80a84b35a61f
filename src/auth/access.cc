#include "auth/access.h"

#include <boost/algorithm/string/predicate.hpp>

#include "common/encoding.h"
#include "common/clock.h"
#include "common/digest.h"
#include "common/random.h"
#include "common/strict_json.h"

namespace bulwark::auth {

// A verified identity and the decisions made for it so far.
struct AccessService::Entry {
  uint64_t generation = 0;     // identity generation the entry was filled under
  int64_t expires_at = 0;      // unix seconds; the entry is not trusted from then on
  bool authenticated = false;  // credentials or a token were presented and verified
  bool bearer = false;
  Principal principal;
  std::vector<Scope> token_access;  // bearer: the token's access claim

  // Decisions per repository and client address (allow-lists make the address matter). For a
  // bearer entry the decision is the token's access, minus what an allow-list refuses.
  struct Grant {
    Decision decision;
    bool explain = false;  // the principal may be told refusal reasons for this repository
  };
  mutable std::mutex mu;
  std::unordered_map<std::string, Grant> grants;  // by grant_key(); guarded by mu
};

namespace {

constexpr std::string_view kGenericDenial = "requested access to the resource is denied";

// Actions a token's access claim grants on `repository`.
ActionSet token_grants(const std::vector<Scope>& access, std::string_view repository) {
  ActionSet granted;
  for (const Scope& s : access) {
    if (s.type != "repository" || s.name != repository) continue;
    for (const std::string& a : s.actions) {
      if (auto action = parse_action(a)) granted |= *action;
    }
  }
  return granted;
}

// The key of a cached decision: repository and client address.
std::string grant_key(const AccessRequest& request) {
  std::string key = request.need.repository;
  key += '\0';
  key += request.client_address;
  return key;
}

bool token_grants_catalog(const std::vector<Scope>& access) {
  for (const Scope& s : access) {
    if (s.type == "registry" && s.name == "catalog" &&
        std::find(s.actions.begin(), s.actions.end(), "*") != s.actions.end()) {
      return true;
    }
  }
  return false;
}

AccessOutcome refusal(Verdict verdict, std::string message, std::string reason = {}) {
  AccessOutcome out;
  out.verdict = verdict;
  out.message = std::move(message);
  out.reason = reason.empty() ? out.message : std::move(reason);
  return out;
}

// The outcome of a failed authenticate_basic / principal_for.
AccessOutcome from_auth_failure(const AuthFailure& failure, std::string_view realm,
                                std::string_view service, std::string_view username) {
  static constexpr struct {
    AuthFailureKind kind;
    Verdict verdict;
  } kMapping[] = {
      {AuthFailureKind::kThrottled, Verdict::kThrottled},
      {AuthFailureKind::kBadCredentials, Verdict::kUnauthenticated},
      {AuthFailureKind::kDisabled, Verdict::kUnauthenticated},
      {AuthFailureKind::kSecondFactorRequired, Verdict::kUnauthenticated},
      {AuthFailureKind::kRobotRevoked, Verdict::kUnauthenticated},
      {AuthFailureKind::kRobotExpired, Verdict::kUnauthenticated},
      {AuthFailureKind::kMisconfigured, Verdict::kUnavailable},
      {AuthFailureKind::kUnavailable, Verdict::kUnavailable},
  };
  Verdict verdict = Verdict::kUnavailable;
  for (const auto& m : kMapping) {
    if (m.kind == failure.kind) verdict = m.verdict;
  }
  AccessOutcome out = refusal(verdict, failure.error.message);
  out.subject = std::string(username);
  out.retry_after = failure.retry_after;
  out.login_failed = verdict != Verdict::kUnavailable;
  if (verdict == Verdict::kUnauthenticated) out.challenge = bearer_challenge(realm, service);
  return out;
}

}  // namespace

// ---- credentials and needs

Credentials parse_authorization(std::optional<std::string_view> header) {
  Credentials c;
  if (!header) return c;
  std::string_view value = *header;
  c.kind = Credentials::Kind::kMalformed;
  auto space = value.find(' ');
  if (space == std::string_view::npos) return c;
  std::string_view scheme = value.substr(0, space);
  std::string_view rest = value.substr(space + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  if (rest.empty()) return c;
  if (boost::iequals(scheme, "Bearer")) {
    c.kind = Credentials::Kind::kBearer;
    c.secret = std::string(rest);
  } else if (boost::iequals(scheme, "Basic")) {
    auto decoded = base64_decode(rest);
    if (!decoded) return c;
    auto colon = decoded->find(':');
    if (colon == std::string::npos) return c;
    c.kind = Credentials::Kind::kBasic;
    c.username = decoded->substr(0, colon);
    c.secret = decoded->substr(colon + 1);
  }
  return c;
}

std::optional<Scope> Need::scope() const {
  switch (kind) {
    case Kind::kAuthenticated:
      return std::nullopt;
    case Kind::kCatalog:
      return Scope{"registry", "", "catalog", {"*"}};
    case Kind::kRepository: {
      Scope s{"repository", "", repository, {}};
      for (Action a : actions.actions()) s.actions.emplace_back(action_name(a));
      return s;
    }
  }
  return std::nullopt;
}

// ---- the service

AccessService::AccessService(metadata::IdentityStore& store, Authenticator& authenticator,
                             TokenService& tokens, AccessOptions options)
    : store_(store),
      authenticator_(authenticator),
      tokens_(tokens),
      options_(std::move(options)),
      salt_(random_hex(32)) {}

AccessService::~AccessService() = default;

std::string AccessService::cache_key(const Credentials& credentials) const {
  switch (credentials.kind) {
    case Credentials::Kind::kBasic: {
      Hasher h;
      h.update(std::string_view(salt_));
      h.update(std::string_view(credentials.username));
      h.update(std::string_view("\0", 1));
      h.update(std::string_view(credentials.secret));
      return "b:" + h.finish().str();
    }
    case Credentials::Kind::kBearer:
      return "t:" + credentials.secret;
    case Credentials::Kind::kNone:
    case Credentials::Kind::kMalformed:
      break;
  }
  return "a:";
}

AccessService::Shard& AccessService::shard_for(const std::string& key) const {
  return shards_[std::hash<std::string>{}(key) % kShards];
}

std::shared_ptr<AccessService::Entry> AccessService::lookup(const std::string& key,
                                                            int64_t now) const {
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(key);
  if (it == shard.entries.end()) return nullptr;
  if (it->second->generation != store_.identity_generation() || now >= it->second->expires_at) {
    shard.entries.erase(it);
    return nullptr;
  }
  return it->second;
}

void AccessService::remember(const std::string& key, std::shared_ptr<Entry> entry) {
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mu);
  // Bounded memory: a full shard starts over (entries are cheap to rebuild).
  if (shard.entries.size() >= std::max<size_t>(options_.cache_entries / kShards, 1)) {
    shard.entries.clear();
  }
  shard.entries[key] = std::move(entry);
}

void AccessService::clear_cache() {
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    shard.entries.clear();
  }
}

AccessOutcome AccessService::judge(const AccessRequest& request, const Entry& entry,
                                   std::optional<ActionSet> granted, const std::string& why,
                                   bool explain) const {
  const Need& need = request.need;
  AccessOutcome out;
  out.subject = entry.principal.name;
  bool ok = false;
  switch (need.kind) {
    case Need::Kind::kAuthenticated:
      ok = entry.authenticated;
      break;
    case Need::Kind::kCatalog:
      ok = entry.bearer ? token_grants_catalog(entry.token_access) : entry.principal.is_admin;
      break;
    case Need::Kind::kRepository:
      ok = granted && (*granted & need.actions) == need.actions;
      break;
  }
  if (ok) {
    out.verdict = Verdict::kAllowed;
    out.reason = "granted";
    return out;
  }
  std::optional<Scope> scope = need.scope();
  std::vector<Scope> scopes;
  if (scope) scopes.push_back(*scope);
  const std::string missing = scope ? to_string(*scope) : "authentication";
  out.reason = why.empty() ? "not permitted: " + missing : why;
  if (!entry.authenticated) {
    out.verdict = Verdict::kUnauthenticated;
    out.message = "authentication required";
    out.challenge = bearer_challenge(request.realm, options_.service, scopes);
  } else if (entry.bearer) {
    out.verdict = Verdict::kUnauthenticated;
    out.message = "token does not grant " + missing;
    out.challenge = bearer_challenge(request.realm, options_.service, scopes, "insufficient_scope");
  } else {
    out.verdict = Verdict::kDenied;
    out.message = explain && !why.empty() ? why : std::string(kGenericDenial);
  }
  return out;
}

std::optional<AccessOutcome> AccessService::judge_cached_grant(const AccessRequest& request,
                                                               const Entry& entry) const {
  const Need& need = request.need;
  std::lock_guard lock(entry.mu);
  auto it = entry.grants.find(grant_key(request));
  if (it == entry.grants.end()) return std::nullopt;
  const Entry::Grant& grant = it->second;
  std::string why;
  for (Action a : (need.actions - grant.decision.granted).actions()) {
    if (const std::string* r = grant.decision.reason(a)) {
      why = *r;
      break;
    }
  }
  return judge(request, entry, grant.decision.granted, why, grant.explain);
}

std::optional<AccessOutcome> AccessService::check_cached(const AccessRequest& request,
                                                         int64_t now) const {
  if (request.credentials.kind == Credentials::Kind::kMalformed) return std::nullopt;
  auto entry = lookup(cache_key(request.credentials), now);
  if (!entry) return std::nullopt;
  if (request.need.kind != Need::Kind::kRepository) return judge(request, *entry, {}, {}, false);
  return judge_cached_grant(request, *entry);
}

tl::expected<std::shared_ptr<AccessService::Entry>, AccessOutcome> AccessService::identify(
    const AccessRequest& request, const AuthTime& now, bool* verified_now) {
  const Credentials& creds = request.credentials;
  if (creds.kind == Credentials::Kind::kMalformed) {
    AccessOutcome out = refusal(Verdict::kUnauthenticated, "malformed Authorization header");
    out.challenge = bearer_challenge(request.realm, options_.service);
    return tl::unexpected(std::move(out));
  }
  const std::string key = cache_key(creds);
  if (auto cached = lookup(key, now.unix_seconds)) return cached;

  auto entry = std::make_shared<Entry>();
  entry->generation = store_.identity_generation();  // before reading: a change meanwhile shows
  entry->expires_at = now.unix_seconds + options_.cache_seconds;
  switch (creds.kind) {
    case Credentials::Kind::kNone:
      entry->principal = Principal::anonymous();
      break;
    case Credentials::Kind::kBasic: {
      AuthResult principal = authenticator_.authenticate_basic(creds.username, creds.secret,
                                                               request.client_address, now);
      if (!principal) {
        return tl::unexpected(
            from_auth_failure(principal.error(), request.realm, options_.service, creds.username));
      }
      entry->principal = std::move(*principal);
      entry->authenticated = true;
      break;
    }
    case Credentials::Kind::kBearer: {
      auto claims = tokens_.verify(creds.secret, now.unix_seconds);
      if (!claims) {
        AccessOutcome out =
            refusal(Verdict::kUnauthenticated, "invalid token: " + claims.error().message);
        out.challenge = bearer_challenge(request.realm, options_.service, {}, "invalid_token");
        return tl::unexpected(std::move(out));
      }
      AuthResult principal = authenticator_.principal_for(claims->subject, now.unix_seconds);
      if (!principal) {
        AccessOutcome out =
            from_auth_failure(principal.error(), request.realm, options_.service, claims->subject);
        out.login_failed = false;
        return tl::unexpected(std::move(out));
      }
      entry->principal = std::move(*principal);
      entry->authenticated = true;
      entry->bearer = true;
      entry->token_access = std::move(claims->access);
      entry->expires_at = std::min(entry->expires_at, claims->expires_at);
      break;
    }
    case Credentials::Kind::kMalformed:
      break;
  }
  if (entry->principal.robot) {
    entry->expires_at = std::min(entry->expires_at, entry->principal.robot->expires_at);
  }
  remember(key, entry);
  *verified_now = true;
  return entry;
}

struct AccessService::Facts {
  std::optional<metadata::Project> project;
  std::optional<metadata::Role> role;

  AccessContext context(std::string_view repository, int64_t now,
                        std::string_view client_address) const {
    return AccessContext{repository, project ? &*project : nullptr, role, now, client_address};
  }
  // Refusal reasons may be shown to principals with a standing in the project; to others they
  // could reveal that a private project exists.
  bool may_explain(const Principal& principal) const {
    return principal.is_admin || principal.robot.has_value() || role.has_value() ||
           (project && project->visibility == metadata::Visibility::kPublic);
  }
};

Result<AccessService::Facts> AccessService::facts(const Principal& principal,
                                                  std::string_view repository,
                                                  bool create_for_push) {
  Facts out;
  std::string project_name(project_of(repository));
  BULWARK_ASSIGN_OR_RETURN(out.project, store_.get_project(project_name));
  if (!out.project && create_for_push && principal.is_admin) {
    // A system administrator's first push creates the project: private, development.
    metadata::Project created{
        project_name, metadata::Visibility::kPrivate, metadata::Environment::kDevelopment, 0, {}};
    auto made = store_.create_project(created);
    if (!made && made.error().code != ErrorCode::kAlreadyExists)
      return fail(std::move(made.error()));
    BULWARK_ASSIGN_OR_RETURN(out.project, store_.get_project(project_name));
  }
  BULWARK_ASSIGN_OR_RETURN(out.role, authenticator_.effective_role(principal, project_name));
  return out;
}

AccessOutcome AccessService::check(const AccessRequest& request, const AuthTime& now) {
  bool fresh = false;
  auto entry = identify(request, now, &fresh);
  if (!entry) return std::move(entry.error());
  AccessOutcome out = decide_for(request, **entry, now);
  // A password check that was not answered from the cache is a login worth recording.
  out.logged_in = fresh && request.credentials.kind == Credentials::Kind::kBasic;
  return out;
}

AccessOutcome AccessService::decide_for(const AccessRequest& request, Entry& e,
                                        const AuthTime& now) {
  const Need& need = request.need;
  if (need.kind != Need::Kind::kRepository) return judge(request, e, {}, {}, false);
  // A cached refusal of a push is re-decided: the project may need creating.
  if (auto cached = judge_cached_grant(request, e); cached && cached->allowed()) return *cached;
  auto known = facts(e.principal, need.repository,
                     !e.bearer && need.actions.contains(Action::kPush));
  if (!known) {
    AccessOutcome out = refusal(Verdict::kUnavailable, "authorization unavailable",
                                "authorization failed: " + known.error().message);
    out.subject = e.principal.name;
    return out;
  }
  const AccessContext context =
      known->context(need.repository, now.unix_seconds, request.client_address);
  Decision decision;
  if (e.bearer) {
    // The token endpoint decided; allow-lists are enforced where the token is used, too.
    decision.granted = token_grants(e.token_access, need.repository);
    if (auto refused = network_refusal(e.principal, context)) {
      for (Action a : decision.granted.actions()) decision.refused.push_back({a, *refused});
      decision.granted = {};
    }
  } else {
    decision = authorize(e.principal, context, kEveryAction);
  }
  {
    std::lock_guard lock(e.mu);
    e.grants[grant_key(request)] = Entry::Grant{std::move(decision), known->may_explain(e.principal)};
  }
  return *judge_cached_grant(request, e);
}

bool AccessService::principal_may(const AccessRequest& request, const AuthTime& now) {
  const Need& need = request.need;
  if (need.kind != Need::Kind::kRepository) return false;
  bool fresh = false;
  auto entry = identify(request, now, &fresh);
  if (!entry) return false;
  auto known = facts((*entry)->principal, need.repository, /*create_for_push=*/false);
  if (!known) return false;
  const AccessContext context =
      known->context(need.repository, now.unix_seconds, request.client_address);
  const Decision decision = authorize((*entry)->principal, context, need.actions);
  for (Action action : need.actions.actions()) {
    if (!decision.granted.contains(action)) return false;
  }
  return true;
}

tl::expected<TokenGrant, AccessOutcome> AccessService::grant_token(const TokenRequest& request,
                                                                   const AuthTime& now) {
  if (!request.service.empty() && request.service != options_.service) {
    return tl::unexpected(refusal(Verdict::kDenied, "unknown service \"" + request.service + "\""));
  }
  // Who is asking.
  Principal principal;
  std::optional<int64_t> lifetime;  // the token's; nullopt: the service's
  std::string exchange;
  const Credentials& creds = request.credentials;
  if (request.subject_token) {
    FederationMatch match;
    AuthResult p =
        authenticator_.authenticate_federated(*request.subject_token, now.unix_seconds, &match);
    if (!p) {
      AccessOutcome out = from_auth_failure(p.error(), "", options_.service, "");
      out.login_failed = false;
      return tl::unexpected(std::move(out));
    }
    principal = std::move(*p);
    lifetime = std::min(match.rule.token_lifetime, kMaxFederationTokenLifetime);
    exchange = "federation rule " + quote_untrusted(match.rule.name) + ", issuer " +
               quote_untrusted(match.claims.issuer) + ", subject " +
               quote_untrusted(match.claims.subject);
  } else if (request.refresh) {
    auto grant = tokens_.redeem_refresh(*request.refresh, now.unix_seconds);
    if (!grant) {
      Verdict verdict = grant.error().code == ErrorCode::kUnavailable ? Verdict::kUnavailable
                                                                       : Verdict::kDenied;
      return tl::unexpected(refusal(verdict, grant.error().message));
    }
    AuthResult p = authenticator_.principal_for(grant->subject, now.unix_seconds);
    if (!p)
      return tl::unexpected(from_auth_failure(p.error(), "", options_.service, grant->subject));
    principal = std::move(*p);
  } else if (creds.kind == Credentials::Kind::kBasic) {
    AuthResult p = authenticator_.authenticate_basic(creds.username, creds.secret,
                                                     request.client_address, now);
    if (!p)
      return tl::unexpected(from_auth_failure(p.error(), "", options_.service, creds.username));
    principal = std::move(*p);
  } else if (creds.kind != Credentials::Kind::kNone) {
    return tl::unexpected(
        refusal(Verdict::kUnauthenticated, "the token endpoint takes Basic credentials"));
  }

  // What they may have.
  std::vector<std::string_view> params(request.scopes.begin(), request.scopes.end());
  ParsedScopes parsed = parse_scope_params(params);
  TokenGrant out;
  out.subject = principal.name;
  out.exchange = std::move(exchange);
  for (const Error& e : parsed.invalid) out.refused.push_back("invalid scope: " + e.message);
  for (const Scope& requested : parsed.scopes) {
    Facts known;
    if (requested.type == "repository") {
      bool push = std::find(requested.actions.begin(), requested.actions.end(), "push") !=
                  requested.actions.end();
      auto f = facts(principal, requested.name, push);
      if (!f) return tl::unexpected(refusal(Verdict::kUnavailable, "authorization unavailable"));
      known = std::move(*f);
    }
    AccessContext context =
        known.context(requested.name, now.unix_seconds, request.client_address);
    ScopeDecision decision = authorize_scope(principal, requested, context);
    for (const ScopeRefusal& r : decision.refused) {
      out.refused.push_back(
          to_string(Scope{requested.type, requested.resource_class, requested.name, {r.action}}) +
          ": " + r.reason);
    }
    out.granted.push_back(std::move(decision.granted));
  }
  auto token = tokens_.issue(principal, out.granted, now.unix_seconds, lifetime);
  if (!token) return tl::unexpected(refusal(Verdict::kUnavailable, "cannot issue a token"));
  out.token = std::move(*token);
  if (request.offline && principal.type != PrincipalType::kAnonymous && !request.refresh &&
      !request.subject_token) {
    auto refresh = tokens_.issue_refresh(principal, now.unix_seconds);
    if (refresh) out.refresh_token = std::move(*refresh);
  }
  return out;
}

// ---- people's OpenID login

namespace {

// An IdentityProviders failure as an outcome: unreachable providers are kUnavailable, unknown
// providers kDenied, everything else a refused login.
AccessOutcome from_provider_error(const Error& error) {
  static constexpr struct {
    ErrorCode code;
    Verdict verdict;
  } kMapping[] = {
      {ErrorCode::kUnavailable, Verdict::kUnavailable},
      {ErrorCode::kNotFound, Verdict::kDenied},
      {ErrorCode::kUnsupported, Verdict::kDenied},
  };
  Verdict verdict = Verdict::kUnauthenticated;
  for (const auto& m : kMapping) {
    if (m.code == error.code) verdict = m.verdict;
  }
  AccessOutcome out = refusal(verdict, error.message);
  out.login_failed = verdict == Verdict::kUnauthenticated;
  return out;
}

}  // namespace

tl::expected<std::string, AccessOutcome> AccessService::begin_oidc_login(
    std::string_view provider, std::span<const std::pair<std::string, std::string>> extra_params,
    const AuthTime& now) {
  IdentityProviders* providers = authenticator_.identity_providers();
  if (providers == nullptr) {
    return tl::unexpected(refusal(Verdict::kDenied, "no OpenID login provider is configured"));
  }
  auto url = providers->begin_login(provider, extra_params, now.unix_seconds);
  if (!url) return tl::unexpected(from_provider_error(url.error()));
  return std::move(*url);
}

tl::expected<OidcLoginGrant, AccessOutcome> AccessService::finish_oidc_login(
    std::string_view provider, std::string_view code, std::string_view state,
    const AuthTime& now) {
  IdentityProviders* providers = authenticator_.identity_providers();
  if (providers == nullptr) {
    return tl::unexpected(refusal(Verdict::kDenied, "no OpenID login provider is configured"));
  }
  auto identity = providers->finish_login(provider, code, state, now.unix_seconds);
  if (!identity) return tl::unexpected(from_provider_error(identity.error()));
  AuthResult principal = authenticator_.provision_oidc_user(*identity);
  if (!principal) {
    return tl::unexpected(
        from_auth_failure(principal.error(), "", options_.service, identity->username));
  }
  // Issued as of now, not as of the request's start: the provider round trip and provisioning
  // may have crossed a second boundary, and a token older than the account row it was just
  // provisioned into would already count as revoked (Authenticator::still_valid).
  const int64_t issued_at = std::max(now.unix_seconds, unix_seconds());
  auto refresh = tokens_.issue_refresh(*principal, issued_at);
  if (!refresh) return tl::unexpected(refusal(Verdict::kUnavailable, "cannot issue a token"));
  return OidcLoginGrant{std::move(*principal), std::move(*refresh)};
}

}  // namespace bulwark::auth
