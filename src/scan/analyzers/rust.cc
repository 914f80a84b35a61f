// Rust analyzers: Cargo.lock files and binaries built with cargo-auditable.
//
// Cargo.lock: every [[package]] entry (name, version) is reported, including workspace members and
// path dependencies (entries without "source"): they are part of what was built, and a lock file
// does not say which of them are development-only. A minimal TOML reader private to this file
// handles what cargo writes (tables, arrays of tables, strings, arrays, inline tables, comments).
//
// cargo-auditable: ELF executables with a ".dep-v0" section holding zlib-compressed JSON
// {"packages":[{"name","version","source","kind","dependencies","root"}]}. Packages of kind
// "build" (build scripts, proc macros) are not part of the binary and are skipped; every runtime
// package, the root crate included, is reported. Decompression is capped (kMaxAuditJson).
//
// Stateless; thread-safe.
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "common/strict_json.h"
#include "scan/analyzer.h"
#include "scan/analyzers/elf.h"

namespace bulwark::scan {
extern const Analyzer kCargoLockAnalyzer, kCargoAuditableAnalyzer;

namespace {

constexpr size_t kMaxAuditJson = 8 << 20;
constexpr int kMaxTomlNesting = 32;

Package cargo_package(std::string name, std::string version) {
  Package p;
  p.type = "cargo";
  p.name = std::move(name);
  p.version = std::move(version);
  return p;
}

// ---- Cargo.lock: a minimal TOML reader ------------------------------------------------------

class TomlCursor {
 public:
  explicit TomlCursor(std::string_view text) : text_(text) {}

  bool done() const { return pos_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }
  bool starts_with(std::string_view s) const { return text_.substr(pos_).starts_with(s); }
  void advance(size_t n = 1) {
    for (size_t i = 0; i < n && !done(); ++i) line_ += text_[pos_++] == '\n';
  }
  size_t line() const { return line_; }

  // Skips spaces and tabs, and with `newlines` also line breaks and comments.
  void skip_space(bool newlines) {
    while (!done()) {
      char c = peek();
      if (c == ' ' || c == '\t' || c == '\r') {
        advance();
      } else if (c == '#' || (newlines && c == '\n')) {
        if (c == '#') {
          while (!done() && peek() != '\n') advance();
        } else {
          advance();
        }
      } else {
        break;
      }
    }
  }

  Error error(std::string_view what) const {
    return Error{ErrorCode::kInvalidArgument,
                 "Cargo.lock line " + std::to_string(line_) + ": " + std::string(what)};
  }

  // A "basic" or 'literal' string at the cursor (single-line forms).
  Result<std::string> string() {
    const char quote = peek();
    advance();
    std::string value;
    while (!done() && peek() != quote && peek() != '\n') {
      char c = peek();
      advance();
      if (quote == '"' && c == '\\') {
        if (done()) break;
        static constexpr std::string_view kFrom = "btnfr\"\\", kTo = "\b\t\n\f\r\"\\";
        size_t index = kFrom.find(peek());
        c = index == std::string_view::npos ? peek() : kTo[index];
        advance();
      }
      value += c;
    }
    if (peek() != quote) return fail(error("unterminated string"));
    advance();
    return value;
  }

  // A value: a string is returned, anything else (arrays, inline tables, numbers, booleans) is
  // skipped and yields nullopt.
  Result<std::optional<std::string>> value(int depth = 0) {
    if (depth > kMaxTomlNesting) return fail(error("nested too deeply"));
    char c = peek();
    if (c == '"' || c == '\'') {
      if (starts_with("\"\"\"") || starts_with("'''")) return fail(error("multi-line strings are not supported"));
      BULWARK_ASSIGN_OR_RETURN(std::string s, string());
      return std::optional<std::string>(std::move(s));
    }
    if (c == '[' || c == '{') {
      const char close = c == '[' ? ']' : '}';
      advance();
      while (true) {
        skip_space(true);
        if (done()) return fail(error("unterminated array or table"));
        if (peek() == close) {
          advance();
          return std::optional<std::string>();
        }
        if (peek() == ',') {
          advance();
          continue;
        }
        if (close == '}') {  // key = value
          BULWARK_TRY_VOID(key());
          skip_space(false);
          if (peek() != '=') return fail(error("expected '='"));
          advance();
          skip_space(false);
        }
        BULWARK_TRY_VOID(value(depth + 1));
      }
    }
    // A bare scalar: up to the end of the token.
    size_t start = pos_;
    while (!done() && std::string_view(" \t\r\n#,]}").find(peek()) == std::string_view::npos) advance();
    if (pos_ == start) return fail(error("expected a value"));
    return std::optional<std::string>();
  }

