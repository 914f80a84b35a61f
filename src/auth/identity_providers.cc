#include "auth/identity_providers.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "auth/jwt.h"
#include "common/log.h"
#include "common/strict_json.h"

namespace bulwark::auth {

// ---- PendingLogins

PendingLogins::PendingLogins(size_t capacity, int64_t ttl_seconds)
    : capacity_(std::max<size_t>(capacity, 1)), ttl_seconds_(ttl_seconds) {}

void PendingLogins::erase(std::map<std::string, Entry, std::less<>>::iterator it) {
  by_expiry_.erase(it->second.by_expiry);
  by_state_.erase(it);
}

void PendingLogins::put(std::string_view provider, PendingLogin pending, int64_t now) {
  std::lock_guard lock(mu_);
  while (!by_expiry_.empty() &&
         (by_expiry_.begin()->first <= now || by_state_.size() >= capacity_)) {
    erase(by_state_.find(by_expiry_.begin()->second));
  }
  if (auto old = by_state_.find(pending.state); old != by_state_.end()) erase(old);
  std::string state = pending.state;
  auto index = by_expiry_.emplace(now + ttl_seconds_, state);
  by_state_.emplace(std::move(state), Entry{std::string(provider), std::move(pending), index});
}

std::optional<PendingLogin> PendingLogins::take(std::string_view provider, std::string_view state,
                                                int64_t now) {
  std::lock_guard lock(mu_);
  auto it = by_state_.find(state);
  if (it == by_state_.end()) return std::nullopt;
  const bool usable = it->second.provider == provider && now < it->second.by_expiry->first;
  std::optional<PendingLogin> out;
  if (usable) out = std::move(it->second.pending);
  erase(it);
  return out;
}

size_t PendingLogins::size() const {
  std::lock_guard lock(mu_);
  return by_state_.size();
}

namespace {

// ---- the configured implementation

// One OpenID provider: its configuration and, once discovered, the provider.
class ProviderSlot {
 public:
  ProviderSlot(std::string name, std::string issuer, OidcOptions options, std::string redirect_uri)
      : name_(std::move(name)),
        issuer_(std::move(issuer)),
        options_(std::move(options)),
        redirect_uri_(std::move(redirect_uri)) {}

  const std::string& name() const { return name_; }
  const std::string& issuer() const { return issuer_; }
  const std::string& redirect_uri() const { return redirect_uri_; }
  bool offers_login() const { return !redirect_uri_.empty(); }

  // The discovered provider; discovers it on first use (serialised), then again after a failure
  // at most every kDiscoveryRetrySeconds.
  Result<std::shared_ptr<const OidcProvider>> get() const {
    std::lock_guard lock(mu_);
    if (provider_) return provider_;
    const auto now = std::chrono::steady_clock::now();
    if (!failed_at_ || now - *failed_at_ >= std::chrono::seconds(kDiscoveryRetrySeconds)) {
      auto discovered = OidcProvider::discover(issuer_, options_);
      if (discovered) {
        provider_ = std::move(*discovered);
        failed_at_.reset();
        return provider_;
      }
      failed_at_ = now;
      last_error_ = discovered.error().message;
      log_event(LogLevel::kWarn, "OpenID provider discovery failed",
                {{"provider", name_}, {"error", last_error_}});
    }
    return fail(ErrorCode::kUnavailable,
                "OpenID provider " + name_ + " is unavailable: " + last_error_);
  }

 private:
  const std::string name_;
  const std::string issuer_;
  const OidcOptions options_;  // holds the client secret: never logged
  const std::string redirect_uri_;

  mutable std::mutex mu_;  // guards the members below; held while discovering
  mutable std::shared_ptr<const OidcProvider> provider_;
  mutable std::optional<std::chrono::steady_clock::time_point> failed_at_;
  mutable std::string last_error_;
};

class ConfiguredProviders final : public IdentityProviders {
 public:
  ConfiguredProviders(std::optional<LdapOptions> ldap,
                      std::vector<std::unique_ptr<ProviderSlot>> slots,
                      std::vector<FederationRule> rules)
      : slots_(std::move(slots)), rules_(std::move(rules)) {
    if (ldap) ldap_.emplace(std::move(*ldap));
  }

  bool has_directory() const override { return ldap_.has_value(); }

