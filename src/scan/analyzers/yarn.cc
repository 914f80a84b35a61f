// yarn.lock: the classic v1 format and yarn berry's (v2+) YAML format. Both are a list of entries
//   "name@range, name@range2":        (berry: one quoted string "name@npm:range, name@npm:range2")
//     version "1.2.3"                 (berry: version: 1.2.3, plus resolution: "name@npm:1.2.3")
// read line by line. Workspace, link, portal and patch entries are not installed packages and are
// skipped. Stateless; thread-safe.
#include <string>
#include <string_view>
#include <utility>

#include "scan/analyzer.h"
#include "scan/analyzers/lang_common.h"

namespace bulwark::scan {
namespace {

bool wants(std::string_view path, uint32_t, uint64_t) {
  return base_name(path) == "yarn.lock" && !lang_inside_node_modules(path);
}

// Protocols of entries that are not packages from a registry or tarball.
constexpr std::string_view kSkippedProtocols[] = {"workspace:", "link:", "portal:", "patch:"};

struct Descriptor {
  std::string_view name;   // "@babel/core"
  std::string_view range;  // "^7.0.0", "npm:^7.0.0", "workspace:."
};

// Splits "name@range" at the '@' after the (possibly scoped) name; an alias range
// "npm:real@range" yields the real name.
bool parse_descriptor(std::string_view text, Descriptor& out) {
  size_t at = text.find('@', 1);
  if (at == std::string_view::npos || at == 0) return false;
  out.name = text.substr(0, at);
  out.range = text.substr(at + 1);
  constexpr std::string_view kNpm = "npm:";
  if (out.range.substr(0, kNpm.size()) == kNpm) {
    std::string_view spec = out.range.substr(kNpm.size());
    size_t real_at = spec.find('@', 1);
    if (real_at != std::string_view::npos) {
      out.name = spec.substr(0, real_at);
      out.range = spec.substr(real_at + 1);
    }
  }
  return !out.name.empty();
}

bool skipped_protocol(std::string_view range) {
  for (std::string_view protocol : kSkippedProtocols) {
    if (range.find(protocol) != std::string_view::npos) return true;
  }
  return false;
}

struct Entry {
  bool open = false;
  bool skip = false;      // __metadata or a workspace/link/patch entry
  Descriptor descriptor;  // from the header
  std::string_view version;
  std::string_view resolution;  // berry
  size_t line = 0;
};

Result<void> finish(const Entry& entry, PackageSet& found) {
  if (!entry.open || entry.skip) return ok();
  Descriptor descriptor = entry.descriptor;
  if (!entry.resolution.empty()) {
    Descriptor resolved;
    if (!parse_descriptor(entry.resolution, resolved)) {
      return fail(ErrorCode::kInvalidArgument,
                  "yarn.lock: line " + std::to_string(entry.line) + ": bad resolution");
    }
    if (skipped_protocol(resolved.range)) return ok();
    descriptor.name = resolved.name;
  }
  if (entry.version.empty()) {
    return fail(ErrorCode::kInvalidArgument,
                "yarn.lock: line " + std::to_string(entry.line) + ": entry without a version");
  }
  Package package;
  package.type = "npm";
  set_npm_name(descriptor.name, package);
  package.version = std::string(entry.version);
  found.add(std::move(package));
  return ok();
}

// The header "a@^1, a@^2:" / "\"a@npm:^1, a@npm:^2\":" -> the first descriptor.
Result<Descriptor> parse_header(std::string_view line, size_t number) {
  std::string_view text = line.substr(0, line.size() - 1);  // the ':'
  std::string_view first = trim(text.substr(0, text.find(',')));
  while (!first.empty() && (first.front() == '"' || first.front() == '\'')) first.remove_prefix(1);
  while (!first.empty() && (first.back() == '"' || first.back() == '\'')) first.remove_suffix(1);
  Descriptor descriptor;
  if (!parse_descriptor(first, descriptor)) {
    return fail(ErrorCode::kInvalidArgument,
                "yarn.lock: line " + std::to_string(number) + ": not a package descriptor");
  }
  return descriptor;
}

Result<void> analyze(const FileInput& file, Findings& out) {
  if (file.content.find('\0') != std::string_view::npos) {
    return fail(ErrorCode::kInvalidArgument, "yarn.lock: not a text file");
  }
  PackageSet found;
  Entry entry;
  size_t number = 0;
  for (std::string_view line : split_lines(file.content)) {
    ++number;
    std::string_view text = trim(line);
    if (text.empty() || text.front() == '#') continue;
    size_t indent = line.find_first_not_of(' ');
    if (indent == 0) {
      BULWARK_TRY_VOID(finish(entry, found));
      entry = Entry{};
      entry.open = true;
      entry.line = number;
      if (text.back() != ':') {
        return fail(ErrorCode::kInvalidArgument,
                    "yarn.lock: line " + std::to_string(number) + ": expected an entry header");
      }
      if (text == "__metadata:") {
        entry.skip = true;
        continue;
      }
      BULWARK_ASSIGN_OR_RETURN(entry.descriptor, parse_header(text, number));
      entry.skip = skipped_protocol(entry.descriptor.range);
      continue;
    }
    if (!entry.open) {
      return fail(ErrorCode::kInvalidArgument,
                  "yarn.lock: line " + std::to_string(number) + ": field outside an entry");
    }
    if (indent != 2) continue;  // dependencies and other nested fields
    // v1: `version "1.2.3"`; berry: `version: 1.2.3`.
    size_t end = text.find_first_of(": ");
    std::string_view key = text.substr(0, end);
    std::string_view value =
        end == std::string_view::npos ? std::string_view() : trim(text.substr(end + 1));
    value = unquote(value);
    if (key == "version") {
      entry.version = value;
    } else if (key == "resolution") {
      entry.resolution = value;
    }
  }
  BULWARK_TRY_VOID(finish(entry, found));
  found.move_to(out);
  return ok();
}

}  // namespace

extern const Analyzer kYarnLockAnalyzer;
const Analyzer kYarnLockAnalyzer = {"yarn-lock", &wants, &analyze, 128 << 20};

}  // namespace bulwark::scan
