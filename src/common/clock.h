// The wall clock as the stores and logs record it: unix seconds and milliseconds. Thread-safe.
// (Code that must be testable at other times takes the time as a parameter instead.)
#pragma once

#include <chrono>
#include <cstdint>

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

}  // namespace bulwark
