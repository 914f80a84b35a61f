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
#include "common/toml.h"
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

// ---- Cargo.lock ----------------------------------------------------------------------------

bool wants_cargo_lock(std::string_view path, uint32_t, uint64_t) {
  return base_name(path) == "Cargo.lock";
}

Result<void> analyze_cargo_lock(const FileInput& file, Findings& out) {
  BULWARK_ASSIGN_OR_RETURN(TomlValue root, parse_toml(file.content, kMaxTomlNesting));
  const TomlValue* packages = root.find("package");
  if (packages == nullptr) return ok();
  if (packages->kind != TomlValue::Kind::kArray || !packages->table_array) {
    return fail(ErrorCode::kInvalidArgument, "Cargo.lock: package is not an array of tables");
  }
  size_t index = 0;
  for (const TomlValue& package : packages->items) {
    ++index;
    const TomlValue* name = package.find("name");
    const TomlValue* version = package.find("version");
    if (name == nullptr || version == nullptr || name->kind != TomlValue::Kind::kString ||
        version->kind != TomlValue::Kind::kString) {
      return fail(ErrorCode::kInvalidArgument, "Cargo.lock: [[package]] number " +
                                                   std::to_string(index) + " without name or version");
    }
    out.packages.push_back(cargo_package(name->text, version->text));
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
