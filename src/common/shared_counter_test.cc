#include "common/shared_counter.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/temp_dir.h"

namespace bulwark {
namespace {

TEST(SharedCounterTest, StartsAtZeroAndCounts) {
  TempDir dir;
  auto counter = SharedCounter::open(dir.path() + "/gen");
  ASSERT_TRUE(counter) << counter.error().message;
  EXPECT_EQ((*counter)->load(), 0u);
  EXPECT_EQ((*counter)->increment(), 1u);
  EXPECT_EQ((*counter)->increment(), 2u);
  EXPECT_EQ((*counter)->load(), 2u);
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() + "/gen").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(SharedCounterTest, SeparateMappingsAndReopenShareTheValue) {
  TempDir dir;
  auto a = SharedCounter::open(dir.path() + "/gen");
  auto b = SharedCounter::open(dir.path() + "/gen");
  ASSERT_TRUE(a && b);
  (*a)->increment();
  EXPECT_EQ((*b)->load(), 1u);
  (*b)->increment();
  EXPECT_EQ((*a)->load(), 2u);
  a->reset();
  b->reset();
  auto again = SharedCounter::open(dir.path() + "/gen");
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)->load(), 2u);
}

TEST(SharedCounterTest, AnotherProcessSeesIncrementsAtOnce) {
  TempDir dir;
  auto counter = SharedCounter::open(dir.path() + "/gen");
  ASSERT_TRUE(counter);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto mine = SharedCounter::open(dir.path() + "/gen");
    if (!mine) ::_exit(2);
    for (int i = 0; i < 10000; ++i) (*mine)->increment();
    ::_exit(0);
  }
  for (int i = 0; i < 10000; ++i) (*counter)->increment();
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ((*counter)->load(), 20000u);  // no increment lost across processes
}

TEST(SharedCounterTest, UnwritableLocationIsAnError) {
  auto counter = SharedCounter::open("/nonexistent-dir/gen");
  ASSERT_FALSE(counter);
  EXPECT_EQ(counter.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace bulwark
