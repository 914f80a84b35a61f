#include "common/config.h"

#include <yaml-cpp/yaml.h>

#include <array>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
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
  };
  return table;
}

const Key* find_key(std::string_view yaml_path) {
  for (const auto& k : keys()) {
    if (k.yaml_path == yaml_path) return &k;
  }
  return nullptr;
}

Result<void> apply_node(Config& config, const YAML::Node& node, const std::string& prefix) {
  if (!node.IsMap()) {
    return fail(ErrorCode::kInvalidArgument,
                "config: " + (prefix.empty() ? std::string("document") : prefix) + " must be a map");
  }
  for (const auto& item : node) {
    std::string path = prefix.empty() ? item.first.Scalar() : prefix + "." + item.first.Scalar();
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
