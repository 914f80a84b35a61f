// Version schemes: one total order per package ecosystem, looked up by purl type.
//
// A VersionScheme is a pair of plain functions. `compare` implements the ecosystem's own
// precedence rules (dpkg, rpmvercmp, apk-tools, SemVer 2.0, PEP 440, Maven ComparableVersion,
// Gem::Version, NuGet, or a generic dotted order) and is a total preorder on *all* strings: it
// never throws, and strings the ecosystem would reject (valid() == false) sort after every valid
// version, byte-wise among themselves. Versions the ecosystem considers equal compare 0 even when
// spelled differently ("1.0" and "1.0.0" in Maven, "1.0" and "1.0-0" in dpkg).
//
// The schemes live in static storage and are immutable; everything here is thread-safe.
#pragma once

#include <string_view>

namespace bulwark::vulndb {

struct VersionScheme {
  // The scheme's name ("deb", "rpm", "apk", "semver", "golang", "pep440", "maven", "rubygems",
  // "nuget", "composer", "generic"). The purl types it serves are listed in the table in schemes.cc.
  std::string_view name;
  // <0, 0 or >0 as a sorts before, with or after b.
  int (*compare)(std::string_view a, std::string_view b);
  // True if the ecosystem accepts v as a version string.
  bool (*valid)(std::string_view v);
};

// The scheme for a purl type ("deb", "rpm", "apk", "npm", "cargo", "golang", "pypi", "maven",
// "gem", "nuget", "composer", ...) or a scheme name ("semver", "pep440", "generic", ...), as
// used after "vers:". Null for a type nobody registered; callers that want a best effort use
// version_scheme_for("generic").
const VersionScheme* version_scheme_for(std::string_view purl_type);

}  // namespace bulwark::vulndb
