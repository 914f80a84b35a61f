#include "audit/writer.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "common/log.h"

namespace bulwark::audit {
namespace {

// Why submitted events were lost; each cause is reported by its own "audit.dropped" event.
constexpr std::string_view kDropCauses[] = {"queue full", "commit failed"};
constexpr int kQueueFull = 0;
constexpr int kCommitFailed = 1;
static_assert(std::size(kDropCauses) == 2, "AuditWriter::unreported_drops_ has one slot per cause");

Event dropped_event(uint64_t count, int cause) {
  Event event;
  event.actor = "system";
  event.action = "audit.dropped";
  event.outcome = Outcome::kError;
  event.reason = std::to_string(count) + " events dropped: " + std::string(kDropCauses[cause]);
  return event;
}

}  // namespace

AuditWriter::AuditWriter(AuditLog& log, AuditWriterOptions options) : log_(log), options_(options) {
  thread_ = std::thread([this] { run(); });
}

AuditWriter::~AuditWriter() { stop(); }

AuditWriter::Item AuditWriter::make_item_locked(Event event, Waiter* waiter) {
  Item item;
  item.event = std::move(event);
  item.ticket = next_ticket_++;
  item.waiter = waiter;
  return item;
}

void AuditWriter::submit(Event event) {
  // Stamp the time it happened, not the time it is committed.
  if (event.time_ms == 0) event.time_ms = log_.now_ms();
  std::lock_guard lock(mu_);
  if (stopping_ || queue_.size() >= options_.queue_capacity) {
    ++stats_.dropped;
    if (!stopping_) ++unreported_drops_[kQueueFull];
    return;
  }
  queue_.push_back(make_item_locked(std::move(event), nullptr));
  work_cv_.notify_one();
}

Result<void> AuditWriter::record(Event event) {
  if (event.time_ms == 0) event.time_ms = log_.now_ms();
  Waiter waiter;
  std::unique_lock lock(mu_);
  if (stopping_) return fail(ErrorCode::kUnavailable, "the audit writer is stopped");
  queue_.push_back(make_item_locked(std::move(event), &waiter));
  work_cv_.notify_one();
  done_cv_.wait(lock, [&] { return waiter.done; });
  return std::move(waiter.result);
}

void AuditWriter::flush() {
  std::unique_lock lock(mu_);
  const uint64_t target = next_ticket_ - 1;
  done_cv_.wait(lock, [&] { return resolved_through_ >= target; });
}

void AuditWriter::stop() {
  std::call_once(stop_once_, [this] {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    work_cv_.notify_all();
    thread_.join();
  });
}

AuditWriterStats AuditWriter::stats() const {
  std::lock_guard lock(mu_);
  AuditWriterStats stats = stats_;
  stats.queued = queue_.size() + retry_.size();
  return stats;
}

std::vector<AuditWriter::Item> AuditWriter::take_batch_locked() {
  std::vector<Item> batch;
  // First the news that events were lost, then the events that failed once, then new ones.
  for (int cause = 0; cause < static_cast<int>(std::size(kDropCauses)); ++cause) {
    if (unreported_drops_[cause] == 0) continue;
    Item marker;
    marker.event = dropped_event(unreported_drops_[cause], cause);
    marker.drop_cause = cause;
    marker.drop_count = unreported_drops_[cause];
    unreported_drops_[cause] = 0;
    batch.push_back(std::move(marker));
  }
  for (Item& item : retry_) batch.push_back(std::move(item));
  retry_.clear();
  while (!queue_.empty() && batch.size() < options_.max_batch) {
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return batch;
}

void AuditWriter::commit(std::vector<Item> batch, std::unique_lock<std::mutex>& lock) {
  lock.unlock();
  std::vector<Event> events;
  events.reserve(batch.size());
  for (const Item& item : batch) events.push_back(item.event);  // items keep theirs for a retry
  Result<void> committed = ok();
  if (auto stored = log_.record_batch(std::move(events)); !stored) {
    committed = fail(std::move(stored.error()));
    log_event(LogLevel::kError, "audit batch commit failed",
              {{"events", static_cast<uint64_t>(batch.size())},
               {"code", error_code_name(committed.error().code)},
               {"detail", committed.error().message}});
  }
  lock.lock();
  finish_batch_locked(std::move(batch), committed);
}

void AuditWriter::finish_batch_locked(std::vector<Item> batch, const Result<void>& committed) {
  uint64_t last_ticket = 0;
  if (committed) {
    ++stats_.batches;
    stats_.committed += batch.size();
  } else {
    ++stats_.failed_batches;
  }
  for (Item& item : batch) {
    last_ticket = std::max(last_ticket, item.ticket);
    if (item.waiter != nullptr) {
      item.waiter->result = committed;
      item.waiter->done = true;
    } else if (committed) {
      continue;
    } else if (item.drop_cause >= 0) {
      unreported_drops_[item.drop_cause] += item.drop_count;  // reported by a later batch
    } else if (!item.retried) {
      item.retried = true;
      retry_.push_back(std::move(item));
    } else {
      ++stats_.dropped;
      ++unreported_drops_[kCommitFailed];
    }
  }
  // Batches take tickets in order and retries go first in the very next batch, so everything
  // below the oldest pending retry is settled.
  const uint64_t settled = retry_.empty() ? last_ticket : retry_.front().ticket - 1;
  resolved_through_ = std::max(resolved_through_, settled);
  done_cv_.notify_all();
}

void AuditWriter::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty() || !retry_.empty(); });
    if (queue_.empty() && retry_.empty()) break;  // stopping, and everything is settled
    commit(take_batch_locked(), lock);
  }
  // Drops no later batch carried into the trail: one last attempt to record them.
  if (std::any_of(std::begin(unreported_drops_), std::end(unreported_drops_),
                  [](uint64_t n) { return n > 0; })) {
    commit(take_batch_locked(), lock);
  }
}

}  // namespace bulwark::audit
