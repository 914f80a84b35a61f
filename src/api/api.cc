// The Api object: opens the session token service, builds the AdminService with the durable
// audit recorder, registers every resource's routes; and GET /api/v1/settings.
#include "api/api.h"

#include "api/context.h"
#include "common/log.h"

namespace bulwark::api {
namespace {

http::Task<http::Response> settings(Context& ctx, http::Request&, const Actor& actor) {
  if (!actor.principal.is_admin) {
    co_return error_response(403, "DENIED", "only system administrators may read the settings");
  }
  co_return json_response(200, ctx.options.settings);
}

}  // namespace

Api::Api(std::unique_ptr<Context> ctx) : ctx_(std::move(ctx)) {}
Api::~Api() = default;

Result<std::unique_ptr<Api>> Api::open(ApiServices services, ApiOptions options) {
  auth::TokenServiceOptions token_options;
  token_options.service = options.service + "-api";
  token_options.token_lifetime = options.session_lifetime;
  auth::Authenticator& authenticator = services.authenticator;
  BULWARK_ASSIGN_OR_RETURN(
      std::unique_ptr<auth::TokenService> sessions,
      auth::TokenService::open(
          options.data_dir + "/api-session-key.pem", token_options,
          [&authenticator](std::string_view subject, int64_t issued_at, int64_t now) {
            return authenticator.still_valid(subject, issued_at, now);
          }));
  // Administrative changes are rare: each is committed at once and covered by a signed
  // checkpoint, so that even removing the newest records is detected.
  audit::AuditWriter& writer = services.audit_writer;
  audit::AuditLog& log = services.audit_log;
  AuditRecorder recorder = [&writer, &log](audit::Event event) -> Result<void> {
    BULWARK_TRY_VOID(writer.record(std::move(event)));
    BULWARK_TRY_VOID(log.checkpoint());
    return ok();
  };
  AdminOptions admin_options;
  admin_options.totp_issuer = options.totp_issuer;
  auto admin = std::make_unique<AdminService>(services.identities, services.authenticator,
                                              std::move(recorder), admin_options);
  auto ctx = std::unique_ptr<Context>(
      new Context{services, std::move(options), std::move(sessions), std::move(admin), {}});
  return std::unique_ptr<Api>(new Api(std::move(ctx)));
}

AdminService& Api::admin() { return *ctx_->admin; }

void Api::register_routes(http::Router& router) {
  Context& ctx = *ctx_;
  register_session(router, ctx);
  register_users(router, ctx);
  register_projects(router, ctx);
  register_robots(router, ctx);
  register_audit(router, ctx);
  router.add("GET", "/api/v1/settings", authed(ctx, settings));
}

boost::json::object settings_json(const Config& c) {
  const bool tls = !c.tls_cert.empty() && !c.tls_key.empty();
  return boost::json::object{
      {"listen", c.listen},
      {"data_dir", c.data_dir},
      {"tls", tls},
      {"log_level", c.log_level},
      {"io_threads", c.io_threads},
      {"worker_threads", c.worker_threads},
      {"upload_expiry_seconds", c.upload_expiry_seconds},
      {"idle_timeout_seconds", c.idle_timeout_seconds},
      {"request_timeout_seconds", c.request_timeout_seconds},
      {"shutdown_grace_seconds", c.shutdown_grace_seconds},
      {"manifest_max_bytes", c.manifest_max_bytes},
      {"header_max_bytes", c.header_max_bytes},
      {"auth", boost::json::object{{"service", c.auth_service},
                                   {"realm", c.auth_realm},
                                   {"token_lifetime_seconds", c.auth_token_lifetime_seconds},
                                   {"refresh_lifetime_seconds", c.auth_refresh_lifetime_seconds},
                                   {"cache_seconds", c.auth_cache_seconds}}},
      {"audit", boost::json::object{{"checkpoint_every", c.audit_checkpoint_every}}},
  };
}

}  // namespace bulwark::api