  Result<LdapIdentity> directory_login(std::string_view username,
                                       std::string_view password) const override {
    if (!ldap_) return fail(ErrorCode::kUnavailable, "no LDAP directory is configured");
    return ldap_->authenticate(username, password);
  }

  std::optional<FederationRule> federation_rule(std::string_view name) const override {
    for (const FederationRule& r : rules_) {
      if (r.name == name) return r;
    }
    return std::nullopt;
  }

  Result<FederationMatch> match_federation(std::string_view id_token, int64_t now) const override {
    // Only the token's own issuer is discovered (when some rule names it); match_federation_rule
    // verifies the token with it before trusting anything the token says.
    OidcProviders providers;
    if (auto issuer = unverified_issuer(id_token)) {
      if (const ProviderSlot* slot = slot_for_issuer(*issuer)) {
        BULWARK_ASSIGN_OR_RETURN(auto provider, slot->get());
        providers.emplace(provider->metadata().issuer, std::move(provider));
      }
    }
    return match_federation_rule(id_token, rules_, providers, now);
  }

  Result<std::string> begin_login(std::string_view provider,
                                  std::span<const std::pair<std::string, std::string>> extra_params,
                                  int64_t now) override {
    BULWARK_ASSIGN_OR_RETURN(const ProviderSlot* slot, login_slot(provider));
    BULWARK_ASSIGN_OR_RETURN(auto op, slot->get());
    BULWARK_ASSIGN_OR_RETURN(LoginStart start, op->begin_login(slot->redirect_uri(), extra_params));
    pending_.put(slot->name(), std::move(start.pending), now);
    return std::move(start.authorization_url);
  }

  Result<OidcIdentity> finish_login(std::string_view provider, std::string_view code,
                                    std::string_view state, int64_t now) override {
    BULWARK_ASSIGN_OR_RETURN(const ProviderSlot* slot, login_slot(provider));
    std::optional<PendingLogin> pending = pending_.take(slot->name(), state, now);
    if (!pending) {
      return fail(ErrorCode::kInvalidArgument,
                  "unknown, used or expired login state: start the login again");
    }
    BULWARK_ASSIGN_OR_RETURN(auto op, slot->get());
    return op->finish_login(code, state, *pending, slot->redirect_uri(), now);
  }

 private:
  static std::optional<std::string> unverified_issuer(std::string_view token) {
    auto jws = split_compact_jws(token, kMaxForeignTokenBytes);
    if (!jws) return std::nullopt;
    auto payload = decode_jws_payload(jws->payload_part);
    if (!payload) return std::nullopt;
    const boost::json::value* iss = payload->if_contains("iss");
    if (iss == nullptr || !iss->is_string()) return std::nullopt;
    return std::string(iss->get_string());
  }

  const ProviderSlot* slot_for_issuer(std::string_view issuer) const {
    for (const auto& slot : slots_) {
      if (slot->issuer() == issuer) return slot.get();
    }
    return nullptr;
  }

  Result<const ProviderSlot*> login_slot(std::string_view name) const {
    for (const auto& slot : slots_) {
      if (slot->name() == name && slot->offers_login()) return slot.get();
    }
    return fail(ErrorCode::kNotFound, "no OpenID login provider is named " + quote_untrusted(name));
  }

