#include "common/offload_thread.h"

#include <utility>

namespace bulwark {

OffloadThread::~OffloadThread() {
  std::thread thread;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    thread = std::move(thread_);
  }
  cv_.notify_all();
  if (thread.joinable()) thread.join();
}

void OffloadThread::run(std::function<void()> task) {
  std::thread ended;  // a thread that stopped lingering; joined outside the lock
  bool start = false;
  {
    std::lock_guard lock(mu_);
    tasks_.push_back(std::move(task));
    if (ended_) {
      ended = std::move(thread_);
      ended_ = false;
    }
    start = !thread_.joinable();
    if (start) thread_ = std::thread([this] { loop(); });
  }
  if (!start) cv_.notify_all();
  if (ended.joinable()) ended.join();  // it has returned from loop(): this does not wait long
}

void OffloadThread::wait_until_at_most(size_t outstanding) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return tasks_.size() + (running_ ? 1 : 0) <= outstanding; });
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

bool OffloadThread::has_thread() const {
  std::lock_guard lock(mu_);
  return thread_.joinable() && !ended_;
}

void OffloadThread::loop() {
  std::unique_lock lock(mu_);
  auto ready = [this] { return stop_ || !tasks_.empty(); };
  for (;;) {
    if (!linger_) {
      cv_.wait(lock, ready);
    } else if (!cv_.wait_for(lock, *linger_, ready)) {
      ended_ = true;  // idle for the whole linger: the next run() joins this thread
      return;
    }
    if (tasks_.empty()) return;  // stopping with nothing left to run
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    running_ = true;
    lock.unlock();
    std::exception_ptr error;
    try {
      task();
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    running_ = false;
    if (error && !error_) error_ = error;
    // Without any linger the thread ends with its last task, before a waiter sees it finished.
    if (linger_ && linger_->count() <= 0 && tasks_.empty() && !stop_) ended_ = true;
    cv_.notify_all();
    if (ended_) return;
  }
}

}  // namespace bulwark
