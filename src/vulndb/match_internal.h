// Shared between match.cc (the package-side helpers) and match_index.cc (the index): the rules
// tables both need. Internal to the matcher. Pure functions over static tables; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace bulwark::vulndb {

// How packages of one OS package type meet the feeds (table in match.cc).
struct OsPackageRule {
  std::string_view type;  // "deb", "apk", "rpm"
  bool source_version;    // compare the source package's version (else the binary's)
  bool binary_name;       // look the binary name up too, not only the source package's
};

// The rule for an OS package type; null for language ecosystems.
const OsPackageRule* os_package_rule(std::string_view type);

// normalize_package_name, appending to `out` (no allocation when `out` has room).
void append_normalized_name(std::string_view ecosystem, std::string_view name, std::string& out);

}  // namespace bulwark::vulndb
