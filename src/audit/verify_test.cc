// Tamper tests: a real SQLite audit log is edited, trimmed and reshuffled directly in the
// database file, and verify_audit must name each problem at the right sequence number.
#include "audit/verify.h"

#include <gmock/gmock.h>

#include "audit/audit_testing.h"

namespace bulwark::audit {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;
using testing_support::AuditFixture;

// (seq, kind name) of every finding, for compact assertions.
std::vector<std::pair<int64_t, std::string>> kinds(const VerifyReport& report) {
  std::vector<std::pair<int64_t, std::string>> out;
  for (const Finding& f : report.findings) {
    out.emplace_back(f.seq, std::string(finding_kind_name(f.kind)));
  }
  return out;
}

std::pair<int64_t, std::string> at(int64_t seq, const char* kind) { return {seq, kind}; }

class VerifyTest : public AuditFixture {
 protected:
  void SetUp() override {
    AuditFixture::SetUp();
    record_events(12);  // checkpoints at 5 and 10
  }
  VerifyReport verify(VerifyOptions options = {}) {
    auto report = verify_audit(*store_, log_->verify_key(), options);
    EXPECT_TRUE(report) << report.error().message;
    return report.value_or(VerifyReport{});
  }
  // Copies every column but seq from row `from` onto row `to` (via a scratch table).
  std::string copy_row_sql(int64_t from, int64_t to) {
    return "UPDATE audit_events SET (time_ms, actor, action, repository, digest, outcome, body, "
           "prev_hash, hash) = (SELECT time_ms, actor, action, repository, digest, outcome, body, "
           "prev_hash, hash FROM scratch WHERE seq = " +
           std::to_string(from) + ") WHERE seq = " + std::to_string(to) + ";";
  }
};

TEST_F(VerifyTest, IntactLogVerifiesClean) {
  for (size_t page : {size_t{1000}, size_t{1}, size_t{4}}) {
    VerifyReport report = verify({page, 1000});
    EXPECT_TRUE(report.ok) << report_json(report);
    EXPECT_THAT(report.findings, testing::IsEmpty());
    EXPECT_EQ(report.records, 12);
    EXPECT_EQ(report.last_seq, 12);
    EXPECT_EQ(report.last_hash, (**store_->last_audit()).hash);
    EXPECT_EQ(report.checkpoints, 2);
    EXPECT_EQ(report.valid_checkpoints, 2);
    EXPECT_EQ(report.signed_through, 10);
  }
}

TEST_F(VerifyTest, EmptyLogVerifiesClean) {
  tamper("DELETE FROM audit_events; DELETE FROM audit_checkpoints;");
  VerifyReport report = verify();
  EXPECT_TRUE(report.ok);
  EXPECT_EQ(report.records, 0);
}

TEST_F(VerifyTest, EditedBodyIsNamed) {
  tamper("UPDATE audit_events SET body = replace(body, '\"alice\"', '\"mallory\"') WHERE seq = 7");
  VerifyReport report = verify();
  EXPECT_FALSE(report.ok);
  EXPECT_THAT(kinds(report), ElementsAre(at(7, "edited")));
  EXPECT_THAT(report.findings[0].message, HasSubstr("record 7"));
}

TEST_F(VerifyTest, EditedAndRehashedRecordBreaksTheNextLink) {
  auto records = *store_->read_audit(6, 1);
  std::string body = records[0].body;
  body.replace(body.find("\"alice\""), 7, "\"mallory\"");
  std::string hash = chain_hash(records[0].prev_hash, body);
  tamper("UPDATE audit_events SET body = '" + body + "', actor = 'mallory', hash = '" + hash +
         "' WHERE seq = 7");
  EXPECT_THAT(kinds(verify()), ElementsAre(at(8, "reordered")));
}

TEST_F(VerifyTest, EditedQueryColumnIsNamed) {
  tamper("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3");
  VerifyReport report = verify();
  EXPECT_THAT(kinds(report), ElementsAre(at(3, "inconsistent")));
  EXPECT_THAT(report.findings[0].message, HasSubstr("actor"));
}

TEST_F(VerifyTest, DeletedRecordIsNamed) {
  tamper("DELETE FROM audit_events WHERE seq = 4");
  VerifyReport report = verify({3, 1000});
  EXPECT_THAT(kinds(report), ElementsAre(at(4, "deleted")));
  EXPECT_EQ(report.records, 11);
}

TEST_F(VerifyTest, DeletedRangeNamesItsFirstRecord) {
  tamper("DELETE FROM audit_events WHERE seq IN (3, 4)");
  VerifyReport report = verify();
  EXPECT_THAT(kinds(report), ElementsAre(at(3, "deleted")));
  EXPECT_THAT(report.findings[0].message, HasSubstr("records 3 to 4"));
}

TEST_F(VerifyTest, DeletedFirstRecordIsNamed) {
  tamper("DELETE FROM audit_events WHERE seq = 1");
  EXPECT_THAT(kinds(verify()), ElementsAre(at(1, "deleted")));
}

TEST_F(VerifyTest, SwappedRecordsAreReported) {
  tamper("CREATE TABLE scratch AS SELECT * FROM audit_events;" + copy_row_sql(3, 8) +
         copy_row_sql(8, 3) + "DROP TABLE scratch;");
  VerifyReport report = verify();
  EXPECT_FALSE(report.ok);
  // Each moved record and each record after a moved one is out of its place in the chain.
  EXPECT_THAT(kinds(report), ElementsAre(at(3, "reordered"), at(4, "reordered"), at(8, "reordered"),
                                         at(9, "reordered")));
}

TEST_F(VerifyTest, SwappedNeighboursAreReported) {
  tamper("CREATE TABLE scratch AS SELECT * FROM audit_events;" + copy_row_sql(6, 7) +
         copy_row_sql(7, 6) + "DROP TABLE scratch;");
  EXPECT_THAT(kinds(verify()),
              ElementsAre(at(6, "reordered"), at(7, "reordered"), at(8, "reordered")));
}

TEST_F(VerifyTest, TruncatedTailAfterACheckpointIsNamed) {
  tamper("DELETE FROM audit_events WHERE seq > 8");
  VerifyReport report = verify();
  EXPECT_THAT(kinds(report), ElementsAre(at(9, "truncated")));
  EXPECT_THAT(report.findings[0].message, HasSubstr("record 10"));
  EXPECT_THAT(report.findings[0].message, HasSubstr("record 8"));
}

TEST_F(VerifyTest, TruncatedAndRewrittenTailContradictsTheCheckpoint) {
  tamper("DELETE FROM audit_events WHERE seq > 8");
  record_events(4);  // seq 9..12 again, a consistent chain of different records
  EXPECT_THAT(kinds(verify()), ElementsAre(at(10, "checkpoint_mismatch")));
}

TEST_F(VerifyTest, EverythingDeletedIsTruncation) {
  tamper("DELETE FROM audit_events");
  EXPECT_THAT(kinds(verify()), ElementsAre(at(1, "truncated")));
}

TEST_F(VerifyTest, CorruptCheckpointSignatureIsNamed) {
  // Another checkpoint's (valid) signature does not sign this statement.
  tamper(
      "UPDATE audit_checkpoints SET signature = (SELECT signature FROM audit_checkpoints "
      "WHERE seq = 10) WHERE seq = 5");
  VerifyReport report = verify();
  EXPECT_THAT(kinds(report), ElementsAre(at(5, "bad_signature")));
  EXPECT_EQ(report.valid_checkpoints, 1);
}

TEST_F(VerifyTest, GarbledSignatureAndMovedCheckpointAreNamed) {
  tamper(
      "UPDATE audit_checkpoints SET signature = 'AAAA' || substr(signature, 5) WHERE seq = 5;"
      "UPDATE audit_checkpoints SET hash = (SELECT hash FROM audit_events WHERE seq = 11) "
      "WHERE seq = 10;");
  EXPECT_THAT(kinds(verify()), ElementsAre(at(5, "bad_signature"), at(10, "bad_signature")));
}

TEST_F(VerifyTest, CheckpointFromAnotherKeyIsNotTrusted) {
  TempDir other;
  auto other_key = SigningKey::load_or_create(other.file("k.pem"));
  ASSERT_TRUE(other_key);
  auto report = verify_audit(*store_, other_key->verify_key());
  ASSERT_TRUE(report);
  EXPECT_THAT(kinds(*report), ElementsAre(at(5, "bad_signature"), at(10, "bad_signature")));
  EXPECT_THAT(report->findings[0].message, HasSubstr(log_->verify_key().key_id()));
  EXPECT_EQ(report->signed_through, 0);
}

TEST_F(VerifyTest, FindingsAreCapped) {
  tamper("UPDATE audit_events SET body = body || ' '");
  VerifyReport report = verify({1000, 3});
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.findings.size(), 3u);
  EXPECT_TRUE(report.findings_truncated);
}

TEST_F(VerifyTest, JsonReportNamesKindsAndSeqs) {
  tamper("DELETE FROM audit_events WHERE seq = 4");
  std::string json = report_json(verify());
  EXPECT_THAT(json, HasSubstr(R"("ok":false)"));
  EXPECT_THAT(json, HasSubstr(R"("seq":4,"kind":"deleted")"));
}

}  // namespace
}  // namespace bulwark::audit
