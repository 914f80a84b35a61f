#include "common/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <span>
#include <sstream>

extern char** environ;

namespace bulwark {
namespace {

using Setter = std::function<Result<void>(Config&, const std::string&)>;

template <class T>
Result<T> parse_number(const std::string& text, const std::string& key) {
  T value{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return fail(ErrorCode::kInvalidArgument, key + ": expected a number, got \"" + text + "\"");
  }
  return value;
}

Setter string_field(std::string Config::*field) {
  return [field](Config& c, const std::string& v) -> Result<void> {
    c.*field = v;
    return ok();
  };
}

template <class T>
Setter number_field(T Config::*field, const char* key) {
  return [field, key](Config& c, const std::string& v) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(c.*field, parse_number<T>(v, key));
    return ok();
  };
}

Setter duration_field(int64_t Config::*field, const char* key) {
  return [field, key](Config& c, const std::string& v) -> Result<void> {
    auto d = parse_duration_seconds(v);
    if (!d) return fail(ErrorCode::kInvalidArgument, std::string(key) + ": " + d.error().message);
    c.*field = *d;
    return ok();
  };
}

Setter trust_field(std::string TrustConfig::*field) {
  return [field](Config& c, const std::string& v) -> Result<void> {
    c.trust.*field = v;
    return ok();
  };
}

struct Key {
  const char* yaml_path;  // dotted path in the YAML file
  const char* env;        // environment variable
  Setter set;
};

const std::vector<Key>& keys() {
  static const std::vector<Key> table = {
      {"listen", "BULWARK_LISTEN", string_field(&Config::listen)},
      {"data", "BULWARK_DATA", string_field(&Config::data_dir)},
      {"tls.cert", "BULWARK_TLS_CERT", string_field(&Config::tls_cert)},
      {"tls.key", "BULWARK_TLS_KEY", string_field(&Config::tls_key)},
      {"log.level", "BULWARK_LOG_LEVEL", string_field(&Config::log_level)},
      {"http.io_threads", "BULWARK_IO_THREADS", number_field(&Config::io_threads, "http.io_threads")},
      {"http.worker_threads", "BULWARK_WORKER_THREADS",
       number_field(&Config::worker_threads, "http.worker_threads")},
      {"http.idle_timeout", "BULWARK_IDLE_TIMEOUT",
       duration_field(&Config::idle_timeout_seconds, "http.idle_timeout")},
      {"http.request_timeout", "BULWARK_REQUEST_TIMEOUT",
       duration_field(&Config::request_timeout_seconds, "http.request_timeout")},
      {"http.shutdown_grace", "BULWARK_SHUTDOWN_GRACE",
       duration_field(&Config::shutdown_grace_seconds, "http.shutdown_grace")},
      {"http.header_max_bytes", "BULWARK_HEADER_MAX_BYTES",
       number_field(&Config::header_max_bytes, "http.header_max_bytes")},
      {"uploads.expiry", "BULWARK_UPLOAD_EXPIRY",
       duration_field(&Config::upload_expiry_seconds, "uploads.expiry")},
      {"manifests.max_bytes", "BULWARK_MANIFEST_MAX_BYTES",
       number_field(&Config::manifest_max_bytes, "manifests.max_bytes")},
      {"port_file", "BULWARK_PORT_FILE", string_field(&Config::port_file)},
      {"scan.workers", "BULWARK_SCAN_WORKERS",
       number_field(&Config::scan_workers, "scan.workers")},
      {"vulndb.path", "BULWARK_VULNDB", string_field(&Config::vulndb_path)},
      {"vulndb.poll_interval", "BULWARK_VULNDB_POLL",
       duration_field(&Config::vulndb_poll_seconds, "vulndb.poll_interval")},
      {"scan.deadlines.critical", "BULWARK_DEADLINE_CRITICAL",
       duration_field(&Config::deadline_critical_seconds, "scan.deadlines.critical")},
      {"scan.deadlines.high", "BULWARK_DEADLINE_HIGH",
       duration_field(&Config::deadline_high_seconds, "scan.deadlines.high")},
      {"scan.deadlines.medium", "BULWARK_DEADLINE_MEDIUM",
       duration_field(&Config::deadline_medium_seconds, "scan.deadlines.medium")},
      {"scan.deadlines.low", "BULWARK_DEADLINE_LOW",
       duration_field(&Config::deadline_low_seconds, "scan.deadlines.low")},
      {"auth.service", "BULWARK_AUTH_SERVICE", string_field(&Config::auth_service)},
      {"auth.realm", "BULWARK_AUTH_REALM", string_field(&Config::auth_realm)},
      {"auth.token_lifetime", "BULWARK_AUTH_TOKEN_LIFETIME",
       duration_field(&Config::auth_token_lifetime_seconds, "auth.token_lifetime")},
      {"auth.refresh_lifetime", "BULWARK_AUTH_REFRESH_LIFETIME",
       duration_field(&Config::auth_refresh_lifetime_seconds, "auth.refresh_lifetime")},
      {"auth.cache", "BULWARK_AUTH_CACHE",
       duration_field(&Config::auth_cache_seconds, "auth.cache")},
      {"audit.checkpoint_every", "BULWARK_AUDIT_CHECKPOINT_EVERY",
       number_field(&Config::audit_checkpoint_every, "audit.checkpoint_every")},
      // The YAML side of these is the structured `trust:` section (apply_trust).
      {"trust.trusted_root", "BULWARK_TRUSTED_ROOT", trust_field(&TrustConfig::trusted_root)},
      {"trust.notation.trust_policy", "BULWARK_NOTATION_TRUST_POLICY",
       trust_field(&TrustConfig::notation_trust_policy)},
      {"trust.notation.trust_store", "BULWARK_NOTATION_TRUST_STORE",
       trust_field(&TrustConfig::notation_trust_store)},
  };
  return table;
}

const Key* find_key(std::string_view yaml_path) {
  for (const auto& k : keys()) {
    if (k.yaml_path == yaml_path) return &k;
  }
  return nullptr;
}

// ---- structured sections (ldap:, oidc:) ------------------------------------------------------
// Each section is a table of fields: key, how its YAML value is read into the struct, and the key
// it excludes (an inline secret and its file). Values are checked for shape here; their meaning
// (URLs, filters, permissions) is checked by the auth module when the server assembles them.

Result<void> invalid(const std::string& path, std::string_view what) {
  return fail(ErrorCode::kInvalidArgument, "config: " + path + " " + std::string(what));
}

Result<std::string> scalar_at(const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar()) {
    return fail(ErrorCode::kInvalidArgument, "config: " + path + " must be a single value");
  }
  return node.Scalar();
}

