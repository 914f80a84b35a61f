// `bulwark audit verify|export|query`: checks the audit trail of a data directory for
// tampering, streams it as JSON lines, or shows one filtered page of it. The metadata database
// is <data>/metadata.sqlite and the checkpoint key <data>/audit-key.pem (or --public-key FILE, a
// copy kept away from the data directory).
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "audit/event.h"
#include "audit/export.h"
#include "audit/verify.h"
#include "cli/admin_internal.h"
#include "cli/commands.h"
#include "metadata/sqlite/sqlite_metadata_store.h"

namespace bulwark::cli {
namespace {

struct AuditFlags {
  std::string data = "./var";
  std::string output = "table";
  std::string public_key;
  std::string since;
  std::string until;
  // audit query
  std::string actor, action, repository, digest;  // applied when given (kQueryFilters)
  std::vector<CLI::Option*> filter_options;       // index-aligned with kQueryFilters
  int64_t after = 0;
  size_t limit = 100;
  // audit export
  std::string syslog;   // "udp://HOST:PORT" or "tcp://HOST:PORT": send RFC 5424 messages there
  bool follow = false;  // keep streaming new records
};

constexpr size_t kMaxQueryLimit = 1000;

// The exact-match filters of `audit query`: flag, help, where CLI11 stores it, where it goes.
struct QueryFilter {
  const char* flag;
  const char* help;
  std::string AuditFlags::*text;
  std::optional<std::string> metadata::AuditQuery::*field;
};
const QueryFilter kQueryFilters[] = {
    {"--actor", "only this actor (user or robot name, anonymous, system)", &AuditFlags::actor,
     &metadata::AuditQuery::actor},
    {"--action", "only this action, e.g. manifest.push or login.failure", &AuditFlags::action,
     &metadata::AuditQuery::action},
    {"--repository", "only this repository", &AuditFlags::repository,
     &metadata::AuditQuery::repository},
    {"--digest", "only this digest (sha256:...)", &AuditFlags::digest,
     &metadata::AuditQuery::digest},
};

Result<std::unique_ptr<metadata::SqliteMetadataStore>> open_store(const std::string& data) {
  const std::string path = data + "/metadata.sqlite";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return fail(ErrorCode::kNotFound, "no metadata database at " + path);
  }
  return metadata::SqliteMetadataStore::open(path);
}

void print_table(const audit::VerifyReport& r) {
  std::cout << "records:     " << r.records;
  if (r.records > 0) std::cout << " (last seq " << r.last_seq << ", hash " << r.last_hash << ")";
  std::cout << "\ncheckpoints: " << r.checkpoints << " stored, " << r.valid_checkpoints
            << " validly signed";
  if (r.signed_through > 0) std::cout << ", covering records 1.." << r.signed_through;
  std::cout << "\n";
  if (r.last_seq > r.signed_through) {
    std::cout << "note:        records after " << r.signed_through
              << " are chained but not yet covered by a signed checkpoint\n";
  }
  if (r.ok) {
    std::cout << "result:      intact\n";
    return;
  }
  std::cout << "result:      TAMPERED (" << r.findings.size() << (r.findings_truncated ? "+" : "")
            << " findings)\n";
  for (const audit::Finding& f : r.findings) {
    std::cout << "  seq " << std::left << std::setw(8) << f.seq << std::setw(20)
              << audit::finding_kind_name(f.kind) << f.message << "\n";
  }
}

int verify(const AuditFlags& flags) {
  auto store = open_store(flags.data);
  if (!store) {
    std::cerr << "bulwark audit verify: " << store.error().message << "\n";
    return kExitError;
  }
  const std::string key_path =
      flags.public_key.empty() ? flags.data + "/audit-key.pem" : flags.public_key;
  auto key = audit::VerifyKey::load(key_path);
  if (!key) {
    std::cerr << "bulwark audit verify: checkpoint key: " << key.error().message << "\n";
    return kExitError;
  }
  auto report = audit::verify_audit(**store, *key);
  if (!report) {
    std::cerr << "bulwark audit verify: " << report.error().message << "\n";
    return kExitError;
  }
  if (flags.output == "json") {
    std::cout << audit::report_json(*report) << "\n";
  } else {
    print_table(*report);
  }
  return report->ok ? kExitOk : kExitDenied;
}

// Parses --since/--until (unix seconds or RFC 3339) into unix milliseconds.
Result<void> parse_window(const AuditFlags& flags, std::optional<int64_t>& since_ms,
                          std::optional<int64_t>& until_ms) {
  for (auto [text, target] :
       {std::pair{&flags.since, &since_ms}, std::pair{&flags.until, &until_ms}}) {
    if (text->empty()) continue;
    BULWARK_ASSIGN_OR_RETURN(*target, audit::parse_time_ms(*text));
  }
  return ok();
}

// "udp://HOST:PORT" / "tcp://HOST:PORT" (HOST may be [IPv6]).
Result<std::unique_ptr<audit::SyslogSender>> connect_syslog(const std::string& url) {
  static constexpr struct {
    std::string_view scheme;
    audit::SyslogTransport transport;
  } kSchemes[] = {{"udp://", audit::SyslogTransport::kUdp},
                  {"tcp://", audit::SyslogTransport::kTcp}};
  for (const auto& s : kSchemes) {
    if (!url.starts_with(s.scheme)) continue;
    std::string rest = url.substr(s.scheme.size());
    auto colon = rest.rfind(':');
    int port = 0;
    if (colon != std::string::npos) {
      auto [end, ec] = std::from_chars(rest.data() + colon + 1, rest.data() + rest.size(), port);
      if (ec != std::errc() || end != rest.data() + rest.size()) port = 0;
    }
    if (port <= 0 || port > 65535) break;
    std::string host = rest.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    return audit::SyslogSender::connect(s.transport, host, static_cast<uint16_t>(port));
  }
  return fail(ErrorCode::kInvalidArgument,
              "--syslog takes udp://HOST:PORT or tcp://HOST:PORT, not \"" + url + "\"");
}

// Sends the matching records as RFC 5424 messages, in sequence order; with --follow it then
// waits for new ones (polling once a second) until interrupted.
int export_syslog(const AuditFlags& flags, metadata::AuditStore& store,
                  const audit::ExportOptions& window) {
  auto sender = connect_syslog(flags.syslog);
  if (!sender) {
    std::cerr << "bulwark audit export: " << sender.error().message << "\n";
    return kExitError;
  }
  audit::ExportOptions options = window;
  auto send = [&](const metadata::AuditRecord& record) -> Result<void> {
    BULWARK_ASSIGN_OR_RETURN(std::string message, audit::format_syslog(record));
    BULWARK_TRY_VOID((*sender)->send(message));
    options.after_seq = record.seq;
    return ok();
  };
  int64_t sent = 0;
  for (;;) {
    auto passed = audit::for_each_record(store, options, send);
    if (!passed) {
      std::cerr << "bulwark audit export: after record " << options.after_seq << ": "
                << passed.error().message << "\n";
      return kExitError;
    }
    sent += *passed;
    if (!flags.follow) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  std::cerr << "sent " << sent << " records to " << flags.syslog << "\n";
  return kExitOk;
}

int export_lines(const AuditFlags& flags) {
  audit::ExportOptions options;
  if (auto window = parse_window(flags, options.since_ms, options.until_ms); !window) {
    std::cerr << "bulwark audit export: " << window.error().message << "\n";
    return kExitError;
  }
  auto store = open_store(flags.data);
  if (!store) {
    std::cerr << "bulwark audit export: " << store.error().message << "\n";
    return kExitError;
  }
  options.after_seq = flags.after;
  if (!flags.syslog.empty()) return export_syslog(flags, **store, options);
  auto count = audit::export_json_lines(**store, std::cout, options);
  if (!count) {
    std::cerr << "bulwark audit export: " << count.error().message << "\n";
    return kExitError;
  }
  return kExitOk;
}

// "repo:tag@sha256:0123456789ab" (the digest shortened; -o json has it whole).
std::string resource_cell(const audit::Resource& r) {
  constexpr size_t kShortDigest = 19;  // "sha256:" + 12 hex digits
  std::string out = r.repository;
  if (!r.tag.empty()) out += ":" + r.tag;
  if (!r.digest.empty()) out += "@" + r.digest.substr(0, kShortDigest);
  return out.empty() ? "-" : out;
}

int query(const AuditFlags& flags) {
  metadata::AuditQuery q;
  if (auto window = parse_window(flags, q.since_ms, q.until_ms); !window) {
    std::cerr << "bulwark audit query: " << window.error().message << "\n";
    return kExitError;
  }
  for (size_t i = 0; i < std::size(kQueryFilters); ++i) {
    if (flags.filter_options[i]->count() > 0)
      q.*kQueryFilters[i].field = flags.*kQueryFilters[i].text;
  }
  q.after_seq = flags.after;
  q.limit = flags.limit;
  auto store = open_store(flags.data);
  if (!store) {
    std::cerr << "bulwark audit query: " << store.error().message << "\n";
    return kExitError;
  }
  auto page = (*store)->query_audit(q);
  if (!page) {
    std::cerr << "bulwark audit query: " << page.error().message << "\n";
    return kExitError;
  }
  std::vector<std::vector<std::string>> rows;
  for (const metadata::AuditRecord& record : *page) {
    const audit::Event e = audit::shown_event(record);
    if (flags.output == "json") {
      std::cout << boost::json::serialize(audit::record_view(record)) << "\n";
      continue;
    }
    rows.push_back({std::to_string(record.seq), audit::rfc3339_ms(e.time_ms), e.actor, e.action,
                    std::string(audit::outcome_name(e.outcome)), resource_cell(e.resource),
                    e.reason});
  }
  if (flags.output != "json") {
    if (rows.empty()) {
      std::cout << "no matching audit records\n";
    } else {
      admin::print_table({"SEQ", "TIME", "ACTOR", "ACTION", "OUTCOME", "RESOURCE", "REASON"}, rows);
    }
  }
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "bulwark audit query: cannot write the output\n";
    return kExitError;
  }
  if (page->size() == q.limit) {
    std::cerr << "more records may match: continue with --after " << page->back().seq << "\n";
  }
  return kExitOk;
}

}  // namespace

