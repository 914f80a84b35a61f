// kDpkgAnalyzer (var/lib/dpkg/status) and kDpkgDistrolessAnalyzer (var/lib/dpkg/status.d/*, one
// file per package as distroless images ship them): the Debian packages of an image.
//
// Both files are deb822 stanzas ("Field: value", continuation lines start with a space or tab,
// stanzas separated by blank lines). A package counts when dpkg has its files on disk: every
// Status except "not-installed" and "config-files" (dpkg-query -W also lists config-files
// packages, whose programs are gone). Distroless stanzas often lack Status; they count.
// Stateless; thread-safe.
#include <array>

#include "scan/analyzer.h"

namespace bulwark::scan {
namespace {

constexpr std::string_view kStatusPath = "var/lib/dpkg/status";
constexpr std::string_view kStatusDir = "var/lib/dpkg/status.d/";
constexpr std::array<std::string_view, 2> kAbsentStates = {"not-installed", "config-files"};

// The fields of one stanza the analyzer reads (values trimmed; continuation lines ignored, as
// none of these fields is multi-line).
struct Stanza {
  std::string_view package, version, architecture, source, status;
  bool empty() const { return package.empty() && version.empty() && status.empty(); }
};

struct Field {
  std::string_view name;
  std::string_view Stanza::*slot;
};
constexpr std::array<Field, 5> kFields = {{
    {"Package", &Stanza::package},
    {"Version", &Stanza::version},
    {"Architecture", &Stanza::architecture},
    {"Source", &Stanza::source},
    {"Status", &Stanza::status},
}};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// The third word of "want flag status".
bool present(std::string_view status) {
  size_t last_space = status.find_last_of(" \t");
  std::string_view state = last_space == std::string_view::npos ? status : status.substr(last_space + 1);
  for (std::string_view absent : kAbsentStates) {
    if (state == absent) return false;
  }
  return true;
}

Result<void> add_package(const Stanza& stanza, bool status_required, std::vector<Package>& out) {
  if (stanza.package.empty()) return fail(ErrorCode::kCorrupt, "dpkg: stanza without Package");
  if (stanza.status.empty() ? status_required : !present(stanza.status)) return ok();
  if (stanza.version.empty()) return fail(ErrorCode::kCorrupt, "dpkg: package without Version");
  Package pkg;
  pkg.type = "deb";
  pkg.name = stanza.package;
  pkg.version = stanza.version;
  pkg.arch = stanza.architecture;
  // "Source: name" or "Source: name (version)"; both default to the binary package's.
  std::string_view source = stanza.source;
  std::string_view source_version = stanza.version;
  if (size_t paren = source.find('('); paren != std::string_view::npos) {
    size_t close = source.find(')', paren);
    if (close == std::string_view::npos) return fail(ErrorCode::kCorrupt, "dpkg: bad Source field");
    source_version = trim(source.substr(paren + 1, close - paren - 1));
    source = trim(source.substr(0, paren));
  }
  pkg.source_name = source.empty() ? stanza.package : source;
  pkg.source_version = source_version;
  out.push_back(std::move(pkg));
  return ok();
}

Result<void> parse_status(std::string_view text, bool status_required, Findings& out) {
  std::vector<Package> found;
  Stanza stanza;
  size_t line_no = 0;
  for (std::string_view line : split_lines(text)) {
    ++line_no;
    if (trim(line).empty()) {
      if (!stanza.empty()) BULWARK_TRY_VOID(add_package(stanza, status_required, found));
      stanza = Stanza{};
      continue;
    }
    if (line[0] == ' ' || line[0] == '\t') continue;  // continuation of a multi-line field
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return fail(ErrorCode::kCorrupt, "dpkg: malformed line " + std::to_string(line_no));
    }
    std::string_view name = line.substr(0, colon);
    for (const Field& field : kFields) {
      if (iequals(field.name, name)) stanza.*field.slot = trim(line.substr(colon + 1));
    }
  }
  if (!stanza.empty()) BULWARK_TRY_VOID(add_package(stanza, status_required, found));
  out.packages.insert(out.packages.end(), std::make_move_iterator(found.begin()),
                      std::make_move_iterator(found.end()));
  return ok();
}

bool wants_status(std::string_view path, uint32_t, uint64_t) { return path == kStatusPath; }

bool wants_distroless(std::string_view path, uint32_t, uint64_t) {
  if (!path.starts_with(kStatusDir)) return false;
  std::string_view name = path.substr(kStatusDir.size());
  return !name.empty() && name.find('/') == std::string_view::npos && !name.ends_with(".md5sums");
}

Result<void> analyze_status(const FileInput& file, Findings& out) {
  return parse_status(file.content, /*status_required=*/true, out);
}

Result<void> analyze_distroless(const FileInput& file, Findings& out) {
  return parse_status(file.content, /*status_required=*/false, out);
}

}  // namespace

extern const Analyzer kDpkgAnalyzer, kDpkgDistrolessAnalyzer;
const Analyzer kDpkgAnalyzer = {"dpkg", &wants_status, &analyze_status, 64 << 20};
const Analyzer kDpkgDistrolessAnalyzer = {"dpkg-distroless", &wants_distroless, &analyze_distroless,
                                          1 << 20};

}  // namespace bulwark::scan
