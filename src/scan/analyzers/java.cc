// Java archive analyzer: *.jar, *.war, *.ear, *.jpi, *.hpi, *.par (zip files, read from memory
// with libarchive's seekable zip reader, which trusts the central directory).
//
// Per archive: every META-INF/maven/<group>/<artifact>/pom.properties gives a package (fat and
// shaded jars carry several). Without any, META-INF/MANIFEST.MF's main section is used
// (Implementation-Title/-Version/-Vendor-Id, else Bundle-SymbolicName/Bundle-Version), and without
// that the file name ("name-1.2.3.jar"). Archives inside archives (WEB-INF/lib/*.jar, BOOT-INF/lib,
// any entry with one of the extensions) are analysed recursively; their packages carry the
// evidence "/outer.war!/WEB-INF/lib/inner.jar" (and "!/..." again per level).
//
// Hostile input is bounded: at most kMaxDepth levels of nesting (deeper archives are skipped with a
// warning), kMaxMetadata bytes per metadata file, kMaxNested bytes per nested archive and
// kMaxTotal decompressed bytes per outer file; exceeding a size bound is an error (kTooLarge).
// Only the entries named above are decompressed. A corrupt nested archive is a warning.
//
// Stateless; thread-safe.
#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "scan/analyzer.h"

namespace bulwark::scan {
extern const Analyzer kJavaArchiveAnalyzer;

namespace {

constexpr int kMaxDepth = 4;                     // nested archive levels below the file itself
constexpr uint64_t kMaxMetadata = 1 << 20;       // one pom.properties or MANIFEST.MF
constexpr uint64_t kMaxNested = 128ull << 20;    // one nested archive
constexpr uint64_t kMaxTotal = 512ull << 20;     // everything decompressed for one outer file
constexpr std::string_view kExtensions[] = {".jar", ".war", ".ear", ".jpi", ".hpi", ".par"};

bool ends_with_ignore_case(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) return false;
  text = text.substr(text.size() - suffix.size());
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (size_t i = 0; i < suffix.size(); ++i) {
    if (lower(text[i]) != lower(suffix[i])) return false;
  }
  return true;
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ends_with_ignore_case(a, b);
}

bool is_java_archive(std::string_view path) {
  for (std::string_view ext : kExtensions) {
    if (ends_with_ignore_case(path, ext)) return true;
  }
  return false;
}

bool wants(std::string_view path, uint32_t, uint64_t size) {
  return size > 0 && is_java_archive(path);
}

Package maven_package(std::string_view group, std::string_view artifact, std::string_view version) {
  Package p;
  p.type = "maven";
  p.namespace_ = std::string(group);
  p.name = std::string(artifact);
  p.version = std::string(version);
  return p;
}

// "key=value" / "key: value" lines of a .properties file (no escapes beyond what Maven writes).
std::optional<Package> from_pom_properties(std::string_view text) {
  std::string_view group, artifact, version;
  for (std::string_view line : split_lines(text)) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == '!') continue;
    size_t sep = line.find_first_of("=:");
    if (sep == std::string_view::npos) continue;
    std::string_view key = trim(line.substr(0, sep)), value = trim(line.substr(sep + 1));
    if (key == "groupId") group = value;
    if (key == "artifactId") artifact = value;
    if (key == "version") version = value;
  }
  if (group.empty() || artifact.empty() || version.empty()) return std::nullopt;
  return maven_package(group, artifact, version);
}

// The main section of a manifest: "Name: value" lines, continuation lines start with one space.
std::optional<Package> from_manifest(std::string_view text) {
  std::vector<std::pair<std::string_view, std::string>> attributes;
  for (std::string_view line : split_lines(text)) {
    if (line.empty()) break;  // end of the main section
    if (line[0] == ' ') {
      if (!attributes.empty()) attributes.back().second += line.substr(1);
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    attributes.emplace_back(line.substr(0, colon), std::string(trim(line.substr(colon + 1))));
  }
  auto get = [&](std::string_view name) -> std::string_view {
    for (const auto& [key, value] : attributes) {
      if (equals_ignore_case(key, name)) return value;
    }
    return {};
  };
  std::string_view vendor = get("Implementation-Vendor-Id");
  std::string_view title = get("Implementation-Title"), version = get("Implementation-Version");
  if (!title.empty() && !version.empty()) return maven_package(vendor, title, version);
  std::string_view bundle = get("Bundle-SymbolicName");
  bundle = trim(bundle.substr(0, bundle.find(';')));
  version = get("Bundle-Version");
  if (!bundle.empty() && !version.empty()) return maven_package(vendor, bundle, version);
  return std::nullopt;
}

// "commons-io-2.11.0.jar" -> commons-io 2.11.0: the name ends at the first '-' before a digit.
std::optional<Package> from_file_name(std::string_view path) {
  std::string_view name = base_name(path);
  name = name.substr(0, name.rfind('.'));
  for (size_t dash = name.find('-'); dash != std::string_view::npos; dash = name.find('-', dash + 1)) {
    if (dash > 0 && dash + 1 < name.size() && name[dash + 1] >= '0' && name[dash + 1] <= '9') {
      return maven_package("", name.substr(0, dash), name.substr(dash + 1));
    }
  }
  return std::nullopt;
}

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};

