// Server configuration: defaults, then a YAML file, then command-line flags, then BULWARK_*
// environment variables (each later layer overrides the earlier ones). Plain value type.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/result.h"

namespace bulwark {

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

  // Access control (the Docker token flow).
  std::string auth_service = "bulwark";  // `service` of challenges and token audience
  std::string auth_realm;  // token endpoint URL in challenges; empty: from each request's Host
  int64_t auth_token_lifetime_seconds = 300;       // access tokens
  int64_t auth_refresh_lifetime_seconds = 7 * 86400;  // refresh tokens
  int64_t auth_cache_seconds = 60;  // longest a cached access decision is trusted

  int64_t audit_checkpoint_every = 1000;  // records between signed audit checkpoints
};

// Parses durations like "90", "90s", "15m", "24h", "7d" into seconds.
Result<int64_t> parse_duration_seconds(std::string_view text);

// Applies a YAML document's keys onto `config`. Unknown keys are an error (typos must not be
// silently ignored in security-relevant configuration).
Result<void> apply_config_yaml(Config& config, const std::string& yaml_text);
Result<void> apply_config_file(Config& config, const std::string& path);
// Applies BULWARK_* variables from `env` (name -> value).
Result<void> apply_config_env(Config& config, const std::map<std::string, std::string>& env);
// Snapshot of the process environment's BULWARK_* variables.
std::map<std::string, std::string> bulwark_environment();

}  // namespace bulwark
