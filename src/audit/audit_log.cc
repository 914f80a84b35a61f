#include "audit/audit_log.h"
#include "common/clock.h"

#include <chrono>
#include <utility>

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
  std::vector<std::string> redacted;
  Event clean = sanitize_event(event, &redacted);
  for (const std::string& field : redacted) {
    log_event(LogLevel::kWarn, "audit event field looked like a credential and was redacted",
              {{"field", field}, {"action", clean.action}});
  }
  if (clean.time_ms == 0) clean.time_ms = now_ms();
  const std::string body = canonical_json(clean);
  BULWARK_ASSIGN_OR_RETURN(metadata::AuditRecord stored,
                           store_.append_audit([&](int64_t seq, const std::string& prev_hash) {
                             return metadata::AuditRecord{seq,
                                                          clean.time_ms,
                                                          clean.actor,
                                                          clean.action,
                                                          clean.resource.repository,
                                                          clean.resource.digest,
                                                          std::string(outcome_name(clean.outcome)),
                                                          body,
                                                          prev_hash,
                                                          chain_hash(prev_hash, body)};
                           }));
  if (options_.checkpoint_every > 0 && stored.seq % options_.checkpoint_every == 0) {
    auto checkpoint = sign_checkpoint(stored.seq, stored.hash);
    auto put = checkpoint ? store_.put_audit_checkpoint(*checkpoint)
                          : Result<void>(fail(checkpoint.error()));
    if (!put) {
      log_event(LogLevel::kError, "audit checkpoint failed",
                {{"seq", stored.seq}, {"detail", put.error().message}});
    }
  }
  return stored;
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
