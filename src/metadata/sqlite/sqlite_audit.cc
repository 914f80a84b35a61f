// SqliteMetadataStore: the AuditStore part (append-only hash-chained rows and checkpoints).
#include <string>
#include <utility>
#include <variant>

#include "metadata/sqlite/store_internal.h"

namespace bulwark::metadata {
namespace {

using sqlite::collect_rows;
using sqlite::Db;
using sqlite::Stmt;

constexpr std::string_view kRecordColumns =
    "seq, time_ms, actor, action, repository, digest, outcome, body, prev_hash, hash";

AuditRecord record_from_row(const Stmt& row) {
  return AuditRecord{row.column_int(0),  row.column_int(1),  row.column_text(2), row.column_text(3),
                     row.column_text(4), row.column_text(5), row.column_text(6), row.column_text(7),
                     row.column_text(8), row.column_text(9)};
}

AuditCheckpoint checkpoint_from_row(const Stmt& row) {
  return AuditCheckpoint{row.column_int(0), row.column_text(1), row.column_int(2),
                         row.column_text(3), row.column_text(4)};
}

// The optional filters of AuditQuery: each present one adds its condition (and one parameter).
struct TextFilter {
  std::optional<std::string> AuditQuery::*field;
  std::string_view condition;
};
constexpr TextFilter kTextFilters[] = {
    {&AuditQuery::actor, "actor = ?"},
    {&AuditQuery::action, "action = ?"},
    {&AuditQuery::repository, "repository = ?"},
    {&AuditQuery::digest, "digest = ?"},
};
struct TimeFilter {
  std::optional<int64_t> AuditQuery::*field;
  std::string_view condition;
};
constexpr TimeFilter kTimeFilters[] = {
    {&AuditQuery::since_ms, "time_ms >= ?"},
    {&AuditQuery::until_ms, "time_ms < ?"},
};

Result<std::optional<AuditRecord>> last_record(Db& db) {
  BULWARK_ASSIGN_OR_RETURN(Stmt query, db.prepare("SELECT " + std::string(kRecordColumns) +
                                                  " FROM audit_events ORDER BY seq DESC LIMIT 1"));
  BULWARK_ASSIGN_OR_RETURN(bool row, query.step());
  if (!row) return std::optional<AuditRecord>();
  return std::optional<AuditRecord>(record_from_row(query));
}

}  // namespace

Result<AuditRecord> SqliteMetadataStore::append_audit(
    const std::function<AuditRecord(int64_t seq, const std::string& prev_hash)>& make) {
  BULWARK_ASSIGN_OR_RETURN(
      std::vector<AuditRecord> appended,
      append_audit_batch(1, [&](size_t, int64_t seq, const std::string& prev_hash) {
        return make(seq, prev_hash);
      }));
  return std::move(appended.front());
}

Result<std::vector<AuditRecord>> SqliteMetadataStore::append_audit_batch(size_t count,
                                                                         const BatchMaker& make) {
  if (count == 0) return std::vector<AuditRecord>();
  return with_writer([&](Db& db) -> Result<std::vector<AuditRecord>> {
    // Under the write lock: nobody can append between reading the tail and inserting.
    BULWARK_ASSIGN_OR_RETURN(std::optional<AuditRecord> last, last_record(db));
    int64_t seq = last ? last->seq : 0;
    std::string prev_hash = last ? std::move(last->hash) : std::string();
    std::vector<AuditRecord> records;
    records.reserve(count);
    BULWARK_ASSIGN_OR_RETURN(Stmt insert,
                             db.prepare("INSERT INTO audit_events (" + std::string(kRecordColumns) +
                                        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (size_t i = 0; i < count; ++i) {
      ++seq;
      AuditRecord record = make(i, seq, prev_hash);
      if (record.seq != seq || record.prev_hash != prev_hash) {
        return fail(ErrorCode::kInvalidArgument,
                    "audit record does not carry the sequence number and link it was given");
      }
      insert.bind(record.seq).bind(record.time_ms).bind(record.actor).bind(record.action);
      insert.bind(record.repository).bind(record.digest).bind(record.outcome).bind(record.body);
      BULWARK_TRY_VOID(insert.bind(record.prev_hash).bind(record.hash).run());
      insert.reset();
      prev_hash = record.hash;
      records.push_back(std::move(record));
    }
    return records;  // with_writer commits: the whole batch or nothing
  });
}

Result<std::vector<AuditRecord>> SqliteMetadataStore::read_audit(int64_t after_seq, size_t limit) {
  return with_reader([&](Db& db) -> Result<std::vector<AuditRecord>> {
    BULWARK_ASSIGN_OR_RETURN(Stmt query,
                             db.prepare("SELECT " + std::string(kRecordColumns) +
                                        " FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?"));
    query.bind(after_seq).bind(sqlite::clamp_limit(limit));
    return collect_rows<AuditRecord>(query, record_from_row);
  });
}

Result<std::optional<AuditRecord>> SqliteMetadataStore::last_audit() {
  return with_reader([&](Db& db) { return last_record(db); });
}

Result<std::vector<AuditRecord>> SqliteMetadataStore::query_audit(const AuditQuery& q) {
  // One statement text per combination of filters (at most 2^6, each cached once).
  std::string sql = "SELECT " + std::string(kRecordColumns) + " FROM audit_events WHERE seq > ?";
  std::vector<std::variant<int64_t, std::string>> params{q.after_seq};
  for (const TextFilter& filter : kTextFilters) {
    if (!(q.*filter.field)) continue;
    sql += " AND " + std::string(filter.condition);
    params.emplace_back(*(q.*filter.field));
  }
  for (const TimeFilter& filter : kTimeFilters) {
    if (!(q.*filter.field)) continue;
    sql += " AND " + std::string(filter.condition);
    params.emplace_back(*(q.*filter.field));
  }
  sql += " ORDER BY seq LIMIT ?";
  params.emplace_back(sqlite::clamp_limit(q.limit));
  return with_reader([&](Db& db) -> Result<std::vector<AuditRecord>> {
    BULWARK_ASSIGN_OR_RETURN(Stmt query, db.prepare(sql));
    for (const auto& param : params) std::visit([&query](const auto& v) { query.bind(v); }, param);
    return collect_rows<AuditRecord>(query, record_from_row);
  });
}

Result<void> SqliteMetadataStore::put_audit_checkpoint(const AuditCheckpoint& checkpoint) {
  return with_writer([&](Db& db) -> Result<void> {
    {
      BULWARK_ASSIGN_OR_RETURN(Stmt exists,
                               db.prepare("SELECT 1 FROM audit_checkpoints WHERE seq = ?"));
      BULWARK_ASSIGN_OR_RETURN(bool found, exists.bind(checkpoint.seq).step());
      if (found) return fail(ErrorCode::kAlreadyExists, "audit checkpoint already exists");
    }
    BULWARK_ASSIGN_OR_RETURN(
        Stmt insert, db.prepare("INSERT INTO audit_checkpoints (seq, hash, time_ms, key_id, "
                                "signature) VALUES (?, ?, ?, ?, ?)"));
    insert.bind(checkpoint.seq).bind(checkpoint.hash).bind(checkpoint.time_ms);
    return insert.bind(checkpoint.key_id).bind(checkpoint.signature).run();
  });
}

Result<std::vector<AuditCheckpoint>> SqliteMetadataStore::audit_checkpoints() {
  return with_reader([&](Db& db) -> Result<std::vector<AuditCheckpoint>> {
    BULWARK_ASSIGN_OR_RETURN(Stmt query,
                             db.prepare("SELECT seq, hash, time_ms, key_id, signature FROM "
                                        "audit_checkpoints ORDER BY seq"));
    return collect_rows<AuditCheckpoint>(query, checkpoint_from_row);
  });
}

}  // namespace bulwark::metadata
