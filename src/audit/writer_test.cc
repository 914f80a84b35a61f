#include "audit/writer.h"

#include <gmock/gmock.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "audit/audit_testing.h"
#include "audit/verify.h"

namespace bulwark::audit {
namespace {

using testing_support::AuditFixture;

// An AuditStore in front of the real one that can hold the next batch commit until released
// (so tests control what accumulates meanwhile, without sleeps) and fail the next N batches.
class GatedStore final : public metadata::AuditStore {
 public:
  explicit GatedStore(metadata::AuditStore& inner) : inner_(inner) {}

  // The next append_audit_batch waits (after wait_until_held() can see it) until release().
  void hold_next() {
    std::lock_guard lock(mu_);
    armed_ = true;
    released_ = false;
  }
  void wait_until_held() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return held_; });
  }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  // The next `n` batches fail without touching the database.
  void fail_next(int n) {
    std::lock_guard lock(mu_);
    fail_next_ = n;
  }

  Result<std::vector<metadata::AuditRecord>> append_audit_batch(size_t count,
                                                                const BatchMaker& make) override {
    {
      std::unique_lock lock(mu_);
      if (armed_) {
        armed_ = false;
        held_ = true;
        cv_.notify_all();
        cv_.wait(lock, [&] { return released_; });
        held_ = false;
      }
      if (fail_next_ > 0) {
        --fail_next_;
        return fail(ErrorCode::kUnavailable, "injected commit failure");
      }
    }
    return inner_.append_audit_batch(count, make);
  }
  Result<metadata::AuditRecord> append_audit(
      const std::function<metadata::AuditRecord(int64_t, const std::string&)>& make) override {
    return inner_.append_audit(make);
  }
  Result<std::vector<metadata::AuditRecord>> read_audit(int64_t after, size_t limit) override {
    return inner_.read_audit(after, limit);
  }
  Result<std::optional<metadata::AuditRecord>> last_audit() override { return inner_.last_audit(); }
  Result<std::vector<metadata::AuditRecord>> query_audit(
      const metadata::AuditQuery& query) override {
    return inner_.query_audit(query);
  }
  Result<void> put_audit_checkpoint(const metadata::AuditCheckpoint& checkpoint) override {
    return inner_.put_audit_checkpoint(checkpoint);
  }
  Result<std::vector<metadata::AuditCheckpoint>> audit_checkpoints() override {
    return inner_.audit_checkpoints();
  }

 private:
  metadata::AuditStore& inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool armed_ = false;
  bool held_ = false;
  bool released_ = false;
  int fail_next_ = 0;
};

Event event_of(std::string actor, std::string reason = "") {
  Event event;
  event.actor = std::move(actor);
  event.client_address = "192.0.2.7";
  event.action = "manifest.pull";
  event.resource.repository = "team/app";
  event.reason = std::move(reason);
  return event;
}

class WriterTest : public AuditFixture {
 protected:
  void SetUp() override {
    AuditFixture::SetUp();
    gate_ = std::make_unique<GatedStore>(*store_);
    AuditLogOptions options;
    options.key_file = key_path();
    options.checkpoint_every = 1000;
    options.clock_ms = [this] { return clock_ms_.fetch_add(1); };
    auto log = AuditLog::open(*gate_, options);
    ASSERT_TRUE(log) << log.error().message;
    gated_log_ = std::move(*log);
  }

  std::vector<metadata::AuditRecord> all_records() {
    auto records = store_->read_audit(0, 100000);
    EXPECT_TRUE(records) << records.error().message;
    return records ? *records : std::vector<metadata::AuditRecord>();
  }

  void expect_intact(int64_t records) {
    auto report = verify_audit(*store_, gated_log_->verify_key());
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_TRUE(report->ok) << report_json(*report);
    EXPECT_EQ(report->records, records);
  }

  std::unique_ptr<GatedStore> gate_;
  std::unique_ptr<AuditLog> gated_log_;
};

