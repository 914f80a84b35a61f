// PHP Composer: composer.lock ("packages" and "packages-dev") and vendor/composer/installed.json
// (Composer 1's top-level array and Composer 2's {"packages": [...], "dev-package-names": [...]}).
// "vendor/pkg" becomes namespace_ "vendor", name "pkg". Stateless; thread-safe.
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "scan/analyzer.h"
#include "scan/analyzers/lang_common.h"

namespace bulwark::scan {
namespace {

namespace json = boost::json;

bool wants(std::string_view path, uint32_t, uint64_t) {
  return base_name(path) == "composer.lock" || path_ends_with(path, "composer/installed.json");
}

// One array of package objects; `dev_names` marks dev packages of installed.json v2.
Result<void> read_packages(const json::array& packages, bool dev,
                           const std::set<std::string_view>& dev_names, PackageSet& found) {
  for (const json::value& entry : packages) {
    if (!entry.is_object()) {
      return fail(ErrorCode::kInvalidArgument, "composer: package is not an object");
    }
    const json::object& info = entry.get_object();
    std::string_view name = json_string_member(info, "name");
    std::string_view version = json_string_member(info, "version");
    if (name.empty() || version.empty()) {
      return fail(ErrorCode::kInvalidArgument, "composer: package without name or version");
    }
    Package package;
    package.type = "composer";
    set_namespaced_name(name, false, package);
    package.version = std::string(version);
    package.dev = dev || dev_names.count(name) > 0;
    if (auto it = info.find("license"); it != info.end()) {
      package.licenses = json_licenses(it->value());
    }
    found.add(std::move(package));
  }
  return ok();
}

Result<void> analyze(const FileInput& file, Findings& out) {
  bool lock = base_name(file.path) == "composer.lock";
  BULWARK_ASSIGN_OR_RETURN(json::value doc, lang_parse_json(file.content, "composer"));
  PackageSet found;
  std::set<std::string_view> dev_names;
  if (!lock && doc.is_array()) {  // installed.json of Composer 1
    BULWARK_TRY_VOID(read_packages(doc.get_array(), false, dev_names, found));
  } else if (doc.is_object()) {
    const json::object& object = doc.get_object();
    const json::array* packages = json_array_member(object, "packages");
    if (packages == nullptr) {
      return fail(ErrorCode::kInvalidArgument, "composer: no \"packages\" array");
    }
    if (const json::array* names = json_array_member(object, "dev-package-names")) {
      for (const json::value& name : *names) {
        if (name.is_string()) dev_names.emplace(name.get_string().data(), name.get_string().size());
      }
    }
    BULWARK_TRY_VOID(read_packages(*packages, false, dev_names, found));
    if (const json::array* dev = json_array_member(object, "packages-dev")) {
      BULWARK_TRY_VOID(read_packages(*dev, true, dev_names, found));
    }
  } else {
    return fail(ErrorCode::kInvalidArgument, "composer: not a JSON object");
  }
  found.move_to(out);
  return ok();
}

}  // namespace

extern const Analyzer kComposerAnalyzer;
const Analyzer kComposerAnalyzer = {"composer", &wants, &analyze, 64 << 20};

}  // namespace bulwark::scan
