#include "common/offload_thread.h"

#include <utility>

namespace bulwark {

OffloadThread::~OffloadThread() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void OffloadThread::run(std::function<void()> task) {
  bool start = false;
  {
    std::lock_guard lock(mu_);
    tasks_.push_back(std::move(task));
    start = !thread_.joinable();
    if (start) thread_ = std::thread([this] { loop(); });
  }
  if (!start) cv_.notify_all();
}

void OffloadThread::wait_until_at_most(size_t outstanding) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return tasks_.size() + (running_ ? 1 : 0) <= outstanding; });
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

bool OffloadThread::join_if_idle() {
  {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) return true;
    if (!tasks_.empty() || running_) return false;
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  std::lock_guard lock(mu_);
  stop_ = false;
  return true;
}

void OffloadThread::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
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
    cv_.notify_all();
  }
}

}  // namespace bulwark
