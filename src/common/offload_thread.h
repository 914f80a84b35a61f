// OffloadThread: one persistent thread that runs one task at a time for its owner, so that work
// split per chunk (hash this chunk while that thread writes it) overlaps without creating a thread
// per chunk. The thread starts on the first task and is joined on destruction.
//
// Thread-safety: one owner thread calls run()/wait(); tasks run on the offload thread.
#pragma once

#include <condition_variable>
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

  // Starts `task` on the offload thread. REQUIRES: the previous task has been waited for.
  void run(std::function<void()> task);
  // Blocks until the task started last has finished; rethrows its exception. Returns at once
  // when no task is outstanding.
  void wait();

 private:
  void loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> task_;  // guarded by mu_; set by run(), cleared when it has run
  bool busy_ = false;           // guarded by mu_: a task is queued or running
  bool stop_ = false;           // guarded by mu_
  std::exception_ptr error_;    // guarded by mu_: the last task's exception
  std::thread thread_;          // started by the first run()
};

}  // namespace bulwark
