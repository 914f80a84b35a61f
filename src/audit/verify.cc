#include "audit/verify.h"

#include <boost/json.hpp>

#include "audit/audit_log.h"
#include "audit/event.h"

namespace bulwark::audit {
namespace {

struct KindInfo {
  FindingKind kind;
  std::string_view name;
  std::string_view summary;
};
constexpr KindInfo kKinds[] = {
    {FindingKind::kEdited, "edited", "a record was changed after it was written"},
    {FindingKind::kInconsistent, "inconsistent",
     "a record's searchable columns disagree with its hashed body"},
    {FindingKind::kDeleted, "deleted", "records are missing from the sequence"},
    {FindingKind::kReordered, "reordered",
     "a record does not follow the record before it in the chain"},
    {FindingKind::kTruncated, "truncated", "records covered by a signed checkpoint are gone"},
    {FindingKind::kCheckpointMismatch, "checkpoint_mismatch",
     "a signed checkpoint does not match the record it covers"},
    {FindingKind::kBadSignature, "bad_signature", "a checkpoint's signature is not valid"},
};

const KindInfo& info(FindingKind kind) {
  for (const KindInfo& k : kKinds) {
    if (k.kind == kind) return k;
  }
  return kKinds[0];
}

// Collects findings up to the cap.
class Findings {
 public:
  Findings(VerifyReport& report, size_t cap) : report_(report), cap_(cap) {}
  void add(int64_t seq, FindingKind kind, std::string message) {
    report_.ok = false;
    if (report_.findings.size() >= cap_) {
      report_.findings_truncated = true;
      return;
    }
    report_.findings.push_back(Finding{seq, kind, std::move(message)});
  }

 private:
  VerifyReport& report_;
  size_t cap_;
};

std::string at(int64_t seq) { return "record " + std::to_string(seq); }

// The columns AuditRecord duplicates from the body for queries, compared with the body.
std::string column_mismatch(const metadata::AuditRecord& r, const Event& e) {
  struct Column {
    std::string_view name;
    bool same;
  };
  const Column columns[] = {
      {"time_ms", r.time_ms == e.time_ms},
      {"actor", r.actor == e.actor},
      {"action", r.action == e.action},
      {"repository", r.repository == e.resource.repository},
      {"digest", r.digest == e.resource.digest},
      {"outcome", r.outcome == outcome_name(e.outcome)},
  };
  for (const Column& c : columns) {
    if (!c.same) return std::string(c.name);
  }
  return {};
}

// Checks one record's own content: its hash and its columns.
void check_record(const metadata::AuditRecord& r, Findings& findings) {
  if (chain_hash(r.prev_hash, r.body) != r.hash) {
    findings.add(r.seq, FindingKind::kEdited,
                 at(r.seq) + ": its hash does not match its content (edited after it was written)");
    return;
  }
  auto event = parse_event(r.body);
  if (!event) {
    findings.add(r.seq, FindingKind::kInconsistent,
                 at(r.seq) + ": body is not an audit event: " + event.error().message);
    return;
  }
  if (std::string column = column_mismatch(r, *event); !column.empty()) {
    findings.add(r.seq, FindingKind::kInconsistent,
                 at(r.seq) + ": column " + column + " differs from the hashed event");
  }
}

}  // namespace

std::string_view finding_kind_name(FindingKind kind) { return info(kind).name; }
std::string_view finding_kind_summary(FindingKind kind) { return info(kind).summary; }

Result<VerifyReport> verify_audit(metadata::AuditStore& store, const VerifyKey& key,
                                  const VerifyOptions& options) {
  VerifyReport report;
  Findings findings(report, options.max_findings);

  // Checkpoint signatures first; only valid checkpoints vouch for anything below.
  BULWARK_ASSIGN_OR_RETURN(std::vector<metadata::AuditCheckpoint> stored,
                           store.audit_checkpoints());
  report.checkpoints = static_cast<int64_t>(stored.size());
  std::vector<metadata::AuditCheckpoint> valid;
  for (metadata::AuditCheckpoint& cp : stored) {
    if (cp.key_id != key.key_id()) {
      findings.add(
          cp.seq, FindingKind::kBadSignature,
          "checkpoint at " + at(cp.seq) + " names key " + cp.key_id + ", not " + key.key_id());
    } else if (!key.verify(checkpoint_statement(cp.seq, cp.hash, cp.time_ms), cp.signature)) {
      findings.add(cp.seq, FindingKind::kBadSignature,
                   "checkpoint at " + at(cp.seq) + " has an invalid signature");
    } else {
      valid.push_back(std::move(cp));
    }
  }
  report.valid_checkpoints = static_cast<int64_t>(valid.size());
  if (!valid.empty()) report.signed_through = valid.back().seq;

  size_t next_cp = 0;
  int64_t expected = 1;
  std::string prev_hash;  // the stored hash of the record before
  for (;;) {
    const size_t page_size = options.page_size == 0 ? 1 : options.page_size;
    BULWARK_ASSIGN_OR_RETURN(std::vector<metadata::AuditRecord> page,
                             store.read_audit(report.last_seq, page_size));
    if (page.empty()) break;
    for (const metadata::AuditRecord& r : page) {
      const bool gap = r.seq != expected;
      if (gap) {
        findings.add(expected, FindingKind::kDeleted,
                     r.seq - expected == 1 ? at(expected) + " is missing"
                                           : "records " + std::to_string(expected) + " to " +
                                                 std::to_string(r.seq - 1) + " are missing");
      }
      check_record(r, findings);
      // After a gap the link is expected to break; the deletion is the finding.
      if (!gap && r.prev_hash != prev_hash) {
        findings.add(
            r.seq, FindingKind::kReordered,
            at(r.seq) + ": its prev_hash is not the hash of " +
                (r.seq == 1 ? std::string("the start of the log (empty)") : at(r.seq - 1)) +
                " (records reordered, or the one before rewritten)");
      }
      while (next_cp < valid.size() && valid[next_cp].seq < r.seq) ++next_cp;  // in a gap
      if (next_cp < valid.size() && valid[next_cp].seq == r.seq) {
        if (valid[next_cp].hash != r.hash) {
          findings.add(r.seq, FindingKind::kCheckpointMismatch,
                       "the signed checkpoint at " + at(r.seq) +
                           " does not match the record's hash (the chain was rewritten)");
        }
        ++next_cp;
      }
      prev_hash = r.hash;
      expected = r.seq + 1;
      ++report.records;
      report.last_seq = r.seq;
      report.last_hash = r.hash;
    }
  }
  if (report.signed_through > report.last_seq) {
    findings.add(report.last_seq + 1, FindingKind::kTruncated,
                 "the latest signed checkpoint covers " + at(report.signed_through) +
                     " but the log ends " +
                     (report.last_seq == 0 ? std::string("empty") : "at " + at(report.last_seq)));
  }
  return report;
}

std::string report_json(const VerifyReport& report) {
  boost::json::array findings;
  for (const Finding& f : report.findings) {
    findings.push_back(boost::json::object{
        {"seq", f.seq}, {"kind", finding_kind_name(f.kind)}, {"message", f.message}});
  }
  boost::json::object out{{"ok", report.ok},
                          {"records", report.records},
                          {"last_seq", report.last_seq},
                          {"last_hash", report.last_hash},
                          {"checkpoints", report.checkpoints},
                          {"valid_checkpoints", report.valid_checkpoints},
                          {"signed_through", report.signed_through},
                          {"findings", std::move(findings)},
                          {"findings_truncated", report.findings_truncated}};
  return boost::json::serialize(out);
}

}  // namespace bulwark::audit