TEST_F(WriterTest, ConcurrentSubmitsAllLandInOneIntactChain) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 2000;
  AuditWriter writer(*gated_log_);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        writer.submit(event_of("t" + std::to_string(t), std::to_string(i)));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  writer.flush();

  const AuditWriterStats stats = writer.stats();
  EXPECT_EQ(stats.committed, uint64_t{kThreads * kPerThread});
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_EQ(stats.failed_batches, 0u);
  EXPECT_GE(stats.batches, uint64_t{kThreads * kPerThread / 1000});  // capped at 1000 each
  EXPECT_LT(stats.batches, uint64_t{kThreads * kPerThread});
  EXPECT_EQ(stats.queued, 0u);
  std::vector<metadata::AuditRecord> records = all_records();
  ASSERT_EQ(records.size(), size_t{kThreads * kPerThread});
  expect_intact(kThreads * kPerThread);
  // Each thread's events are stored exactly once, in the order it submitted them.
  std::vector<int> next(kThreads, 0);
  for (const auto& record : records) {
    auto event = parse_event(record.body);
    ASSERT_TRUE(event);
    const int t = std::stoi(event->actor.substr(1));
    ASSERT_EQ(event->reason, std::to_string(next[t])) << "thread " << t;
    ++next[t];
  }
  EXPECT_THAT(next, testing::Each(kPerThread));
  // Automatic checkpoints still come every 1000 records (the last batch ends at 16000).
  auto checkpoints = store_->audit_checkpoints();
  ASSERT_TRUE(checkpoints);
  ASSERT_FALSE(checkpoints->empty());
  EXPECT_EQ(checkpoints->back().seq, kThreads * kPerThread);
}

TEST_F(WriterTest, RecordReturnsOnlyOnceTheRecordIsReadable) {
  AuditWriter writer(*gated_log_);
  gate_->hold_next();
  std::atomic<bool> returned{false};
  Result<void> result = ok();
  std::thread caller([&] {
    result = writer.record(event_of("carol", "push"));
    returned = true;
  });
  gate_->wait_until_held();  // its batch is committing, and held there
  EXPECT_FALSE(returned.load());
  EXPECT_EQ(*store_->last_audit(), std::nullopt);
  gate_->release();
  caller.join();
  ASSERT_TRUE(result) << result.error().message;
  metadata::AuditQuery query;
  query.actor = "carol";
  auto found = store_->query_audit(query);
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 1u);

  // Without the gate: readable as soon as record() returns.
  ASSERT_TRUE(writer.record(event_of("dave")));
  query.actor = "dave";
  EXPECT_EQ(store_->query_audit(query)->size(), 1u);
}

TEST_F(WriterTest, SubmitDropsWhenTheQueueIsFullAndTheTrailSaysSo) {
  AuditWriterOptions options;
  options.queue_capacity = 3;
  AuditWriter writer(*gated_log_, options);
  gate_->hold_next();
  writer.submit(event_of("e0"));
  gate_->wait_until_held();  // the writer took e0 and is stuck committing it
  for (int i = 1; i <= 10; ++i) writer.submit(event_of("e" + std::to_string(i)));
  AuditWriterStats stats = writer.stats();
  EXPECT_EQ(stats.queued, 3u);
  EXPECT_EQ(stats.dropped, 7u);
  gate_->release();
  writer.flush();

  std::vector<metadata::AuditRecord> records = all_records();
  ASSERT_EQ(records.size(), 5u);
  std::vector<std::string> actors;
  for (const auto& r : records) actors.push_back(r.actor);
  EXPECT_THAT(actors, testing::ElementsAre("e0", "system", "e1", "e2", "e3"));
  auto marker = parse_event(records[1].body);
  ASSERT_TRUE(marker);
  EXPECT_EQ(marker->action, "audit.dropped");
  EXPECT_EQ(marker->reason, "7 events dropped: queue full");
  stats = writer.stats();
  EXPECT_EQ(stats.committed, 5u);
  EXPECT_EQ(stats.dropped, 7u);
  EXPECT_EQ(stats.batches, 2u);
  expect_intact(5);
}

TEST_F(WriterTest, ConcurrentRecordCallersShareOneTransaction) {
  constexpr int kCallers = 16;
  AuditWriter writer(*gated_log_);
  gate_->hold_next();
  std::thread first([&] { EXPECT_TRUE(writer.record(event_of("first"))); });
  gate_->wait_until_held();
  std::vector<std::thread> callers;
  std::atomic<int> failures{0};
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      if (!writer.record(event_of("caller" + std::to_string(i)))) ++failures;
    });
  }
  // Every caller is queued behind the held commit (a condition, not a timing guess).
  while (writer.stats().queued < kCallers) std::this_thread::yield();
  gate_->release();
  first.join();
  for (auto& caller : callers) caller.join();

  EXPECT_EQ(failures.load(), 0);
  const AuditWriterStats stats = writer.stats();
  EXPECT_EQ(stats.committed, uint64_t{kCallers + 1});
  EXPECT_EQ(stats.batches, 2u);  // the held one, then all sixteen together
  EXPECT_LT(stats.batches, stats.committed);
  expect_intact(kCallers + 1);
}