// A file's content without one trailing newline: the form secrets are mounted in.
Result<std::string> read_secret_file(const std::string& file, const std::string& path) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(ErrorCode::kInvalidArgument, "config: " + path + ": cannot read " + file);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string secret = buffer.str();
  if (secret.ends_with('\n')) secret.pop_back();
  if (secret.ends_with('\r')) secret.pop_back();
  if (secret.empty()) {
    return fail(ErrorCode::kInvalidArgument, "config: " + path + ": " + file + " is empty");
  }
  return secret;
}

// YAML onto JSON, every scalar a string (robot permissions hold only strings).
boost::json::value yaml_to_json(const YAML::Node& node) {
  if (node.IsMap()) {
    boost::json::object out;
    for (const auto& item : node) out[item.first.Scalar()] = yaml_to_json(item.second);
    return out;
  }
  if (node.IsSequence()) {
    boost::json::array out;
    for (const auto& item : node) out.push_back(yaml_to_json(item));
    return out;
  }
  if (node.IsScalar()) return boost::json::string(node.Scalar());
  return nullptr;
}

template <class T>
using FieldSetter = std::function<Result<void>(T&, const YAML::Node&, const std::string& path)>;

template <class T>
struct Field {
  const char* key;
  FieldSetter<T> set;
  const char* excludes = nullptr;  // a key that may not be set together with this one
};

template <class T, class S>  // S: std::string or std::optional<std::string>
FieldSetter<T> text(S T::*member) {
  return [member](T& out, const YAML::Node& node, const std::string& path) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(out.*member, scalar_at(node, path));
    return ok();
  };
}

template <class T>
FieldSetter<T> secret_file(std::string T::*member) {
  return [member](T& out, const YAML::Node& node, const std::string& path) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(std::string file, scalar_at(node, path));
    BULWARK_ASSIGN_OR_RETURN(out.*member, read_secret_file(file, path));
    return ok();
  };
}

