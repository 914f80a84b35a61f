// The management REST API under /api/v1 (JSON in, JSON out): session login with an optional
// TOTP second factor, users, projects, members, robot accounts, the audit trail and the
// server's effective settings. The operations themselves are AdminService's (shared with
// `bulwark admin`); this module adds HTTP: authentication, request parsing and the answers.
//
// Endpoints (every one but login needs `Authorization: Bearer <session token>` or HTTP Basic;
// Basic is refused for TOTP-enrolled users, as the Authenticator decides):
// clang-format off
//   POST   /api/v1/login                      {"username","password","totp"?} -> {"token","expires_in"}
//   GET    /api/v1/me
//   GET    /api/v1/users
//   POST   /api/v1/users                      {"name","email"?,"admin"?,"password"?}
//   GET    /api/v1/users/{name}
//   PATCH  /api/v1/users/{name}               {"disabled"}
//   DELETE /api/v1/users/{name}
//   PUT    /api/v1/users/{name}/password      {"password"?} (absent: generated, returned once)
//   POST   /api/v1/users/{name}/totp          -> {"secret","uri"} (once)
//   DELETE /api/v1/users/{name}/totp
//   GET    /api/v1/projects
//   POST   /api/v1/projects                   {"name","visibility"?,"environment"?,"allowed_networks"?}
//   GET    /api/v1/projects/{name}
//   PATCH  /api/v1/projects/{name}            {"visibility"?,"environment"?,"allowed_networks"?}
//   DELETE /api/v1/projects/{name}
//   GET    /api/v1/projects/{name}/members
//   PUT    /api/v1/projects/{name}/members/{user|group}/{principal}   {"role"}
//   DELETE /api/v1/projects/{name}/members/{user|group}/{principal}
//   GET    /api/v1/projects/{name}/robots
//   POST   /api/v1/projects/{name}/robots     {"name","expires","kind"?,"rules","description"?,"allowed_networks"?}
//   GET    /api/v1/robots                     (all; system administrators)
//   POST   /api/v1/robots/{robot}/rotate      {"expires"?}
//   DELETE /api/v1/robots/{robot}             (revoke)
//   PUT    /api/v1/robots/{robot}/networks    {"allowed_networks"}
//   GET    /api/v1/audit?actor=&action=&repository=&digest=&since=&until=&after=&limit=
//   GET    /api/v1/settings                   (system administrators)
//   PATCH  /api/v1/settings                   {"auth.token_lifetime": "2m", ...} (runtime_settings.h)
//   GET    /api/v1/projects/{name}/policy     current version + "effective" {"source",...} (policies.cc)
//   PUT    /api/v1/projects/{name}/policy     YAML body (?comment=) or JSON {"document","comment"?}
//   DELETE /api/v1/projects/{name}/policy     a new empty version: the environment's policy applies
//   GET    /api/v1/projects/{name}/policy/versions[/{n}]
//   POST   /api/v1/projects/{name}/policy/rollback  {"version","comment"?}
//   ...and the same under /api/v1/environments/{development|staging|production}/policy (admins)
//   GET    /api/v1/deployments?digest=        where a digest was admitted (system administrators)
// clang-format on
// Errors: {"errors":[{"code","message"}]} with 400 (malformed request), 401 (no or bad
// credentials, TOTP code missing or wrong), 403 (not allowed), 404, 409 (exists / state
// conflict), 413 (body too large), 422 (invalid values), 429 (throttled, Retry-After), 503.
//
// Session tokens are ES256 JWTs from a TokenService of their own: key <data>/api-session-key.pem
// and audience "<service>-api", so registry tokens are never sessions and sessions never open
// the registry. A session ends when it expires or when its user is disabled or deleted.
//
// Thread-safety: after open(), all members are thread-safe; handlers run blocking work on the
// worker pool.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "api/admin_service.h"
#include "api/runtime_settings.h"
#include "audit/audit_log.h"
#include "audit/writer.h"
#include "auth/access.h"
#include "auth/authenticator.h"
#include "auth/login_throttle.h"
#include "common/config.h"
#include "common/result.h"
#include "http/router.h"
#include "metadata/audit_store.h"
#include "metadata/deployment_store.h"
#include "metadata/identity_store.h"
#include "metadata/policy_store.h"

namespace bulwark::api {

// What the API works with; all must outlive the Api.
struct ApiServices {
  metadata::IdentityStore& identities;
  metadata::AuditStore& audit_store;
  auth::Authenticator& authenticator;
  auth::LoginThrottle& throttle;     // the Authenticator's: TOTP failures count there too
  auth::AccessService& access;       // Basic credentials (cached)
  audit::AuditWriter& audit_writer;  // durable events
  audit::AuditLog& audit_log;        // a signed checkpoint after each administrative change
  RuntimeSettings* settings = nullptr;  // the changeable settings; null: GET shows the file's
  metadata::PolicyStore* policies = nullptr;  // policy documents; null: /policy answers 503
  metadata::DeploymentStore* deployments = nullptr;  // admission records; null: 503 (deployments.cc)
};

struct ApiOptions {
  std::string data_dir;             // holds api-session-key.pem
  std::string service = "bulwark";  // session audience is service + "-api"
  int64_t session_lifetime = 3600;  // seconds
  size_t max_body_bytes = 64 * 1024;
  std::string totp_issuer = "Bulwark";
  boost::json::object settings;  // what GET /api/v1/settings shows (settings_json)
};

class Api {
 public:
  // Loads or creates the session signing key.
  static Result<std::unique_ptr<Api>> open(ApiServices services, ApiOptions options);
  ~Api();

  void register_routes(http::Router& router);
  AdminService& admin();

  struct Context;

 private:
  explicit Api(std::unique_ptr<Context> ctx);
  std::unique_ptr<Context> ctx_;
};

// The server's effective configuration without secrets (no LDAP bind password, no OIDC client
// secret, no key material): listen address, TLS on/off, limits, auth service, realm, token
// lifetimes, audit checkpoint interval, configured identity providers by name.
boost::json::object settings_json(const Config& config);

// `base` (settings_json) with the mutable keys' effective values written over the file's, plus
// "runtime": {KEY: {"seconds", "source": "override"|"config", "value"?, "updated_at"?,
// "updated_by"?, "min_seconds", "max_seconds"}}.
boost::json::object effective_settings_json(boost::json::object base,
                                            const std::vector<EffectiveSetting>& effective);

}  // namespace bulwark::api
