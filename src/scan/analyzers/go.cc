// Go analyzers: the module build info that the Go linker embeds in every binary (what
// `go version -m` prints), and go.mod files.
//
// Binaries: the build info blob starts with the 16-byte-aligned magic "\xff Go buildinf:". Go 1.18+
// stores the toolchain version and the module info inline as varint-prefixed strings (flags & 2);
// older linkers store two pointers to Go string headers, which are resolved through the ELF
// section/segment tables (ELF only). Reported: every dependency ("dep", or its "=>" replacement),
// the main module when it has a version (not "(devel)"), and the standard library as "stdlib" with
// the toolchain version without its "go" prefix. A dependency replaced by a local directory is
// reported under its original path with an empty version: the code is whatever that directory held.
//
// go.mod: require directives (line and block form) with replace directives applied the same way;
// "// indirect" requirements are ordinary dependencies. Files under vendor/ or a module cache
// ("pkg/mod/") are skipped: they describe other modules' requirements, not what is built.
//
// Stateless; thread-safe.
#include <optional>
#include <string>
#include <vector>

#include "scan/analyzer.h"
#include "scan/analyzers/elf.h"

namespace bulwark::scan {
extern const Analyzer kGoBinaryAnalyzer, kGoModAnalyzer;

namespace {

constexpr std::string_view kBuildInfoMagic("\xff Go buildinf:", 14);
constexpr size_t kBuildInfoAlign = 16;
constexpr size_t kBuildInfoHeader = 32;
constexpr uint64_t kMaxGoString = 16 << 20;  // pointer format: longest string we follow

// A module as `go version -m` lists it.
struct GoModule {
  std::string_view path;
  std::string_view version;
};

// Drops packages whose module path has no last element ("github.com/pkg/"): not a module.
void drop_nameless(Findings& out) {
  auto nameless = [](const Package& p) { return p.name.empty(); };
  size_t before = out.packages.size();
  std::erase_if(out.packages, nameless);
  if (out.packages.size() != before) out.warnings.push_back("module paths without a name skipped");
}

Package golang_package(std::string_view module_path, std::string_view version) {
  Package p;
  p.type = "golang";
  size_t slash = module_path.rfind('/');
  if (slash != std::string_view::npos) p.namespace_ = std::string(module_path.substr(0, slash));
  p.name = std::string(module_path.substr(slash == std::string_view::npos ? 0 : slash + 1));
  p.version = std::string(version);
  return p;
}

// Go's modfile.IsDirectoryPath: a replacement that names a directory rather than a module.
bool is_directory_path(std::string_view path) {
  return path.starts_with("./") || path.starts_with("../") || path.starts_with("/") || path == "." ||
         path == ".." || (path.size() >= 2 && path[1] == ':');
}

// The package for a requirement after replacement: a directory replacement keeps the original
// path with an unknown version.
Package replaced_package(GoModule original, std::optional<GoModule> replacement) {
  if (!replacement) return golang_package(original.path, original.version);
  if (is_directory_path(replacement->path) || replacement->version.empty() ||
      replacement->version == "(devel)") {
    return golang_package(original.path, "");
  }
  return golang_package(replacement->path, replacement->version);
}

// ---- binaries ------------------------------------------------------------------------------

// Reads a Go varint-prefixed string at `pos`, advancing it.
std::optional<std::string_view> read_varint_string(std::string_view data, size_t& pos) {
  uint64_t length = 0;
  for (int shift = 0;; shift += 7) {
    if (pos >= data.size() || shift > 63) return std::nullopt;
    unsigned char byte = static_cast<unsigned char>(data[pos++]);
    length |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  if (length > data.size() - pos) return std::nullopt;
  std::string_view s = data.substr(pos, length);
  pos += length;
  return s;
}

// The offset of the build info header within `data`, searched at aligned offsets.
std::optional<size_t> find_build_info(std::string_view data) {
  for (size_t at = data.find(kBuildInfoMagic); at != std::string_view::npos;
       at = data.find(kBuildInfoMagic, at + 1)) {
    if (at % kBuildInfoAlign == 0 && data.size() - at >= kBuildInfoHeader) return at;
  }
  return std::nullopt;
}

struct BuildInfo {
  std::string_view go_version;
  std::string_view modinfo;
};

// Pre-1.18 layout: two pointers to Go string headers {data pointer, length}.
Result<BuildInfo> read_pointer_build_info(std::string_view header, std::string_view file) {
  const size_t ptr_size = static_cast<unsigned char>(header[14]);
  const bool big_endian = (header[15] & 1) != 0;
  if (ptr_size != 4 && ptr_size != 8) {
    return fail(ErrorCode::kInvalidArgument, "Go build info: bad pointer size");
  }
  if (!ElfImage::looks_like_elf(file)) {
    return fail(ErrorCode::kUnsupported,
                "Go build info format before Go 1.18 is only supported in ELF binaries");
  }
  BULWARK_ASSIGN_OR_RETURN(ElfImage elf, ElfImage::parse(file));
  auto read_string = [&](uint64_t addr) -> std::optional<std::string_view> {
    auto string_header = elf.read_at(addr, 2 * ptr_size);
    if (!string_header) return std::nullopt;
    uint64_t data = read_uint_endian(*string_header, ptr_size, big_endian);
    uint64_t length = read_uint_endian(string_header->substr(ptr_size), ptr_size, big_endian);
    if (length > kMaxGoString) return std::nullopt;
    return elf.read_at(data, length);
  };
  auto version = read_string(read_uint_endian(header.substr(16), ptr_size, big_endian));
  auto modinfo = read_string(read_uint_endian(header.substr(16 + ptr_size), ptr_size, big_endian));
  if (!version || !modinfo) {
    return fail(ErrorCode::kInvalidArgument, "Go build info points outside the binary");
  }
  return BuildInfo{*version, *modinfo};
}

// Decodes the build info whose 32-byte header starts `header`.
Result<BuildInfo> decode_build_info(std::string_view header, std::string_view file) {
  const unsigned char flags = static_cast<unsigned char>(header[15]);
  BuildInfo info;
  if ((flags & 2) != 0) {
    size_t pos = kBuildInfoHeader;
    auto version = read_varint_string(header, pos);
    auto modinfo = version ? read_varint_string(header, pos) : std::nullopt;
    if (!modinfo) return fail(ErrorCode::kInvalidArgument, "Go build info is truncated");
    info = BuildInfo{*version, *modinfo};
  } else {
    BULWARK_ASSIGN_OR_RETURN(info, read_pointer_build_info(header, file));
  }
  if (!info.go_version.starts_with("go") && !info.go_version.starts_with("devel")) {
    return fail(ErrorCode::kInvalidArgument, "Go build info without a Go version");
  }
  // The module info is framed by 16-byte sentinels (cmd/go's infoStart/infoEnd).
  if (info.modinfo.size() >= 33 && info.modinfo[info.modinfo.size() - 17] == '\n') {
    info.modinfo = info.modinfo.substr(16, info.modinfo.size() - 32);
  } else {
    info.modinfo = {};
  }
  return info;
}

// Finds and decodes the build info; nullopt if the file is not a Go binary. The .go.buildinfo
// section of an ELF binary is trusted: a broken header there is an error. Elsewhere (no such
// section, other formats) the magic may occur by chance (any tool that looks for Go binaries
// contains it), so candidates that do not decode are skipped.
Result<std::optional<BuildInfo>> read_build_info(std::string_view file, Findings& out) {
  if (ElfImage::looks_like_elf(file)) {
    if (auto elf = ElfImage::parse(file)) {
      if (auto section = elf->section(".go.buildinfo")) {
        if (std::optional<size_t> at = find_build_info(section->data)) {
          BULWARK_ASSIGN_OR_RETURN(BuildInfo info, decode_build_info(section->data.substr(*at), file));
          return std::optional<BuildInfo>(info);
        }
      }
    }
  }
  std::optional<Error> unsupported;
  for (size_t from = 0; from < file.size();) {
    std::optional<size_t> at = find_build_info(file.substr(from));
    if (!at) break;
    auto info = decode_build_info(file.substr(from + *at), file);
    if (info) return std::optional<BuildInfo>(*info);
    if (info.error().code == ErrorCode::kUnsupported) unsupported = info.error();
    from += *at + kBuildInfoAlign;
  }
  if (unsupported) out.warnings.push_back(unsupported->message);
  return std::optional<BuildInfo>();
}

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    size_t tab = line.find('\t');
    fields.push_back(line.substr(0, tab));
    if (tab == std::string_view::npos) break;
    line.remove_prefix(tab + 1);
  }
  return fields;
}

// "go1.21.5 X:boringcrypto" -> "1.21.5"; empty for development toolchains ("devel go1.22-...").
std::string_view stdlib_version(std::string_view go_version) {
  go_version = go_version.substr(0, go_version.find(' '));
  if (go_version.size() < 3 || !go_version.starts_with("go") || go_version[2] < '0' ||
      go_version[2] > '9') {
    return {};
  }
  return go_version.substr(2);
}

Result<void> analyze_binary(const FileInput& file, Findings& out) {
  BULWARK_ASSIGN_OR_RETURN(std::optional<BuildInfo> info, read_build_info(file.content, out));
  if (!info) return ok();  // not a Go binary
  if (std::string_view v = stdlib_version(info->go_version); !v.empty()) {
    out.packages.push_back(golang_package("stdlib", v));
  }
  // Each "dep" is reported once its possible "=>" replacement line has been seen.
  std::optional<GoModule> pending;
  auto flush = [&](std::optional<GoModule> replacement) {
    if (pending) out.packages.push_back(replaced_package(*pending, replacement));
    pending.reset();
  };
  for (std::string_view line : split_lines(info->modinfo)) {
    std::vector<std::string_view> f = split_tabs(line);
    if (f[0] == "=>" && f.size() >= 3) {
      flush(GoModule{f[1], f[2]});
      continue;
    }
    flush(std::nullopt);
    if (f[0] == "dep" && f.size() >= 3) {
      pending = GoModule{f[1], f[2]};
    } else if (f[0] == "mod" && f.size() >= 3 && !f[2].empty() && f[2] != "(devel)") {
      out.packages.push_back(golang_package(f[1], f[2]));
    }
  }
  flush(std::nullopt);
  drop_nameless(out);
  return ok();
}

// ---- go.mod --------------------------------------------------------------------------------

bool wants_go_mod(std::string_view path, uint32_t, uint64_t) {
  if (base_name(path) != "go.mod") return false;
  if (path.starts_with("vendor/") || path.find("/vendor/") != std::string_view::npos) return false;
  return !path.starts_with("pkg/mod/") && path.find("/pkg/mod/") == std::string_view::npos;
}

// Splits a go.mod line into tokens: words, "quoted" and `raw` strings; drops a // comment.
// nullopt on an unterminated string.
std::optional<std::vector<std::string>> tokenize(std::string_view line) {
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (line.substr(i).starts_with("//")) {
      break;
    } else if (c == '"' || c == '`') {
      std::string token;
      size_t j = i + 1;
      for (; j < line.size() && line[j] != c; ++j) {
        if (c == '"' && line[j] == '\\' && j + 1 < line.size()) ++j;
        token += line[j];
      }
      if (j >= line.size()) return std::nullopt;
      tokens.push_back(std::move(token));
      i = j + 1;
    } else if (c == '(' || c == ')') {
      tokens.emplace_back(1, c);
      ++i;
    } else {
      size_t j = i;
      while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '(' &&
             line[j] != ')' && !line.substr(j).starts_with("//")) {
        ++j;
      }
      tokens.emplace_back(line.substr(i, j - i));
      i = j;
    }
  }
  return tokens;
}

