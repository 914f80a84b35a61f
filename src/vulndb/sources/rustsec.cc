// The RustSec importer: advisory-db Markdown files (crates/<crate>/RUSTSEC-YYYY-NNNN.md) that
// open with a ```toml front-matter block:
//   [advisory] id, package, date, aliases, cvss, url, references, informational, withdrawn
//   [versions] patched = [">= 1.2.3", "^0.9.5"], unaffected = ["< 0.6.3"]
// then a "# Title" line and the Markdown description. One Advisory per file, source "rustsec",
// one Affected: ecosystem "cargo", the package, one SEMVER range.
//
// Mapping: patched and unaffected requirements (Cargo semver: ">= X", "< X", "^X", bare "X" =
// "^X", "~X", "=X", comma-joined) name the versions that are NOT affected; the range's events are
// the complement of their union (version_requirements.h): [">= 1.6.1"] is introduced 0, fixed
// 1.6.1; [">= 0.6.14, < 1.0.0", ">= 1.6.1"] with unaffected ["< 0.6.3"] is introduced 0.6.3,
// fixed 0.6.14, introduced 1.0.0, fixed 1.6.1; ["^0.9.5", ">= 1.2"] adds introduced 0.10.0,
// fixed 1.2. An affected stretch starting right after an inclusive "<= X" or "= X" starts with
// introduced_after X (not an OSV kind). No requirements at all: every version is affected. A
// requirement that cannot be parsed, or requirements leaving no version affected, skip the
// advisory with a warning.
//
// cvss is a CVSS vector: "CVSS:4.0/..." is CVSS_V4, "CVSS:3.x/..." CVSS_V3 (source "rustsec").
// Informational advisories (unmaintained, unsound, notice) are imported like the others (their
// ranges name the affected versions just the same) with the summary prefixed by the kind in
// brackets, "[unmaintained] ", so a reader can tell them from vulnerabilities. A withdrawn date
// sets Advisory::withdrawn. CVE aliases come first, then the others in the file's order.
//
// The front matter is read by the project's TOML reader (common/toml.h), with its nesting depth
// and number of values bounded. A file that is not such a Markdown advisory is malformed.
// Stateless; thread-safe.
#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/toml.h"
#include "vulndb/advisory.h"
#include "vulndb/sources/feed_io.h"
#include "vulndb/sources/record_files.h"
#include "vulndb/sources/version_requirements.h"

