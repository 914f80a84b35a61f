// `bulwark db import|status`: builds and shows the local vulnerability database (vulndb/store.h).
//
//   bulwark db import [--data DIR] [--db FILE] PATH...     feeds in their own formats (files or dirs)
//   bulwark db import [--data DIR] [--db FILE] --from URL [--sha256 HEX] [--ca-file F] [--tls-verify BOOL]
//   bulwark db status [--data DIR] [--db FILE] [--json]
//
// --from fetches a bundle for air-gapped mirrors (vulndb/bundle.h: download, digest check, safe
// unpacking in a scratch directory beside the database, one import).
//
// The database is --db, else $BULWARK_VULNDB, else <data>/vulndb.sqlite with --data, else
// $BULWARK_DATA, else ./var (cli/vulndb_path.h); `db import` creates its directory if needed.
#include <algorithm>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "cli/commands.h"
#include "cli/vulndb_path.h"
#include "common/clock.h"
#include "vulndb/bundle.h"
#include "vulndb/store.h"

namespace bulwark::cli {
namespace {

namespace fs = std::filesystem;

constexpr size_t kWarningsShown = 5;

struct DbFlags {
  std::string data;
  std::string db;
  std::vector<std::string> paths;
  std::string from;
  std::string sha256;
  std::string ca_file;
  bool tls_verify = true;
  bool json = false;
};

// --- output -----------------------------------------------------------------------------------

std::string age(int64_t then, int64_t now) {
  if (then <= 0) return "never";
  int64_t s = std::max<int64_t>(0, now - then);
  if (s < 60) return std::to_string(s) + "s ago";
  if (s < 3600) return std::to_string(s / 60) + "m ago";
  if (s < 86400) return std::to_string(s / 3600) + "h ago";
  return std::to_string(s / 86400) + "d ago";
}

std::string rfc3339(int64_t seconds) { return seconds <= 0 ? "" : rfc3339_utc(seconds); }

void print_summary(const vulndb::ImportSummary& summary, const fs::path& path) {
  for (const auto& s : summary.sources) {
    std::cout << s.source << ": " << s.added << " added, " << s.updated << " updated, "
              << s.unchanged << " unchanged, " << s.skipped << " skipped\n";
    for (size_t i = 0; i < s.warnings.size() && i < kWarningsShown; ++i) {
      std::cerr << "warning: " << s.source << ": " << s.warnings[i] << "\n";
    }
    if (s.warnings.size() > kWarningsShown) {
      std::cerr << "warning: " << s.source << ": " << s.warnings.size() - kWarningsShown
                << " more warnings\n";
    }
  }
  std::cout << path.string() << ": generation " << summary.generation
            << (summary.changed ? " (changed)" : " (unchanged)") << "\n";
}

void print_status_table(const vulndb::DbStatus& status) {
  const int64_t now = unix_seconds();
  std::vector<std::vector<std::string>> rows = {
      {"SOURCE", "RECORDS", "AFFECTED", "IMPORTED", "ORIGIN"}};
  for (const auto& s : status.sources) {
    rows.push_back({s.source, std::to_string(s.advisories), std::to_string(s.affected),
                    age(s.imported_at, now), s.origin});
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    std::cout << line << "\n";
  }
  std::cout << "\ngeneration " << status.generation << ", last changed "
            << age(status.updated_at, now) << "\n"
            << "database " << status.path << "\n";
}

void print_status_json(const vulndb::DbStatus& status) {
  boost::json::array sources;
  for (const auto& s : status.sources) {
    sources.push_back(boost::json::object{
        {"source", s.source},
        {"records", s.advisories},
        {"affected", s.affected},
        {"imported_at", rfc3339(s.imported_at)},
        {"changed_at", rfc3339(s.changed_at)},
        {"origin", s.origin},
    });
  }
  boost::json::object out{
      {"path", status.path},
      {"generation", status.generation},
      {"updated_at", rfc3339(status.updated_at)},
      {"sources", std::move(sources)},
  };
  std::cout << boost::json::serialize(out) << "\n";
}

// --- commands ---------------------------------------------------------------------------------

int report(const Error& error) {
  std::cerr << "bulwark db: " << error.message << "\n";
  return kExitError;
}

int run_import(const DbFlags& flags) {
  if (flags.from.empty() == flags.paths.empty()) {
    std::cerr << "bulwark db import: give feed PATHs or --from URL (not both)\n";
    return kExitError;
  }
  if (flags.from.empty() && !flags.sha256.empty()) {
    std::cerr << "bulwark db import: --sha256 checks a --from bundle\n";
    return kExitError;
  }
  const vulndb::BundleSource source{flags.from, flags.sha256, flags.ca_file, flags.tls_verify};
  if (!flags.from.empty()) {
    if (auto checked = vulndb::check_bundle_source(source); !checked) {
      std::cerr << "bulwark db import: " << checked.error().message << "\n";
      return kExitError;
    }
  }

  const fs::path path = vulndb_path(flags.db, flags.data);
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    std::cerr << "bulwark db: cannot create " << dir.string() << ": " << ec.message() << "\n";
    return kExitError;
  }
  auto db = vulndb::VulnDb::open(path, /*read_only=*/false);
  if (!db) return report(db.error());

  std::vector<fs::path> paths(flags.paths.begin(), flags.paths.end());
  auto summary = flags.from.empty() ? (*db)->import(paths)
                                    : vulndb::import_bundle(**db, source, dir);
  if (!summary) return report(summary.error());
  print_summary(*summary, path);
  return kExitOk;
}

int run_status(const DbFlags& flags) {
  auto db = vulndb::VulnDb::open(vulndb_path(flags.db, flags.data), /*read_only=*/true);
  if (!db) return report(db.error());
  auto status = (*db)->status();
  if (!status) return report(status.error());
  if (flags.json) {
    print_status_json(*status);
  } else {
    print_status_table(*status);
  }
  return kExitOk;
}

}  // namespace

Command add_db(CLI::App& app) {
  auto flags = std::make_shared<DbFlags>();
  CLI::App* sub = app.add_subcommand("db", "Build and inspect the local vulnerability database");
  sub->require_subcommand(1);
  CLI::App* import = sub->add_subcommand(
      "import", "Import feeds (files or directories in the feeds' own formats), or a bundle");
  import->add_option("--data", flags->data, kDataFlagHelp);
  import->add_option("--db", flags->db, kDbFlagHelp);
  import->add_option("paths", flags->paths, "feed files or directories");
  import->add_option("--from", flags->from,
                     "fetch a bundle (tar, tar.gz, tar.zst, or one feed file) from this URL");
  import->add_option("--sha256", flags->sha256, "refuse the --from bundle unless it has this SHA-256");
  import->add_option("--ca-file", flags->ca_file, "extra CA certificates (PEM) for --from");
  import->add_option("--tls-verify", flags->tls_verify, "verify the --from server's certificate");

  CLI::App* status = sub->add_subcommand("status", "Show each source, its age and record counts");
  status->add_option("--data", flags->data, kDataFlagHelp);
  status->add_option("--db", flags->db, kDbFlagHelp);
  status->add_flag("--json", flags->json, "print JSON");

  return {sub, [flags, import, status]() -> int {
            if (import->parsed()) return run_import(*flags);
            if (status->parsed()) return run_status(*flags);
            return kExitError;
          }};
}

}  // namespace bulwark::cli
