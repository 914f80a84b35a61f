// IoBuffer and IoBufferPool: the fixed-size buffers a push streams its body through, recycled
// between requests.
//
// A buffer is 2 MiB, aligned to 2 MiB and advised as a transparent huge page: a push touches each
// of its bytes three times (the socket copies into it, SHA-256 reads it, O_DIRECT pins it for the
// disk), and one huge page instead of 512 small ones means one TLB entry, one page fault and one
// page pinned per write. Where huge pages are off the advice is ignored and the buffer is ordinary
// memory; it stays aligned for O_DIRECT either way.
//
// The pool keeps at most `idle_limit` returned buffers for the next request: a fresh buffer costs
// a page fault and the kernel zeroing it on first touch, which a chunked push would otherwise pay
// in every PATCH. Buffers beyond the limit go back to the system.
//
// Thread-safety: IoBufferPool is thread-safe; a buffer from take() may be released on any thread,
// also after the pool's owner is gone as long as the pool lives (the process-wide instance()
// never dies, because hash lanes may hand buffers back during exit).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace bulwark {

class IoBuffer {
 public:
  IoBuffer();  // throws std::bad_alloc when the memory cannot be mapped
  ~IoBuffer();
  IoBuffer(const IoBuffer&) = delete;
  IoBuffer& operator=(const IoBuffer&) = delete;
  // The buffer's memory (a handle's constness does not extend to it, as with unique_ptr::get).
  char* data() const { return data_; }
  static constexpr size_t size() { return kSize; }

 private:
  static constexpr size_t kSize = size_t{2} << 20;
  char* data_;
};

class IoBufferPool {
 public:
  explicit IoBufferPool(size_t idle_limit) : idle_limit_(idle_limit) {}
  // The process-wide pool for request bodies (keeps four idle buffers: one push's ring).
  static IoBufferPool& instance();

  // A recycled buffer, or a new one; it returns to this pool when the last owner lets go.
  std::shared_ptr<IoBuffer> take();
  size_t idle() const;

 private:
  void give_back(IoBuffer* buffer);

  const size_t idle_limit_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<IoBuffer>> idle_;  // guarded by mu_
};

}  // namespace bulwark
