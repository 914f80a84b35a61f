// .NET: *.deps.json (the runtime dependency manifest next to an application; "libraries" entries
// of type "package", keyed "Name/1.2.3") and NuGet's packages.lock.json (per target framework,
// "resolved" versions; project references skipped). purl type "nuget". Stateless; thread-safe.
#include <string>
#include <string_view>
#include <utility>

#include "scan/analyzer.h"
#include "scan/analyzers/lang_common.h"

namespace bulwark::scan {
namespace {

namespace json = boost::json;

Package nuget_package(std::string_view name, std::string_view version) {
  Package package;
  package.type = "nuget";
  package.name = std::string(name);
  package.version = std::string(version);
  return package;
}

bool wants_deps(std::string_view path, uint32_t, uint64_t) {
  constexpr std::string_view kSuffix = ".deps.json";
  std::string_view name = base_name(path);
  return name.size() > kSuffix.size() && name.substr(name.size() - kSuffix.size()) == kSuffix;
}

Result<void> analyze_deps(const FileInput& file, Findings& out) {
  BULWARK_ASSIGN_OR_RETURN(json::object doc, lang_parse_json_object(file.content, "deps.json"));
  const json::object* libraries = json_object_member(doc, "libraries");
  if (libraries == nullptr) {
    return fail(ErrorCode::kInvalidArgument, "deps.json: no \"libraries\" object");
  }
  PackageSet found;
  for (const auto& entry : *libraries) {
    if (!entry.value().is_object()) {
      return fail(ErrorCode::kInvalidArgument, "deps.json: library is not an object");
    }
    if (json_string_member(entry.value().get_object(), "type") != "package") continue;
    std::string_view key(entry.key().data(), entry.key().size());
    size_t slash = key.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == key.size()) {
      return fail(ErrorCode::kInvalidArgument, "deps.json: library key is not \"Name/Version\"");
    }
    found.add(nuget_package(key.substr(0, slash), key.substr(slash + 1)));
  }
  found.move_to(out);
  return ok();
}

bool wants_lock(std::string_view path, uint32_t, uint64_t) {
  return base_name(path) == "packages.lock.json";
}

Result<void> analyze_lock(const FileInput& file, Findings& out) {
  BULWARK_ASSIGN_OR_RETURN(json::object doc,
                           lang_parse_json_object(file.content, "packages.lock.json"));
  const json::object* frameworks = json_object_member(doc, "dependencies");
  if (frameworks == nullptr) {
    return fail(ErrorCode::kInvalidArgument, "packages.lock.json: no \"dependencies\" object");
  }
  PackageSet found;
  for (const auto& framework : *frameworks) {
    if (!framework.value().is_object()) {
      return fail(ErrorCode::kInvalidArgument, "packages.lock.json: framework is not an object");
    }
    for (const auto& dependency : framework.value().get_object()) {
      if (!dependency.value().is_object()) {
        return fail(ErrorCode::kInvalidArgument, "packages.lock.json: entry is not an object");
      }
      const json::object& info = dependency.value().get_object();
      if (json_string_member(info, "type") == "Project") continue;
      std::string_view version = json_string_member(info, "resolved");
      std::string_view name(dependency.key().data(), dependency.key().size());
      if (version.empty() || name.empty()) continue;
      found.add(nuget_package(name, version));
    }
  }
  found.move_to(out);
  return ok();
}

}  // namespace

extern const Analyzer kDotnetDepsAnalyzer, kNugetLockAnalyzer;
const Analyzer kDotnetDepsAnalyzer = {"dotnet-deps", &wants_deps, &analyze_deps, 32 << 20};
const Analyzer kNugetLockAnalyzer = {"nuget-lock", &wants_lock, &analyze_lock, 32 << 20};

}  // namespace bulwark::scan
