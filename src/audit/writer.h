// AuditWriter: group commit for the audit trail. A background thread drains a queue of events
// and appends them through AuditLog::record_batch, one store transaction per batch: whatever
// accumulated while the previous batch was committing, at most `max_batch` events. So tens of
// thousands of events per second cost a few hundred fsyncs, and the chain stays one linear
// chain (the store serialises batches).
//
// Two ways in:
//   submit(event)  fire and forget, for high-volume events (pulls, token issues). Never blocks on
//                  I/O, so it is safe on an I/O thread. The queue is bounded: when it is full the
//                  event is counted as dropped instead, and the next batch starts with one
//                  "audit.dropped" event (actor "system", outcome error, reason "N events
//                  dropped: queue full"), so the trail itself says that records were lost.
//   record(event)  durable, for pushes, deletes, logins and admin actions: blocks (call it from a
//                  worker thread) until the batch holding the event is committed, and returns the
//                  commit error if it failed. Many concurrent callers share one transaction.
//                  record() is not subject to the queue bound (its callers are bounded by the
//                  worker pool, and refusing them would lose exactly the events that matter).
//
// Failures: a failed batch is logged (log_event: event count and store error, no event
// content) and its error returned to the record() callers in it. Its submitted events are
// retried once, at the front of the next batch; if that fails too they are counted as dropped
// and reported in the trail by an "audit.dropped" event with reason "N events dropped: commit
// failed" once a batch succeeds again.
//
// Thread-safety: submit, record, flush, stats and stop may be called from any number of threads
// concurrently. The AuditLog must outlive the writer. After stop() (or destruction begins),
// submit() counts events as dropped and record() fails with kUnavailable.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "audit/audit_log.h"
#include "audit/event.h"
#include "common/result.h"

namespace bulwark::audit {

struct AuditWriterOptions {
  size_t queue_capacity = 100000;  // events waiting for the writer (submit() drops beyond it)
  size_t max_batch = 1000;         // events per transaction
};

// Counters for metrics; monotonic except `queued`.
struct AuditWriterStats {
  uint64_t committed = 0;  // records stored (including the writer's own "audit.dropped" ones)
  uint64_t dropped = 0;    // submitted events lost: queue full, failed twice, or after stop()
  uint64_t batches = 0;    // committed transactions
  uint64_t failed_batches = 0;
  size_t queued = 0;  // events waiting now (not counting the batch being committed)
};

class AuditWriter {
 public:
  // Starts the writer thread. REQUIRES: options.queue_capacity > 0 and options.max_batch > 0.
  explicit AuditWriter(AuditLog& log, AuditWriterOptions options = {});
  // stop().
  ~AuditWriter();
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;

  // Enqueues `event` and returns at once (or counts it as dropped when the queue is full).
  void submit(Event event);

  // Enqueues `event` and waits until its batch is committed; returns the commit error if not.
  Result<void> record(Event event);

  // Waits until every event submitted or recorded before this call is committed or dropped.
  void flush();

  // Commits what is queued (as flush()), then ends the writer thread. Idempotent.
  void stop();

  AuditWriterStats stats() const;

 private:
  // How a record() caller learns its outcome; lives on the caller's stack, guarded by mu_.
  struct Waiter {
    bool done = false;
    Result<void> result;
  };
  struct Item {
    Event event;
    uint64_t ticket = 0;       // 1, 2, ... in enqueue order; 0 for the writer's own events
    Waiter* waiter = nullptr;  // set for record()
    bool retried = false;      // already failed once
    int drop_cause = -1;       // for "audit.dropped" events: index into kDropCauses
    uint64_t drop_count = 0;   // ... and how many drops it reports
  };

  // An item with the next ticket. REQUIRES: mu_ held.
  Item make_item_locked(Event event, Waiter* waiter);
  // Drop reports, then retries, then queued items up to max_batch. REQUIRES: mu_ held.
  std::vector<Item> take_batch_locked();
  // Appends `batch` with mu_ released, then settles it. REQUIRES: `lock` holds mu_.
  void commit(std::vector<Item> batch, std::unique_lock<std::mutex>& lock);
  // Wakes waiters, schedules retries, counts drops. REQUIRES: mu_ held.
  void finish_batch_locked(std::vector<Item> batch, const Result<void>& committed);
  void run();  // the writer thread

  AuditLog& log_;
  const AuditWriterOptions options_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // the writer waits for work or stop
  std::condition_variable done_cv_;  // record() and flush() wait for batches to finish
  std::deque<Item> queue_;           // guarded by mu_
  std::vector<Item> retry_;          // guarded by mu_: failed once, go first in the next batch
  uint64_t next_ticket_ = 1;         // guarded by mu_
  uint64_t resolved_through_ = 0;    // guarded by mu_: every ticket <= it is committed or dropped
  uint64_t unreported_drops_[2] = {0, 0};  // guarded by mu_: per kDropCauses entry
  bool stopping_ = false;                  // guarded by mu_
  AuditWriterStats stats_;                 // guarded by mu_ (queued is computed)
  std::once_flag stop_once_;
  std::thread thread_;
};

}  // namespace bulwark::audit