  // A (possibly dotted) key; quoted parts are unquoted.
  Result<std::string> key() {
    std::string k;
    while (!done()) {
      char c = peek();
      if (c == '"' || c == '\'') {
        BULWARK_ASSIGN_OR_RETURN(std::string part, string());
        k += part;
      } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.') {
        k += c;
        advance();
      } else {
        break;
      }
    }
    if (k.empty()) return fail(error("expected a key"));
    return k;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  size_t line_ = 1;
};

bool wants_cargo_lock(std::string_view path, uint32_t, uint64_t) {
  return base_name(path) == "Cargo.lock";
}

Result<void> analyze_cargo_lock(const FileInput& file, Findings& out) {
  TomlCursor toml(file.content);
  struct Entry {
    std::optional<std::string> name, version;
    size_t line = 0;
  };
  std::vector<Entry> entries;
  bool in_package = false;
  while (true) {
    toml.skip_space(true);
    if (toml.done()) break;
    if (toml.peek() == '[') {
      const bool array = toml.starts_with("[[");
      toml.advance(array ? 2 : 1);
      toml.skip_space(false);
      BULWARK_ASSIGN_OR_RETURN(std::string table, toml.key());
      toml.skip_space(false);
      if (!toml.starts_with(array ? "]]" : "]")) return fail(toml.error("malformed table header"));
      toml.advance(array ? 2 : 1);
      in_package = array && table == "package";
      if (in_package) entries.push_back(Entry{{}, {}, toml.line()});
    } else {
      BULWARK_ASSIGN_OR_RETURN(std::string key, toml.key());
      toml.skip_space(false);
      if (toml.peek() != '=') return fail(toml.error("expected '='"));
      toml.advance();
      toml.skip_space(false);
      BULWARK_ASSIGN_OR_RETURN(std::optional<std::string> value, toml.value());
      if (in_package && value && key == "name") entries.back().name = std::move(value);
      if (in_package && value && key == "version") entries.back().version = std::move(value);
    }
    toml.skip_space(false);
    if (!toml.done() && toml.peek() != '\n') return fail(toml.error("unexpected text after a value"));
  }
  for (Entry& e : entries) {
    if (!e.name || !e.version) {
      return fail(ErrorCode::kInvalidArgument, "Cargo.lock line " + std::to_string(e.line) +
                                                   ": [[package]] without name or version");
    }
    out.packages.push_back(cargo_package(std::move(*e.name), std::move(*e.version)));
  }
  return ok();
}

// ---- cargo-auditable ------------------------------------------------------------------------

// zlib-inflates `in`, failing if the output would exceed `cap` bytes.
Result<std::string> inflate_capped(std::string_view in, size_t cap) {
  z_stream z{};
  if (inflateInit(&z) != Z_OK) return fail(ErrorCode::kInternal, "zlib initialisation failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), UINT32_MAX));
  std::string out;
  int rc = Z_OK;
  while (rc == Z_OK) {
    if (out.size() >= cap) {
      inflateEnd(&z);
      return fail(ErrorCode::kTooLarge, "cargo-auditable data inflates beyond " +
                                            std::to_string(cap >> 20) + " MiB");
    }
    size_t before = out.size();
    out.resize(std::min(cap, before + 64 * 1024));
    z.next_out = reinterpret_cast<Bytef*>(out.data() + before);
    z.avail_out = static_cast<uInt>(out.size() - before);
    rc = inflate(&z, Z_NO_FLUSH);
    out.resize(out.size() - z.avail_out);
    if (rc == Z_BUF_ERROR && z.avail_out != 0) break;  // input ended early
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) {
    return fail(ErrorCode::kInvalidArgument, "cargo-auditable data is not valid zlib data");
  }
  return out;
}

Result<void> analyze_auditable(const FileInput& file, Findings& out) {
  if (!ElfImage::looks_like_elf(file.content)) return ok();
  BULWARK_ASSIGN_OR_RETURN(ElfImage elf, ElfImage::parse(file.content));
  std::optional<ElfSection> section = elf.section(".dep-v0");
  if (!section) return ok();
  BULWARK_ASSIGN_OR_RETURN(std::string json, inflate_capped(section->data, kMaxAuditJson));
  auto doc = parse_strict_json(json);
  if (!doc) return fail(ErrorCode::kInvalidArgument, "cargo-auditable data: " + doc.error().message);
  auto bad = [] { return fail(ErrorCode::kInvalidArgument, "cargo-auditable data: unexpected structure"); };
  const boost::json::object* root = doc->if_object();
  const boost::json::value* packages = root ? root->if_contains("packages") : nullptr;
  if (!packages || !packages->is_array()) return bad();
  for (const boost::json::value& v : packages->get_array()) {
    const boost::json::object* p = v.if_object();
    if (!p) return bad();
    auto text = [&](std::string_view key) -> const boost::json::string* {
      const boost::json::value* field = p->if_contains(key);
      return field ? field->if_string() : nullptr;
    };
    const boost::json::string* name = text("name");
    const boost::json::string* version = text("version");
    if (!name || !version) return bad();
    const boost::json::string* kind = text("kind");
    if (kind && *kind == "build") continue;
    out.packages.push_back(cargo_package(std::string(*name), std::string(*version)));
  }
  return ok();
}

}  // namespace

const Analyzer kCargoLockAnalyzer = {"cargo-lock", &wants_cargo_lock, &analyze_cargo_lock, 16 << 20};
const Analyzer kCargoAuditableAnalyzer = {"cargo-auditable", &wants_executable, &analyze_auditable,
                                          256 << 20};

}  // namespace bulwark::scan
