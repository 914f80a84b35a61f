#include "metadata/audit_store_suite.h"

#include <gmock/gmock.h>

#include <atomic>
#include <thread>
#include <tuple>

#include "common/digest.h"

namespace bulwark::metadata {
namespace {

using testing::ElementsAre;
using testing::IsEmpty;

struct Fields {
  std::string actor = "alice";
  std::string action = "manifest.push";
  std::string repository = "team/app";
  std::string digest;
  int64_t time_ms = 1000;
};

// A `make` callback building a chained record the way the audit module does.
auto maker(Fields f) {
  return [f = std::move(f)](int64_t seq, const std::string& prev_hash) {
    AuditRecord r;
    r.seq = seq;
    r.time_ms = f.time_ms;
    r.actor = f.actor;
    r.action = f.action;
    r.repository = f.repository;
    r.digest = f.digest;
    r.outcome = "allowed";
    r.body = R"({"actor":")" + f.actor + R"(","n":)" + std::to_string(seq) + "}";
    r.prev_hash = prev_hash;
    r.hash = Digest::of(prev_hash + "\n" + r.body).hex();
    return r;
  };
}

std::vector<int64_t> seqs_of(const Result<std::vector<AuditRecord>>& records) {
  std::vector<int64_t> out;
  EXPECT_TRUE(records) << records.error().message;
  if (records) {
    for (const auto& r : *records) out.push_back(r.seq);
  }
  return out;
}

TEST_P(AuditStoreSuite, EmptyLogHasNothing) {
  EXPECT_THAT(*store().read_audit(0, 100), IsEmpty());
  EXPECT_EQ(*store().last_audit(), std::nullopt);
  EXPECT_THAT(*store().query_audit(AuditQuery{}), IsEmpty());
  EXPECT_THAT(*store().audit_checkpoints(), IsEmpty());
}

TEST_P(AuditStoreSuite, AppendNumbersDenselyAndHandsOnThePreviousHash) {
  std::vector<std::pair<int64_t, std::string>> seen;
  std::vector<std::string> hashes;
  for (int i = 0; i < 3; ++i) {
    auto appended = store().append_audit([&](int64_t seq, const std::string& prev) {
      seen.emplace_back(seq, prev);
      return maker({})(seq, prev);
    });
    ASSERT_OK(appended);
    hashes.push_back(appended->hash);
  }
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], std::make_pair(int64_t{1}, std::string()));
  EXPECT_EQ(seen[1], std::make_pair(int64_t{2}, hashes[0]));
  EXPECT_EQ(seen[2], std::make_pair(int64_t{3}, hashes[1]));

  auto last = store().last_audit();
  ASSERT_TRUE(last && *last);
  EXPECT_EQ((*last)->seq, 3);
  EXPECT_EQ((*last)->hash, hashes[2]);
  EXPECT_EQ((*last)->prev_hash, hashes[1]);
  EXPECT_EQ((*last)->body, R"({"actor":"alice","n":3})");
}

TEST_P(AuditStoreSuite, AppendRefusesARecordThatIgnoresItsSequenceOrLink) {
  ASSERT_OK(store().append_audit(maker({})));
  auto wrong_seq = store().append_audit([](int64_t seq, const std::string& prev) {
    AuditRecord r = maker({})(seq, prev);
    r.seq = 7;
    return r;
  });
  EXPECT_FALSE(wrong_seq);
  auto wrong_link = store().append_audit(
      [](int64_t seq, const std::string&) { return maker({})(seq, "forged"); });
  EXPECT_FALSE(wrong_link);
  EXPECT_THAT(seqs_of(store().read_audit(0, 100)), ElementsAre(1));
}

TEST_P(AuditStoreSuite, ReadPagesInSequenceOrder) {
  for (int i = 0; i < 5; ++i) ASSERT_OK(store().append_audit(maker({})));
  EXPECT_THAT(seqs_of(store().read_audit(0, 2)), ElementsAre(1, 2));
  EXPECT_THAT(seqs_of(store().read_audit(2, 2)), ElementsAre(3, 4));
  EXPECT_THAT(seqs_of(store().read_audit(4, 2)), ElementsAre(5));
  EXPECT_THAT(seqs_of(store().read_audit(5, 2)), IsEmpty());
}

