// kRpmAnalyzer: the packages of an rpmdb, in any of its three backends (BerkeleyDB Packages, ndb
// Packages.db, SQLite rpmdb.sqlite) under var/lib/rpm or usr/lib/sysimage/rpm.
//
// gpg-pubkey entries (the imported signing keys rpm stores as pseudo-packages, listed by rpm -qa)
// are not software and are skipped. A header that cannot be decoded is skipped with a warning; a
// database whose structure is broken is an error. Stateless; thread-safe.
#include <array>

#include "scan/analyzer.h"
#include "scan/analyzers/rpm_db.h"

namespace bulwark::scan {
namespace {

using Reader = Result<void> (*)(std::string_view, const RpmBlobVisitor&);
struct Backend {
  std::string_view file;
  Reader read;
};
constexpr std::array<Backend, 3> kBackends = {{
    {"Packages", &read_rpm_bdb},
    {"Packages.db", &read_rpm_ndb},
    {"rpmdb.sqlite", &read_rpm_sqlite},
}};
constexpr std::array<std::string_view, 2> kDbDirs = {"var/lib/rpm/", "usr/lib/sysimage/rpm/"};

const Backend* backend_of(std::string_view path) {
  for (std::string_view dir : kDbDirs) {
    if (!path.starts_with(dir)) continue;
    for (const Backend& backend : kBackends) {
      if (path.substr(dir.size()) == backend.file) return &backend;
    }
  }
  return nullptr;
}

bool wants(std::string_view path, uint32_t, uint64_t) { return backend_of(path) != nullptr; }

// "bash-4.4.19-12.el8.src.rpm" -> {"bash", "4.4.19-12.el8"}; a name without version stays whole.
void split_source_rpm(std::string_view srpm, Package& pkg) {
  for (std::string_view suffix : {".src.rpm", ".nosrc.rpm"}) {
    if (srpm.ends_with(suffix)) {
      srpm.remove_suffix(suffix.size());
      break;
    }
  }
  size_t release_dash = srpm.rfind('-');
  size_t version_dash = release_dash == std::string_view::npos || release_dash == 0
                            ? std::string_view::npos
                            : srpm.rfind('-', release_dash - 1);
  if (version_dash == std::string_view::npos || version_dash == 0) {
    pkg.source_name = srpm;
    return;
  }
  pkg.source_name = srpm.substr(0, version_dash);
  pkg.source_version = srpm.substr(version_dash + 1);
}

Package package_of(RpmHeader&& header) {
  Package pkg;
  pkg.type = "rpm";
  pkg.name = std::move(header.name);
  pkg.version = header.release.empty() ? header.version : header.version + "-" + header.release;
  pkg.epoch = header.epoch;
  pkg.arch = std::move(header.arch);
  if (!header.source_rpm.empty()) split_source_rpm(header.source_rpm, pkg);
  if (!header.license.empty()) pkg.licenses.push_back(std::move(header.license));
  pkg.modularity_label = std::move(header.modularity_label);
  return pkg;
}

Result<void> analyze(const FileInput& file, Findings& out) {
  const Backend* backend = backend_of(file.path);
  if (backend == nullptr) return fail(ErrorCode::kInvalidArgument, "not an rpm database path");
  std::vector<Package> found;
  size_t undecodable = 0;
  BULWARK_TRY_VOID(backend->read(file.content, [&](std::string_view blob) -> Result<void> {
    Result<RpmHeader> header = parse_rpm_header(blob);
    if (!header) {
      ++undecodable;
    } else if (header->name != "gpg-pubkey") {
      found.push_back(package_of(std::move(*header)));
    }
    return ok();
  }));
  if (undecodable > 0) {
    out.warnings.push_back(std::to_string(undecodable) + " rpm package header(s) could not be decoded");
  }
  out.packages.insert(out.packages.end(), std::make_move_iterator(found.begin()),
                      std::make_move_iterator(found.end()));
  return ok();
}

}  // namespace

extern const Analyzer kRpmAnalyzer;
const Analyzer kRpmAnalyzer = {"rpm", &wants, &analyze, uint64_t{256} << 20};

}  // namespace bulwark::scan
