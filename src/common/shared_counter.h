// SharedCounter: a 64-bit counter kept in a small memory-mapped file, so that every process
// mapping the same file sees increments made by any of them at once, without a system call.
//
// Used as a change generation: a writer increments it after committing a change, and caches in
// other threads or processes compare the value they were filled under with the current one to
// know whether they are stale. Reading is one atomic load, cheap enough for every request on an
// I/O thread.
//
// The file is created (mode 0600) when missing; its content is the counter in native byte order
// and means nothing else. A crash between a commit and its increment leaves the increment
// undone: callers that cache must also bound their entries' age.
//
// Thread-safety: thread-safe and process-safe (lock-free atomic operations on shared memory).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"

namespace bulwark {

class SharedCounter {
 public:
  // Maps the counter file at `path`, creating it when missing.
  static Result<std::unique_ptr<SharedCounter>> open(const std::string& path);
  ~SharedCounter();
  SharedCounter(const SharedCounter&) = delete;
  SharedCounter& operator=(const SharedCounter&) = delete;

  uint64_t load() const;
  // Adds one and returns the new value.
  uint64_t increment();

 private:
  explicit SharedCounter(uint64_t* word) : word_(word) {}
  uint64_t* word_;  // points into a MAP_SHARED mapping of the file
};

}  // namespace bulwark
