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
  if (ctx.services.settings == nullptr) co_return json_response(200, ctx.options.settings);
  auto effective = co_await blocking(
      [&] { return ctx.admin->get_settings(actor, *ctx.services.settings); });
  co_return answer(effective, [&](const std::vector<EffectiveSetting>& e) {
    return json_response(200, effective_settings_json(ctx.options.settings, e));
  });
}

// PATCH {"KEY": "VALUE", ...}: all validated before any is applied.
http::Task<http::Response> patch_settings(Context& ctx, http::Request& request,
                                          const Actor& actor) {
  if (ctx.services.settings == nullptr) {
    co_return error_response(503, "UNAVAILABLE", "runtime settings are not enabled");
  }
  auto body = co_await read_object(ctx, request);
  if (!body) co_return std::move(body.error());
  std::map<std::string, std::string> changes;
  for (const auto& [key, value] : *body) {
    if (!value.is_string()) {
      co_return invalid("\"" + std::string(key) + "\" must be a string (e.g. \"15m\")");
    }
    changes[std::string(key)] = std::string(value.get_string());
  }
  auto changed = co_await blocking(
      [&] { return ctx.admin->update_settings(actor, *ctx.services.settings, changes); });
  if (!changed) co_return admin_error(changed.error());
  auto effective = co_await blocking(
      [&] { return ctx.admin->get_settings(actor, *ctx.services.settings); });
  co_return answer(effective, [&](const std::vector<EffectiveSetting>& e) {
    return json_response(200, effective_settings_json(ctx.options.settings, e));
  });
}

// Where each mutable key shows in settings_json: section ("" for the top level) and field.
struct SettingField {
  Setting id;
  std::string_view section;
  std::string_view field;
};
constexpr SettingField kSettingFields[] = {
    {Setting::kTokenLifetime, "auth", "token_lifetime_seconds"},
    {Setting::kRefreshLifetime, "auth", "refresh_lifetime_seconds"},
    {Setting::kUploadExpiry, "", "upload_expiry_seconds"},
};

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
  std::unique_ptr<PolicyService> policies;
  if (services.policies != nullptr) {
    policies = std::make_unique<PolicyService>(*services.policies, services.identities,
                                               services.authenticator, recorder);
  }
  AdminOptions admin_options;
  admin_options.totp_issuer = options.totp_issuer;
  auto admin = std::make_unique<AdminService>(services.identities, services.authenticator,
                                              std::move(recorder), admin_options);
  auto ctx = std::unique_ptr<Context>(new Context{services, std::move(options), std::move(sessions),
                                                  std::move(admin), {}, std::move(policies)});
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
  register_deployments(router, ctx);
  register_policies(router, ctx);
  router.add("GET", "/api/v1/settings", authed(ctx, settings));
  router.add("PATCH", "/api/v1/settings", authed(ctx, patch_settings));
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

boost::json::object effective_settings_json(boost::json::object base,
                                            const std::vector<EffectiveSetting>& effective) {
  boost::json::object runtime;
  for (const EffectiveSetting& e : effective) {
    for (const SettingField& f : kSettingFields) {
      if (f.id != e.rule->id) continue;
      boost::json::object* section = &base;
      if (!f.section.empty()) section = base[f.section].if_object();
      if (section != nullptr) (*section)[f.field] = e.seconds;
    }
    boost::json::object entry{{"seconds", e.seconds},
                              {"source", e.override_ ? "override" : "config"},
                              {"min_seconds", e.rule->min_seconds},
                              {"max_seconds", e.rule->max_seconds}};
    if (e.override_) {
      entry["value"] = e.override_->value;
      entry["updated_at"] = e.override_->updated_at;
      entry["updated_by"] = e.override_->updated_by;
    }
    runtime[e.rule->key] = std::move(entry);
  }
  base["runtime"] = std::move(runtime);
  return base;
}

}  // namespace bulwark::api
