// AuditLog: the tamper-evident audit trail over an AuditStore.
//
// record() sanitises the event (event.h), serialises it canonically and appends it with
// hash = hex sha256(prev_hash || "\n" || body), where prev_hash is the previous record's hash
// ("" for the first). record_batch() appends many events in one store transaction (group
// commit; see writer.h for the background writer that feeds it). Every `checkpoint_every`
// records, and whenever checkpoint() is called, it stores a checkpoint signed with the ES256 key
// in `key_file` over checkpoint_statement(seq, hash, time_ms) (signing.h), so `bulwark audit
// verify` can tell a truncated log from a short one and a rewritten chain from the original.
// A batch that crosses a multiple of `checkpoint_every` gets one checkpoint, over its last
// record, after it is committed.
//
// Limits (what a hash chain can and cannot show): records after the latest checkpoint are
// chained but not yet signed; someone who can write the database and read the signing key can
// forge a consistent log. Keep a copy of the public key (VerifyKey::public_pem) elsewhere and
// verify against it.
//
// Thread-safety: thread-safe; appends are serialised by the store (one linear chain even across
// processes), signing uses no shared mutable state.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/event.h"
#include "audit/signing.h"
#include "common/result.h"
#include "metadata/audit_store.h"

namespace bulwark::audit {

struct AuditLogOptions {
  std::string key_file;               // P-256 private key PEM; created (mode 0600) when missing
  int64_t checkpoint_every = 1000;    // records between automatic checkpoints; 0 disables them
  std::function<int64_t()> clock_ms;  // unix milliseconds; the system clock when empty
};

class AuditLog {
 public:
  // Loads or creates the signing key. The store must outlive the log.
  static Result<std::unique_ptr<AuditLog>> open(metadata::AuditStore& store,
                                                AuditLogOptions options);

  // Appends `event` (time_ms 0 means now) and returns the stored record. A field that looks
  // like a credential is stored as kRedacted (and a warning names the field, never the value).
  // A failed automatic checkpoint is logged, not returned: the record itself is stored.
  Result<metadata::AuditRecord> record(const Event& event);

  // record() for many events at once: sanitised and stamped the same way, appended in ONE store
  // transaction (all or nothing) as consecutive records in the given order. Returns the stored
  // records; an empty batch stores nothing.
  Result<std::vector<metadata::AuditRecord>> record_batch(std::vector<Event> events);

  // Signs and stores a checkpoint covering the latest record; nullopt when the log is empty or
  // the latest record already has a checkpoint.
  Result<std::optional<metadata::AuditCheckpoint>> checkpoint();

  const VerifyKey& verify_key() const { return key_.verify_key(); }

  // The log's clock (AuditLogOptions::clock_ms or the system clock), unix milliseconds.
  int64_t now_ms() const;

 private:
  AuditLog(metadata::AuditStore& store, AuditLogOptions options, SigningKey key)
      : store_(store), options_(std::move(options)), key_(std::move(key)) {}
  Result<metadata::AuditCheckpoint> sign_checkpoint(int64_t seq, const std::string& hash) const;
  // Stores the automatic checkpoint for a committed range (first_seq..last) if it crossed a
  // multiple of checkpoint_every; failures are logged.
  void auto_checkpoint(int64_t first_seq, const metadata::AuditRecord& last) const;

  metadata::AuditStore& store_;
  const AuditLogOptions options_;
  const SigningKey key_;
};

// The chain hash of a record: hex sha256(prev_hash || "\n" || body).
std::string chain_hash(std::string_view prev_hash, std::string_view body);

}  // namespace bulwark::audit
