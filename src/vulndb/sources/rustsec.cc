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
// fixed 1.2. No requirements at all: every version is affected. A requirement that cannot be
// parsed, or a set OSV events cannot state (an affected stretch starting right after an
// inclusive "<= X" or "= X"), skips the advisory with a warning.
//
// cvss is a CVSS vector: "CVSS:4.0/..." is CVSS_V4, "CVSS:3.x/..." CVSS_V3 (source "rustsec").
// Informational advisories (unmaintained, unsound, notice) are imported like the others (their
// ranges name the affected versions just the same) with the summary prefixed by the kind in
// brackets, "[unmaintained] ", so a reader can tell them from vulnerabilities. A withdrawn date
// sets Advisory::withdrawn. CVE aliases come first, then the others in the file's order.
//
// The front matter is read by a small TOML subset reader: tables, dotted/quoted keys, basic and
// literal strings (one- and multi-line), arrays, inline tables, and bare scalars (kept as text);
// nesting depth and sizes are bounded. A file that is not such a Markdown advisory is malformed.
// Stateless; thread-safe.
#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// A TOML value as far as this importer needs it.
struct TomlValue {
  enum class Kind { kString, kArray, kOther };
  Kind kind = Kind::kOther;
  std::string text;  // kString: the string; kOther: the bare scalar as written
  std::vector<TomlValue> items;
};

// A reader of the TOML subset over `text`; values land in `values` as "table.key".
class TomlReader {
 public:
  explicit TomlReader(std::string_view text) : text_(text) {}

