// Helpers shared by the language-package analyzers (npm, yarn, pnpm, python, ruby, php, dotnet):
// JSON parsing of untrusted lock files, field access, npm-style "@scope/name" splitting, licence
// fields and de-duplication of reported packages. Pure functions (PackageSet is a plain value
// type); thread-safe / thread-compatible.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <boost/json/value.hpp>

#include "common/result.h"
#include "scan/analyzer.h"

namespace bulwark::scan {

// Parses `content` as strict JSON (duplicate keys rejected, bounded depth; a leading UTF-8 BOM is
// ignored). Errors are kInvalidArgument prefixed with `what` ("package-lock.json: ...").
Result<boost::json::value> lang_parse_json(std::string_view content, std::string_view what);

// Like lang_parse_json, but the document must be a JSON object.
Result<boost::json::object> lang_parse_json_object(std::string_view content,
                                                   std::string_view what);

// The string member `key` of `object`, or empty when absent or not a string.
std::string_view json_string_member(const boost::json::object& object, std::string_view key);
// The object / array member `key` of `object`, or nullptr when absent or of another kind.
const boost::json::object* json_object_member(const boost::json::object& object,
                                              std::string_view key);
const boost::json::array* json_array_member(const boost::json::object& object,
                                            std::string_view key);
// True when member `key` is the JSON literal true.
bool json_true_member(const boost::json::object& object, std::string_view key);

// Licences from a JSON licence field in any of its common shapes: "MIT", {"type": "MIT"},
// ["MIT", "ISC"] or [{"type": "MIT"}, ...]. Empty strings are dropped.
std::vector<std::string> json_licenses(const boost::json::value& field);

// Splits a "namespace/name" at its first '/' into Package::namespace_ and Package::name. With
// `npm_scope` only an npm scope counts ("@babel/core" -> "@babel", "core"; "core" stays whole);
// without it any prefix does (composer: "vendor/pkg" -> "vendor", "pkg").
void set_namespaced_name(std::string_view full, bool npm_scope, Package& package);
inline void set_npm_name(std::string_view full, Package& package) {
  set_namespaced_name(full, true, package);
}

// True if `path` has a "node_modules" component below its last one (the file lives inside an
// installed package tree). No allocation.
bool lang_inside_node_modules(std::string_view path);

// Removes a leading and trailing double or single quote pair: "\"x\"" -> "x".
std::string_view unquote(std::string_view text);

// Collects packages for one file, dropping repeats of (type, namespace, name, version); a repeat
// that is not dev clears the dev flag of the first (a package needed at run time is not dev-only).
class PackageSet {
 public:
  void add(Package package);
  // Moves the collected packages, in first-seen order, to `out`.
  void move_to(Findings& out);
  size_t size() const { return packages_.size(); }

 private:
  std::vector<Package> packages_;
  std::map<std::tuple<std::string, std::string, std::string, std::string>, size_t> index_;
};

}  // namespace bulwark::scan
