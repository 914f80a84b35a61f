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
  {
    std::lock_guard lock(mu_);
    task_ = std::move(task);
    busy_ = true;
    error_ = nullptr;
  }
  if (!thread_.joinable()) {
    thread_ = std::thread([this] { loop(); });
  } else {
    cv_.notify_all();
  }
}

void OffloadThread::wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return !busy_; });
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

void OffloadThread::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || task_; });
    if (!task_) return;  // stopping with nothing left to run
    std::function<void()> task = std::exchange(task_, nullptr);
    lock.unlock();
    std::exception_ptr error;
    try {
      task();
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    error_ = error;
    busy_ = false;
    cv_.notify_all();
  }
}

}  // namespace bulwark
