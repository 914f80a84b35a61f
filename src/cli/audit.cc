// `bulwark audit verify|export`: checks the audit trail of a data directory for tampering, or
// streams it as JSON lines. The metadata database is <data>/metadata.sqlite and the checkpoint
// key <data>/audit-key.pem (or --public-key FILE, a copy kept away from the data directory).
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>

#include "audit/export.h"
#include "audit/verify.h"
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

int export_lines(const AuditFlags& flags) {
  audit::ExportOptions options;
  for (auto [text, target] :
       {std::pair{&flags.since, &options.since_ms}, std::pair{&flags.until, &options.until_ms}}) {
    if (text->empty()) continue;
    auto parsed = audit::parse_time_ms(*text);
    if (!parsed) {
      std::cerr << "bulwark audit export: " << parsed.error().message << "\n";
      return kExitError;
    }
    *target = *parsed;
  }
  auto store = open_store(flags.data);
  if (!store) {
    std::cerr << "bulwark audit export: " << store.error().message << "\n";
    return kExitError;
  }
  auto count = audit::export_json_lines(**store, std::cout, options);
  if (!count) {
    std::cerr << "bulwark audit export: " << count.error().message << "\n";
    return kExitError;
  }
  return kExitOk;
}

}  // namespace

Command add_audit(CLI::App& app) {
  auto flags = std::make_shared<AuditFlags>();
  CLI::App* audit = app.add_subcommand("audit", "Verify or export the tamper-evident audit trail");
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

  return {audit, [flags, verify_cmd] {
            return verify_cmd->parsed() ? verify(*flags) : export_lines(*flags);
          }};
}

}  // namespace bulwark::cli