TEST_P(AuditStoreSuite, QueryCombinesFiltersAndPaginates) {
  const Digest d = Digest::of("manifest");
  ASSERT_OK(store().append_audit(maker({"alice", "manifest.push", "team/app", d.str(), 1000})));
  ASSERT_OK(store().append_audit(maker({"bob", "manifest.pull", "team/app", d.str(), 2000})));
  ASSERT_OK(store().append_audit(maker({"alice", "login.success", "", "", 3000})));
  ASSERT_OK(store().append_audit(maker({"alice", "manifest.pull", "team/web", "", 4000})));
  ASSERT_OK(store().append_audit(maker({"bob", "manifest.pull", "team/app", "", 5000})));

  auto query = [&](auto&& fill) {
    AuditQuery q;
    fill(q);
    return seqs_of(store().query_audit(q));
  };
  EXPECT_THAT(query([](AuditQuery& q) { q.actor = "alice"; }), ElementsAre(1, 3, 4));
  EXPECT_THAT(query([](AuditQuery& q) { q.action = "manifest.pull"; }), ElementsAre(2, 4, 5));
  EXPECT_THAT(query([](AuditQuery& q) { q.repository = "team/app"; }), ElementsAre(1, 2, 5));
  EXPECT_THAT(query([&](AuditQuery& q) { q.digest = d.str(); }), ElementsAre(1, 2));
  EXPECT_THAT(query([](AuditQuery& q) {
                q.since_ms = 2000;
                q.until_ms = 4000;
              }),
              ElementsAre(2, 3));
  EXPECT_THAT(query([](AuditQuery& q) {
                q.actor = "bob";
                q.repository = "team/app";
                q.action = "manifest.pull";
              }),
              ElementsAre(2, 5));
  EXPECT_THAT(query([](AuditQuery& q) { q.actor = "mallory"; }), IsEmpty());
  // Pagination: a page of two, then the rest after the cursor.
  EXPECT_THAT(query([](AuditQuery& q) {
                q.action = "manifest.pull";
                q.limit = 2;
              }),
              ElementsAre(2, 4));
  EXPECT_THAT(query([](AuditQuery& q) {
                q.action = "manifest.pull";
                q.limit = 2;
                q.after_seq = 4;
              }),
              ElementsAre(5));
}

TEST_P(AuditStoreSuite, CheckpointsAreStoredOncePerSequence) {
  ASSERT_OK(store().put_audit_checkpoint(AuditCheckpoint{20, "h20", 7, "key", "sig20"}));
  ASSERT_OK(store().put_audit_checkpoint(AuditCheckpoint{10, "h10", 5, "key", "sig10"}));
  EXPECT_EQ(store().put_audit_checkpoint(AuditCheckpoint{10, "other", 6, "key", "x"}).error().code,
            ErrorCode::kAlreadyExists);
  auto checkpoints = store().audit_checkpoints();
  ASSERT_OK(checkpoints);
  ASSERT_EQ(checkpoints->size(), 2u);
  EXPECT_EQ((*checkpoints)[0].seq, 10);
  EXPECT_EQ((*checkpoints)[0].hash, "h10");
  EXPECT_EQ((*checkpoints)[0].signature, "sig10");
  EXPECT_EQ((*checkpoints)[1].seq, 20);
  EXPECT_EQ((*checkpoints)[1].time_ms, 7);
  EXPECT_EQ((*checkpoints)[1].key_id, "key");
}

TEST_P(AuditStoreSuite, ConcurrentAppendsFormOneGapFreeChain) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Fields f;
      f.actor = "worker" + std::to_string(t);
      for (int i = 0; i < kPerThread; ++i) {
        if (!store().append_audit(maker(f))) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);

  std::vector<AuditRecord> all;
  for (int64_t after = 0;;) {
    auto page = store().read_audit(after, 64);
    ASSERT_OK(page);
    if (page->empty()) break;
    after = page->back().seq;
    all.insert(all.end(), page->begin(), page->end());
  }
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
  for (size_t i = 0; i < all.size(); ++i) {
    ASSERT_EQ(all[i].seq, static_cast<int64_t>(i + 1));
    ASSERT_EQ(all[i].prev_hash, i == 0 ? std::string() : all[i - 1].hash) << "seq " << i + 1;
    ASSERT_EQ(all[i].hash, Digest::of(all[i].prev_hash + "\n" + all[i].body).hex());
  }
}

// All records of the log, page by page, checked to form one gap-free chain from seq 1.
std::vector<AuditRecord> read_whole_chain(AuditStore& store) {
  std::vector<AuditRecord> all;
  for (int64_t after = 0;;) {
    auto page = store.read_audit(after, 64);
    EXPECT_TRUE(page) << page.error().message;
    if (!page || page->empty()) break;
    after = page->back().seq;
    all.insert(all.end(), page->begin(), page->end());
  }
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].seq, static_cast<int64_t>(i + 1));
    EXPECT_EQ(all[i].prev_hash, i == 0 ? std::string() : all[i - 1].hash) << "seq " << i + 1;
    EXPECT_EQ(all[i].hash, Digest::of(all[i].prev_hash + "\n" + all[i].body).hex());
  }
  return all;
}

