// npm: installed packages (node_modules/**/package.json) and npm lock files (package-lock.json
// v1/v2/v3, npm-shrinkwrap.json). Stateless; thread-safe.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scan/analyzer.h"
#include "scan/analyzers/lang_common.h"

namespace bulwark::scan {
namespace {

namespace json = boost::json;

constexpr std::string_view kNodeModules = "node_modules";

// The directory part of `path` without its last component ("a/b/c" -> "a/b"); empty at the top.
std::string_view parent_dir(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

// ".../node_modules/NAME/package.json" or ".../node_modules/@scope/NAME/package.json".
bool wants_package_json(std::string_view path, uint32_t, uint64_t) {
  if (base_name(path) != "package.json") return false;
  std::string_view dir = parent_dir(path);
  std::string_view name = base_name(dir);
  if (name.empty() || name.front() == '.' || name.front() == '@' || dir == name) return false;
  std::string_view parent = parent_dir(dir);
  std::string_view parent_name = base_name(parent);
  if (parent_name == kNodeModules) return true;
  if (parent_name.size() < 2 || parent_name.front() != '@' || parent == parent_name) return false;
  return base_name(parent_dir(parent)) == kNodeModules;
}

Result<void> analyze_package_json(const FileInput& file, Findings& out) {
  BULWARK_ASSIGN_OR_RETURN(json::object doc, lang_parse_json_object(file.content, "package.json"));
  std::string_view name = json_string_member(doc, "name");
  std::string_view version = json_string_member(doc, "version");
  // A package.json without both is not an installed package (e.g. a test fixture): nothing to say.
  if (name.empty() || version.empty()) return ok();
  Package package;
  package.type = "npm";
  set_npm_name(name, package);
  package.version = std::string(version);
  if (auto it = doc.find("license"); it != doc.end()) {
    package.licenses = json_licenses(it->value());
  } else if (auto legacy = doc.find("licenses"); legacy != doc.end()) {
    package.licenses = json_licenses(legacy->value());
  }
  out.packages.push_back(std::move(package));
  return ok();
}

bool wants_lock(std::string_view path, uint32_t, uint64_t) {
  std::string_view name = base_name(path);
  return (name == "package-lock.json" || name == "npm-shrinkwrap.json") &&
         !lang_inside_node_modules(path);
}

Package npm_package(std::string_view name, std::string_view version, bool dev) {
  Package package;
  package.type = "npm";
  // An alias ("my-lodash": "npm:lodash@4.17.21") installs the real package under another name.
  constexpr std::string_view kAlias = "npm:";
  if (version.substr(0, kAlias.size()) == kAlias) {
    std::string_view spec = version.substr(kAlias.size());
    size_t at = spec.find('@', 1);
    if (at != std::string_view::npos && at + 1 < spec.size()) {
      name = spec.substr(0, at);
      version = spec.substr(at + 1);
    }
  }
  set_npm_name(name, package);
  package.version = std::string(version);
  package.dev = dev;
  return package;
}

// lockfileVersion 2 and 3: "packages" keyed by install path ("node_modules/a/node_modules/b").
Result<void> lock_packages(const json::object& packages, PackageSet& found) {
  constexpr std::string_view kDir = "node_modules/";
  for (const auto& entry : packages) {
    std::string_view key(entry.key().data(), entry.key().size());
    if (key.empty()) continue;  // the project itself
    if (!entry.value().is_object()) {
      return fail(ErrorCode::kInvalidArgument, "package-lock.json: entry is not an object");
    }
    const json::object& info = entry.value().get_object();
    if (json_true_member(info, "link")) continue;  // a symlink to a workspace folder
    size_t last = key.rfind(kDir);
    if (last == std::string_view::npos || (last > 0 && key[last - 1] != '/')) {
      continue;  // a workspace folder, the project's own code
    }
    std::string_view name = json_string_member(info, "name");
    if (name.empty()) name = key.substr(last + kDir.size());
    std::string_view version = json_string_member(info, "version");
    if (name.empty() || version.empty()) continue;
    Package package = npm_package(name, version, json_true_member(info, "dev"));
    if (auto it = info.find("license"); it != info.end()) {
      package.licenses = json_licenses(it->value());
    }
    found.add(std::move(package));
  }
  return ok();
}

// lockfileVersion 1: nested "dependencies" objects. Walked with an explicit stack (the JSON
// parser already bounds the nesting).
Result<void> lock_dependencies(const json::object& top, PackageSet& found) {
  std::vector<const json::object*> stack = {&top};
  while (!stack.empty()) {
    const json::object* dependencies = stack.back();
    stack.pop_back();
    for (const auto& entry : *dependencies) {
      if (!entry.value().is_object()) {
        return fail(ErrorCode::kInvalidArgument, "package-lock.json: dependency is not an object");
      }
      const json::object& info = entry.value().get_object();
      std::string_view version = json_string_member(info, "version");
      std::string_view name(entry.key().data(), entry.key().size());
      if (!version.empty() && !name.empty()) {
        found.add(npm_package(name, version, json_true_member(info, "dev")));
      }
      if (const json::object* nested = json_object_member(info, "dependencies")) {
        stack.push_back(nested);
      }
    }
  }
  return ok();
}

Result<void> analyze_lock(const FileInput& file, Findings& out) {
  BULWARK_ASSIGN_OR_RETURN(json::object doc,
                           lang_parse_json_object(file.content, "package-lock.json"));
  auto version = doc.find("lockfileVersion");
  if (version == doc.end() || !version->value().is_number()) {
    return fail(ErrorCode::kInvalidArgument, "package-lock.json: no lockfileVersion");
  }
  PackageSet found;
  if (const json::object* packages = json_object_member(doc, "packages")) {
    BULWARK_TRY_VOID(lock_packages(*packages, found));
  } else if (const json::object* dependencies = json_object_member(doc, "dependencies")) {
    BULWARK_TRY_VOID(lock_dependencies(*dependencies, found));
  }
  found.move_to(out);
  return ok();
}

}  // namespace

extern const Analyzer kNpmPackageAnalyzer, kNpmLockAnalyzer;
const Analyzer kNpmPackageAnalyzer = {"npm-package", &wants_package_json, &analyze_package_json,
                                      4 << 20};
const Analyzer kNpmLockAnalyzer = {"npm-lock", &wants_lock, &analyze_lock, 128 << 20};

}  // namespace bulwark::scan