namespace bulwark::vulndb {
namespace {

namespace fs = std::filesystem;
constexpr size_t kMaxFileBytes = 1u << 20;
constexpr int kMaxTomlDepth = 16;
constexpr size_t kMaxTomlItems = 10000;
constexpr std::string_view kFence = "```toml";

bool is_rustsec_file(const fs::path& file) {
  const std::string name = file.filename().string();
  if (!name.starts_with("RUSTSEC-") || file.extension() != ".md") return false;
  return feed::read_head(file, kFence.size()) == kFence;
}

bool recognizes(const fs::path& path) { return feed::any_file(path, is_rustsec_file); }

// The value at "table.key" of the front matter, or nullptr.
const TomlValue* value_at(const TomlValue& root, std::string_view table, std::string_view key) {
  const TomlValue* section = root.find(table);
  return section == nullptr ? nullptr : section->find(key);
}

// The value of "table.key" when it is a string, else empty.
std::string string_of(const TomlValue& root, std::string_view table, std::string_view key) {
  const TomlValue* section = root.find(table);
  return section == nullptr ? std::string() : std::string(section->string(key));
}

// The strings of the array "table.key"; nullopt when it is present but not an array of strings.
std::optional<std::vector<std::string>> strings_of(const TomlValue& root, std::string_view table,
                                                   std::string_view key) {
  std::vector<std::string> out;
  const TomlValue* value = value_at(root, table, key);
  if (value == nullptr) return out;
  if (value->kind != TomlValue::Kind::kArray) return std::nullopt;
  for (const auto& item : value->items) {
    if (item.kind != TomlValue::Kind::kString) return std::nullopt;
    out.push_back(item.text);
  }
  return out;
}

Result<void> read_advisory(const fs::path& file, std::map<std::string, Advisory>& advisories,
                           ImportStats& stats) {
  const std::string where = file.string();
  auto bytes = feed::read_file(file, kMaxFileBytes);
  if (!bytes) return fail(std::move(bytes.error()));
  std::string_view text = *bytes;
  if (!text.starts_with(kFence)) {
    return fail(ErrorCode::kInvalidArgument, where + ": no ```toml front matter");
  }
  text.remove_prefix(kFence.size());
  const size_t close = text.find("\n```");
  if (close == std::string_view::npos) {
    return fail(ErrorCode::kInvalidArgument, where + ": unterminated ```toml front matter");
  }
  auto values = parse_toml(text.substr(0, close), kMaxTomlDepth, kMaxTomlItems);
  if (!values) return fail(ErrorCode::kInvalidArgument, where + ": " + values.error().message);
  std::string_view body = text.substr(close + 4);
  body.remove_prefix(std::min(body.find('\n'), body.size()));  // the rest of the fence line

  Advisory advisory;
  advisory.id = string_of(*values, "advisory", "id");
  const std::string package = string_of(*values, "advisory", "package");
  static const std::regex kId(R"(RUSTSEC-\d{4}-\d{4,})");
  if (!feed::matches(advisory.id, kId) || package.empty()) {
    feed::skip(stats, where + ": advisory without a RUSTSEC id or package");
    return ok();
  }
  const std::string id = feed::quoted(advisory.id);
  const auto aliases = strings_of(*values, "advisory", "aliases");
  const auto references = strings_of(*values, "advisory", "references");
  const auto patched = strings_of(*values, "versions", "patched");
  const auto unaffected = strings_of(*values, "versions", "unaffected");
  if (!aliases || !references || !patched || !unaffected) {
    feed::skip(stats, where + ": " + id + ": aliases, references or versions are not string lists");
    return ok();
  }
  advisory.source = "rustsec";
  for (const auto& alias : *aliases) {
    if (alias.starts_with("CVE-")) feed::add_unique(advisory.aliases, alias);
  }
  for (const auto& alias : *aliases) feed::add_unique(advisory.aliases, alias);
  if (const TomlValue* date = value_at(*values, "advisory", "date");
      date != nullptr && (date->kind == TomlValue::Kind::kString || date->kind == TomlValue::Kind::kScalar)) {
    advisory.published = date->text;  // a TOML date (bare) or a string
  }
  advisory.withdrawn = value_at(*values, "advisory", "withdrawn") != nullptr;
  feed::add_unique(advisory.references, string_of(*values, "advisory", "url"));
  for (const auto& reference : *references) feed::add_unique(advisory.references, reference);
  if (const std::string cvss = string_of(*values, "advisory", "cvss"); !cvss.empty()) {
    advisory.severities.push_back(
        {cvss.starts_with("CVSS:4.") ? "CVSS_V4" : "CVSS_V3", cvss, "rustsec"});
  }

  // Title: the first "# " line; details: the rest.
  while (!body.empty()) {
    const size_t end = std::min(body.find('\n'), body.size());
    std::string_view line = body.substr(0, end);
    body.remove_prefix(std::min(end + 1, body.size()));
    if (line.starts_with("# ")) {
      advisory.summary = std::string(line.substr(2));
      break;
    }
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) break;
  }
  const size_t first = body.find_first_not_of(" \t\r\n");
  advisory.details = first == std::string_view::npos ? "" : std::string(body.substr(first));
  if (const std::string kind = string_of(*values, "advisory", "informational"); !kind.empty()) {
    advisory.summary = "[" + kind + "] " + advisory.summary;
  }

  auto events = feed::affected_outside({&*patched, &*unaffected}, feed::RequirementSyntax::kCargo);
  if (!events) {
    feed::skip(stats, where + ": " + id + ": " + events.error().message);
    return ok();
  }
  Affected affected;
  affected.ecosystem = "cargo";
  affected.package = package;
  affected.ranges.push_back({"SEMVER", std::move(*events)});
  advisory.affected.push_back(std::move(affected));
  feed::merge_advisory(advisories, std::move(advisory));
  return ok();
}

Result<ImportStats> import(const fs::path& path, ImportSink& sink) {
  return feed::import_record_files(path, is_rustsec_file, read_advisory, sink);
}

}  // namespace

extern const Importer kRustsecImporter;
const Importer kRustsecImporter{"rustsec", recognizes, import};

}  // namespace bulwark::vulndb