template <class T>
FieldSetter<T> flag(bool T::*member) {
  return [member](T& out, const YAML::Node& node, const std::string& path) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(std::string value, scalar_at(node, path));
    if (value != "true" && value != "false") return invalid(path, "must be true or false");
    out.*member = value == "true";
    return ok();
  };
}

template <class T, class D>  // D: int64_t or std::optional<int64_t>
FieldSetter<T> duration(D T::*member) {
  return [member](T& out, const YAML::Node& node, const std::string& path) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(std::string value, scalar_at(node, path));
    auto seconds = parse_duration_seconds(value);
    if (!seconds) {
      return fail(ErrorCode::kInvalidArgument, "config: " + path + ": " + seconds.error().message);
    }
    out.*member = *seconds;
    return ok();
  };
}

template <class T>
FieldSetter<T> text_list(std::vector<std::string> T::*member) {
  return [member](T& out, const YAML::Node& node, const std::string& path) -> Result<void> {
    if (!node.IsSequence()) return invalid(path, "must be a list");
    (out.*member).clear();
    for (size_t i = 0; i < node.size(); ++i) {
      BULWARK_ASSIGN_OR_RETURN(std::string value,
                               scalar_at(node[i], path + "[" + std::to_string(i) + "]"));
      (out.*member).push_back(std::move(value));
    }
    return ok();
  };
}

// Applies the map `node` onto `out` through `fields`; unknown keys are errors, and so is a
// missing one of `required`.
template <class T>
Result<void> parse_fields(T& out, const YAML::Node& node, const std::string& path,
                          std::span<const Field<T>> fields,
                          std::initializer_list<const char*> required = {}) {
  if (!node.IsMap()) return invalid(path, "must be a map");
  for (const auto& item : node) {
    const std::string key = item.first.Scalar();
    const std::string sub = path + "." + key;
    auto field = std::find_if(fields.begin(), fields.end(),
                              [&](const Field<T>& f) { return key == f.key; });
    if (field == fields.end()) return invalid("unknown key", sub);
    if (field->excludes != nullptr && node[field->excludes]) {
      return invalid(sub, std::string("and ") + path + "." + field->excludes +
                              " are both set; use one");
    }
    BULWARK_TRY_VOID(field->set(out, item.second, sub));
  }
  for (const char* key : required) {
    if (!node[key]) return invalid(path + "." + key, "is required");
  }
  return ok();
}

// A list of maps, each parsed by `parse_one`, with unique `name`s.
template <class T>
Result<std::vector<T>> parse_named_list(
    const YAML::Node& node, const std::string& path,
    const std::function<Result<T>(const YAML::Node&, const std::string&)>& parse_one) {
  if (!node.IsSequence()) {
    return fail(ErrorCode::kInvalidArgument, "config: " + path + " must be a list");
  }
  std::vector<T> out;
  std::set<std::string, std::less<>> names;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string at = path + "[" + std::to_string(i) + "]";
    BULWARK_ASSIGN_OR_RETURN(T item, parse_one(node[i], at));
    if (!names.insert(item.name).second) {
      return fail(ErrorCode::kInvalidArgument,
                  "config: " + at + ".name: \"" + item.name + "\" is used twice in " + path);
    }
    out.push_back(std::move(item));
  }
  return out;
}

Result<void> apply_ldap(Config& config, const YAML::Node& node, const std::string& path) {
  using C = LdapConfig;
  static const Field<C> kFields[] = {
      {"url", text(&C::url)},
      {"start_tls", flag(&C::start_tls)},
      {"ca_file", text(&C::ca_file)},
      {"bind_dn", text(&C::bind_dn)},
      {"bind_password", text(&C::bind_password), "bind_password_file"},
      {"bind_password_file", secret_file(&C::bind_password), "bind_password"},
      {"user_base", text(&C::user_base)},
      {"user_filter", text(&C::user_filter)},
      {"username_attribute", text(&C::username_attribute)},
      {"group_base", text(&C::group_base)},
      {"group_filter", text(&C::group_filter)},
      {"group_name_attribute", text(&C::group_name_attribute)},
      {"email_attribute", text(&C::email_attribute)},
      {"timeout", duration(&C::timeout_seconds)},
  };
  LdapConfig ldap;
  BULWARK_TRY_VOID(parse_fields<C>(ldap, node, path, kFields, {"url", "user_base"}));
  config.ldap = std::move(ldap);
  return ok();
}

