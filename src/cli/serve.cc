// `bulwark serve`: assembles the stores, the registry routes and the HTTP server from the
// configuration (defaults < YAML file < flags < BULWARK_* environment) and serves until SIGTERM
// or SIGINT, then drains in-flight requests. A maintenance thread expires idle uploads.
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/json/serialize.hpp>

#include "admission/registry_decider.h"
#include "admission/webhook.h"
#include "api/api.h"
#include "audit/audit_log.h"
#include "audit/writer.h"
#include "auth/access.h"
#include "auth/authenticator.h"
#include "auth/bootstrap.h"
#include "auth/identity_providers.h"
#include "auth/login_throttle.h"
#include "auth/token_service.h"
#include "cli/commands.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/log.h"
#include "common/strings.h"
#include "http/server.h"
#include "jobs/policy_job.h"
#include "jobs/promotion.h"
#include "jobs/provenance_job.h"
#include "jobs/runner.h"
#include "jobs/sbom_job.h"
#include "jobs/vuln_match.h"
#include "metadata/sqlite/sqlite_metadata_store.h"
#include "oci/errors.h"
#include "registry/registry.h"
#include "storage/fs/fs_blob_store.h"
#include "trust/cosign_layout.h"

namespace bulwark::cli {
namespace {

struct ServeFlags {
  std::string config_file;
  std::string listen;
  std::string data;
};

// Runs `work` every `period` until stop() is called. Thread-safe stop().
class PeriodicTask {
 public:
  PeriodicTask(std::chrono::seconds period, std::function<void()> work)
      : thread_([this, period, work = std::move(work)] {
          std::unique_lock lock(mu_);
          while (!cv_.wait_for(lock, period, [this] { return stopped_; })) {
            lock.unlock();
            work();
            lock.lock();
          }
        }) {}
  ~PeriodicTask() { stop(); }
  void stop() {
    {
      std::lock_guard lock(mu_);
      stopped_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
  std::thread thread_;
};

Result<Config> load_config(const ServeFlags& flags) {
  Config config;
  if (!flags.config_file.empty()) BULWARK_TRY_VOID(apply_config_file(config, flags.config_file));
  if (!flags.listen.empty()) config.listen = flags.listen;
  if (!flags.data.empty()) config.data_dir = flags.data;
  BULWARK_TRY_VOID(apply_config_env(config, bulwark_environment()));
  return config;
}

Result<void> write_port_file(const std::string& path, uint16_t port) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    if (!out) return fail(ErrorCode::kIo, "cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return fail(ErrorCode::kIo, "cannot write " + path + ": " + ec.message());
  return ok();
}

http::Response server_error(int status, std::string_view code, std::string_view message) {
  const oci::ErrorInfo* info = oci::error_info_by_wire(code);
  http::Response r;
  r.status = status;
  r.headers.set("Content-Type", "application/json");
  r.body = info ? oci::error_body(info->code, message)
                : oci::error_body(oci::ErrorCode::kUnavailable, message);
  return r;
}

int serve(const ServeFlags& flags) {
  auto config = load_config(flags);
  if (!config) {
    std::cerr << "bulwark serve: " << config.error().message << "\n";
    return kExitError;
  }
  init_logging(parse_log_level(config->log_level));
  // External identity providers (LDAP, OpenID): checked before anything is touched; a bad
  // section refuses to start. Nothing is contacted yet (discovery and binds happen on use).
  auto identity_providers = auth::make_identity_providers(*config);
  if (!identity_providers) {
    std::cerr << "bulwark serve: " << identity_providers.error().message << "\n";
    return kExitError;
  }
  // Image signature verification (trust:): every file it names is read and checked now; a bad
  // one refuses to start.
  std::shared_ptr<const jobs::ProvenanceTrust> provenance_trust;
  if (config->trust.configured() || !config->trust.trusted_root.empty()) {
    auto loaded = jobs::load_provenance_trust(config->trust);
    if (!loaded) {
      std::cerr << "bulwark serve: " << loaded.error().message << "\n";
      return kExitError;
    }
    provenance_trust = std::make_shared<const jobs::ProvenanceTrust>(std::move(*loaded));
  }

  // Block the stop signals in every thread; one thread waits for them synchronously.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGXFSZ, SIG_IGN);  // a file size limit fails that one write (EFBIG), not the process

  std::error_code ec;
  std::filesystem::create_directories(config->data_dir, ec);
  if (ec) {
    std::cerr << "bulwark serve: cannot create data directory " << config->data_dir << ": "
              << ec.message() << "\n";
    return kExitError;
  }
  auto blobs = storage::FsBlobStore::open(config->data_dir + "/blobs");
  if (!blobs) {
    std::cerr << "bulwark serve: blob store: " << blobs.error().message << "\n";
    return kExitError;
  }
  auto metadata = metadata::SqliteMetadataStore::open(config->data_dir + "/metadata.sqlite");
  if (!metadata) {
    std::cerr << "bulwark serve: metadata store: " << metadata.error().message << "\n";
    return kExitError;
  }

  // First start: create the administrator. A generated password goes to stdout once (never to
  // the log stream) and to a 0600 file in the data directory.
  std::optional<std::string> admin_password;
  if (const char* p = std::getenv("BULWARK_ADMIN_PASSWORD"); p != nullptr && *p != '\0') {
    admin_password = p;
  }
  auto admin = auth::ensure_admin(**metadata, config->data_dir, admin_password);
  if (!admin) {
    std::cerr << "bulwark serve: creating the admin user: " << admin.error().message << "\n";
    return kExitError;
  }
  if (admin->created) {
    log_event(LogLevel::kInfo, "created administrator",
              {{"user", auth::kAdminUser},
               {"generated_password", admin->generated_password.has_value()}});
  }
  if (admin->generated_password) {
    std::cout << "Bulwark: created user admin with password " << *admin->generated_password
              << "\n(also written to " << admin->password_file << "; change it after logging in)\n"
              << std::flush;
  }

  // Access control: Basic credentials and this registry's ES256 tokens (key in the data dir).
  auth::LoginThrottle throttle;
  auth::Authenticator authenticator(**metadata, throttle, {}, *identity_providers);
  // Settings changeable at runtime (PATCH /api/v1/settings, `bulwark admin settings set`, also
  // from another process): read on the worker threads that use them when the store's identity
  // generation moved.
  api::RuntimeSettings runtime_settings(*config, **metadata, **metadata);
  if (auto loaded = runtime_settings.refresh(); !loaded) {
    std::cerr << "bulwark serve: runtime settings: " << loaded.error().message << "\n";
    return kExitError;
  }
  auto current = [&runtime_settings](api::Setting id) {
    if (auto r = runtime_settings.refresh(); !r) {
      log_event(LogLevel::kWarn, "runtime settings refresh failed", {{"detail", r.error().message}});
    }
    return runtime_settings.get(id);
  };
  auth::TokenServiceOptions token_options;
  token_options.service = config->auth_service;
  token_options.token_lifetime = config->auth_token_lifetime_seconds;
  token_options.refresh_lifetime = config->auth_refresh_lifetime_seconds;
  token_options.refresh_store = metadata->get();  // refresh tokens survive restarts
  token_options.token_lifetime_source = [current] { return current(api::Setting::kTokenLifetime); };
  token_options.refresh_lifetime_source = [current] {
    return current(api::Setting::kRefreshLifetime);
  };
  auto tokens = auth::TokenService::open(
      config->data_dir + "/token-key.pem", token_options,
      [&authenticator](std::string_view subject, int64_t issued_at, int64_t now) {
        return authenticator.still_valid(subject, issued_at, now);
      });
  if (!tokens) {
    std::cerr << "bulwark serve: token signing key: " << tokens.error().message << "\n";
    return kExitError;
  }
  auth::AccessService access(**metadata, authenticator, **tokens,
                             {config->auth_service, config->auth_cache_seconds});

  // The audit trail: hash-chained, checkpoints signed with the key in the data dir, written by
  // one group-committing writer.
  auto audit_log = audit::AuditLog::open(
      **metadata, {config->data_dir + "/audit-key.pem", config->audit_checkpoint_every, {}});
  if (!audit_log) {
    std::cerr << "bulwark serve: audit log: " << audit_log.error().message << "\n";
    return kExitError;
  }
  audit::AuditWriter audit_writer(**audit_log);

  registry::RegistryOptions registry_options;
  registry_options.manifest_max_bytes = config->manifest_max_bytes;
  // The default (a minute), or a sixtieth of a shorter expiry (runtime settings never go below an
  // hour, so only a configured expiry can be shorter).
  registry_options.upload_activity_resolution_seconds = std::min(
      registry_options.upload_activity_resolution_seconds, config->upload_expiry_seconds / 60);
  registry_options.token_realm = config->auth_realm;
  // Vulnerability matching against the database `bulwark db import` maintains: on push (after
  // the inventory) and, when the database changes, for every stored image.
  const std::string vulndb_path =
      config->vulndb_path.empty() ? config->data_dir + "/vulndb.sqlite" : config->vulndb_path;
  jobs::VulnMatcher matcher(vulndb_path, **blobs, **metadata, **metadata,
                            {config->deadline_critical_seconds, config->deadline_high_seconds,
                             config->deadline_medium_seconds, config->deadline_low_seconds});
  // Scanning on push: the push queues an "sbom" job in its own transaction; workers on their own
  // threads (never the request's) inventory the image, attach the SBOMs, index the packages and
  // match them.
  // Provenance: images are verified on the job workers when pushed, when a signature for them
  // is pushed, and (queue_stale, below) when the trust configuration changed since they were.
  std::optional<jobs::ProvenanceVerifier> provenance;
  if (provenance_trust && provenance_trust->enabled()) {
    provenance.emplace(**blobs, **metadata, **metadata, provenance_trust);
  }
  // Enforcement: each image's policy decision (quarantined while it blocks), evaluated when it is
  // pushed, after its scan, verification or re-match, and when a policy changes; every change of
  // an image's quarantine state is an audit event.
  jobs::PolicyEnforcer enforcer(
      {**blobs, **metadata, **metadata, provenance ? metadata->get() : nullptr, **metadata,
       **metadata, **metadata},
      provenance ? provenance->fingerprint() : std::string(),
      [&audit_writer](const jobs::PolicyTransition& change) {
        audit::Event event;
        event.actor = "policy";
        event.action = change.quarantined ? "image.quarantine" : "image.release";
        event.resource = {change.decision.repository, change.decision.digest, ""};
        event.outcome = change.quarantined ? audit::Outcome::kDenied : audit::Outcome::kAllowed;
        event.reason = change.decision.policy;
        if (!change.reasons.empty()) event.reason += ": " + join(change.reasons, "; ");
        if (auto r = audit_writer.record(std::move(event)); !r) {
          log_event(LogLevel::kError, "audit record failed", {{"detail", r.error().message}});
        }
      });
  auto evaluate_policy = [&enforcer](const metadata::Job& job) -> Result<void> {
    BULWARK_TRY_VOID(enforcer.evaluate(job.repository, job.digest));
    return ok();
  };
  jobs::RunnerOptions runner_options;
  runner_options.threads = std::max(config->scan_workers, 1);
  jobs::JobRunner job_runner(
      **metadata,
      {{std::string(jobs::kSbomJob),
        [&](const metadata::Job& job) -> Result<void> {
          BULWARK_TRY_VOID(
              jobs::generate_sbom(**blobs, **metadata, **metadata, job.repository, job.digest));
          BULWARK_TRY_VOID(matcher.match_image(job.repository, job.digest));
          return evaluate_policy(job);
        }},
       {std::string(jobs::kVulnReportJob),
        [&](const metadata::Job& job) -> Result<void> {
          BULWARK_TRY_VOID(matcher.attach_report(job.repository, job.digest));
          return evaluate_policy(job);
        }},
       {std::string(jobs::kProvenanceJob),
        [&](const metadata::Job& job) -> Result<void> {
          if (!provenance) return ok();  // queued under an earlier configuration
          BULWARK_TRY_VOID(provenance->refresh(job.repository, job.digest));
          return evaluate_policy(job);
        }},
       {std::string(jobs::kPolicyJob), evaluate_policy}},
      runner_options);
  registry_options.image_push_jobs = {std::string(jobs::kPolicyJob)};
  registry_options.index_push_jobs = {std::string(jobs::kPolicyJob)};
  registry_options.jobs_queued = [&job_runner] { job_runner.wake(); };
  if (config->scan_workers > 0) registry_options.image_push_jobs.push_back(std::string(jobs::kSbomJob));
  if (provenance) {
    const std::string kind(jobs::kProvenanceJob);
    registry_options.image_push_jobs.push_back(kind);
    registry_options.index_push_jobs.push_back(kind);
    registry_options.signature_push_jobs = {kind};
    registry_options.signature_tag_subject = [](std::string_view tag) -> std::optional<Digest> {
      auto parsed = trust::cosign::parse_tag(tag);
      if (!parsed || parsed->second == trust::cosign::TagKind::kSbom) return std::nullopt;
      return parsed->first;  // .sig, .att, or the referrers fallback index
    };
    registry_options.jobs_queued = [&job_runner] { job_runner.wake(); };
    registry_options.trust_fingerprint = provenance->fingerprint();
    registry_options.provenance_job = kind;
  }
  registry_options.provenance = metadata->get();
  registry_options.inventory = metadata->get();
  registry_options.jobs = metadata->get();
  registry_options.findings = metadata->get();
  registry_options.enforcement = metadata->get();
  registry_options.evaluate_policy = [&enforcer](std::string_view repository,
                                                 std::string_view digest) {
    return enforcer.evaluate(repository, digest);
  };
  // Promotion (POST /api/v1/promotions): an image is copied into another project (blobs
  // mounted) once that project's policy allows it there; every promotion is an audit event.
  jobs::Promoter promoter(
      {**blobs, **metadata, **metadata, **metadata, matcher, enforcer,
       provenance ? &*provenance : nullptr},
      [&audit_writer](const jobs::PromotionRequest& request, const jobs::PromotionResult& result) {
        audit::Event event;
        event.actor = request.actor;
        event.client_address = request.client_address;
        event.action = "image.promote";
        event.resource = {request.destination_repository, result.digest, result.tag};
        event.outcome = result.allowed ? audit::Outcome::kAllowed : audit::Outcome::kDenied;
        event.reason = "from " + result.source + " to " + result.destination;
        for (size_t i = 0; i < result.reasons.size(); ++i) {
          event.reason += (i == 0 ? ": " : "; ") + result.reasons[i];
        }
        if (auto r = audit_writer.record(std::move(event)); !r) {
          log_event(LogLevel::kError, "audit record failed", {{"detail", r.error().message}});
        }
      });
  registry_options.promote =
      [&promoter](const registry::PromotionCall& call) -> Result<registry::PromotionAnswer> {
    BULWARK_ASSIGN_OR_RETURN(
        jobs::PromotionResult result,
        promoter.promote({call.source_repository, call.source_reference, call.destination_repository,
                          call.destination_tag, call.actor, call.client_address}));
    return registry::PromotionAnswer{result.allowed,
                                     boost::json::serialize(jobs::promotion_to_json(result))};
  };
  registry::Registry registry(registry_options, **blobs, **metadata, access, &audit_writer);
  http::Router router;
  registry.register_routes(router);
  // The management API (/api/v1): sessions, users, projects, members, robots, audit, settings.
  api::ApiOptions api_options;
  api_options.data_dir = config->data_dir;
  api_options.service = config->auth_service;
  api_options.settings = api::settings_json(*config);
  auto management = api::Api::open(
      {**metadata, **metadata, authenticator, throttle, access, audit_writer, **audit_log,
       &runtime_settings, metadata->get(), metadata->get()},
      std::move(api_options));
  if (!management) {
    std::cerr << "bulwark serve: management API: " << management.error().message << "\n";
    return kExitError;
  }
  (*management)->register_routes(router);
  // The Kubernetes admission webhook (/admission/validate, /admission/mutate) when enabled.
  admission::RegistryDeciderOptions decider_options;
  decider_options.registry_hosts = config->admission.registry_hosts;
  decider_options.allow_foreign_images = config->admission.allow_foreign_images;
  admission::RegistryDecider admission_decider(decider_options, **metadata, **metadata);
  std::optional<admission::Webhook> admission_webhook;
  if (config->admission.enabled) {
    admission::WebhookOptions webhook_options;
    webhook_options.cluster = config->admission.cluster;
    webhook_options.fail_open = config->admission.fail_open;
    // Denials (and fail-open admissions) reach the audit trail, queued: never block a review.
    webhook_options.on_refusal = [&audit_writer](std::string_view action,
                                                 const std::string& workload,
                                                 const std::string& message) {
      audit::Event event;
      event.actor = "admission:" + workload;
      event.action = std::string(action);
      event.outcome = action == "admission.deny" ? audit::Outcome::kDenied : audit::Outcome::kAllowed;
      event.reason = message;
      audit_writer.submit(std::move(event));
    };
    admission_webhook.emplace(webhook_options, admission_decider, metadata->get());
    admission_webhook->register_routes(router);
  }

  http::ServerOptions options;
  options.listen = config->listen;
  options.tls_cert_file = config->tls_cert;
  options.tls_key_file = config->tls_key;
  options.io_threads = config->io_threads;
  options.worker_threads = config->worker_threads;
  options.header_max_bytes = config->header_max_bytes;
  options.idle_timeout_seconds = config->idle_timeout_seconds;
  options.request_timeout_seconds = config->request_timeout_seconds;
  options.shutdown_grace_seconds = config->shutdown_grace_seconds;
  options.error_response = server_error;
  http::Server server(options, router);
  if (auto started = server.start(); !started) {
    std::cerr << "bulwark serve: " << started.error().message << "\n";
    return kExitError;
  }
  if (config->admission.registry_hosts.empty()) {  // the bound port is known only now
    admission_decider.set_registry_hosts(
        admission::default_registry_hosts(config->listen, server.port()));
  }
  bool tls = !config->tls_cert.empty() && !config->tls_key.empty();
  log_event(LogLevel::kInfo, "listening",
            {{"address", config->listen}, {"port", int{server.port()}}, {"tls", tls},
             {"data", config->data_dir}});
  if (!config->port_file.empty()) {
    if (auto w = write_port_file(config->port_file, server.port()); !w) {
      std::cerr << "bulwark serve: " << w.error().message << "\n";
      return kExitError;
    }
  }

  auto sweep = [&registry, current] {
    const int64_t expiry = current(api::Setting::kUploadExpiry);
    if (auto r = registry.expire_uploads(unix_seconds(), expiry); !r) {
      log_event(LogLevel::kWarn, "upload expiry failed", {{"detail", r.error().message}});
    }
  };
  sweep();
  // uploads.expiry may change at runtime (at least 1h): sweep at most every 5 minutes.
  auto period = std::chrono::seconds(std::clamp<int64_t>(config->upload_expiry_seconds / 4, 1, 300));
  PeriodicTask janitor(period, sweep);
  PeriodicTask audit_flusher(std::chrono::seconds(1), [&registry] { registry.flush_audit(false); });
  PeriodicTask rematcher(std::chrono::seconds(std::max<int64_t>(config->vulndb_poll_seconds, 1)),
                         [&matcher, &job_runner, &enforcer, &metadata] {
                           auto wake = [&job_runner] { job_runner.wake(); };
                           auto r = matcher.rematch_if_changed(wake);
                           if (!r) {
                             log_event(LogLevel::kWarn, "re-matching stored images failed",
                                       {{"detail", r.error().message}});
                           } else if (r->images > 0) {
                             // Findings, KEV and EPSS may have changed: decide again.
                             (void)enforcer.queue_all(**metadata, "", wake);
                           }
                         });
  // A changed policy document (API or `bulwark admin policy`, also from another process):
  // every image is decided again.
  PeriodicTask policy_watch(std::chrono::seconds(1), [&enforcer, &job_runner, &metadata] {
    if (auto r = enforcer.requeue_if_changed(**metadata, [&job_runner] { job_runner.wake(); });
        !r) {
      log_event(LogLevel::kWarn, "re-queueing policy evaluation failed",
                {{"detail", r.error().message}});
    }
  });
  if (runner_options.threads > 0) {
    // One node on SQLite: jobs its previous process was running died with it.
    if (auto released = (*metadata)->release_claims(); !released) {
      log_event(LogLevel::kWarn, "cannot release old job claims", {{"detail", released.error().message}});
    }
    job_runner.start();
  }
  // Images not verified under the current trust configuration (it changed, or they were pushed
  // before it existed) are queued for verification, in the background.
  std::thread provenance_rescan;
  if (provenance) {
    provenance_rescan = std::thread([&] {
      if (auto r = provenance->queue_stale(**metadata, [&job_runner] { job_runner.wake(); }); !r) {
        log_event(LogLevel::kWarn, "queueing provenance verification failed",
                  {{"detail", r.error().message}});
      }
    });
  }

  std::thread signal_waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    log_event(LogLevel::kInfo, "shutting down", {{"signal", sig}});
    server.stop();
  });
  server.run();
  // run() also returns on its own (fatal listener errors): release the signal thread.
  // SIGTERM is blocked in every thread and only ever consumed by sigwait(), so this wakes the
  // waiter instead of terminating anything.
  pthread_kill(signal_waiter.native_handle(), SIGTERM);  // NOLINT(bugprone-bad-signal-to-kill-thread)
  signal_waiter.join();
  janitor.stop();
  audit_flusher.stop();
  rematcher.stop();
  policy_watch.stop();
  if (provenance_rescan.joinable()) provenance_rescan.join();
  job_runner.stop();  // a job cut short is claimed again after its lease
  registry.flush_audit(true);
  audit_writer.stop();  // commits what is queued
  if (auto c = (*audit_log)->checkpoint(); !c) {
    log_event(LogLevel::kWarn, "final audit checkpoint failed", {{"detail", c.error().message}});
  }
  log_event(LogLevel::kInfo, "stopped");
  return kExitOk;
}

}  // namespace

Command add_serve(CLI::App& app) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* sub = app.add_subcommand("serve", "Serve the registry (OCI Distribution API)");
  sub->add_option("--config", flags->config_file, "YAML configuration file");
  sub->add_option("--listen", flags->listen, "HOST:PORT to listen on (default 127.0.0.1:5000)");
  sub->add_option("--data", flags->data, "data directory (default ./var)");
  sub->footer(
      "Environment variables BULWARK_LISTEN, BULWARK_DATA, BULWARK_TLS_CERT, BULWARK_TLS_KEY, "
      "BULWARK_LOG_LEVEL, BULWARK_UPLOAD_EXPIRY, ... override the file and the flags.");
  return {sub, [flags] { return serve(*flags); }};
}

}  // namespace bulwark::cli
