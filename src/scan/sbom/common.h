// Pieces the SBOM writers (CycloneDX, SPDX, table) share: deterministic timestamps and ids, safe
// text, and how a package and the image are named. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "scan/package.h"

namespace bulwark::scan {

// `created` (RFC 3339, any offset, optional fraction) as UTC "YYYY-MM-DDThh:mm:ssZ"; anything else
// (empty, malformed, out of range) gives "1970-01-01T00:00:00Z". Never the wall clock: the same
// inventory always yields the same document.
std::string sbom_timestamp(std::string_view created);

// An RFC 4122 UUID string ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx") from the first 16 bytes of
// SHA-256(`seed`), with the version-4 and variant bits set.
std::string uuid_from(std::string_view seed);

// Lower-case hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

// `text` as valid UTF-8: each invalid byte becomes U+FFFD. JSON writers pass every string from
// the image through this.
std::string valid_utf8(std::string_view text);

// `text` safe for a terminal: valid UTF-8 with C0/C1 controls and DEL replaced by '?'.
std::string printable(std::string_view text);

// The package's purl: Package::purl when set, else purl_of(package, os).
std::string package_purl(const Package& package, const Inventory& inventory);

// The package's name as its ecosystem writes it in full: "@babel/core" (npm),
// "github.com/foo/bar" (golang), "vendor/name" (composer), "group:artifact" (maven), else the
// name alone (an OS package's namespace is its vendor, not part of its name).
std::string display_name(const Package& package);

// The version with the rpm epoch in front when it is not zero ("1:2.0-1.el8").
std::string display_version(const Package& package);

// The digest of the layer that introduced the package, or "" when unknown.
std::string_view layer_digest(const Package& package, const Inventory& inventory);

// The image as a purl (pkg:oci/NAME@DIGEST?arch=..&repository_url=..&tag=..) when the inventory
// has a manifest digest, else "".
std::string image_purl(const Inventory& inventory);

// The image's name for documents: Inventory::name, else the manifest digest, else "image".
std::string image_name(const Inventory& inventory);

}  // namespace bulwark::scan
