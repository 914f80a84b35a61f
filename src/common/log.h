// Structured logging: JSON lines on stderr via spdlog.
//
// init_logging() is called once at start-up; log_event() is thread-safe. Callers pass fields as
// key/value pairs; values are JSON-escaped here, so no caller formats JSON by hand. Never pass a
// secret (passwords, tokens, Authorization headers) as a field.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace bulwark {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Parses "debug" | "info" | "warn" | "error"; unknown names yield kInfo.
LogLevel parse_log_level(std::string_view name);
void init_logging(LogLevel level);

using LogValue = std::variant<std::string_view, int64_t, uint64_t, double, bool>;
struct LogField {
  std::string_view key;
  LogValue value;
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, int v) : key(k), value(int64_t{v}) {}
  LogField(std::string_view k, int64_t v) : key(k), value(v) {}
  LogField(std::string_view k, uint64_t v) : key(k), value(v) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
};

// Emits {"ts":..., "level":..., "msg": msg, <fields>...} as one line.
void log_event(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});

// JSON string escaping (RFC 8259), exposed for tests and other emitters.
void append_json_escaped(std::string& out, std::string_view text);

}  // namespace bulwark
