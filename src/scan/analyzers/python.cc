// Python: installed distributions (*.dist-info/METADATA, *.egg-info/PKG-INFO, *.egg-info files)
// and lock/requirement files (poetry.lock, Pipfile.lock, requirements*.txt exact pins). Names are
// kept as written (normalisation is the matcher's business); purl type "pypi".
// Stateless; thread-safe.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scan/analyzer.h"
#include "scan/analyzers/lang_common.h"
#include "common/toml.h"

namespace bulwark::scan {
namespace {

namespace json = boost::json;

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}
bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// The name of the directory holding `path` ("a/b.dist-info/METADATA" -> "b.dist-info").
std::string_view parent_name(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {};
  return base_name(path.substr(0, slash));
}

Package pypi_package(std::string_view name, std::string_view version, bool dev = false) {
  Package package;
  package.type = "pypi";
  package.name = std::string(name);
  package.version = std::string(version);
  package.dev = dev;
  return package;
}

// ---- METADATA / PKG-INFO (core metadata, RFC 822 headers) ----

bool wants_metadata(std::string_view path, uint32_t, uint64_t) {
  std::string_view name = base_name(path);
  if (name == "METADATA") return ends_with(parent_name(path), ".dist-info");
  if (name == "PKG-INFO") {
    std::string_view parent = parent_name(path);
    return ends_with(parent, ".egg-info") || parent == "EGG-INFO";
  }
  return ends_with(name, ".egg-info") && name.size() > 9;  // the single-file form
}

// Trove licence classifiers (after "License :: " and "OSI Approved :: ") with an SPDX id.
struct ClassifierLicense {
  std::string_view classifier;
  std::string_view spdx;
};
constexpr ClassifierLicense kClassifierLicenses[] = {
    {"MIT License", "MIT"},
    {"MIT No Attribution License (MIT-0)", "MIT-0"},
    {"Apache Software License", "Apache-2.0"},
    {"ISC License (ISCL)", "ISC"},
    {"Mozilla Public License 1.1 (MPL 1.1)", "MPL-1.1"},
    {"Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0"},
    {"GNU General Public License v2 (GPLv2)", "GPL-2.0-only"},
    {"GNU General Public License v2 or later (GPLv2+)", "GPL-2.0-or-later"},
    {"GNU General Public License v3 (GPLv3)", "GPL-3.0-only"},
    {"GNU General Public License v3 or later (GPLv3+)", "GPL-3.0-or-later"},
    {"GNU Lesser General Public License v2 (LGPLv2)", "LGPL-2.0-only"},
    {"GNU Lesser General Public License v2 or later (LGPLv2+)", "LGPL-2.0-or-later"},
    {"GNU Lesser General Public License v3 (LGPLv3)", "LGPL-3.0-only"},
    {"GNU Lesser General Public License v3 or later (LGPLv3+)", "LGPL-3.0-or-later"},
    {"GNU Affero General Public License v3", "AGPL-3.0-only"},
    {"GNU Affero General Public License v3 or later (AGPLv3+)", "AGPL-3.0-or-later"},
    {"Python Software Foundation License", "PSF-2.0"},
    {"The Unlicense (Unlicense)", "Unlicense"},
    {"Eclipse Public License 1.0 (EPL-1.0)", "EPL-1.0"},
    {"Eclipse Public License 2.0 (EPL-2.0)", "EPL-2.0"},
    {"Boost Software License 1.0 (BSL-1.0)", "BSL-1.0"},
    {"Universal Permissive License (UPL)", "UPL-1.0"},
    {"zlib/libpng License", "Zlib"},
    {"CC0 1.0 Universal (CC0 1.0) Public Domain Dedication", "CC0-1.0"},
};

// "License :: OSI Approved :: MIT License" -> "MIT"; an unknown licence keeps its text; the bare
// "License :: OSI Approved" says nothing.
std::string_view classifier_license(std::string_view classifier) {
  constexpr std::string_view kLicense = "License :: ";
  constexpr std::string_view kOsi = "OSI Approved :: ";
  if (!starts_with(classifier, kLicense)) return {};
  std::string_view rest = classifier.substr(kLicense.size());
  if (starts_with(rest, kOsi)) rest.remove_prefix(kOsi.size());
  if (rest == "OSI Approved") return {};
  for (const ClassifierLicense& entry : kClassifierLicenses) {
    if (entry.classifier == rest) return entry.spdx;
  }
  return rest;
}

Result<void> analyze_metadata(const FileInput& file, Findings& out) {
  if (file.content.find('\0') != std::string_view::npos) {
    return fail(ErrorCode::kInvalidArgument, "METADATA: not a text file");
  }
  std::string_view name, version, expression, license;
  bool license_multi_line = false;
  std::vector<std::string> classified;
  std::string_view last_key;
  for (std::string_view line : split_lines(file.content)) {
    if (line.empty()) break;  // the headers end; the description follows
    // (whitespace-only lines are continuations: PKG-INFO 1.x folds blank description lines so)
    if (line.front() == ' ' || line.front() == '\t') {  // a continuation line
      if (last_key == "License") license_multi_line = true;
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return fail(ErrorCode::kInvalidArgument, "METADATA: not a header line");
    }
    std::string_view key = line.substr(0, colon);
    std::string_view value = trim(line.substr(colon + 1));
    last_key = key;
    if (key == "Name" && name.empty()) name = value;
    if (key == "Version" && version.empty()) version = value;
    if (key == "License-Expression") expression = value;
    if (key == "License") license = value;
    if (key == "Classifier") {
      std::string_view spdx = classifier_license(value);
      if (!spdx.empty()) classified.emplace_back(spdx);
    }
  }
  if (name.empty() || version.empty()) {
    return fail(ErrorCode::kInvalidArgument, "METADATA: no Name or Version");
  }
  Package package = pypi_package(name, version);
  if (!expression.empty()) {
    package.licenses = {std::string(expression)};
  } else if (!classified.empty()) {
    package.licenses = std::move(classified);
  } else if (!license.empty() && license != "UNKNOWN" && !license_multi_line &&
             license.size() <= 200) {
    package.licenses = {std::string(license)};  // not a whole licence text
  }
  out.packages.push_back(std::move(package));
  return ok();
}

// ---- poetry.lock ----

bool wants_poetry(std::string_view path, uint32_t, uint64_t) {
  return base_name(path) == "poetry.lock";
}

Result<void> analyze_poetry(const FileInput& file, Findings& out) {
  auto doc = parse_toml(file.content);
  if (!doc) {
    return fail(ErrorCode::kInvalidArgument, "poetry.lock: " + doc.error().message);
  }
  const TomlValue* packages = doc->find("package");
  if (packages == nullptr) {
    if (doc->find("metadata") != nullptr) return ok();  // a project without dependencies
    return fail(ErrorCode::kInvalidArgument, "poetry.lock: no [[package]] or [metadata]");
  }
  if (packages->kind != TomlValue::Kind::kArray) {
    return fail(ErrorCode::kInvalidArgument, "poetry.lock: package is not an array of tables");
  }
  PackageSet found;
  for (const TomlValue& entry : packages->items) {
    std::string_view name = entry.string("name");
    std::string_view version = entry.string("version");
    if (name.empty() || version.empty()) {
      return fail(ErrorCode::kInvalidArgument, "poetry.lock: package without name or version");
    }
    // Poetry before 1.5 marks development dependencies with category = "dev".
    found.add(pypi_package(name, version, entry.string("category") == "dev"));
  }
  found.move_to(out);
  return ok();
}

// ---- Pipfile.lock ----

bool wants_pipfile(std::string_view path, uint32_t, uint64_t) {
  return base_name(path) == "Pipfile.lock";
}

Result<void> analyze_pipfile(const FileInput& file, Findings& out) {
  BULWARK_ASSIGN_OR_RETURN(json::object doc, lang_parse_json_object(file.content, "Pipfile.lock"));
  const json::object* sections[] = {json_object_member(doc, "default"),
                                    json_object_member(doc, "develop")};
  if (sections[0] == nullptr && sections[1] == nullptr) {
    return fail(ErrorCode::kInvalidArgument, "Pipfile.lock: no default or develop section");
  }
  PackageSet found;
  for (int i = 0; i < 2; ++i) {
    if (sections[i] == nullptr) continue;
    for (const auto& entry : *sections[i]) {
      if (!entry.value().is_object()) {
        return fail(ErrorCode::kInvalidArgument, "Pipfile.lock: entry is not an object");
      }
      std::string_view version = json_string_member(entry.value().get_object(), "version");
      if (!starts_with(version, "==") || starts_with(version, "===")) continue;  // git, path
      version.remove_prefix(2);
      std::string_view name(entry.key().data(), entry.key().size());
      if (name.empty() || version.empty()) continue;
      found.add(pypi_package(name, version, i == 1));
    }
  }
  found.move_to(out);
  return ok();
}

// ---- requirements*.txt ----

bool wants_requirements(std::string_view path, uint32_t, uint64_t) {
  std::string_view name = base_name(path);
  return starts_with(name, "requirements") && ends_with(name, ".txt");
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}
bool is_space(char c) { return c == ' ' || c == '\t'; }

// "name[extra]==1.2.3 ; marker  # comment" -> name and version; false for anything but one
// exact "==" pin.
bool parse_pin(std::string_view line, std::string_view& name, std::string_view& version) {
  // A comment starts at a '#' at the start of the line or after whitespace.
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '#' && (i == 0 || is_space(line[i - 1]))) {
      line = line.substr(0, i);
      break;
    }
  }
  line = trim(line.substr(0, line.find(';')));  // environment markers
  if (!line.empty() && line.back() == '\\') line = trim(line.substr(0, line.size() - 1));
  if (line.empty() || line.front() == '-') return false;  // options (-r, -e, --hash, ...)
  size_t pos = 0;
  while (pos < line.size() && is_name_char(line[pos])) ++pos;
  if (pos == 0) return false;
  name = line.substr(0, pos);
  while (pos < line.size() && is_space(line[pos])) ++pos;
  if (pos < line.size() && line[pos] == '[') {  // extras
    size_t close = line.find(']', pos);
    if (close == std::string_view::npos) return false;
    pos = close + 1;
    while (pos < line.size() && is_space(line[pos])) ++pos;
  }
  std::string_view rest = line.substr(pos);
  if (!starts_with(rest, "==") || starts_with(rest, "===")) return false;
  rest = trim(rest.substr(2));
  size_t end = 0;
  while (end < rest.size() && !is_space(rest[end])) ++end;
  version = rest.substr(0, end);
  std::string_view after = trim(rest.substr(end));
  if (version.empty() || version.find_first_of("*,<>=!~@") != std::string_view::npos) return false;
  return after.empty() || after.front() == '-';  // trailing options such as --hash=...
}

Result<void> analyze_requirements(const FileInput& file, Findings& out) {
  if (file.content.find('\0') != std::string_view::npos) {
    return fail(ErrorCode::kInvalidArgument, "requirements: not a text file");
  }
  PackageSet found;
  for (std::string_view line : split_lines(file.content)) {
    std::string_view name, version;
    if (parse_pin(trim(line), name, version)) found.add(pypi_package(name, version));
  }
  found.move_to(out);
  return ok();
}

}  // namespace

extern const Analyzer kPythonMetadataAnalyzer, kPoetryLockAnalyzer, kPipfileLockAnalyzer,
    kRequirementsAnalyzer;
const Analyzer kPythonMetadataAnalyzer = {"python-metadata", &wants_metadata, &analyze_metadata,
                                          8 << 20};
const Analyzer kPoetryLockAnalyzer = {"poetry-lock", &wants_poetry, &analyze_poetry, 64 << 20};
const Analyzer kPipfileLockAnalyzer = {"pipfile-lock", &wants_pipfile, &analyze_pipfile, 64 << 20};
const Analyzer kRequirementsAnalyzer = {"requirements", &wants_requirements,
                                        &analyze_requirements, 4 << 20};

}  // namespace bulwark::scan