struct Replace {
  std::string old_path, old_version;  // old_version empty: every version
  std::string new_path, new_version;  // new_version empty: a directory
};

Result<void> analyze_go_mod(const FileInput& file, Findings& out) {
  std::vector<std::pair<std::string, std::string>> requires_;
  std::vector<Replace> replaces;
  std::string block;  // the verb of the open "verb (" block, if any
  size_t number = 0;
  auto bad = [&](std::string_view what) {
    return fail(ErrorCode::kInvalidArgument,
                "go.mod line " + std::to_string(number) + ": " + std::string(what));
  };
  for (std::string_view line : split_lines(file.content)) {
    ++number;
    auto parsed = tokenize(line);
    if (!parsed) return bad("unterminated string");
    std::vector<std::string>& t = *parsed;
    if (t.empty()) continue;
    std::string verb;
    if (!block.empty()) {
      if (t[0] == ")") {
        block.clear();
        continue;
      }
      verb = block;
    } else {
      verb = t[0];
      t.erase(t.begin());
      if (t.size() == 1 && t[0] == "(") {
        block = verb;
        continue;
      }
    }
    if (verb == "require") {
      if (t.size() != 2) return bad("malformed require");
      requires_.emplace_back(t[0], t[1]);
    } else if (verb == "replace") {
      size_t arrow = 0;
      while (arrow < t.size() && t[arrow] != "=>") ++arrow;
      if (arrow < 1 || arrow > 2 || t.size() - arrow < 2 || t.size() - arrow > 3) {
        return bad("malformed replace");
      }
      replaces.push_back(Replace{t[0], arrow == 2 ? t[1] : "", t[arrow + 1],
                                 t.size() - arrow == 3 ? t[arrow + 2] : ""});
    }
  }
  if (!block.empty()) return bad("unterminated " + block + " block");
  for (const auto& [path, version] : requires_) {
    std::optional<GoModule> replacement;
    for (const Replace& r : replaces) {
      if (r.old_path == path && (r.old_version.empty() || r.old_version == version)) {
        replacement = GoModule{r.new_path, r.new_version};
        // A version-specific replace wins over a wildcard one.
        if (!r.old_version.empty()) break;
      }
    }
    out.packages.push_back(replaced_package(GoModule{path, version}, replacement));
  }
  drop_nameless(out);
  return ok();
}

}  // namespace

const Analyzer kGoBinaryAnalyzer = {"go-binary", &wants_executable, &analyze_binary, 256 << 20};
const Analyzer kGoModAnalyzer = {"go-mod", &wants_go_mod, &analyze_go_mod, 4 << 20};

}  // namespace bulwark::scan
