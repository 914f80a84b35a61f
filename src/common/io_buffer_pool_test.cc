#include "common/io_buffer_pool.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>

namespace bulwark {
namespace {

TEST(IoBufferPoolTest, BuffersAreWholeAndAlignedToTheirSize) {
  IoBufferPool pool(1);
  auto buffer = pool.take();
  EXPECT_EQ(reinterpret_cast<uintptr_t>(buffer->data()) % IoBuffer::size(), 0U);
  std::memset(buffer->data(), 0xab, IoBuffer::size());  // every byte is writable
  EXPECT_EQ(static_cast<unsigned char>(buffer->data()[IoBuffer::size() - 1]), 0xab);
}

TEST(IoBufferPoolTest, AReturnedBufferServesTheNextTake) {
  IoBufferPool pool(1);
  char* first = nullptr;
  {
    auto buffer = pool.take();
    first = buffer->data();
    buffer->data()[0] = 'x';
  }
  EXPECT_EQ(pool.idle(), 1U);
  auto again = pool.take();
  EXPECT_EQ(again->data(), first);
  EXPECT_EQ(again->data()[0], 'x');  // recycled, not re-zeroed
  EXPECT_EQ(pool.idle(), 0U);
}

TEST(IoBufferPoolTest, KeepsAtMostItsIdleLimit) {
  IoBufferPool pool(2);
  {
    auto a = pool.take();
    auto b = pool.take();
    auto c = pool.take();
    EXPECT_NE(a->data(), b->data());
    EXPECT_NE(b->data(), c->data());
    EXPECT_EQ(pool.idle(), 0U);
  }
  EXPECT_EQ(pool.idle(), 2U);
}

TEST(IoBufferPoolTest, BuffersMayBeReturnedFromAnotherThread) {
  IoBufferPool pool(4);
  auto buffer = pool.take();
  std::thread([owned = std::move(buffer)]() mutable { owned.reset(); }).join();
  EXPECT_EQ(pool.idle(), 1U);
}

}  // namespace
}  // namespace bulwark
