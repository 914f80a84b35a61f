// kOsReleaseAnalyzer: which operating system an image is, from os-release(5) files
// (etc/os-release, usr/lib/os-release) and, for images without one, the distributions' own release
// files (etc/lsb-release, etc/debian_version, etc/alpine-release, etc/redhat-release and its
// siblings).
//
// Every file yields a Findings::os whose `evidence` names the file ("/etc/os-release"), so the
// walker can rank them: os-release files are authoritative, the others are fallbacks.
// Stateless; thread-safe.
#include <array>
#include <map>

#include "scan/analyzer.h"

namespace bulwark::scan {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// One shell-style value as os-release(5) allows: unquoted, "double quoted" (backslash escapes
// $ " \ `) or 'single quoted' pieces, concatenated, ending at unquoted white space.
std::string unquote(std::string_view raw) {
  std::string value;
  size_t i = 0;
  while (i < raw.size() && raw[i] != ' ' && raw[i] != '\t') {
    char c = raw[i++];
    if (c == '\'') {
      size_t end = raw.find('\'', i);
      if (end == std::string_view::npos) end = raw.size();
      value.append(raw.substr(i, end - i));
      i = end + 1;
    } else if (c == '"') {
      while (i < raw.size() && raw[i] != '"') {
        if (raw[i] == '\\' && i + 1 < raw.size() &&
            std::string_view("$\"\\`").find(raw[i + 1]) != std::string_view::npos) {
          ++i;
        }
        value += raw[i++];
      }
      ++i;  // the closing quote
    } else if (c == '\\' && i < raw.size()) {
      value += raw[i++];
    } else {
      value += c;
    }
  }
  return value;
}

// KEY=value lines; comments and blank lines skipped. Used for os-release and lsb-release.
std::map<std::string, std::string, std::less<>> parse_assignments(std::string_view text) {
  std::map<std::string, std::string, std::less<>> vars;
  for (std::string_view line : split_lines(text)) {
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    vars[std::string(trim(line.substr(0, eq)))] = unquote(trim(line.substr(eq + 1)));
  }
  return vars;
}

std::string get(const std::map<std::string, std::string, std::less<>>& vars, std::string_view key) {
  auto it = vars.find(key);
  return it == vars.end() ? std::string() : it->second;
}

Result<OsRelease> parse_os_release(std::string_view text, std::string_view) {
  auto vars = parse_assignments(text);
  if (vars.empty()) return fail(ErrorCode::kCorrupt, "os-release: no assignments");
  OsRelease os;
  os.family = lower(get(vars, "ID"));
  if (os.family.empty()) os.family = "linux";  // os-release(5)'s default
  os.codename = get(vars, "VERSION_CODENAME");
  os.version = get(vars, "VERSION_ID");
  if (os.version.empty()) os.version = os.codename;  // Debian testing/sid: no VERSION_ID
  os.pretty_name = get(vars, "PRETTY_NAME");
  return os;
}

Result<OsRelease> parse_lsb_release(std::string_view text, std::string_view) {
  auto vars = parse_assignments(text);
  OsRelease os;
  os.family = lower(get(vars, "DISTRIB_ID"));
  if (os.family.empty()) return fail(ErrorCode::kCorrupt, "lsb-release: no DISTRIB_ID");
  os.version = get(vars, "DISTRIB_RELEASE");
  os.codename = get(vars, "DISTRIB_CODENAME");
  os.pretty_name = get(vars, "DISTRIB_DESCRIPTION");
  return os;
}

std::string_view first_line(std::string_view text) {
  std::vector<std::string_view> lines = split_lines(text);
  return lines.empty() ? std::string_view() : trim(lines[0]);
}

// "12.5" -> "12"; "bookworm/sid" (testing and unstable) stays as it is.
Result<OsRelease> parse_debian_version(std::string_view text, std::string_view) {
  std::string_view content = first_line(text);
  if (content.empty()) return fail(ErrorCode::kCorrupt, "debian_version: empty");
  OsRelease os;
  os.family = "debian";
  os.version = content[0] >= '0' && content[0] <= '9' ? content.substr(0, content.find('.')) : content;
  os.pretty_name = "Debian GNU/Linux " + std::string(content);
  return os;
}

Result<OsRelease> parse_alpine_release(std::string_view text, std::string_view) {
  std::string_view content = first_line(text);
  if (content.empty()) return fail(ErrorCode::kCorrupt, "alpine-release: empty");
  OsRelease os;
  os.family = "alpine";
  os.version = content;
  os.pretty_name = "Alpine Linux " + std::string(content);
  return os;
}

// Red Hat style "<distribution> release <version> (<codename>)".
struct RedHatName {
  std::string_view prefix;  // of the line
  std::string_view family;
};
constexpr std::array<RedHatName, 9> kRedHatNames = {{
    {"Red Hat Enterprise Linux", "rhel"},
    {"CentOS", "centos"},
    {"Rocky Linux", "rocky"},
    {"AlmaLinux", "almalinux"},
    {"Fedora", "fedora"},
    {"Oracle Linux", "ol"},
    {"Amazon Linux", "amzn"},
    {"Scientific Linux", "scientific"},
    {"openEuler", "openeuler"},
}};
// The family a release file implies when its line names no known distribution.
struct RedHatFile {
  std::string_view path;
  std::string_view family;
};
constexpr std::array<RedHatFile, 5> kRedHatFiles = {{
    {"etc/redhat-release", "rhel"},
    {"etc/centos-release", "centos"},
    {"etc/rocky-release", "rocky"},
    {"etc/almalinux-release", "almalinux"},
    {"etc/system-release", ""},
}};

Result<OsRelease> parse_redhat_release(std::string_view text, std::string_view path) {
  std::string_view line = first_line(text);
  size_t release = line.find(" release ");
  if (release == std::string_view::npos) return fail(ErrorCode::kCorrupt, "release file: no \"release\"");
  OsRelease os;
  for (const RedHatName& name : kRedHatNames) {
    if (line.starts_with(name.prefix)) {
      os.family = name.family;
      break;
    }
  }
  for (const RedHatFile& file : kRedHatFiles) {
    if (os.family.empty() && file.path == path) os.family = file.family;
  }
  if (os.family.empty()) return fail(ErrorCode::kCorrupt, "release file: unknown distribution");
  std::string_view rest = trim(line.substr(release + 9));
  os.version = rest.substr(0, rest.find_first_of(" \t"));
  if (size_t open = rest.find('('); open != std::string_view::npos) {
    size_t close = rest.find(')', open);
    if (close != std::string_view::npos) os.codename = trim(rest.substr(open + 1, close - open - 1));
  }
  if (os.version.empty()) return fail(ErrorCode::kCorrupt, "release file: no version");
  os.pretty_name = line;
  return os;
}

struct ReleaseFile {
  std::string_view path;
  Result<OsRelease> (*parse)(std::string_view text, std::string_view path);
};
constexpr std::array<ReleaseFile, 10> kReleaseFiles = {{
    {"etc/os-release", &parse_os_release},
    {"usr/lib/os-release", &parse_os_release},
    {"etc/lsb-release", &parse_lsb_release},
    {"etc/debian_version", &parse_debian_version},
    {"etc/alpine-release", &parse_alpine_release},
    {"etc/redhat-release", &parse_redhat_release},
    {"etc/centos-release", &parse_redhat_release},
    {"etc/rocky-release", &parse_redhat_release},
    {"etc/almalinux-release", &parse_redhat_release},
    {"etc/system-release", &parse_redhat_release},
}};

const ReleaseFile* release_file(std::string_view path) {
  for (const ReleaseFile& file : kReleaseFiles) {
    if (file.path == path) return &file;
  }
  return nullptr;
}

bool wants(std::string_view path, uint32_t, uint64_t) { return release_file(path) != nullptr; }

Result<void> analyze(const FileInput& file, Findings& out) {
  const ReleaseFile* kind = release_file(file.path);
  if (kind == nullptr) return fail(ErrorCode::kInvalidArgument, "not an OS release file");
  BULWARK_ASSIGN_OR_RETURN(OsRelease os, kind->parse(file.content, file.path));
  os.evidence = "/" + std::string(file.path);
  out.os = std::move(os);
  return ok();
}

}  // namespace

extern const Analyzer kOsReleaseAnalyzer;
const Analyzer kOsReleaseAnalyzer = {"os-release", &wants, &analyze, 64 << 10};

}  // namespace bulwark::scan
