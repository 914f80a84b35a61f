// The inventory model: what the scanner found in one image (one platform manifest).
//
// Analyzers fill Package and OsRelease from the files they read; the walker adds the layer that
// introduced each package; sbom/ turns an Inventory into CycloneDX, SPDX or a table. Plain value
// types; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bulwark::scan {

// The operating system of the image, from /etc/os-release or a distribution release file.
struct OsRelease {
  std::string family;       // os-release ID, lower case: "debian", "ubuntu", "alpine", "rhel", "centos", ...
  std::string version;      // VERSION_ID ("12", "3.19.1", "8.9"); for Debian testing the codename
  std::string codename;     // VERSION_CODENAME when known ("bookworm")
  std::string pretty_name;  // PRETTY_NAME, for humans
  std::string evidence;     // the file it came from, absolute ("/usr/lib/os-release")
};

// One package found in the image.
struct Package {
  // The purl type of the ecosystem: "deb", "apk", "rpm", "npm", "pypi", "golang", "maven",
  // "cargo", "gem", "composer", "nuget". Ecosystem-specific matching keys off this string.
  std::string type;
  std::string namespace_;  // purl namespace: maven groupId, npm scope ("@babel"), golang module
                           // path prefix; empty for OS packages (the OS vendor is added to purls)
  std::string name;        // as the ecosystem spells it (npm: without the scope; golang: last path part)
  std::string version;     // as the ecosystem spells it. deb: dpkg's full version (with epoch);
                           // rpm: "VERSION-RELEASE" (the epoch is separate); apk: "1.2.3-r0"
  std::optional<uint32_t> epoch;  // rpm only (deb keeps its epoch inside the version)
  std::string arch;               // OS packages: "amd64", "x86_64", "noarch", ...
  std::string source_name;        // deb: Source package; apk: origin; rpm: source rpm name
  std::string source_version;     // deb: source version; rpm: source rpm VERSION-RELEASE
  std::string modularity_label;   // rpm modularity label, if any
  std::vector<std::string> licenses;  // SPDX identifiers or expressions where known, else the text as found
  std::string evidence;  // the file that evidences it, absolute ("/var/lib/dpkg/status")
  bool dev = false;      // lock files: a development-only dependency
  // Set by the walker:
  int layer = -1;            // index into Inventory::layers of the layer that introduced it
  std::string purl;          // package URL (scan/purl.h), filled when the inventory is finalised
};

struct LayerInfo {
  std::string digest;      // the layer blob's digest as in the manifest ("sha256:...")
  std::string diff_id;     // the uncompressed digest from the image config, if known
  uint64_t size = 0;       // compressed size from the manifest
  std::string created_by;  // the history entry that made it, if the config says
};

// Everything known about one image manifest.
struct Inventory {
  std::string name;             // the reference as the user gave it ("docker.io/library/debian:12")
  std::string manifest_digest;  // "sha256:..." of the platform manifest
  std::string config_digest;
  std::string platform;         // "linux/amd64", "linux/arm64/v8"
  std::string created;          // the image config's "created" (RFC 3339), may be empty
  std::optional<OsRelease> os;
  std::vector<LayerInfo> layers;
  std::vector<Package> packages;    // sorted by (type, namespace, name, version, evidence)
  std::vector<std::string> warnings;  // files that could not be analysed, and why
};

}  // namespace bulwark::scan
