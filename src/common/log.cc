#include "common/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <cstdio>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace bulwark {
namespace {

struct LevelInfo {
  LogLevel level;
  std::string_view name;
  spdlog::level::level_enum spd;
};
constexpr std::array<LevelInfo, 4> kLevels = {{
    {LogLevel::kDebug, "debug", spdlog::level::debug},
    {LogLevel::kInfo, "info", spdlog::level::info},
    {LogLevel::kWarn, "warn", spdlog::level::warn},
    {LogLevel::kError, "error", spdlog::level::err},
}};

const LevelInfo& level_info(LogLevel level) {
  for (const auto& l : kLevels) {
    if (l.level == level) return l;
  }
  return kLevels[1];
}

std::shared_ptr<spdlog::logger> logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    auto l = spdlog::stderr_logger_mt("bulwark");
    l->set_pattern("%v");
    l->set_level(spdlog::level::info);
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return instance;
}

}  // namespace

LogLevel parse_log_level(std::string_view name) {
  for (const auto& l : kLevels) {
    if (l.name == name) return l.level;
  }
  return LogLevel::kInfo;
}

void init_logging(LogLevel level) { logger()->set_level(level_info(level).spd); }

void append_json_escaped(std::string& out, std::string_view text) {
  out += '"';
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void log_event(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  auto& info = level_info(level);
  auto l = logger();
  if (!l->should_log(info.spd)) return;
  std::string line;
  line.reserve(256);
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  line += fmt::format("{{\"ts\":\"{:%FT%T}.{:03d}Z\",\"level\":\"{}\",\"msg\":",
                      std::chrono::floor<std::chrono::seconds>(now), static_cast<int>(ms % 1000),
                      info.name);
  append_json_escaped(line, msg);
  for (const auto& f : fields) {
    line += ',';
    append_json_escaped(line, f.key);
    line += ':';
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::string_view>) {
            append_json_escaped(line, v);
          } else if constexpr (std::is_same_v<V, bool>) {
            line += v ? "true" : "false";
          } else {
            line += fmt::format("{}", v);
          }
        },
        f.value);
  }
  line += '}';
  l->log(info.spd, line);
}

}  // namespace bulwark
