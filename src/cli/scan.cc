// `bulwark scan REF`: the vulnerabilities of an image, for CI.
//
// Opens the local vulnerability database read-only (--db, else $BULWARK_VULNDB, else
// <data>/vulndb.sqlite: cli/vulndb_path.h), builds its match index once, inventories every
// platform of REF (as `bulwark sbom` does), matches each inventory, drops what --ignore-unfixed
// and --ignore FILE say to drop, and prints one report covering every platform in the chosen
// format. Exit status: 0, or 1 when a remaining finding is
// at or above --fail-on (unknown severities never count), or 2 on any error.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "cli/commands.h"
#include "cli/source_flags.h"
#include "cli/vulndb_path.h"
#include "common/clock.h"
#include "scan/walker.h"
#include "vulndb/ignore.h"
#include "vulndb/match.h"
#include "vulndb/report/report.h"
#include "vulndb/store.h"

namespace bulwark::cli {
namespace {

struct ScanFlags {
  SourceFlags source;
  std::string format = "table";
  std::string data;
  std::string db;
  std::string fail_on;
  bool ignore_unfixed = false;
  std::string ignore_file;
  std::string output_file;
};

constexpr size_t kListedFailures = 10;  // findings named on stderr when --fail-on trips

int error(const std::string& message) {
  std::cerr << "bulwark scan: " << message << "\n";
  return kExitError;
}

// Findings at or above `threshold` (never kUnknown ones) across the report, named on stderr.
int check_fail_on(const vulndb::ScanReport& report, vulndb::Severity threshold) {
  std::vector<const vulndb::Finding*> failing;
  for (const auto& image : report.images) {
    for (const auto& f : image.result.findings) {
      if (f.severity != vulndb::Severity::kUnknown && f.severity >= threshold) failing.push_back(&f);
    }
  }
  if (failing.empty()) return kExitOk;
  std::cerr << "bulwark scan: " << failing.size() << (failing.size() == 1 ? " finding" : " findings")
            << " at or above " << vulndb::severity_name(threshold) << ":";
  for (size_t i = 0; i < failing.size() && i < kListedFailures; ++i) {
    std::cerr << (i == 0 ? " " : ", ") << failing[i]->vulnerability << " ("
              << failing[i]->package_name << " " << failing[i]->installed_version << ", "
              << vulndb::severity_name(failing[i]->severity) << ")";
  }
  if (failing.size() > kListedFailures) std::cerr << ", ...";
  std::cerr << "\n";
  return kExitDenied;
}

int run_scan(const ScanFlags& flags) {
  const vulndb::ReportFormat* format = vulndb::find_report_format(flags.format);
  if (format == nullptr) {
    std::string names;
    for (const auto& f : vulndb::report_formats()) names += " " + std::string(f.name);
    return error("unknown format '" + flags.format + "' (one of:" + names + ")");
  }
  std::optional<vulndb::Severity> fail_on;
  if (!flags.fail_on.empty()) {
    fail_on = vulndb::parse_severity(flags.fail_on);
    if (!fail_on || *fail_on == vulndb::Severity::kUnknown)
      return error("--fail-on must be one of negligible, low, medium, high, critical (got '" +
                   flags.fail_on + "')");
  }
  std::optional<vulndb::IgnoreList> ignore;
  if (!flags.ignore_file.empty()) {
    auto list = vulndb::load_ignore_file(flags.ignore_file);
    if (!list) return error(list.error().message);
    ignore = std::move(*list);
  }
  auto options = source_options(flags.source);
  if (!options) return error(options.error().message);

  const std::filesystem::path db_path = vulndb_path(flags.db, flags.data);
  auto db = vulndb::VulnDb::open(db_path, /*read_only=*/true);
  if (!db) {
    std::string message = db.error().message;
    if (message.find("db import") == std::string::npos)
      message += " (run `bulwark db import --db " + db_path.string() + " FEED...` first)";
    return error(message);
  }
  auto snapshot = (*db)->load_index();
  if (!snapshot) return error(db_path.string() + ": " + snapshot.error().message);

  auto images = scan::open_images(flags.source.reference, *options);
  if (!images) return error(images.error().message);

  vulndb::ScanReport report;
  report.db_generation = snapshot->generation;
  report.db_updated_at = snapshot->updated_at;
  report.scanned_at = unix_seconds();
  const std::string today = vulndb::utc_date(report.scanned_at);
  size_t unfixed_dropped = 0, ignored = 0;
  for (const auto& image : *images) {
    auto inventory = scan::inventory(image);
    if (!inventory) {
      return error(image.name + " (" + image.platform + "): " + inventory.error().message);
    }
    vulndb::ImageReport entry;
    entry.name = inventory->name;
    entry.manifest_digest = inventory->manifest_digest;
    entry.platform = inventory->platform;
    if (inventory->os) {
      entry.distro = vulndb::distro_of(*inventory->os);
      entry.os_pretty_name = inventory->os->pretty_name;
    }
    entry.warnings = inventory->warnings;
    entry.result = vulndb::match_inventory(*snapshot->index, *inventory);
    if (flags.ignore_unfixed) {
      unfixed_dropped += std::erase_if(entry.result.findings, [](const vulndb::Finding& f) {
        return f.fixed_version.empty();
      });
    }
    if (ignore) ignored += vulndb::apply_ignore_list(*ignore, today, entry.result);
    report.images.push_back(std::move(entry));
  }
  if (unfixed_dropped > 0)
    std::cerr << "bulwark scan: " << unfixed_dropped << " findings without a fix left out (--ignore-unfixed)\n";
  if (ignored > 0)
    std::cerr << "bulwark scan: " << ignored << " findings ignored (" << flags.ignore_file << ")\n";

  std::string document = format->write(report);
  if (!flags.output_file.empty()) {
    std::ofstream out(flags.output_file, std::ios::binary | std::ios::trunc);
    out << document;
    out.close();
    if (!out) return error("cannot write " + flags.output_file);
  } else {
    std::cout << document << std::flush;
  }
  return fail_on ? check_fail_on(report, *fail_on) : kExitOk;
}

}  // namespace

Command add_scan(CLI::App& app) {
  auto flags = std::make_shared<ScanFlags>();
  CLI::App* sub = app.add_subcommand("scan", "Find the known vulnerabilities of an image's packages");
  add_reference_option(sub, flags->source);
  sub->add_option("-o,--output", flags->format, "table, json, sarif or cyclonedx-vex");
  sub->add_option("--data", flags->data, kDataFlagHelp);
  sub->add_option("--db", flags->db, kDbFlagHelp);
  sub->add_option("--fail-on", flags->fail_on,
                  "exit 1 when a finding is at or above this severity "
                  "(negligible, low, medium, high, critical)");
  sub->add_flag("--ignore-unfixed", flags->ignore_unfixed, "leave out findings without a fixed version");
  sub->add_option("--ignore", flags->ignore_file,
                  "a file of accepted findings: ID [PACKAGE|PURL] [exp:YYYY-MM-DD] per line");
  sub->add_option("--output-file", flags->output_file, "write the report here instead of stdout");
  add_source_options(sub, flags->source);
  return {sub, [flags] { return run_scan(*flags); }};
}

}  // namespace bulwark::cli
