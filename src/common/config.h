// Server configuration: defaults, then a YAML file, then command-line flags, then BULWARK_*
// environment variables (each later layer overrides the earlier ones). Plain value type.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace bulwark {

// The `ldap:` section: an LDAP directory checked for HTTP Basic logins (auth/ldap.h's LdapOptions;
// fields left unset keep that struct's defaults).
struct LdapConfig {
  std::string url;
  bool start_tls = false;
  std::string ca_file;
  std::string bind_dn;
  std::string bind_password;  // a secret: from bind_password or the file bind_password_file
  std::string user_base;
  std::optional<std::string> user_filter;
  std::optional<std::string> username_attribute;
  std::string group_base;
  std::optional<std::string> group_filter;
  std::optional<std::string> group_name_attribute;
  std::optional<std::string> email_attribute;
  std::optional<int64_t> timeout_seconds;
};

// One entry of `oidc.providers`: an OpenID provider. With client_id and redirect_uri it serves
// people's logins (/auth/oidc/<name>/login); without them it only vouches for CI tokens of
// federation rules naming its issuer.
struct OidcProviderConfig {
  std::string name;
  std::string issuer;
  std::string client_id;
  std::string client_secret;  // a secret: from client_secret or the file client_secret_file
  std::string redirect_uri;
  std::vector<std::string> scopes;  // empty: the library's default
  std::string username_claim;       // empty: preferred_username, else sub
  std::optional<std::string> groups_claim;
  bool allow_http = false;
  std::string ca_file;
};

// One entry of `oidc.federation`: CI ID tokens matching it may be exchanged for registry tokens.
struct FederationRuleConfig {
  std::string name;
  std::string issuer;
  std::string audience;
  std::vector<std::pair<std::string, std::string>> claims;  // claim -> pattern, in file order
  std::string permissions_json;  // robot permissions (auth/authorizer.h), as JSON text
  int64_t token_lifetime_seconds = 600;
};

// One keyless signer of a `trust.rules` entry: the certificate's SAN (`identity` exactly or
// `identity_regexp` entirely) and OIDC issuer (`issuer` or `issuer_regexp`).
struct TrustIdentityConfig {
  std::string identity;
  std::string identity_regexp;
  std::string issuer;
  std::string issuer_regexp;
};

// One entry of `trust.rules`: whom to trust for the repositories matching one of `repositories`
// (globs: '*' stands for any run of characters, '/' included). The first matching rule applies.
struct TrustRuleConfig {
  std::vector<std::string> repositories;
  std::vector<std::string> keys;  // PEM public key files (key-based signatures)
  std::vector<TrustIdentityConfig> identities;  // keyless signers (with trust.trusted_root)
  // A verified Rekor entry is required; unset: required for keyless signers only.
  std::optional<bool> require_tlog;
  // Attestation predicate types reported per image (cosign short names or URIs).
  std::vector<std::string> attestations;
};

// The `trust:` section: how the server verifies image signatures (jobs/provenance_config.h
// loads and checks the files it names).
struct TrustConfig {
  std::string trusted_root;  // Sigstore trusted_root.json
  std::vector<TrustRuleConfig> rules;
  std::string notation_trust_policy;  // Notation trust policy document (JSON)
  std::string notation_trust_store;   // Notation trust store directory (holding x509/)

  // Anything to verify with: rules or a Notation trust policy.
  bool configured() const { return !rules.empty() || !notation_trust_policy.empty(); }
};

// The `admission:` section: the Kubernetes admission webhook (src/admission).
struct AdmissionConfig {
  bool enabled = false;  // serve /admission/validate and /admission/mutate
  std::string cluster = "default";  // recorded with every admitted image
  // host[:port] names clusters pull this registry's images by; empty: the listen address's
  // HOST:PORT and localhost:PORT (with the bound port).
  std::vector<std::string> registry_hosts;
  bool allow_foreign_images = false;  // foreign_images: deny (default) | allow
  bool fail_open = false;             // admit images that could not be evaluated
};

