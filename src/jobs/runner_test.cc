// JobRunner against a real SQLite job queue: success, retries with backoff, giving up, wake-ups.
#include "jobs/runner.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "common/temp_dir.h"
#include "metadata/sqlite/sqlite_metadata_store.h"

namespace bulwark::jobs {
namespace {

// Counts handler calls; waits for a number of them (no timing guesses: a generous deadline).
class Calls {
 public:
  void add() {
    std::lock_guard lock(mu_);
    ++count_;
    cv_.notify_all();
  }
  bool wait_for(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return count_ >= n; });
  }
  int count() {
    std::lock_guard lock(mu_);
    return count_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;
};

struct Fixture {
  TempDir dir;
  std::unique_ptr<metadata::SqliteMetadataStore> store =
      std::move(*metadata::SqliteMetadataStore::open(dir.file("m.db")));
  metadata::JobState state(std::string_view kind, std::string_view digest) {
    auto status = store->job_status(kind, "repo", digest);
    EXPECT_TRUE(status && status->has_value());
    return (*status)->state;
  }
};

RunnerOptions fast() {
  RunnerOptions options;
  options.first_retry = std::chrono::seconds(0);
  options.max_attempts = 3;
  options.poll = std::chrono::hours(1);  // only wake() starts work in these tests
  return options;
}

TEST(JobRunner, RunsQueuedJobsWhenWoken) {
  Fixture f;
  Calls calls;
  std::vector<std::string> seen;
  JobRunner runner(*f.store,
                   {{"sbom", [&](const metadata::Job& job) -> Result<void> {
                       seen.push_back(job.digest);
                       calls.add();
                       return ok();
                     }}},
                   fast());
  runner.start();
  ASSERT_TRUE(f.store->enqueue_job("sbom", "repo", "sha256:a"));
  ASSERT_TRUE(f.store->enqueue_job("sbom", "repo", "sha256:b"));
  runner.wake();
  ASSERT_TRUE(calls.wait_for(2));
  runner.stop();
  EXPECT_EQ(seen, (std::vector<std::string>{"sha256:a", "sha256:b"}));
  EXPECT_EQ(f.state("sbom", "sha256:a"), metadata::JobState::kDone);
  EXPECT_EQ(f.state("sbom", "sha256:b"), metadata::JobState::kDone);
}

TEST(JobRunner, RetriesAFailingJobThenGivesUpWithItsError) {
  Fixture f;
  Calls calls;
  JobRunner runner(*f.store,
                   {{"sbom", [&](const metadata::Job&) -> Result<void> {
                       calls.add();
                       return fail(ErrorCode::kUnavailable, "store busy");
                     }}},
                   fast());
  runner.start();
  ASSERT_TRUE(f.store->enqueue_job("sbom", "repo", "sha256:a"));
  runner.wake();
  ASSERT_TRUE(calls.wait_for(3));
  runner.stop();
  EXPECT_EQ(calls.count(), 3);  // max_attempts, no more
  auto status = f.store->job_status("sbom", "repo", "sha256:a");
  ASSERT_TRUE(status && status->has_value());
  EXPECT_EQ((*status)->state, metadata::JobState::kFailed);
  EXPECT_EQ((*status)->attempts, 3);
  EXPECT_EQ((*status)->last_error, "store busy");
}

TEST(JobRunner, JobsWithoutAHandlerFailAtOnce) {
  Fixture f;
  Calls calls;
  JobRunner runner(*f.store,
                   {{"sbom", [&](const metadata::Job&) -> Result<void> {
                       calls.add();
                       return ok();
                     }}},
                   fast());
  runner.start();
  ASSERT_TRUE(f.store->enqueue_job("mystery", "repo", "sha256:m"));
  ASSERT_TRUE(f.store->enqueue_job("sbom", "repo", "sha256:s"));
  runner.wake();
  ASSERT_TRUE(calls.wait_for(1));
  runner.stop();
  auto status = f.store->job_status("mystery", "repo", "sha256:m");
  ASSERT_TRUE(status && status->has_value());
  EXPECT_EQ((*status)->state, metadata::JobState::kFailed);
  EXPECT_EQ((*status)->last_error, "no handler for job kind mystery");
}

}  // namespace
}  // namespace bulwark::jobs
