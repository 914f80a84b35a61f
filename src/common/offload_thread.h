// OffloadThread: one persistent thread that runs its owner's tasks in order, so that work split
// per chunk (hash this chunk while that thread writes it) overlaps without creating a thread per
// chunk. Tasks queue up; the owner waits for all of them, or until few enough are left. The
// thread starts with the first task and is joined on destruction, after the queued tasks ran.
//
// Thread-safety: run() and the waits may be called from any thread, one at a time (the owner's
// calls are sequenced); tasks run on the offload thread, one after another.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace bulwark {

class OffloadThread {
 public:
  OffloadThread() = default;
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
  // Ends the thread when no task is queued or running (the next run() starts another), so that
  // an idle owner holds no thread. Returns whether the offload thread is now gone.
  bool join_if_idle();

 private:
  void loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // guarded by mu_: queued, not started
  bool running_ = false;                     // guarded by mu_: a task is running
  bool stop_ = false;                        // guarded by mu_
  std::exception_ptr error_;                 // guarded by mu_: first exception since last wait
  std::thread thread_;                       // started by the first run()
};

}  // namespace bulwark
