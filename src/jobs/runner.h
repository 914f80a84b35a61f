// JobRunner: worker threads that claim background jobs from the JobStore and run them.
//
// Handlers are looked up by job kind in the table given at construction. A failed job is retried
// with exponential backoff (30 s, 60 s, ...) up to `max_attempts`, then marked failed with its
// last error; a job whose worker died is claimed again when its lease ends. Workers wake when
// wake() is called (a push queued work) and at least every `poll` otherwise.
//
// Thread-safety: wake() and stop() may be called from any thread; handlers run on the workers
// and must be thread-safe themselves when threads > 1.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/result.h"
#include "metadata/job_store.h"

namespace bulwark::jobs {

struct JobHandler {
  std::string kind;
  std::function<Result<void>(const metadata::Job&)> run;
};

struct RunnerOptions {
  int threads = 1;
  int max_attempts = 5;
  std::chrono::seconds lease{600};
  std::chrono::milliseconds poll{2000};
  std::chrono::seconds first_retry{30};
};

class JobRunner {
 public:
  // REQUIRES: store outlives the runner.
  JobRunner(metadata::JobStore& store, std::vector<JobHandler> handlers, RunnerOptions options = {});
  ~JobRunner();  // stops and joins
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  void start();
  void wake();
  void stop();

 private:
  void work();
  // Claims and runs one job; false when none was due.
  bool run_one();

  metadata::JobStore& store_;
  std::vector<JobHandler> handlers_;
  RunnerOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  bool woken_ = false;     // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace bulwark::jobs