TEST_F(WriterTest, AFailedBatchIsRetriedOnceThenDroppedAndReported) {
  AuditWriter writer(*gated_log_);
  gate_->fail_next(1);
  writer.submit(event_of("a"));
  writer.flush();
  EXPECT_EQ(all_records().size(), 1u);  // the retry committed it
  EXPECT_EQ(writer.stats().failed_batches, 1u);
  EXPECT_EQ(writer.stats().dropped, 0u);

  gate_->fail_next(2);
  writer.submit(event_of("b"));
  writer.flush();
  EXPECT_EQ(all_records().size(), 1u);
  EXPECT_EQ(writer.stats().dropped, 1u);

  // record() gets the error and its event is not retried behind its back.
  gate_->fail_next(1);
  auto refused = writer.record(event_of("c"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);

  writer.submit(event_of("d"));
  writer.flush();
  std::vector<metadata::AuditRecord> records = all_records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].actor, "a");
  EXPECT_EQ(records[1].action, "audit.dropped");
  EXPECT_EQ(parse_event(records[1].body)->reason, "1 events dropped: commit failed");
  EXPECT_EQ(records[2].actor, "d");
  expect_intact(3);
}

TEST_F(WriterTest, StopCommitsWhatIsQueuedAndRefusesLaterEvents) {
  AuditWriter writer(*gated_log_);
  for (int i = 0; i < 50; ++i) writer.submit(event_of("s"));
  writer.stop();
  EXPECT_EQ(all_records().size(), 50u);
  auto late = writer.record(event_of("late"));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kUnavailable);
  writer.submit(event_of("late"));
  EXPECT_EQ(writer.stats().dropped, 1u);
  writer.flush();  // returns: nothing is pending
  writer.stop();   // idempotent
  EXPECT_EQ(all_records().size(), 50u);
}

// AuditLog::record_batch, which the writer commits through.
class RecordBatchTest : public AuditFixture {};  // checkpoint_every_ = 5

TEST_F(RecordBatchTest, ABatchCrossingACheckpointBoundaryIsCheckpointedAfterIt) {
  auto batch = [&](int n) {
    std::vector<Event> events(n, event_of("alice"));
    auto stored = log_->record_batch(std::move(events));
    ASSERT_TRUE(stored) << stored.error().message;
    ASSERT_EQ(stored->size(), static_cast<size_t>(n));
  };
  batch(3);                                    // 1..3: no boundary
  batch(4);                                    // 4..7: crosses 5
  batch(3);                                    // 8..10: ends on 10
  batch(12);                                   // 11..22: crosses 15 and 20, one checkpoint
  ASSERT_TRUE(log_->record(event_of("bob")));  // 23
  auto checkpoints = store_->audit_checkpoints();
  ASSERT_TRUE(checkpoints);
  std::vector<int64_t> seqs;
  for (const auto& c : *checkpoints) seqs.push_back(c.seq);
  EXPECT_THAT(seqs, testing::ElementsAre(7, 10, 22));
  auto report = verify_audit(*store_, log_->verify_key());
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report_json(*report);
  EXPECT_EQ(report->records, 23);
  EXPECT_EQ(report->signed_through, 22);
}

TEST_F(RecordBatchTest, RedactsCredentialsAndStampsTime) {
  std::vector<Event> events{event_of("alice", "password=hunter2"), event_of("bob")};
  events[1].time_ms = 42;
  auto stored = log_->record_batch(std::move(events));
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->size(), 2u);
  EXPECT_EQ((*stored)[0].body.find("hunter2"), std::string::npos);
  EXPECT_EQ(parse_event((*stored)[0].body)->reason, kRedacted);
  EXPECT_EQ((*stored)[0].time_ms, 1700000000000);  // stamped by the log's clock
  EXPECT_EQ((*stored)[1].time_ms, 42);
  EXPECT_EQ((*stored)[1].prev_hash, (*stored)[0].hash);
}

TEST_F(RecordBatchTest, AnEmptyBatchStoresNothing) {
  auto stored = log_->record_batch({});
  ASSERT_TRUE(stored);
  EXPECT_TRUE(stored->empty());
  EXPECT_EQ(*store_->last_audit(), std::nullopt);
  EXPECT_TRUE(store_->audit_checkpoints()->empty());
}

}  // namespace
}  // namespace bulwark::audit
