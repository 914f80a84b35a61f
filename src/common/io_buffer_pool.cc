#include "common/io_buffer_pool.h"

#include <sys/mman.h>

#include <cstdint>
#include <new>

namespace bulwark {

// Maps one extra buffer's worth so that a 2 MiB-aligned start lies inside, then unmaps the slack
// on both sides: the kernel can only back an aligned 2 MiB range with a huge page.
IoBuffer::IoBuffer() {
  void* mapped =
      ::mmap(nullptr, 2 * kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) throw std::bad_alloc();
  auto start = reinterpret_cast<uintptr_t>(mapped);
  uintptr_t aligned = (start + kSize - 1) & ~(uintptr_t{kSize} - 1);
  size_t head = aligned - start;
  if (head > 0) ::munmap(mapped, head);
  ::munmap(reinterpret_cast<char*>(aligned) + kSize, kSize - head);
  data_ = reinterpret_cast<char*>(aligned);
  (void)::madvise(data_, kSize, MADV_HUGEPAGE);  // advice only: EINVAL where THP is compiled out
}

IoBuffer::~IoBuffer() { ::munmap(data_, kSize); }

IoBufferPool& IoBufferPool::instance() {
  static auto* pool = new IoBufferPool(4);
  return *pool;
}

std::shared_ptr<IoBuffer> IoBufferPool::take() {
  std::unique_ptr<IoBuffer> buffer;
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      buffer = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!buffer) buffer = std::make_unique<IoBuffer>();
  return std::shared_ptr<IoBuffer>(buffer.release(), [this](IoBuffer* b) { give_back(b); });
}

size_t IoBufferPool::idle() const {
  std::lock_guard lock(mu_);
  return idle_.size();
}

void IoBufferPool::give_back(IoBuffer* buffer) {
  std::unique_ptr<IoBuffer> owned(buffer);
  std::lock_guard lock(mu_);
  if (idle_.size() < idle_limit_) idle_.push_back(std::move(owned));
}

}  // namespace bulwark