  Result<std::map<std::string, TomlValue>> read() {
    std::map<std::string, TomlValue> values;
    std::string table;
    while (true) {
      skip_blank(true);
      if (at_end()) break;
      if (peek() == '[') {
        ++pos_;
        const bool array_table = consume('[');
        std::string name;
        BULWARK_TRY_VOID(read_key(name));
        if (!consume(']') || (array_table && !consume(']'))) return error("malformed table header");
        table = std::move(name);
      } else {
        std::string key;
        BULWARK_TRY_VOID(read_key(key));
        if (!consume('=')) return error("expected '='");
        TomlValue value;
        BULWARK_TRY_VOID(read_value(value, 0));
        values[table.empty() ? key : table + "." + key] = std::move(value);
      }
      skip_blank(false);
      if (!at_end() && peek() != '\n') return error("unexpected text after a value");
    }
    return values;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  bool consume(char c) {
    skip_blank(false);
    if (at_end() || peek() != c) return false;
    ++pos_;
    return true;
  }
  tl::unexpected<Error> error(std::string_view what) const {
    return fail(ErrorCode::kInvalidArgument,
                "TOML " + std::string(what) + " at offset " + std::to_string(pos_));
  }
  // Skips spaces and comments, and line ends too when `newlines`.
  void skip_blank(bool newlines) {
    while (!at_end()) {
      const char c = peek();
      if (c == ' ' || c == '\t' || c == '\r' || (newlines && c == '\n')) {
        ++pos_;
      } else if (c == '#') {
        while (!at_end() && peek() != '\n') ++pos_;
      } else {
        break;
      }
    }
  }
  static bool is_bare(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  }
  // A dotted key of bare or quoted parts, as "a.b".
  Result<void> read_key(std::string& key) {
    while (true) {
      skip_blank(false);
      if (at_end()) return error("expected a key");
      std::string part;
      if (peek() == '"' || peek() == '\'') {
        BULWARK_TRY_VOID(read_string(part));
      } else {
        while (!at_end() && is_bare(peek())) part += text_[pos_++];
        if (part.empty()) return error("expected a key");
      }
      key += part;
      skip_blank(false);
      if (at_end() || peek() != '.') return ok();
      ++pos_;
      key += '.';
    }
  }
  void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  // A basic ("...", """...""") or literal ('...', '''...''') string at pos_.
  Result<void> read_string(std::string& out) {
    const char quote = peek();
    const bool multi = text_.substr(pos_, 3) == std::string(3, quote);
    pos_ += multi ? 3 : 1;
    if (multi && !at_end() && peek() == '\n') ++pos_;
    while (true) {
      if (at_end()) return error("unterminated string");
      const char c = text_[pos_];
      if (multi ? text_.substr(pos_, 3) == std::string(3, quote) : c == quote) {
        pos_ += multi ? 3 : 1;
        return ok();
      }
      if (c == '\n' && !multi) return error("line end in a string");
      ++pos_;
      if (c != '\\' || quote == '\'') {
        out += c;
        continue;
      }
      if (at_end()) return error("unterminated string");
      const char e = text_[pos_++];
      static constexpr std::pair<char, char> kEscapes[] = {
          {'"', '"'}, {'\\', '\\'}, {'n', '\n'}, {'t', '\t'}, {'r', '\r'}, {'b', '\b'}, {'f', '\f'}};
      const auto* simple = std::find_if(std::begin(kEscapes), std::end(kEscapes),
                                        [&](const auto& p) { return p.first == e; });
      if (simple != std::end(kEscapes)) {
        out += simple->second;
      } else if (e == 'u' || e == 'U') {
        const size_t digits = e == 'u' ? 4 : 8;
        if (text_.size() - pos_ < digits) return error("bad escape");
        uint32_t cp = 0;
        for (size_t i = 0; i < digits; ++i) {
          const char h = text_[pos_++];
          const int v = (h >= '0' && h <= '9')   ? h - '0'
                        : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                        : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                                 : -1;
          if (v < 0) return error("bad escape");
          cp = cp * 16 + static_cast<uint32_t>(v);
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return error("bad escape");
        append_utf8(out, cp);
      } else if (multi && (e == '\n' || e == ' ' || e == '\t' || e == '\r')) {
        while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\r' || peek() == '\n')) {
          ++pos_;
        }
      } else {
        return error("bad escape");
      }
    }
  }
  Result<void> read_value(TomlValue& value, int depth) {
    if (depth > kMaxTomlDepth) return error("nested too deeply");
    if (++items_ > kMaxTomlItems) return error("has too many values");
    skip_blank(false);
    if (at_end()) return error("expected a value");
    const char c = peek();
    if (c == '"' || c == '\'') {
      value.kind = TomlValue::Kind::kString;
      return read_string(value.text);
    }
    if (c == '[') {
      ++pos_;
      value.kind = TomlValue::Kind::kArray;
      while (true) {
        skip_blank(true);
        if (at_end()) return error("unterminated array");
        if (peek() == ']') {
          ++pos_;
          return ok();
        }
        TomlValue item;
        BULWARK_TRY_VOID(read_value(item, depth + 1));
        value.items.push_back(std::move(item));
        skip_blank(true);
        if (!at_end() && peek() == ',') {
          ++pos_;
        } else if (at_end() || peek() != ']') {
          return error("expected ',' or ']'");
        }
      }
    }
    if (c == '{') {
      ++pos_;
      skip_blank(false);
      if (!at_end() && peek() == '}') {
        ++pos_;
        return ok();
      }
      while (true) {
        std::string key;
        BULWARK_TRY_VOID(read_key(key));
        if (!consume('=')) return error("expected '='");
        TomlValue item;
        BULWARK_TRY_VOID(read_value(item, depth + 1));
        if (consume('}')) return ok();
        if (!consume(',')) return error("expected ',' or '}'");
      }
    }
    const size_t start = pos_;
    while (!at_end() && std::string_view(",]}#\n \t\r").find(peek()) == std::string_view::npos) {
      ++pos_;
    }
    if (pos_ == start) return error("expected a value");
    value.text = std::string(text_.substr(start, pos_ - start));
    return ok();
  }

  std::string_view text_;
  size_t pos_ = 0;
  size_t items_ = 0;
};

// The value of `key` when it is a string, else empty.
std::string string_of(const std::map<std::string, TomlValue>& values, const std::string& key) {
  const auto it = values.find(key);
  return it != values.end() && it->second.kind == TomlValue::Kind::kString ? it->second.text : "";
}

// The strings of the array `key`; nullopt when it is present but not an array of strings.
std::optional<std::vector<std::string>> strings_of(const std::map<std::string, TomlValue>& values,
                                                   const std::string& key) {
  std::vector<std::string> out;
  const auto it = values.find(key);
  if (it == values.end()) return out;
  if (it->second.kind != TomlValue::Kind::kArray) return std::nullopt;
  for (const auto& item : it->second.items) {
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
  auto values = TomlReader(text.substr(0, close)).read();
  if (!values) return fail(ErrorCode::kInvalidArgument, where + ": " + values.error().message);
  std::string_view body = text.substr(close + 4);
  body.remove_prefix(std::min(body.find('\n'), body.size()));  // the rest of the fence line

  Advisory advisory;
  advisory.id = string_of(*values, "advisory.id");
  const std::string package = string_of(*values, "advisory.package");
  static const std::regex kId(R"(RUSTSEC-\d{4}-\d{4,})");
  if (!feed::matches(advisory.id, kId) || package.empty()) {
    feed::skip(stats, where + ": advisory without a RUSTSEC id or package");
    return ok();
  }
  const std::string id = feed::quoted(advisory.id);
  const auto aliases = strings_of(*values, "advisory.aliases");
  const auto references = strings_of(*values, "advisory.references");
  const auto patched = strings_of(*values, "versions.patched");
  const auto unaffected = strings_of(*values, "versions.unaffected");
  if (!aliases || !references || !patched || !unaffected) {
    feed::skip(stats, where + ": " + id + ": aliases, references or versions are not string lists");
    return ok();
  }
  advisory.source = "rustsec";
  for (const auto& alias : *aliases) {
    if (alias.starts_with("CVE-")) feed::add_unique(advisory.aliases, alias);
  }
  for (const auto& alias : *aliases) feed::add_unique(advisory.aliases, alias);
  if (const auto it = values->find("advisory.date");
      it != values->end() && it->second.kind != TomlValue::Kind::kArray) {
    advisory.published = it->second.text;  // a TOML date (bare) or a string
  }
  advisory.withdrawn = values->contains("advisory.withdrawn");
  feed::add_unique(advisory.references, string_of(*values, "advisory.url"));
  for (const auto& reference : *references) feed::add_unique(advisory.references, reference);
  if (const std::string cvss = string_of(*values, "advisory.cvss"); !cvss.empty()) {
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
  if (const std::string kind = string_of(*values, "advisory.informational"); !kind.empty()) {
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