// State shared by every level of one outer file.
struct Walk {
  uint64_t budget = kMaxTotal;  // decompressed bytes left
  Findings& out;
};

Error too_large(std::string_view what, uint64_t limit) {
  return Error{ErrorCode::kTooLarge,
               std::string(what) + " decompresses to more than " + std::to_string(limit >> 20) + " MiB"};
}

// Reads the current entry's data, failing beyond `limit` bytes or the walk's budget.
Result<std::string> read_entry(archive* a, uint64_t limit, std::string_view what, Walk& walk) {
  std::string data;
  char buffer[64 * 1024];
  while (true) {
    la_ssize_t n = archive_read_data(a, buffer, sizeof buffer);
    if (n < 0) return fail(ErrorCode::kInvalidArgument, std::string(what) + ": corrupt entry data");
    if (n == 0) return data;
    if (static_cast<uint64_t>(n) > walk.budget) {
      return fail(too_large("the archive's nested content", kMaxTotal));
    }
    walk.budget -= static_cast<uint64_t>(n);
    if (data.size() + static_cast<uint64_t>(n) > limit) return fail(too_large(what, limit));
    data.append(buffer, static_cast<size_t>(n));
  }
}

// Analyses one archive (`bytes`) found at `evidence` ("" for the outer file, whose packages the
// walker attributes; else "/outer!/inner"). `path` names it for error messages and the file name
// fallback.
Result<void> analyze_archive(std::string_view bytes, std::string_view path, const std::string& evidence,
                             int depth, Walk& walk) {
  std::unique_ptr<archive, ArchiveFree> a(archive_read_new());
  if (!a) return fail(ErrorCode::kInternal, "libarchive allocation failed");
  archive_read_support_format_zip_seekable(a.get());
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return fail(ErrorCode::kInvalidArgument, "not a zip archive");
  }
  std::vector<Package> poms;
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  std::optional<Package> manifest;
  while (true) {
    archive_entry* entry = nullptr;
    int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      return fail(ErrorCode::kInvalidArgument, "not a valid zip archive");
    }
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    const char* raw = archive_entry_pathname(entry);
    if (raw == nullptr) raw = archive_entry_pathname_utf8(entry);
    if (raw == nullptr) continue;
    std::string_view name(raw);
    if (name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties")) {
      BULWARK_ASSIGN_OR_RETURN(std::string text, read_entry(a.get(), kMaxMetadata, name, walk));
      if (auto p = from_pom_properties(text); p && seen.emplace(p->namespace_, p->name, p->version).second) {
        poms.push_back(std::move(*p));
      }
    } else if (equals_ignore_case(name, "META-INF/MANIFEST.MF")) {
      BULWARK_ASSIGN_OR_RETURN(std::string text, read_entry(a.get(), kMaxMetadata, name, walk));
      manifest = from_manifest(text);
    } else if (is_java_archive(name)) {
      std::string inner = (evidence.empty() ? "/" + std::string(path) : evidence) + "!/" + std::string(name);
      if (depth >= kMaxDepth) {
        walk.out.warnings.push_back(inner + ": archives nested more than " + std::to_string(kMaxDepth) +
                                    " levels deep are not analysed");
        continue;
      }
      BULWARK_ASSIGN_OR_RETURN(std::string nested, read_entry(a.get(), kMaxNested, name, walk));
      Result<void> r = analyze_archive(nested, name, inner, depth + 1, walk);
      if (!r && r.error().code == ErrorCode::kTooLarge) return r;
      if (!r) walk.out.warnings.push_back(inner + ": " + r.error().message);
    }
  }
  if (poms.empty()) {
    if (manifest) {
      poms.push_back(std::move(*manifest));
    } else if (auto p = from_file_name(path)) {
      poms.push_back(std::move(*p));
    }
  }
  for (Package& p : poms) {
    p.evidence = evidence;
    walk.out.packages.push_back(std::move(p));
  }
  return ok();
}

Result<void> analyze(const FileInput& file, Findings& out) {
  Walk walk{kMaxTotal, out};
  return analyze_archive(file.content, file.path, "", 0, walk);
}

}  // namespace

const Analyzer kJavaArchiveAnalyzer = {"java-archive", &wants, &analyze, 256 << 20};

}  // namespace bulwark::scan
