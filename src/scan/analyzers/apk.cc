// kApkAnalyzer: the Alpine packages of an image, from apk's database lib/apk/db/installed (also
// usr/lib/apk/db/installed, where apk-tools 3 may keep it).
//
// The database is blocks of "X:value" lines, one block per package, separated by blank lines. The
// analyzer reads P (name), V (version), A (arch), o (origin: the source package) and L (license).
// A license that is an SPDX expression ("MIT AND BSD-2-Clause") stays one string; an old-style
// space-separated list ("GPL-2.0-only LGPL-2.1-or-later") is split into its identifiers.
// Stateless; thread-safe.
#include <array>

#include "scan/analyzer.h"

namespace bulwark::scan {
namespace {

constexpr std::array<std::string_view, 2> kPaths = {"lib/apk/db/installed", "usr/lib/apk/db/installed"};
constexpr std::array<std::string_view, 3> kOperators = {"and", "or", "with"};

struct Record {
  std::string_view name, version, arch, origin, license;
  bool empty() const { return name.empty() && version.empty(); }
};

struct Field {
  char key;
  std::string_view Record::*slot;
};
constexpr std::array<Field, 5> kFields = {{
    {'P', &Record::name},
    {'V', &Record::version},
    {'A', &Record::arch},
    {'o', &Record::origin},
    {'L', &Record::license},
}};

bool is_operator(std::string_view word) {
  for (std::string_view op : kOperators) {
    if (word.size() != op.size()) continue;
    bool same = true;
    for (size_t i = 0; i < word.size(); ++i) same = same && (word[i] | 0x20) == op[i];
    if (same) return true;
  }
  return false;
}

std::vector<std::string> licenses_of(std::string_view text) {
  std::vector<std::string> words;
  while (true) {
    text = trim(text);
    if (text.empty()) break;
    size_t end = text.find_first_of(" \t");
    words.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end);
  }
  for (const std::string& word : words) {
    if (is_operator(word) || word.find_first_of("()") != std::string::npos) {
      // An expression: keep it whole, spaces normalised.
      std::string expression;
      for (const std::string& w : words) expression += (expression.empty() ? "" : " ") + w;
      return {expression};
    }
  }
  return words;
}

Result<void> add_package(const Record& record, std::vector<Package>& out) {
  if (record.name.empty() || record.version.empty()) {
    return fail(ErrorCode::kCorrupt, "apk: package record without P: or V:");
  }
  Package pkg;
  pkg.type = "apk";
  pkg.name = record.name;
  pkg.version = record.version;
  pkg.arch = record.arch;
  pkg.source_name = record.origin;
  pkg.licenses = licenses_of(record.license);
  out.push_back(std::move(pkg));
  return ok();
}

bool wants(std::string_view path, uint32_t, uint64_t) {
  for (std::string_view candidate : kPaths) {
    if (path == candidate) return true;
  }
  return false;
}

Result<void> analyze(const FileInput& file, Findings& out) {
  std::vector<Package> found;
  Record record;
  for (std::string_view line : split_lines(file.content)) {
    if (trim(line).empty()) {
      if (!record.empty()) BULWARK_TRY_VOID(add_package(record, found));
      record = Record{};
      continue;
    }
    if (line.size() < 2 || line[1] != ':') return fail(ErrorCode::kCorrupt, "apk: malformed line");
    for (const Field& field : kFields) {
      if (field.key == line[0]) record.*field.slot = trim(line.substr(2));
    }
  }
  if (!record.empty()) BULWARK_TRY_VOID(add_package(record, found));
  out.packages.insert(out.packages.end(), std::make_move_iterator(found.begin()),
                      std::make_move_iterator(found.end()));
  return ok();
}

}  // namespace

extern const Analyzer kApkAnalyzer;
const Analyzer kApkAnalyzer = {"apk", &wants, &analyze, 64 << 20};

}  // namespace bulwark::scan
