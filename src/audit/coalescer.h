// EventCoalescer: folds repeated identical high-volume events — the same actor, client, action
// and resource, such as one CI runner pulling one image thousands of times a minute — into one
// record per window, so that the audit trail stays complete (every distinct pull is there, with
// how often it happened) while its cost stays bounded by distinct events, not requests.
//
// The first occurrence of an event is passed to the sink at once. Repeats within `window_ms` of
// that first occurrence are only counted; when the window ends (checked on later submits, by
// flush_expired(), and by flush()) a summary with the same fields, the window's end time and
// reason "repeated N more times in M ms" is passed on. Outcome and reason are part of the
// identity, so a denied pull is never folded into allowed ones.
//
// Bounded memory: at most `max_keys` events are being counted; beyond that, new distinct
// events pass straight through uncounted.
//
// Thread-safety: thread-safe; submit() never blocks on I/O (the sink must not either — use
// AuditWriter::submit). The sink is called without the internal lock held.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "audit/event.h"

namespace bulwark::audit {

struct CoalescerOptions {
  int64_t window_ms = 1000;
  size_t max_keys = 10000;
  std::function<int64_t()> clock_ms;  // unix milliseconds; the system clock when empty
};

class EventCoalescer {
 public:
  using Sink = std::function<void(Event)>;
  EventCoalescer(Sink sink, CoalescerOptions options = {});

  void submit(Event event);
  // Passes on the summaries of windows that have ended by now.
  void flush_expired();
  // Passes on every pending summary (shutdown).
  void flush();

 private:
  struct Pending {
    Event first;
    int64_t window_start_ms = 0;
    int64_t last_ms = 0;
    uint64_t repeats = 0;  // occurrences after the first
  };
  static std::string key_of(const Event& event);
  static Event summary_of(const Pending& pending);
  int64_t now_ms() const;
  // Moves the summaries of windows ended before `now` (all when `all`) into `out`.
  // REQUIRES: mu_ held.
  void take_expired(int64_t now, bool all, std::vector<Event>& out);

  const Sink sink_;
  const CoalescerOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, Pending> pending_;  // guarded by mu_
  int64_t next_sweep_ms_ = 0;                         // guarded by mu_
};

}  // namespace bulwark::audit
