// Getting audit records out to SIEMs: streaming JSON lines, RFC 5424 syslog messages and a
// syslog sender over UDP (RFC 5426, one message per datagram) or TCP (RFC 6587 octet counting).
//
// JSON lines: one object per record, keys sorted:
//   {"event":<the canonical event body>,"hash":"…","prev_hash":"…","seq":N}
// so a consumer can re-verify the chain from the export alone (hash = sha256(prev_hash "\n"
// body), where body is "event" serialised as it appears).
//
// Syslog: <PRI>1 TIMESTAMP HOSTNAME bulwark - AUDIT [audit@32473 seq="…" hash="…" actor="…" …] MSG
// with PRI = facility * 8 + severity (allowed: informational, denied: warning, error: error),
// TIMESTAMP in UTC with milliseconds, and '"', '\' and ']' escaped in parameter values. 32473 is
// the documentation enterprise number of RFC 5612; set SyslogOptions::sd_id for your own.
//
// Functions are thread-safe; a SyslogSender serialises its callers.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "audit/event.h"
#include "common/result.h"
#include "metadata/audit_store.h"

namespace bulwark::audit {

struct ExportOptions {
  std::optional<int64_t> since_ms;  // inclusive
  std::optional<int64_t> until_ms;  // exclusive
  int64_t after_seq = 0;
  size_t page_size = 1000;
};

// One JSON line (without the newline) for a record.
std::string json_line(const metadata::AuditRecord& record);

// Passes the matching records, in sequence order and page by page, to `emit`; its first error
// ends the walk and is returned. Returns how many records were passed.
Result<int64_t> for_each_record(
    metadata::AuditStore& store, const ExportOptions& options,
    const std::function<Result<void>(const metadata::AuditRecord&)>& emit);

// Streams the matching records to `out`, one JSON line each, page by page. Returns how many.
Result<int64_t> export_json_lines(metadata::AuditStore& store, std::ostream& out,
                                  const ExportOptions& options = {});

// The event a record shows: its parsed body, or — for a damaged body, which verification
// reports — what the queryable columns say, with reason "[unreadable record body]".
Event shown_event(const metadata::AuditRecord& record);

// A record as one flat JSON object for people's tools (the query API, `audit query -o json`):
// seq, hash, time (RFC 3339), time_ms, actor, client, action, repository, digest, tag, outcome,
// reason.
boost::json::object record_view(const metadata::AuditRecord& record);

// Parses --since/--until values: unix seconds ("1700000000") or RFC 3339
// ("2024-05-01T12:00:00Z", "2024-05-01T14:00:00.250+02:00"). Returns unix milliseconds.
Result<int64_t> parse_time_ms(std::string_view text);
// The inverse for display: unix milliseconds as RFC 3339 UTC with milliseconds
// ("2024-05-01T12:00:00.250Z").
std::string rfc3339_ms(int64_t time_ms);

struct SyslogOptions {
  int facility = 13;     // "log audit"
  std::string hostname;  // empty: this machine's name
  std::string sd_id = "audit@32473";
};

// The RFC 5424 message for one event (seq and hash identify it in the chain).
std::string format_syslog(const Event& event, int64_t seq, std::string_view hash,
                          const SyslogOptions& options = {});
// The same for a stored record (kCorrupt when its body is not an event).
Result<std::string> format_syslog(const metadata::AuditRecord& record,
                                  const SyslogOptions& options = {});

enum class SyslogTransport { kUdp, kTcp };

class SyslogSender {
 public:
  // Resolves host and connects (TCP) or binds the peer (UDP).
  static Result<std::unique_ptr<SyslogSender>> connect(SyslogTransport transport,
                                                       const std::string& host, uint16_t port);
  ~SyslogSender();
  SyslogSender(const SyslogSender&) = delete;
  SyslogSender& operator=(const SyslogSender&) = delete;

  // Sends one message: one datagram (UDP) or one "LEN SP MSG" frame (TCP). A failed TCP send
  // drops the connection; the next send reconnects.
  Result<void> send(std::string_view message);

 private:
  SyslogSender(SyslogTransport transport, std::string host, uint16_t port)
      : transport_(transport), host_(std::move(host)), port_(port) {}
  Result<void> open_socket();  // REQUIRES: mu_ held

  const SyslogTransport transport_;
  const std::string host_;
  const uint16_t port_;
  std::mutex mu_;
  int fd_ = -1;  // guarded by mu_
};

}  // namespace bulwark::audit
