#include "common/single_flight_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace bulwark {
namespace {

TEST(SingleFlightCache, StoresPerSubjectAndVariant) {
  SingleFlightCache<int> cache(8);
  int computed = 0;
  auto compute = [&](int v) {
    return [&, v] {
      ++computed;
      return v;
    };
  };
  EXPECT_EQ(cache.get("sha256:a", "policy-1", compute(1)), 1);
  EXPECT_EQ(cache.get("sha256:a", "policy-1", compute(2)), 1);  // stored
  EXPECT_EQ(cache.get("sha256:a", "policy-2", compute(3)), 3);  // another variant
  EXPECT_EQ(cache.get("sha256:b", "policy-1", compute(4)), 4);  // another subject
  EXPECT_EQ(computed, 3);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 3u);
}

TEST(SingleFlightCache, ConcurrentCallersComputeOnce) {
  SingleFlightCache<int> cache(8);
  constexpr int kThreads = 8;
  std::atomic<int> computed{0};
  // The computation holds until every other caller is waiting on it (bounded, not timed).
  auto compute = [&] {
    ++computed;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (cache.waits() < kThreads - 1 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    return 42;
  };
  std::vector<std::thread> threads;
  std::vector<int> answers(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] { answers[i] = cache.get("sha256:a", "p", compute); });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(computed.load(), 1);
  EXPECT_EQ(cache.waits(), static_cast<uint64_t>(kThreads - 1));
  for (int a : answers) EXPECT_EQ(a, 42);
}

TEST(SingleFlightCache, InvalidateAndClearDropResults) {
  SingleFlightCache<int> cache(8);
  int next = 0;
  auto compute = [&] { return ++next; };
  EXPECT_EQ(cache.get("a", "p", compute), 1);
  EXPECT_EQ(cache.get("b", "p", compute), 2);
  cache.invalidate("a");
  EXPECT_EQ(cache.get("a", "p", compute), 3);
  EXPECT_EQ(cache.get("b", "p", compute), 2);
  cache.clear();
  EXPECT_EQ(cache.get("b", "p", compute), 4);
}

TEST(SingleFlightCache, EvictsLeastRecentlyUsedSubject) {
  SingleFlightCache<int> cache(2);
  int next = 0;
  auto compute = [&] { return ++next; };
  cache.get("a", "p", compute);  // 1
  cache.get("b", "p", compute);  // 2
  cache.get("a", "p", compute);  // a is now the most recent
  cache.get("c", "p", compute);  // 3, evicts b
  EXPECT_EQ(cache.subjects(), 2u);
  EXPECT_EQ(cache.get("a", "p", compute), 1);
  EXPECT_EQ(cache.get("b", "p", compute), 4);
}

TEST(SingleFlightCache, FailedComputationIsNotStored) {
  SingleFlightCache<int> cache(8);
  EXPECT_THROW(cache.get("a", "p", []() -> int { throw std::runtime_error("boom"); }),
               std::runtime_error);
  EXPECT_EQ(cache.get("a", "p", [] { return 7; }), 7);
}

}  // namespace
}  // namespace bulwark
