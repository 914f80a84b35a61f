// AuditStore: append-only persistence for the audit trail (the `audit` module owns the event
// format, the hash chain and checkpoint signatures; this interface only stores and returns rows).
//
// Rows are numbered by a dense sequence starting at 1, assigned by append_audit() and
// append_audit_batch() in commit order. A batch is group commit: many records, one write
// transaction (one fsync), chained to each other and to whatever was appended before it.
// Nothing here updates or deletes rows: tampering is what `bulwark audit verify` detects.
// Thread-safety: all methods are thread-safe; calls block (disk I/O).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bulwark::metadata {

struct AuditRecord {
  int64_t seq = 0;          // 1, 2, 3, ... (assigned by append)
  int64_t time_ms = 0;      // unix milliseconds
  std::string actor;        // user or robot name, "anonymous", or "system"
  std::string action;       // e.g. "manifest.push", "login.failure"
  std::string repository;   // may be empty
  std::string digest;       // may be empty
  std::string outcome;      // "allowed" | "denied" | "error"
  std::string body;         // canonical JSON of the whole event (what the chain hashes)
  std::string prev_hash;    // hex sha256 chain link of the previous record ("" for seq 1)
  std::string hash;         // hex sha256 of prev_hash and body
};

struct AuditCheckpoint {
  int64_t seq = 0;          // covers records 1..seq
  std::string hash;         // the chain hash of record `seq`
  int64_t time_ms = 0;
  std::string key_id;
  std::string signature;    // base64 signature over the checkpoint statement
};

struct AuditQuery {
  std::optional<std::string> actor;
  std::optional<std::string> action;
  std::optional<std::string> repository;
  std::optional<std::string> digest;
  std::optional<int64_t> since_ms;  // inclusive
  std::optional<int64_t> until_ms;  // exclusive
  int64_t after_seq = 0;            // pagination cursor
  size_t limit = 100;
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;
  // Appends one record; `make` receives the previous record's hash and the assigned sequence
  // number and returns the completed record (body, hash, ...), all inside one write
  // transaction so concurrent appends chain correctly.
  virtual Result<AuditRecord> append_audit(
      const std::function<AuditRecord(int64_t seq, const std::string& prev_hash)>& make) = 0;
  // Builds record `index` (0-based within its batch) from its sequence number and the previous
  // record's hash.
  using BatchMaker =
      std::function<AuditRecord(size_t index, int64_t seq, const std::string& prev_hash)>;
  // Appends `count` records in ONE write transaction: `make` is called for index 0..count-1 in
  // order, each record chained to the one before (the first to the current tail), so the batch
  // lands as `count` consecutive sequence numbers or not at all. A record that does not carry
  // the seq and prev_hash it was given fails the whole batch. count == 0 is a no-op (no
  // transaction) returning an empty vector. Returns the stored records in order.
  // `make` runs under the store's write lock: keep it cheap (hash, no I/O).
  virtual Result<std::vector<AuditRecord>> append_audit_batch(size_t count,
                                                              const BatchMaker& make) = 0;
  // Records in sequence order with seq > after_seq, at most `limit` (verification and export).
  virtual Result<std::vector<AuditRecord>> read_audit(int64_t after_seq, size_t limit) = 0;
  // The record with the highest sequence number; nullopt for an empty log.
  virtual Result<std::optional<AuditRecord>> last_audit() = 0;
  // Records matching every given filter, in sequence order, seq > query.after_seq, at most
  // query.limit (page on with after_seq = the last seq returned).
  virtual Result<std::vector<AuditRecord>> query_audit(const AuditQuery& query) = 0;
  // kAlreadyExists when a checkpoint for checkpoint.seq is already stored.
  virtual Result<void> put_audit_checkpoint(const AuditCheckpoint& checkpoint) = 0;
  // All checkpoints in sequence order.
  virtual Result<std::vector<AuditCheckpoint>> audit_checkpoints() = 0;
};

}  // namespace bulwark::metadata