Result<OidcProviderConfig> parse_oidc_provider(const YAML::Node& node, const std::string& path) {
  using C = OidcProviderConfig;
  static const Field<C> kFields[] = {
      {"name", text(&C::name)},
      {"issuer", text(&C::issuer)},
      {"client_id", text(&C::client_id)},
      {"client_secret", text(&C::client_secret), "client_secret_file"},
      {"client_secret_file", secret_file(&C::client_secret), "client_secret"},
      {"redirect_uri", text(&C::redirect_uri)},
      {"scopes", text_list(&C::scopes)},
      {"username_claim", text(&C::username_claim)},
      {"groups_claim", text(&C::groups_claim)},
      {"allow_http", flag(&C::allow_http)},
      {"ca_file", text(&C::ca_file)},
  };
  OidcProviderConfig provider;
  BULWARK_TRY_VOID(parse_fields<C>(provider, node, path, kFields, {"name", "issuer"}));
  if (provider.client_id.empty() != provider.redirect_uri.empty()) {
    return fail(ErrorCode::kInvalidArgument,
                "config: " + path + ": client_id and redirect_uri go together (both for a login "
                "provider, neither for a provider that only vouches for CI tokens)");
  }
  return provider;
}

FieldSetter<FederationRuleConfig> claim_patterns() {
  return [](FederationRuleConfig& out, const YAML::Node& node,
            const std::string& path) -> Result<void> {
    if (!node.IsMap()) return invalid(path, "must be a map of claim: pattern");
    out.claims.clear();
    for (const auto& item : node) {
      BULWARK_ASSIGN_OR_RETURN(std::string pattern,
                               scalar_at(item.second, path + "." + item.first.Scalar()));
      out.claims.emplace_back(item.first.Scalar(), std::move(pattern));
    }
    return ok();
  };
}

// Robot permissions as a YAML map or list, or as JSON text.
FieldSetter<FederationRuleConfig> permissions() {
  return [](FederationRuleConfig& out, const YAML::Node& node,
            const std::string& path) -> Result<void> {
    if (node.IsScalar()) {
      out.permissions_json = node.Scalar();
    } else if (node.IsMap() || node.IsSequence()) {
      out.permissions_json = boost::json::serialize(yaml_to_json(node));
    } else {
      return invalid(path, "must be a map (kind, rules) or its JSON text");
    }
    return ok();
  };
}

Result<FederationRuleConfig> parse_federation_rule(const YAML::Node& node,
                                                   const std::string& path) {
  using C = FederationRuleConfig;
  static const Field<C> kFields[] = {
      {"name", text(&C::name)},
      {"issuer", text(&C::issuer)},
      {"audience", text(&C::audience)},
      {"claims", claim_patterns()},
      {"permissions", permissions()},
      {"token_lifetime", duration(&C::token_lifetime_seconds)},
  };
  FederationRuleConfig rule;
  BULWARK_TRY_VOID(parse_fields<C>(rule, node, path, kFields,
                                   {"name", "issuer", "audience", "claims", "permissions"}));
  return rule;
}

Result<void> apply_oidc(Config& config, const YAML::Node& node, const std::string& path) {
  struct Lists {
    std::vector<OidcProviderConfig> providers;
    std::vector<FederationRuleConfig> federation;
  };
  static const Field<Lists> kFields[] = {
      {"providers",
       [](Lists& out, const YAML::Node& n, const std::string& p) -> Result<void> {
         BULWARK_ASSIGN_OR_RETURN(out.providers,
                                  parse_named_list<OidcProviderConfig>(n, p, parse_oidc_provider));
         return ok();
       }},
      {"federation",
       [](Lists& out, const YAML::Node& n, const std::string& p) -> Result<void> {
         BULWARK_ASSIGN_OR_RETURN(
             out.federation, parse_named_list<FederationRuleConfig>(n, p, parse_federation_rule));
         return ok();
       }},
  };
  Lists lists;
  BULWARK_TRY_VOID(parse_fields<Lists>(lists, node, path, kFields));
  config.oidc_providers = std::move(lists.providers);
  config.oidc_federation = std::move(lists.federation);
  return ok();
}