  std::optional<LdapDirectory> ldap_;
  const std::vector<std::unique_ptr<ProviderSlot>> slots_;
  const std::vector<FederationRule> rules_;
  PendingLogins pending_;
};

Result<void> config_error(const std::string& key, const std::string& message) {
  return fail(ErrorCode::kInvalidArgument, "config: " + key + ": " + message);
}

LdapOptions ldap_options(const LdapConfig& c) {
  LdapOptions o;
  o.url = c.url;
  o.start_tls = c.start_tls;
  o.ca_file = c.ca_file;
  o.bind_dn = c.bind_dn;
  o.bind_password = c.bind_password;
  o.user_base = c.user_base;
  o.group_base = c.group_base;
  if (c.user_filter) o.user_filter = *c.user_filter;
  if (c.username_attribute) o.username_attribute = *c.username_attribute;
  if (c.group_filter) o.group_filter = *c.group_filter;
  if (c.group_name_attribute) o.group_name_attribute = *c.group_name_attribute;
  if (c.email_attribute) o.email_attribute = *c.email_attribute;
  if (c.timeout_seconds)
    o.timeout_seconds = static_cast<int>(std::min<int64_t>(*c.timeout_seconds, 1000));
  return o;
}

// Provider names appear in URL paths (/auth/oidc/<name>/login).
bool valid_provider_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

bool url_scheme_ok(std::string_view url, bool allow_http) {
  return url.starts_with("https://") || (allow_http && url.starts_with("http://"));
}

Result<std::unique_ptr<ProviderSlot>> provider_slot(const OidcProviderConfig& c, size_t index) {
  const std::string key = "oidc.providers[" + std::to_string(index) + "]";
  if (!valid_provider_name(c.name)) {
    BULWARK_TRY_VOID(config_error(key + ".name", "use 1 to 64 letters, digits, '-', '_' or '.'"));
  }
  if (!url_scheme_ok(c.issuer, c.allow_http)) {
    BULWARK_TRY_VOID(config_error(
        key + ".issuer", c.allow_http ? "must be an http(s) URL"
                                      : "must be an https URL (allow_http: true for http)"));
  }
  if (!c.redirect_uri.empty() && !url_scheme_ok(c.redirect_uri, true)) {
    BULWARK_TRY_VOID(config_error(key + ".redirect_uri", "must be an http(s) URL"));
  }
  OidcOptions o;
  o.client_id = c.client_id;
  o.client_secret = c.client_secret;
  if (!c.scopes.empty()) o.scopes = c.scopes;
  o.username_claim = c.username_claim;
  if (c.groups_claim) o.groups_claim = *c.groups_claim;
  o.allow_http = c.allow_http;
  o.ca_file = c.ca_file;
  return std::make_unique<ProviderSlot>(c.name, c.issuer, std::move(o), c.redirect_uri);
}

}  // namespace

Result<std::shared_ptr<IdentityProviders>> make_identity_providers(const Config& config) {
  if (!config.ldap && config.oidc_providers.empty() && config.oidc_federation.empty()) {
    return std::shared_ptr<IdentityProviders>();
  }
  std::optional<LdapOptions> ldap;
  if (config.ldap) {
    ldap = ldap_options(*config.ldap);
    if (auto valid = validate_ldap_options(*ldap); !valid) {
      BULWARK_TRY_VOID(config_error("ldap", valid.error().message));
    }
  }
  std::vector<std::unique_ptr<ProviderSlot>> slots;
  for (size_t i = 0; i < config.oidc_providers.size(); ++i) {
    BULWARK_ASSIGN_OR_RETURN(auto slot, provider_slot(config.oidc_providers[i], i));
    slots.push_back(std::move(slot));
  }
  std::vector<FederationRule> rules;
  for (size_t i = 0; i < config.oidc_federation.size(); ++i) {
    const FederationRuleConfig& c = config.oidc_federation[i];
    const std::string key = "oidc.federation[" + std::to_string(i) + "]";
    FederationRule rule{c.name,   c.issuer,           c.audience,
                        c.claims, c.permissions_json, c.token_lifetime_seconds};
    if (auto valid = validate_federation_rule(rule); !valid) {
      BULWARK_TRY_VOID(config_error(key, valid.error().message));
    }
    // People's ID tokens carry the login client's id as audience: a rule for that audience
    // would let a person's login be traded for the rule's permissions.
    for (const OidcProviderConfig& p : config.oidc_providers) {
      if (!p.client_id.empty() && p.issuer == c.issuer && p.client_id == c.audience) {
        BULWARK_TRY_VOID(config_error(
            key + ".audience",
            "is the client_id of login provider " + quote_untrusted(p.name) +
                ", so people's ID tokens would match; use the audience CI tokens are issued for"));
      }
    }
    const bool known_issuer = std::any_of(slots.begin(), slots.end(),
                                          [&](const auto& s) { return s->issuer() == c.issuer; });
    if (!known_issuer) {
      // An issuer without a provider entry is discovered with the defaults: https, system CAs.
      if (!url_scheme_ok(c.issuer, false)) {
        BULWARK_TRY_VOID(
            config_error(key + ".issuer",
                         "must be an https URL, or the issuer of an oidc.providers entry "
                         "(which may set allow_http and ca_file)"));
      }
      slots.push_back(std::make_unique<ProviderSlot>(c.issuer, c.issuer, OidcOptions{}, ""));
    }
    rules.push_back(std::move(rule));
  }
  return std::shared_ptr<IdentityProviders>(
      std::make_shared<ConfiguredProviders>(std::move(ldap), std::move(slots), std::move(rules)));
}

}  // namespace bulwark::auth
