#include "audit/audit_log.h"

#include <chrono>
#include <utility>

#include "common/clock.h"
#include "common/digest.h"
#include "common/log.h"

namespace bulwark::audit {

std::string chain_hash(std::string_view prev_hash, std::string_view body) {
  Hasher hasher;
  hasher.update(prev_hash);
  hasher.update(std::string_view("\n"));
  hasher.update(body);
  return hasher.finish().hex();
}

Result<std::unique_ptr<AuditLog>> AuditLog::open(metadata::AuditStore& store,
                                                 AuditLogOptions options) {
  if (options.checkpoint_every < 0) {
    return fail(ErrorCode::kInvalidArgument, "checkpoint interval must not be negative");
  }
  BULWARK_ASSIGN_OR_RETURN(SigningKey key, SigningKey::load_or_create(options.key_file));
  return std::unique_ptr<AuditLog>(new AuditLog(store, std::move(options), std::move(key)));
}

int64_t AuditLog::now_ms() const {
  if (options_.clock_ms) return options_.clock_ms();
  return unix_millis();
}

Result<metadata::AuditRecord> AuditLog::record(const Event& event) {
  std::vector<Event> one;
  one.push_back(event);
  BULWARK_ASSIGN_OR_RETURN(std::vector<metadata::AuditRecord> stored, record_batch(std::move(one)));
  return std::move(stored.front());
}

Result<std::vector<metadata::AuditRecord>> AuditLog::record_batch(std::vector<Event> events) {
  // Sanitise and serialise outside the store's write lock; only the chaining happens under it.
  std::vector<std::string> bodies;
  bodies.reserve(events.size());
  std::optional<int64_t> now;  // read once, and only when an event needs stamping
  for (Event& event : events) {
    std::vector<std::string> redacted;
    event = sanitize_event(std::move(event), &redacted);
    for (const std::string& field : redacted) {
      log_event(LogLevel::kWarn, "audit event field looked like a credential and was redacted",
                {{"field", field}, {"action", event.action}});
    }
    if (event.time_ms == 0) {
      if (!now) now = now_ms();
      event.time_ms = *now;
    }
    bodies.push_back(canonical_json(event));
  }
  BULWARK_ASSIGN_OR_RETURN(
      std::vector<metadata::AuditRecord> stored,
      store_.append_audit_batch(events.size(),
                                [&](size_t i, int64_t seq, const std::string& prev_hash) {
                                  const Event& e = events[i];
                                  return metadata::AuditRecord{seq,
                                                               e.time_ms,
                                                               e.actor,
                                                               e.action,
                                                               e.resource.repository,
                                                               e.resource.digest,
                                                               std::string(outcome_name(e.outcome)),
                                                               bodies[i],
                                                               prev_hash,
                                                               chain_hash(prev_hash, bodies[i])};
                                }));
  if (!stored.empty()) auto_checkpoint(stored.front().seq, stored.back());
  return stored;
}

void AuditLog::auto_checkpoint(int64_t first_seq, const metadata::AuditRecord& last) const {
  const int64_t every = options_.checkpoint_every;
  // Crossed a boundary when first_seq..last.seq contains a multiple of `every`.
  if (every <= 0 || last.seq / every == (first_seq - 1) / every) return;
  auto checkpoint = sign_checkpoint(last.seq, last.hash);
  auto put = checkpoint ? store_.put_audit_checkpoint(*checkpoint)
                        : Result<void>(fail(checkpoint.error()));
  if (!put) {
    log_event(LogLevel::kError, "audit checkpoint failed",
              {{"seq", last.seq}, {"detail", put.error().message}});
  }
}

Result<std::optional<metadata::AuditCheckpoint>> AuditLog::checkpoint() {
  BULWARK_ASSIGN_OR_RETURN(std::optional<metadata::AuditRecord> last, store_.last_audit());
  if (!last) return std::optional<metadata::AuditCheckpoint>();
  BULWARK_ASSIGN_OR_RETURN(metadata::AuditCheckpoint checkpoint,
                           sign_checkpoint(last->seq, last->hash));
  auto put = store_.put_audit_checkpoint(checkpoint);
  if (!put && put.error().code == ErrorCode::kAlreadyExists) {
    return std::optional<metadata::AuditCheckpoint>();
  }
  if (!put) return fail(std::move(put.error()));
  return std::optional<metadata::AuditCheckpoint>(std::move(checkpoint));
}

Result<metadata::AuditCheckpoint> AuditLog::sign_checkpoint(int64_t seq,
                                                            const std::string& hash) const {
  const int64_t time_ms = now_ms();
  BULWARK_ASSIGN_OR_RETURN(std::string signature,
                           key_.sign(checkpoint_statement(seq, hash, time_ms)));
  return metadata::AuditCheckpoint{seq, hash, time_ms, key_.key_id(), std::move(signature)};
}

}  // namespace bulwark::audit