// `repositories`: one glob or a list of them.
FieldSetter<TrustRuleConfig> repository_patterns() {
  return [](TrustRuleConfig& out, const YAML::Node& node, const std::string& path) -> Result<void> {
    if (node.IsScalar()) {
      out.repositories = {node.Scalar()};
    } else {
      BULWARK_TRY_VOID(text_list(&TrustRuleConfig::repositories)(out, node, path));
    }
    if (out.repositories.empty()) return invalid(path, "must name at least one pattern");
    for (const std::string& pattern : out.repositories) {
      if (pattern.empty()) return invalid(path, "has an empty pattern");
    }
    return ok();
  };
}

Result<TrustIdentityConfig> parse_trust_identity(const YAML::Node& node, const std::string& path) {
  using C = TrustIdentityConfig;
  static const Field<C> kFields[] = {
      {"identity", text(&C::identity), "identity_regexp"},
      {"identity_regexp", text(&C::identity_regexp), "identity"},
      {"issuer", text(&C::issuer), "issuer_regexp"},
      {"issuer_regexp", text(&C::issuer_regexp), "issuer"},
  };
  TrustIdentityConfig identity;
  BULWARK_TRY_VOID(parse_fields<C>(identity, node, path, kFields));
  if (identity.identity.empty() && identity.identity_regexp.empty()) {
    return fail(invalid(path, "needs identity or identity_regexp (the certificate's SAN)").error());
  }
  if (identity.issuer.empty() && identity.issuer_regexp.empty()) {
    return fail(invalid(path, "needs issuer or issuer_regexp (the OIDC issuer)").error());
  }
  return identity;
}

FieldSetter<TrustRuleConfig> trust_identities() {
  return [](TrustRuleConfig& out, const YAML::Node& node, const std::string& path) -> Result<void> {
    if (!node.IsSequence()) return invalid(path, "must be a list");
    out.identities.clear();
    for (size_t i = 0; i < node.size(); ++i) {
      BULWARK_ASSIGN_OR_RETURN(TrustIdentityConfig identity,
                               parse_trust_identity(node[i], path + "[" + std::to_string(i) + "]"));
      out.identities.push_back(std::move(identity));
    }
    return ok();
  };
}

template <class T>
FieldSetter<T> optional_flag(std::optional<bool> T::*member) {
  return [member](T& out, const YAML::Node& node, const std::string& path) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(std::string value, scalar_at(node, path));
    if (value != "true" && value != "false") return invalid(path, "must be true or false");
    out.*member = value == "true";
    return ok();
  };
}

Result<TrustRuleConfig> parse_trust_rule(const YAML::Node& node, const std::string& path) {
  using C = TrustRuleConfig;
  static const Field<C> kFields[] = {
      {"repositories", repository_patterns()},
      {"keys", text_list(&C::keys)},
      {"identities", trust_identities()},
      {"require_tlog", optional_flag(&C::require_tlog)},
      {"attestations", text_list(&C::attestations)},
  };
  TrustRuleConfig rule;
  BULWARK_TRY_VOID(parse_fields<C>(rule, node, path, kFields, {"repositories"}));
  if (!rule.keys.empty() && !rule.identities.empty()) {
    return fail(invalid(path, "trusts keys and identities: give one or the other (a rule per kind)").error());
  }
  return rule;
}

// The `trust:` section (TrustConfig).
Result<void> apply_trust(Config& config, const YAML::Node& node, const std::string& path) {
  using C = TrustConfig;
  static const Field<C> kNotationFields[] = {
      {"trust_policy", text(&C::notation_trust_policy)},
      {"trust_store", text(&C::notation_trust_store)},
  };
  static const Field<C> kFields[] = {
      {"trusted_root", text(&C::trusted_root)},
      {"rules",
       [](C& out, const YAML::Node& n, const std::string& p) -> Result<void> {
         if (!n.IsSequence()) return invalid(p, "must be a list");
         out.rules.clear();
         for (size_t i = 0; i < n.size(); ++i) {
           BULWARK_ASSIGN_OR_RETURN(TrustRuleConfig rule,
                                    parse_trust_rule(n[i], p + "[" + std::to_string(i) + "]"));
           out.rules.push_back(std::move(rule));
         }
         return ok();
       }},
      {"notation",
       [](C& out, const YAML::Node& n, const std::string& p) -> Result<void> {
         return parse_fields<C>(out, n, p, kNotationFields);
       }},
  };
  TrustConfig trust;
  BULWARK_TRY_VOID(parse_fields<C>(trust, node, path, kFields));
  if (trust.notation_trust_policy.empty() != trust.notation_trust_store.empty()) {
    return invalid(path + ".notation", "needs both trust_policy and trust_store");
  }
  config.trust = std::move(trust);
  return ok();
}

