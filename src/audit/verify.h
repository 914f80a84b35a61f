// verify_audit(): walks the whole audit log in sequence order (page by page, memory bounded by
// the page size, the checkpoint list and the findings cap) and reports every sign of tampering:
//
//   edited               a record's hash does not match sha256(prev_hash || "\n" || body)
//   inconsistent         a record's queryable columns (actor, action, ...) disagree with its
//                        hashed body, or the body is not a canonical event
//   deleted              a gap in the sequence: the finding names the first missing seq
//   reordered            a record's prev_hash is not the previous record's hash
//   truncated            the latest validly signed checkpoint covers seq N, the log ends before N
//   checkpoint_mismatch  a validly signed checkpoint's hash differs from the record it covers
//   bad_signature        a checkpoint's signature does not verify, or another key signed it
//
// Records after the latest valid checkpoint are chained but not signed: deleting only them is
// undetectable here (the report's signed_through says how far the signatures reach).
//
// Thread-safety: verify_audit only reads the store; safe to run beside writers (it checks the
// prefix it reads).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/signing.h"
#include "common/result.h"
#include "metadata/audit_store.h"

namespace bulwark::audit {

enum class FindingKind {
  kEdited,
  kInconsistent,
  kDeleted,
  kReordered,
  kTruncated,
  kCheckpointMismatch,
  kBadSignature,
};

// "edited", "deleted", ... (stable, for -o json and scripts) and a one-line explanation.
std::string_view finding_kind_name(FindingKind kind);
std::string_view finding_kind_summary(FindingKind kind);

struct Finding {
  int64_t seq = 0;  // the record (or checkpoint) where the problem shows
  FindingKind kind = FindingKind::kEdited;
  std::string message;
};

struct VerifyReport {
  bool ok = true;                   // no findings
  int64_t records = 0;              // records read
  int64_t last_seq = 0;             // highest seq present (0 for an empty log)
  std::string last_hash;            // its hash
  int64_t checkpoints = 0;          // checkpoints stored
  int64_t valid_checkpoints = 0;    // of which validly signed by the key
  int64_t signed_through = 0;       // seq covered by the latest valid checkpoint
  std::vector<Finding> findings;    // in the order found (checkpoint signatures first)
  bool findings_truncated = false;  // more than VerifyOptions::max_findings
};

struct VerifyOptions {
  size_t page_size = 1000;
  size_t max_findings = 1000;
};

// Verifies the chain and the checkpoints against `key`. Errors only when the store cannot be
// read; tampering is reported in the VerifyReport.
Result<VerifyReport> verify_audit(metadata::AuditStore& store, const VerifyKey& key,
                                  const VerifyOptions& options = {});

// The report as one JSON object (for `bulwark audit verify -o json`).
std::string report_json(const VerifyReport& report);

}  // namespace bulwark::audit