Command add_audit(CLI::App& app) {
  auto flags = std::make_shared<AuditFlags>();
  CLI::App* audit =
      app.add_subcommand("audit", "Verify, export or query the tamper-evident audit trail");
  audit->require_subcommand(1);

  CLI::App* verify_cmd = audit->add_subcommand(
      "verify", "Check the audit chain and its signed checkpoints; exit 1 when tampered with");
  verify_cmd->add_option("--data", flags->data, "data directory (default ./var)");
  verify_cmd->add_option("-o,--output", flags->output, "output format: table or json")
      ->check(CLI::IsMember({"table", "json"}));
  verify_cmd->add_option("--public-key", flags->public_key,
                         "PEM public key to check checkpoints with (default <data>/audit-key.pem)");

  CLI::App* export_cmd =
      audit->add_subcommand("export", "Write the audit records to stdout as JSON lines");
  export_cmd->add_option("--data", flags->data, "data directory (default ./var)");
  export_cmd->add_option("--since", flags->since,
                         "only records at or after this time (unix seconds or RFC 3339)");
  export_cmd->add_option("--until", flags->until,
                         "only records before this time (unix seconds or RFC 3339)");
  export_cmd->add_option("--syslog", flags->syslog,
                         "send RFC 5424 syslog messages to udp://HOST:PORT or tcp://HOST:PORT "
                         "(octet-counted framing) instead of writing JSON lines");
  export_cmd->add_option("--after", flags->after, "only records after this sequence number");
  export_cmd->add_flag("--follow", flags->follow,
                       "with --syslog: keep sending new records as they are appended");

  CLI::App* query_cmd = audit->add_subcommand(
      "query", "Show one page of audit records matching filters, oldest first");
  query_cmd->add_option("--data", flags->data, "data directory (default ./var)");
  for (const QueryFilter& filter : kQueryFilters) {
    flags->filter_options.push_back(
        query_cmd->add_option(filter.flag, (*flags).*filter.text, filter.help));
  }
  query_cmd->add_option("--since", flags->since,
                        "only records at or after this time (unix seconds or RFC 3339)");
  query_cmd->add_option("--until", flags->until,
                        "only records before this time (unix seconds or RFC 3339)");
  query_cmd
      ->add_option("--after", flags->after,
                   "only records with a sequence number above SEQ (the page cursor)")
      ->check(CLI::NonNegativeNumber);
  query_cmd->add_option("--limit", flags->limit, "records per page, 1 to 1000 (default 100)")
      ->check(CLI::Range(size_t{1}, kMaxQueryLimit));
  query_cmd->add_option("-o,--output", flags->output, "output format: table or json (JSON lines)")
      ->check(CLI::IsMember({"table", "json"}));

  using Run = int (*)(const AuditFlags&);
  const std::vector<std::pair<CLI::App*, Run>> leaves = {
      {verify_cmd, verify}, {export_cmd, export_lines}, {query_cmd, query}};
  return {audit, [flags, leaves] {
            for (const auto& [cmd, run] : leaves) {
              if (cmd->parsed()) return run(*flags);
            }
            return kExitError;
          }};
}

}  // namespace bulwark::cli
