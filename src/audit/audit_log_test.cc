#include "audit/audit_log.h"

#include <gmock/gmock.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "audit/audit_testing.h"
#include "audit/verify.h"
#include "common/digest.h"

namespace bulwark::audit {
namespace {

using testing_support::AuditFixture;

class AuditLogTest : public AuditFixture {};

TEST_F(AuditLogTest, RecordsFormAHashChainOverTheCanonicalBody) {
  record_events(3);
  auto records = store_->read_audit(0, 10);
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 3u);
  std::string prev;
  for (const auto& r : *records) {
    EXPECT_EQ(r.prev_hash, prev);
    EXPECT_EQ(r.hash, Digest::of(prev + "\n" + r.body).hex());
    auto event = parse_event(r.body);
    ASSERT_TRUE(event);
    EXPECT_EQ(r.actor, event->actor);
    EXPECT_EQ(r.repository, event->resource.repository);
    EXPECT_EQ(r.outcome, "allowed");
    EXPECT_EQ(r.time_ms, event->time_ms);
    prev = r.hash;
  }
  EXPECT_EQ((*records)[0].time_ms, 1700000000000);  // the clock stamped time_ms 0
  EXPECT_EQ((*records)[1].actor, "bob");
}

TEST_F(AuditLogTest, ReasonReachesTheDatabaseVerbatim) {
  Event event;
  event.time_ms = 42;
  event.actor = "alice";
  event.action = "login.failure";
  event.outcome = Outcome::kDenied;
  event.reason = "wrong password or unknown user \"alice\" [attempt 3] \\ \xE2\x9C\x97";
  ASSERT_TRUE(log_->record(event));
  auto last = store_->last_audit();
  ASSERT_TRUE(last && *last);
  auto stored = parse_event((*last)->body);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->reason, event.reason);
  EXPECT_EQ(stored->time_ms, 42);
}

TEST_F(AuditLogTest, CredentialShapedFieldIsStoredRedacted) {
  Event event;
  event.actor = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
  event.action = "login.failure";
  event.outcome = Outcome::kDenied;
  auto recorded = log_->record(event);
  ASSERT_TRUE(recorded);
  EXPECT_EQ(recorded->actor, kRedacted);
  EXPECT_EQ(recorded->body.find("eyJhbGci"), std::string::npos);
}

TEST_F(AuditLogTest, ChecksCheckpointsEveryNRecordsWithAValidSignature) {
  record_events(12);  // checkpoint_every_ = 5
  auto checkpoints = store_->audit_checkpoints();
  ASSERT_TRUE(checkpoints);
  ASSERT_EQ(checkpoints->size(), 2u);
  auto records = *store_->read_audit(0, 100);
  for (const auto& cp : *checkpoints) {
    EXPECT_EQ(cp.key_id, log_->verify_key().key_id());
    EXPECT_EQ(cp.hash, records[static_cast<size_t>(cp.seq - 1)].hash);
    EXPECT_TRUE(
        log_->verify_key().verify(checkpoint_statement(cp.seq, cp.hash, cp.time_ms), cp.signature));
    EXPECT_FALSE(log_->verify_key().verify(checkpoint_statement(cp.seq + 1, cp.hash, cp.time_ms),
                                           cp.signature));
  }
  EXPECT_EQ((*checkpoints)[0].seq, 5);
  EXPECT_EQ((*checkpoints)[1].seq, 10);
}

TEST_F(AuditLogTest, CheckpointOnDemandCoversTheLatestRecordOnce) {
  auto none = log_->checkpoint();
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, std::nullopt);  // empty log
  record_events(2);
  auto cp = log_->checkpoint();
  ASSERT_TRUE(cp && *cp) << (cp ? "nullopt" : cp.error().message);
  EXPECT_EQ((*cp)->seq, 2);
  EXPECT_EQ((*cp)->hash, (**store_->last_audit()).hash);
  auto again = log_->checkpoint();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, std::nullopt);
  EXPECT_EQ(store_->audit_checkpoints()->size(), 1u);
}

TEST_F(AuditLogTest, KeyIsCreatedPrivateAndReusedAcrossRestarts) {
  struct stat st {};
  ASSERT_EQ(::stat(key_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string key_id = log_->verify_key().key_id();
  EXPECT_EQ(key_id.size(), 32u);
  EXPECT_EQ(key_id.find_first_not_of("0123456789abcdef"), std::string::npos);

  open_log(5);
  EXPECT_EQ(log_->verify_key().key_id(), key_id);
  // The public PEM identifies the same key and cannot sign.
  auto from_public = VerifyKey::from_pem(log_->verify_key().public_pem());
  ASSERT_TRUE(from_public) << from_public.error().message;
  EXPECT_EQ(from_public->key_id(), key_id);
  EXPECT_EQ(log_->verify_key().public_pem().find("PRIVATE"), std::string::npos);
}

TEST_F(AuditLogTest, RefusesAKeyFileOthersCanRead) {
  ASSERT_EQ(::chmod(key_path().c_str(), 0644), 0);
  AuditLogOptions options;
  options.key_file = key_path();
  auto log = AuditLog::open(*store_, options);
  ASSERT_FALSE(log);
  EXPECT_THAT(log.error().message, testing::HasSubstr("0600"));
}

TEST_F(AuditLogTest, RefusesAKeyThatIsNotP256) {
  const std::string path = dir_.file("rsa.pem");
  {
    std::ofstream out(path);
    out << "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n";
  }
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  AuditLogOptions options;
  options.key_file = path;
  EXPECT_FALSE(AuditLog::open(*store_, options));
}

TEST_F(AuditLogTest, ConcurrentRecordersProduceOneVerifiableChain) {
  open_log(10);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Event e;
        e.actor = "worker" + std::to_string(t);
        e.action = "blob.pull";
        if (!log_->record(e)) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  auto report = verify_audit(*store_, log_->verify_key());
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report_json(*report);
  EXPECT_EQ(report->records, kThreads * kPerThread);
  EXPECT_EQ(report->valid_checkpoints, 10);
  EXPECT_EQ(report->signed_through, 100);
}

}  // namespace
}  // namespace bulwark::audit
