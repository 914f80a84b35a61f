// pnpm-lock.yaml, lockfileVersion 5.x, 6.x and 9.x, read line by line (pnpm writes a fixed
// layout): the "packages:" section's two-space-indented keys name each package,
//   5.x: /name/1.2.3  /@scope/name/1.2.3_peer@1.0.0
//   6.x: /name@1.2.3  /@scope/name@1.2.3(peer@1.0.0)
//   9.x: name@1.2.3   '@scope/name@1.2.3'            (peer variants live in "snapshots:")
// with optional four-space fields "name:", "version:" (tarball and git dependencies) and "dev:".
// Peer-dependency suffixes are stripped and repeats merged. Stateless; thread-safe.
#include <charconv>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scan/analyzer.h"
#include "scan/analyzers/lang_common.h"

namespace bulwark::scan {
namespace {

bool wants(std::string_view path, uint32_t, uint64_t) {
  return base_name(path) == "pnpm-lock.yaml" && !lang_inside_node_modules(path);
}

struct Entry {
  std::string_view key;
  std::string_view name;     // explicit "name:" field
  std::string_view version;  // explicit "version:" field
  bool dev = false;
};

// "key:" or "key: value" -> key (unquoted) and value (trimmed, unquoted).
void split_field(std::string_view text, std::string_view& key, std::string_view& value) {
  size_t colon;
  if (!text.empty() && (text.front() == '\'' || text.front() == '"')) {
    size_t close = text.find(text.front(), 1);
    colon = close == std::string_view::npos ? std::string_view::npos : text.find(':', close);
  } else if (text.back() == ':') {
    colon = text.size() - 1;
  } else {
    colon = text.find(": ");
  }
  key = unquote(trim(text.substr(0, colon)));
  value = colon == std::string_view::npos ? std::string_view()
                                          : unquote(trim(text.substr(colon + 1)));
}

// A package key -> name and version; false when it does not name a registry version.
bool parse_key(std::string_view key, int major, std::string_view& name,
               std::string_view& version) {
  if (!key.empty() && key.front() == '/') key.remove_prefix(1);
  size_t split;
  if (major < 6) {
    split = key.find('/', key.empty() || key.front() != '@' ? 0 : key.find('/') + 1);
  } else {
    split = key.find('@', 1);
  }
  if (split == std::string_view::npos || split == 0) return false;
  name = key.substr(0, split);
  version = key.substr(split + 1);
  version = version.substr(0, version.find(major < 6 ? '_' : '('));
  return !version.empty() && version.find_first_of("/:") == std::string_view::npos;
}

Result<int> parse_major(std::string_view value) {
  // "5.4", "'6.0'", "9.0": digits, optionally '.' and digits.
  int major = -1;
  const char* last = value.data() + value.size();
  auto [end, ec] = std::from_chars(value.data(), last, major);
  bool minor_ok = end == last || (*end == '.' && end + 1 != last &&
                                  std::string_view(end + 1, last - end - 1)
                                          .find_first_not_of("0123456789") == std::string_view::npos);
  if (ec != std::errc() || major < 1 || !minor_ok) {
    return fail(ErrorCode::kInvalidArgument, "pnpm-lock.yaml: bad lockfileVersion");
  }
  return major;
}

Result<void> analyze(const FileInput& file, Findings& out) {
  if (file.content.find('\0') != std::string_view::npos) {
    return fail(ErrorCode::kInvalidArgument, "pnpm-lock.yaml: not a text file");
  }
  int major = -1;
  bool in_packages = false;
  std::vector<Entry> entries;
  for (std::string_view line : split_lines(file.content)) {
    std::string_view text = trim(line);
    if (text.empty() || text.front() == '#') continue;
    size_t indent = line.find_first_not_of(' ');
    std::string_view key, value;
    split_field(text, key, value);
    if (indent == 0) {
      in_packages = key == "packages";
      if (key == "lockfileVersion") {
        BULWARK_ASSIGN_OR_RETURN(major, parse_major(value));
      }
    } else if (!in_packages) {
      continue;
    } else if (indent == 2) {
      entries.push_back(Entry{key, {}, {}, false});
    } else if (indent == 4 && !entries.empty()) {
      Entry& entry = entries.back();
      if (key == "name") entry.name = value;
      if (key == "version") entry.version = value;
      if (key == "dev") entry.dev = value == "true";
    }
  }
  if (major < 0) return fail(ErrorCode::kInvalidArgument, "pnpm-lock.yaml: no lockfileVersion");
  PackageSet found;
  for (const Entry& entry : entries) {
    std::string_view name, version;
    bool parsed = parse_key(entry.key, major, name, version);
    if (!entry.name.empty() && !entry.version.empty()) {
      name = entry.name;
      version = entry.version;
    } else if (!parsed) {
      continue;  // a directory, git or tarball dependency without a registry version
    }
    Package package;
    package.type = "npm";
    set_npm_name(name, package);
    package.version = std::string(version);
    package.dev = entry.dev;
    found.add(std::move(package));
  }
  found.move_to(out);
  return ok();
}

}  // namespace

extern const Analyzer kPnpmLockAnalyzer;
const Analyzer kPnpmLockAnalyzer = {"pnpm-lock", &wants, &analyze, 128 << 20};

}  // namespace bulwark::scan
