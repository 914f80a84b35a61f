// Package URLs (https://github.com/package-url/purl-spec) for inventory packages.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scan/package.h"

namespace bulwark::scan {

// The components of a purl before normalisation and encoding.
struct PurlParts {
  std::string type;        // "deb", "npm", "oci", ...
  std::string namespace_;  // '/'-separated segments, may be empty
  std::string name;
  std::string version;  // may be empty
  // Key/value pairs in any order; pairs with an empty value are dropped.
  std::vector<std::pair<std::string, std::string>> qualifiers;
  std::string subpath;  // '/'-separated, may be empty
};

// The canonical purl string of `parts`: the type's case rules (e.g. npm and composer lower-case,
// pypi PEP 503 names; golang keeps its case), percent-encoding, qualifiers sorted by key.
std::string build_purl(const PurlParts& parts);

// The purl of `package`: type, namespace (OS packages: the OS family, e.g. pkg:deb/debian/...),
// name, version (rpm: "EPOCH:" is a qualifier, not part of the version) and qualifiers in
// lexical order (arch, distro="debian-12", epoch, upstream=source). Components are
// percent-encoded as the spec says.
std::string purl_of(const Package& package, const std::optional<OsRelease>& os);

}  // namespace bulwark::scan
