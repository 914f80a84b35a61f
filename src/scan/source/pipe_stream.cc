// start_producer_stream(): a ByteStream fed by a producer thread through a bounded buffer.
#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>

#include "scan/source/internal.h"

namespace bulwark::scan::source {
namespace {

// What the producer thread and the reader share.
struct Pipe {
  std::mutex mutex;
  std::condition_variable changed;
  std::string buffer;  // bytes not yet read start at `offset`
  size_t offset = 0;
  size_t max_buffered = 0;
  bool started = false;  // a byte arrived or the producer ended
  bool done = false;
  bool cancelled = false;
  Result<void> outcome;

  size_t buffered() const { return buffer.size() - offset; }

  bool push(std::string_view bytes) {
    while (!bytes.empty()) {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return cancelled || buffered() < max_buffered; });
      if (cancelled) return false;
      if (offset > 0) {  // compact what was read
        buffer.erase(0, offset);
        offset = 0;
      }
      size_t n = std::min(bytes.size(), max_buffered - buffer.size());
      buffer.append(bytes.data(), n);
      bytes.remove_prefix(n);
      started = true;
      changed.notify_all();
    }
    return true;
  }

  void finish(Result<void> result) {
    std::lock_guard lock(mutex);
    outcome = std::move(result);
    done = true;
    started = true;
    changed.notify_all();
  }
};

class PipeStream final : public ByteStream {
 public:
  PipeStream(std::shared_ptr<Pipe> pipe, std::thread thread)
      : pipe_(std::move(pipe)), thread_(std::move(thread)) {}

  ~PipeStream() override {
    {
      std::lock_guard lock(pipe_->mutex);
      pipe_->cancelled = true;
    }
    pipe_->changed.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  Result<size_t> read(std::span<char> buf) override {
    if (buf.empty()) return size_t{0};
    std::unique_lock lock(pipe_->mutex);
    pipe_->changed.wait(lock, [&] { return pipe_->buffered() > 0 || pipe_->done; });
    if (pipe_->buffered() == 0) {
      if (!pipe_->outcome) return fail(pipe_->outcome.error());
      return size_t{0};
    }
    size_t n = std::min(buf.size(), pipe_->buffered());
    std::memcpy(buf.data(), pipe_->buffer.data() + pipe_->offset, n);
    pipe_->offset += n;
    pipe_->changed.notify_all();
    return n;
  }

  // Waits until the producer has produced a byte or ended.
  Result<void> wait_started() {
    std::unique_lock lock(pipe_->mutex);
    pipe_->changed.wait(lock, [&] { return pipe_->started; });
    if (pipe_->buffered() == 0 && pipe_->done && !pipe_->outcome) {
      return fail(pipe_->outcome.error());
    }
    return ok();
  }

 private:
  std::shared_ptr<Pipe> pipe_;
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<ByteStream>> start_producer_stream(StreamProducer producer,
                                                          size_t max_buffered) {
  auto pipe = std::make_shared<Pipe>();
  pipe->max_buffered = std::max<size_t>(max_buffered, 1);
  std::thread thread;
  try {
    thread = std::thread([pipe, producer = std::move(producer)] {
      pipe->finish(producer([&](std::string_view bytes) { return pipe->push(bytes); }));
    });
  } catch (const std::system_error&) {
    return fail(ErrorCode::kUnavailable, "cannot start a thread to stream a blob");
  }
  auto stream = std::make_unique<PipeStream>(pipe, std::move(thread));
  BULWARK_TRY_VOID(stream->wait_started());
  return std::unique_ptr<ByteStream>(std::move(stream));
}

}  // namespace bulwark::scan::source