// The `admission:` section (AdmissionConfig).
Result<void> apply_admission(Config& config, const YAML::Node& node, const std::string& path) {
  using C = AdmissionConfig;
  static const Field<C> kFields[] = {
      {"enabled", flag(&C::enabled)},
      {"cluster", text(&C::cluster)},
      {"registry_hosts", text_list(&C::registry_hosts)},
      {"foreign_images",
       [](C& out, const YAML::Node& n, const std::string& p) -> Result<void> {
         BULWARK_ASSIGN_OR_RETURN(std::string value, scalar_at(n, p));
         if (value != "deny" && value != "allow") return invalid(p, "must be deny or allow");
         out.allow_foreign_images = value == "allow";
         return ok();
       }},
      {"fail_open", flag(&C::fail_open)},
  };
  AdmissionConfig admission;
  BULWARK_TRY_VOID(parse_fields<C>(admission, node, path, kFields));
  if (admission.cluster.empty()) return invalid(path + ".cluster", "must not be empty");
  config.admission = std::move(admission);
  return ok();
}

// Top-level keys whose value is a structured section rather than scalars of the flat table.
struct Section {
  const char* key;
  Result<void> (*apply)(Config&, const YAML::Node&, const std::string& path);
};
constexpr Section kSections[] = {
    {"ldap", apply_ldap}, {"oidc", apply_oidc}, {"trust", apply_trust},
    {"admission", apply_admission}};

Result<void> apply_node(Config& config, const YAML::Node& node, const std::string& prefix) {
  if (!node.IsMap()) {
    return fail(ErrorCode::kInvalidArgument,
                "config: " + (prefix.empty() ? std::string("document") : prefix) + " must be a map");
  }
  for (const auto& item : node) {
    std::string path = prefix.empty() ? item.first.Scalar() : prefix + "." + item.first.Scalar();
    const Section* section = nullptr;
    for (const Section& s : kSections) {
      if (prefix.empty() && path == s.key) section = &s;
    }
    if (section != nullptr) {
      BULWARK_TRY_VOID(section->apply(config, item.second, path));
      continue;
    }
    if (item.second.IsMap()) {
      BULWARK_TRY_VOID(apply_node(config, item.second, path));
      continue;
    }
    const Key* key = find_key(path);
    if (key == nullptr) return fail(ErrorCode::kInvalidArgument, "config: unknown key " + path);
    if (!item.second.IsScalar()) {
      return fail(ErrorCode::kInvalidArgument, "config: " + path + " must be a scalar");
    }
    BULWARK_TRY_VOID(key->set(config, item.second.Scalar()));
  }
  return ok();
}

}  // namespace

Result<int64_t> parse_duration_seconds(std::string_view text) {
  static constexpr std::array<std::pair<char, int64_t>, 4> kUnits = {
      {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}}};
  if (text.empty()) return fail(ErrorCode::kInvalidArgument, "empty duration");
  int64_t multiplier = 1;
  std::string_view digits = text;
  for (auto [suffix, mult] : kUnits) {
    if (text.back() == suffix) {
      multiplier = mult;
      digits = text.substr(0, text.size() - 1);
    }
  }
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || value < 0 ||
      value > INT64_MAX / multiplier) {
    return fail(ErrorCode::kInvalidArgument,
                "invalid duration \"" + std::string(text) + "\" (use e.g. 90s, 15m, 24h, 7d)");
  }
  return value * multiplier;
}

Result<void> apply_config_yaml(Config& config, const std::string& yaml_text) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return fail(ErrorCode::kInvalidArgument, std::string("config: ") + e.what());
  }
  if (root.IsNull()) return ok();
  return apply_node(config, root, "");
}

Result<void> apply_config_file(Config& config, const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::kNotFound, "config: cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return apply_config_yaml(config, buffer.str());
}

Result<void> apply_config_env(Config& config, const std::map<std::string, std::string>& env) {
  for (const auto& k : keys()) {
    auto it = env.find(k.env);
    if (it != env.end()) BULWARK_TRY_VOID(k.set(config, it->second));
  }
  return ok();
}

std::map<std::string, std::string> bulwark_environment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (!entry.starts_with("BULWARK_")) continue;
    auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return out;
}

}  // namespace bulwark
