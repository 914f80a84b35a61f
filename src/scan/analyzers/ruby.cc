// Ruby: installed gem specifications (.../specifications/NAME-VERSION.gemspec, also
// specifications/default/) and Gemfile.lock (the GEM sections' "    name (version)" specs).
// Gemspecs are Ruby code; only the plain assignments RubyGems itself writes are read:
//   s.name = "rake".freeze   s.version = "13.0.6"   s.version = Gem::Version.new("1.2")
//   s.licenses = ["MIT".freeze, "Ruby".freeze]    s.license = "MIT"
// Stateless; thread-safe.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scan/analyzer.h"
#include "scan/analyzers/lang_common.h"

namespace bulwark::scan {
namespace {

std::string_view parent_dir(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

bool wants_gemspec(std::string_view path, uint32_t, uint64_t) {
  constexpr std::string_view kSuffix = ".gemspec";
  std::string_view name = base_name(path);
  if (name.size() <= kSuffix.size() || name.substr(name.size() - kSuffix.size()) != kSuffix) {
    return false;
  }
  std::string_view dir = parent_dir(path);
  if (base_name(dir) == "default") dir = parent_dir(dir);
  return base_name(dir) == "specifications";
}

// Every string literal in `code`: "x", 'x' or %q{x}. Escapes are kept verbatim except \" / \'.
std::vector<std::string> string_literals(std::string_view code) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < code.size()) {
    char c = code[pos];
    char close = 0;
    if (c == '"' || c == '\'') {
      close = c;
      pos += 1;
    } else if (code.substr(pos, 3) == "%q{" || code.substr(pos, 3) == "%Q{") {
      close = '}';
      pos += 3;
    } else {
      ++pos;
      continue;
    }
    std::string literal;
    while (pos < code.size() && code[pos] != close) {
      if (code[pos] == '\\' && pos + 1 < code.size()) ++pos;
      literal += code[pos++];
    }
    ++pos;  // the closing quote (or the end)
    out.push_back(std::move(literal));
  }
  return out;
}

Result<void> analyze_gemspec(const FileInput& file, Findings& out) {
  if (file.content.find('\0') != std::string_view::npos) {
    return fail(ErrorCode::kInvalidArgument, "gemspec: not a text file");
  }
  Package package;
  package.type = "gem";
  for (std::string_view line : split_lines(file.content)) {
    std::string_view text = trim(line);
    // "<receiver>.<attribute> = <value>"
    size_t dot = text.find('.');
    size_t equals = text.find(" = ");
    if (dot == std::string_view::npos || equals == std::string_view::npos || dot > equals) continue;
    std::string_view receiver = text.substr(0, dot);
    if (receiver.empty() || receiver.find_first_of(" (\"'") != std::string_view::npos) continue;
    std::string_view attribute = trim(text.substr(dot + 1, equals - dot - 1));
    std::vector<std::string> literals = string_literals(text.substr(equals + 3));
    if (literals.empty()) continue;
    if (attribute == "name" && package.name.empty()) {
      package.name = literals.front();
    } else if (attribute == "version" && package.version.empty()) {
      package.version = literals.front();
    } else if (attribute == "licenses" || attribute == "license") {
      package.licenses.clear();  // Ruby: the last assignment wins
      for (std::string& license : literals) {
        if (!license.empty()) package.licenses.push_back(std::move(license));
      }
    }
  }
  if (package.name.empty() || package.version.empty()) {
    return fail(ErrorCode::kInvalidArgument, "gemspec: no name or version");
  }
  out.packages.push_back(std::move(package));
  return ok();
}

bool wants_gemfile_lock(std::string_view path, uint32_t, uint64_t) {
  return base_name(path) == "Gemfile.lock" || base_name(path) == "gems.locked";
}

Result<void> analyze_gemfile_lock(const FileInput& file, Findings& out) {
  if (file.content.find('\0') != std::string_view::npos) {
    return fail(ErrorCode::kInvalidArgument, "Gemfile.lock: not a text file");
  }
  PackageSet found;
  bool any_section = false;
  bool in_gem = false;
  size_t number = 0;
  for (std::string_view line : split_lines(file.content)) {
    ++number;
    if (trim(line).empty()) continue;
    size_t indent = line.find_first_not_of(' ');
    if (indent == 0) {
      any_section = true;
      in_gem = line == "GEM";
      continue;
    }
    if (!any_section) {
      return fail(ErrorCode::kInvalidArgument, "Gemfile.lock: text before the first section");
    }
    if (!in_gem || indent != 4) continue;
    // "    name (version)"
    std::string_view spec = trim(line);
    size_t open = spec.find(" (");
    if (open == std::string_view::npos || open == 0 || spec.back() != ')' ||
        open + 3 > spec.size()) {
      return fail(ErrorCode::kInvalidArgument,
                  "Gemfile.lock: line " + std::to_string(number) + ": not \"name (version)\"");
    }
    std::string_view version = spec.substr(open + 2, spec.size() - open - 3);
    if (version.empty()) {
      return fail(ErrorCode::kInvalidArgument,
                  "Gemfile.lock: line " + std::to_string(number) + ": empty version");
    }
    Package package;
    package.type = "gem";
    package.name = std::string(spec.substr(0, open));
    package.version = std::string(version);
    found.add(std::move(package));
  }
  if (!any_section) return fail(ErrorCode::kInvalidArgument, "Gemfile.lock: no sections");
  found.move_to(out);
  return ok();
}

}  // namespace

extern const Analyzer kGemspecAnalyzer, kGemfileLockAnalyzer;
const Analyzer kGemspecAnalyzer = {"gemspec", &wants_gemspec, &analyze_gemspec, 4 << 20};
const Analyzer kGemfileLockAnalyzer = {"gemfile-lock", &wants_gemfile_lock, &analyze_gemfile_lock,
                                       16 << 20};

}  // namespace bulwark::scan
