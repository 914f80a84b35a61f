// JobRunner (runner.h).
#include "jobs/runner.h"

#include <algorithm>

#include "common/clock.h"
#include "common/log.h"

namespace bulwark::jobs {

namespace {

// Failures worth retrying: the input may be fine and the system busy or broken for a while.
// Anything else (a hostile layer, a missing image) fails the same way every time.
constexpr ErrorCode kTransient[] = {ErrorCode::kUnavailable, ErrorCode::kIo, ErrorCode::kInternal,
                                    ErrorCode::kConflict};

bool is_transient(ErrorCode code) {
  return std::find(std::begin(kTransient), std::end(kTransient), code) != std::end(kTransient);
}

}  // namespace

JobRunner::JobRunner(metadata::JobStore& store, std::vector<JobHandler> handlers,
                     RunnerOptions options)
    : store_(store), handlers_(std::move(handlers)), options_(options) {}

JobRunner::~JobRunner() { stop(); }

void JobRunner::start() {
  for (int i = 0; i < std::max(options_.threads, 1); ++i) threads_.emplace_back([this] { work(); });
}

void JobRunner::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void JobRunner::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void JobRunner::work() {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      woken_ = false;
    }
    if (run_one()) continue;  // there may be more
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, options_.poll, [this] { return stopping_ || woken_; });
  }
}

bool JobRunner::run_one() {
  auto claimed = store_.claim_job(unix_seconds(), options_.lease.count());
  if (!claimed) {
    log_event(LogLevel::kWarn, "cannot claim a job", {{"error", claimed.error().message}});
    return false;
  }
  if (!claimed->has_value()) return false;
  const metadata::Job& job = **claimed;
  auto handler = std::find_if(handlers_.begin(), handlers_.end(),
                              [&](const JobHandler& h) { return h.kind == job.kind; });
  const auto started = std::chrono::steady_clock::now();
  Result<void> result = handler == handlers_.end()
                            ? Result<void>(fail(ErrorCode::kUnsupported, "no handler for job kind " + job.kind))
                            : handler->run(job);
  if (result) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    log_event(LogLevel::kInfo, "job done",
              {{"kind", job.kind}, {"repository", job.repository}, {"digest", job.digest},
               {"ms", int64_t{ms}}});
    if (auto done = store_.complete_job(job.id); !done) {
      log_event(LogLevel::kWarn, "cannot complete a job",
                {{"job", job.id}, {"error", done.error().message}});
    }
    return true;
  }
  bool permanent = handler == handlers_.end() || job.attempts >= options_.max_attempts ||
                   !is_transient(result.error().code);
  std::optional<int64_t> retry_at;
  if (!permanent) {
    retry_at = unix_seconds() + options_.first_retry.count() * (int64_t{1} << std::min(job.attempts - 1, 10));
  }
  log_event(LogLevel::kWarn, permanent ? "job failed, giving up" : "job failed, will retry",
            {{"kind", job.kind}, {"repository", job.repository}, {"digest", job.digest},
             {"attempt", job.attempts}, {"error", result.error().message}});
  if (auto failed = store_.fail_job(job.id, result.error().message, retry_at); !failed) {
    log_event(LogLevel::kWarn, "cannot record a job failure",
              {{"job", job.id}, {"error", failed.error().message}});
  }
  return true;
}

}  // namespace bulwark::jobs
