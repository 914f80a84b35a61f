#include "common/offload_thread.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace bulwark {
namespace {

TEST(OffloadThreadTest, RunsEachTaskOnOneOtherThreadAndWaitSeesItsEffects) {
  OffloadThread offload;
  std::vector<std::thread::id> ran_on;
  int sum = 0;
  for (int i = 1; i <= 5; ++i) {
    offload.run([&, i] {
      ran_on.push_back(std::this_thread::get_id());
      sum += i;
    });
    offload.wait();
    EXPECT_EQ(ran_on.size(), static_cast<size_t>(i));  // wait() returned after the task ran
  }
  EXPECT_EQ(sum, 15);
  for (const auto& id : ran_on) {
    EXPECT_NE(id, std::this_thread::get_id());
    EXPECT_EQ(id, ran_on.front()) << "one persistent thread, not one per task";
  }
}

TEST(OffloadThreadTest, TaskOverlapsTheOwnersWork) {
  OffloadThread offload;
  std::promise<void> owner_reached;
  std::future<void> reached = owner_reached.get_future();
  bool task_saw_owner = false;
  // The task can only finish once the owner has gone on past run(): run() does not block.
  offload.run([&] {
    reached.wait();
    task_saw_owner = true;
  });
  owner_reached.set_value();
  offload.wait();
  EXPECT_TRUE(task_saw_owner);
}

TEST(OffloadThreadTest, QueuedTasksRunInOrderAndWaitUntilAtMostLeavesTheRest) {
  OffloadThread offload;
  std::promise<void> open_gate;
  std::shared_future<void> gate = open_gate.get_future().share();
  std::mutex mu;
  std::vector<int> order;
  offload.run([&] {
    gate.wait();  // holds the lane until the owner has queued the rest
    std::lock_guard lock(mu);
    order.push_back(1);
  });
  for (int i = 2; i <= 4; ++i) {
    offload.run([&, i] {
      std::lock_guard lock(mu);
      order.push_back(i);
    });
  }
  open_gate.set_value();
  offload.wait_until_at_most(1);  // returns with at most one task left
  {
    std::lock_guard lock(mu);
    EXPECT_GE(order.size(), 3u);
    EXPECT_EQ(order[0], 1);
    EXPECT_EQ(order[1], 2);
  }
  offload.wait();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4}));
}

TEST(OffloadThreadTest, WithoutLingerTheThreadEndsWithItsLastTaskAndRunStartsAnother) {
  OffloadThread offload(std::chrono::milliseconds(0));
  EXPECT_FALSE(offload.has_thread()) << "no thread before the first task";
  std::promise<void> open_gate;
  std::shared_future<void> gate = open_gate.get_future().share();
  int ran = 0;
  offload.run([&] {
    gate.wait();
    ++ran;
  });
  offload.run([&] { ++ran; });
  EXPECT_TRUE(offload.has_thread()) << "tasks are queued or running";
  open_gate.set_value();
  offload.wait();
  EXPECT_FALSE(offload.has_thread()) << "idle, it ended";
  offload.run([&] { ++ran; });  // a new thread
  offload.wait();
  EXPECT_EQ(ran, 3);
  EXPECT_FALSE(offload.has_thread());
}

TEST(OffloadThreadTest, ALingeringThreadServesTheTasksThatComeWithinItsLinger) {
  OffloadThread offload(std::chrono::hours(1));
  std::thread::id first, second;
  offload.run([&] { first = std::this_thread::get_id(); });
  offload.wait();
  EXPECT_TRUE(offload.has_thread()) << "idle, but within its linger";
  offload.run([&] { second = std::this_thread::get_id(); });
  offload.wait();
  EXPECT_EQ(first, second);
  EXPECT_NE(first, std::this_thread::get_id());
}  // destruction ends the linger at once

TEST(OffloadThreadTest, WaitRethrowsTheTasksExceptionOnceAndTheThreadStaysUsable) {
  OffloadThread offload;
  offload.run([] { throw std::runtime_error("hash failed"); });
  try {
    offload.wait();
    FAIL() << "wait() should rethrow";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "hash failed");
  }
  EXPECT_NO_THROW(offload.wait()) << "the exception is reported once";
  bool ran = false;
  offload.run([&] { ran = true; });
  offload.wait();
  EXPECT_TRUE(ran);
}

TEST(OffloadThreadTest, WaitWithoutATaskReturnsAndDestructionJoinsARunningTask) {
  bool finished = false;
  {
    std::promise<void> go;  // outlives the offload thread, which waits on it
    std::future<void> started = go.get_future();
    OffloadThread offload;
    offload.wait();  // nothing outstanding
    offload.run([&] {
      started.wait();
      finished = true;
    });
    go.set_value();
  }  // the destructor lets the running task finish before the thread is joined
  EXPECT_TRUE(finished);
}

}  // namespace
}  // namespace bulwark