struct Config {
  std::string listen = "127.0.0.1:5000";  // HOST:PORT; port 0 picks a free port
  std::string data_dir = "./var";
  std::string tls_cert;  // PEM file; TLS is on when both cert and key are set
  std::string tls_key;
  std::string log_level = "info";
  int io_threads = 0;           // 0: one per core
  int worker_threads = 4;       // blocking work: SQLite, fsync, hashing
  int64_t upload_expiry_seconds = 24 * 3600;  // idle upload sessions are removed after this
  int64_t idle_timeout_seconds = 60;          // keep-alive connections without a request
  int64_t request_timeout_seconds = 300;      // a body read that makes no progress for this long
  int64_t shutdown_grace_seconds = 30;        // SIGTERM: in-flight requests get this long
  uint64_t manifest_max_bytes = 4 * 1024 * 1024;
  uint32_t header_max_bytes = 16 * 1024;
  std::string port_file;  // if set, the bound port is written here after listen (for tests)
  // Background scanning: threads that inventory pushed images (SBOM referrers, package index);
  // 0 turns scanning on push off.
  int scan_workers = 1;
  // The vulnerability database (`bulwark db import` writes it); empty: <data>/vulndb.sqlite.
  std::string vulndb_path;
  // How often the server checks whether the database changed (then stored images are re-matched).
  int64_t vulndb_poll_seconds = 60;
  // Remediation deadlines by severity, counted from a finding's first sighting; 0: none.
  int64_t deadline_critical_seconds = 1 * 86400;
  int64_t deadline_high_seconds = 7 * 86400;
  int64_t deadline_medium_seconds = 30 * 86400;
  int64_t deadline_low_seconds = 0;

  // Access control (the Docker token flow).
  std::string auth_service = "bulwark";  // `service` of challenges and token audience
  std::string auth_realm;  // token endpoint URL in challenges; empty: from each request's Host
  int64_t auth_token_lifetime_seconds = 300;       // access tokens
  int64_t auth_refresh_lifetime_seconds = 7 * 86400;  // refresh tokens
  int64_t auth_cache_seconds = 60;  // longest a cached access decision is trusted

  int64_t audit_checkpoint_every = 1000;  // records between signed audit checkpoints

  // External identity providers (structured sections, YAML only).
  std::optional<LdapConfig> ldap;
  std::vector<OidcProviderConfig> oidc_providers;
  std::vector<FederationRuleConfig> oidc_federation;

  // Image signature verification (structured section; trust.trusted_root and
  // trust.notation.* also from BULWARK_TRUSTED_ROOT, BULWARK_NOTATION_TRUST_POLICY and
  // BULWARK_NOTATION_TRUST_STORE).
  TrustConfig trust;

  // The Kubernetes admission webhook (structured section).
  AdmissionConfig admission;
};

// Parses durations like "90", "90s", "15m", "24h", "7d" into seconds.
Result<int64_t> parse_duration_seconds(std::string_view text);

// Applies a YAML document's keys onto `config`. Unknown keys are an error (typos must not be
// silently ignored in security-relevant configuration). The sections `ldap:` (LdapConfig's
// fields; `timeout` a duration) and `oidc:` (`providers:` and `federation:`, lists of
// OidcProviderConfig and FederationRuleConfig; a rule's `claims` a map of claim: pattern, its
// `permissions` a YAML map or JSON text, `token_lifetime` a duration) are structured; each
// replaces what an earlier document set. So does `trust:` (`trusted_root`, `rules:` a list of
// TrustRuleConfig with `identities:` a list of maps and `repositories` one glob or a list,
// `notation: {trust_policy, trust_store}`), and `admission:` (AdmissionConfig; `foreign_images` deny or allow). `*_file` keys are read here (the file's content, one trailing newline dropped); an inline
// secret and its file together are an error. Error messages name keys, never secret values.
Result<void> apply_config_yaml(Config& config, const std::string& yaml_text);
Result<void> apply_config_file(Config& config, const std::string& path);
// Applies BULWARK_* variables from `env` (name -> value).
Result<void> apply_config_env(Config& config, const std::map<std::string, std::string>& env);
// Snapshot of the process environment's BULWARK_* variables.
std::map<std::string, std::string> bulwark_environment();

}  // namespace bulwark