// A batch maker from a per-record maker (index ignored).
AuditStore::BatchMaker batch_of(Fields f) {
  return [make = maker(std::move(f))](size_t, int64_t seq, const std::string& prev_hash) {
    return make(seq, prev_hash);
  };
}

TEST_P(AuditStoreSuite, BatchesChainToSingleAppendsAndToEachOther) {
  ASSERT_OK(store().append_audit(maker({})));
  std::vector<std::tuple<size_t, int64_t, std::string>> seen;
  auto batch = store().append_audit_batch(3, [&](size_t i, int64_t seq, const std::string& prev) {
    seen.emplace_back(i, seq, prev);
    Fields f;
    f.actor = "batch" + std::to_string(i);
    return maker(f)(seq, prev);
  });
  ASSERT_OK(batch);
  ASSERT_EQ(batch->size(), 3u);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(std::get<0>(seen[2]), 2u);
  EXPECT_EQ(std::get<1>(seen[0]), 2);
  EXPECT_EQ(std::get<1>(seen[2]), 4);
  EXPECT_EQ(std::get<2>(seen[1]), (*batch)[0].hash);  // linked inside the batch
  EXPECT_EQ((*batch)[2].actor, "batch2");
  ASSERT_OK(store().append_audit(maker({})));
  ASSERT_OK(store().append_audit_batch(2, batch_of({})));

  auto all = read_whole_chain(store());
  ASSERT_EQ(all.size(), 7u);
  EXPECT_EQ(all[1].prev_hash, all[0].hash);  // the batch links to the single append before it
  EXPECT_EQ(all[4].prev_hash, all[3].hash);  // and the next single append to the batch
  EXPECT_EQ(all[3].actor, "batch2");
  EXPECT_EQ((**store().last_audit()).seq, 7);
}

TEST_P(AuditStoreSuite, EmptyBatchIsANoOp) {
  int calls = 0;
  auto empty = store().append_audit_batch(0, [&](size_t i, int64_t seq, const std::string& p) {
    ++calls;
    return batch_of({})(i, seq, p);
  });
  ASSERT_OK(empty);
  EXPECT_THAT(*empty, IsEmpty());
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(*store().last_audit(), std::nullopt);
  ASSERT_OK(store().append_audit(maker({})));
  ASSERT_OK(store().append_audit_batch(0, batch_of({})));
  EXPECT_THAT(seqs_of(store().read_audit(0, 100)), ElementsAre(1));
}

TEST_P(AuditStoreSuite, ABatchWithOneBadRecordStoresNothing) {
  ASSERT_OK(store().append_audit(maker({})));
  auto bad = store().append_audit_batch(3, [](size_t i, int64_t seq, const std::string& prev) {
    AuditRecord r = maker({})(seq, prev);
    if (i == 2) r.prev_hash = "forged";
    return r;
  });
  EXPECT_FALSE(bad);
  EXPECT_THAT(seqs_of(store().read_audit(0, 100)), ElementsAre(1));
  // The tail is unchanged: the next batch continues at seq 2.
  auto next = store().append_audit_batch(1, batch_of({}));
  ASSERT_OK(next);
  EXPECT_EQ(next->front().seq, 2);
}

TEST_P(AuditStoreSuite, ConcurrentBatchesFormOneLinearChain) {
  constexpr int kThreads = 2;
  constexpr int kBatches = 25;
  constexpr size_t kBatchSize = 8;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Fields f;
      f.actor = "writer" + std::to_string(t);
      for (int b = 0; b < kBatches; ++b) {
        auto appended = store().append_audit_batch(kBatchSize, batch_of(f));
        // Each batch is contiguous: nobody else's record lands inside it.
        if (!appended ||
            appended->back().seq - appended->front().seq != static_cast<int64_t>(kBatchSize) - 1) {
          ++failures;
        }
        if (b % 5 == 0 && !store().append_audit(maker(f))) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  auto all = read_whole_chain(store());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * (kBatches * kBatchSize + kBatches / 5)));
}

TEST_P(AuditStoreSuite, LogSurvivesReopenAndKeepsChaining) {
  ASSERT_OK(store().append_audit(maker({})));
  ASSERT_OK(store().put_audit_checkpoint(AuditCheckpoint{1, "h", 1, "k", "s"}));
  std::string first_hash = (**store().last_audit()).hash;
  harness().reopen();
  auto second = store().append_audit(maker({}));
  ASSERT_OK(second);
  EXPECT_EQ(second->seq, 2);
  EXPECT_EQ(second->prev_hash, first_hash);
  EXPECT_EQ(store().audit_checkpoints()->size(), 1u);
}

}  // namespace
}  // namespace bulwark::metadata
