// SingleFlightCache<V>: results keyed by (subject, variant) — e.g. a provenance verdict per
// (image digest, policy fingerprint) — computed at most once at a time: concurrent callers asking
// for a key that is being computed wait for that computation instead of starting their own, and
// later callers get the stored result until it is invalidated or evicted.
//
// Bounded: at most `capacity` subjects are kept, the least recently used evicted first. A subject's
// results are dropped together by invalidate(subject) (new signatures for an image) and all of
// them by clear() (trust configuration changed). A computation that was running when its key was
// invalidated still answers its waiting callers but is not stored.
//
// Thread-safe: every method may be called concurrently. `compute` runs on the first caller's
// thread without the cache's lock held, so it may block (crypto, I/O) and may use the cache for
// other keys. If it throws, the waiting callers get the exception and nothing is stored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <atomic>
#include <chrono>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace bulwark {

template <class V>
class SingleFlightCache {
 public:
  // REQUIRES: capacity > 0.
  explicit SingleFlightCache(size_t capacity) : capacity_(capacity) {}

  // The stored value of (subject, variant), or the value of the computation running for it, or
  // compute()'s value (stored for later callers).
  V get(const std::string& subject, const std::string& variant, const std::function<V()>& compute) {
    std::promise<V> promise;
    uint64_t epoch = 0;
    {
      std::unique_lock lock(mutex_);
      Subject& s = touch(subject);
      auto it = s.results.find(variant);
      if (it != s.results.end()) {
        std::shared_future<V> found = it->second;
        lock.unlock();
        ++(found.wait_for(std::chrono::seconds(0)) == std::future_status::ready ? hits_ : waits_);
        return found.get();
      }
      s.results.emplace(variant, promise.get_future().share());
      epoch = s.epoch;
      ++misses_;
    }
    try {
      V value = compute();
      promise.set_value(value);
      return value;
    } catch (...) {
      promise.set_exception(std::current_exception());
      forget(subject, variant, epoch);
      throw;
    }
  }

  // Drops every result of `subject`.
  void invalidate(const std::string& subject) {
    std::lock_guard lock(mutex_);
    auto it = subjects_.find(subject);
    if (it == subjects_.end()) return;
    lru_.erase(it->second.lru);
    subjects_.erase(it);
  }

  // Drops every result.
  void clear() {
    std::lock_guard lock(mutex_);
    subjects_.clear();
    lru_.clear();
  }

  size_t subjects() const {
    std::lock_guard lock(mutex_);
    return subjects_.size();
  }
  // Counters since construction: answered from a stored value, waited for a running computation,
  // computed.
  uint64_t hits() const { return hits_; }
  uint64_t waits() const { return waits_; }
  uint64_t misses() const { return misses_; }

 private:
  struct Subject {
    std::unordered_map<std::string, std::shared_future<V>> results;
    std::list<std::string>::iterator lru;
    uint64_t epoch = 0;  // distinguishes a re-created subject from an invalidated one
  };

  // The subject's entry, created if needed and moved to the front of the LRU list (evicting the
  // least recently used beyond capacity). REQUIRES: mutex_ held.
  Subject& touch(const std::string& subject) {
    auto it = subjects_.find(subject);
    if (it != subjects_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      return it->second;
    }
    while (subjects_.size() >= capacity_ && !lru_.empty()) {
      subjects_.erase(lru_.back());
      lru_.pop_back();
    }
    lru_.push_front(subject);
    Subject& s = subjects_[subject];
    s.lru = lru_.begin();
    s.epoch = ++next_epoch_;
    return s;
  }

  // Removes a failed computation's slot, unless the subject was invalidated meanwhile.
  void forget(const std::string& subject, const std::string& variant, uint64_t epoch) {
    std::lock_guard lock(mutex_);
    auto it = subjects_.find(subject);
    if (it != subjects_.end() && it->second.epoch == epoch) it->second.results.erase(variant);
  }

  const size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Subject> subjects_;  // guarded by mutex_
  std::list<std::string> lru_;                          // most recent first; guarded by mutex_
  uint64_t next_epoch_ = 0;                             // guarded by mutex_
  std::atomic<uint64_t> hits_{0}, waits_{0}, misses_{0};
};

}  // namespace bulwark
