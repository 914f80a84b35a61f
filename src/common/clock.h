// The wall clock as the stores and logs record it: unix seconds and milliseconds, and their RFC
// 3339 text. Thread-safe. (Code that must be testable at other times takes the time as a parameter
// instead.)
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "common/result.h"

namespace bulwark {

inline int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline int64_t unix_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// RFC 3339 UTC text of Unix seconds, e.g. "2026-11-28T07:49:59Z". Times outside the years
// 0000-9999 read as the epoch, so the text always has the RFC 3339 shape.
inline std::string rfc3339_utc(int64_t unix_seconds) {
  constexpr int64_t kMax = 253402300799;  // 9999-12-31T23:59:59Z
  if (unix_seconds < 0 || unix_seconds > kMax) unix_seconds = 0;
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

// Parses an RFC 3339 date-time ("2021-01-12T11:53:27Z", an optional fraction, "Z" or +hh:mm)
// into Unix seconds (the fraction truncated, a leap second read as :59). kInvalidArgument for
// anything else, including impossible dates.
Result<int64_t> parse_rfc3339(std::string_view text);

}  // namespace bulwark
