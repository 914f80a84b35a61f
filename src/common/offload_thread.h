// OffloadThread: one persistent thread that runs its owner's tasks in order, so that work split
// per chunk (hash this chunk while that thread writes it) overlaps without creating a thread per
// chunk. Tasks queue up; the owner waits for all of them, or until few enough are left.
//
// The thread starts with the first task. Once it has been idle for the `linger` given at
// construction it ends by itself, and the next run() starts another: an owner that goes quiet,
// such as an abandoned upload, holds no thread, while one fed steadily (a chunked push's PATCHes,
// milliseconds apart) keeps its thread. Without a linger the thread lives until destruction,
// which joins it after the queued tasks ran.
//
// Thread-safety: run() and the waits may be called from any thread, one at a time (the owner's
// calls are sequenced); tasks run on the offload thread, one after another.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace bulwark {

class OffloadThread {
 public:
  // `linger`: how long the thread waits for a task before it ends (nullopt: it never does).
  explicit OffloadThread(std::optional<std::chrono::milliseconds> linger = std::nullopt)
      : linger_(linger) {}
  ~OffloadThread();
  OffloadThread(const OffloadThread&) = delete;
  OffloadThread& operator=(const OffloadThread&) = delete;

  // Queues `task` behind those not yet finished.
  void run(std::function<void()> task);
  // Blocks until every queued task has finished; rethrows the first exception one threw since
  // the last wait. Returns at once when nothing is outstanding.
  void wait() { wait_until_at_most(0); }
  // Blocks until at most `outstanding` tasks are queued or running; rethrows like wait().
  void wait_until_at_most(size_t outstanding);
  // Whether the offload thread is alive (it ended, or never started, otherwise).
  bool has_thread() const;

 private:
  void loop();

  const std::optional<std::chrono::milliseconds> linger_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // guarded by mu_: queued, not started
  bool running_ = false;                     // guarded by mu_: a task is running
  bool stop_ = false;                        // guarded by mu_
  bool ended_ = false;        // guarded by mu_: thread_ left loop() after lingering (join it)
  std::exception_ptr error_;  // guarded by mu_: first exception since last wait
  std::thread thread_;        // guarded by mu_; started by run()
};

}  // namespace bulwark
