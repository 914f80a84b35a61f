// The matcher's package-side helpers (match.h): which distribution release an image is, package
// names as the feeds spell and compare them, and MatchPackage from scan::Package. Each rule is one
// table. The index and the matching itself are in match_index.cc. Pure functions; thread-safe.
#include "vulndb/match.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>

#include "vulndb/match_internal.h"
#include "vulndb/sources/debian_releases.h"

namespace bulwark::vulndb {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// The leading run of `parts` dot-separated numeric components of a VERSION_ID ("8.9" -> "8" for
// 1, "3.19.1" -> "3.19" for 2); empty when the version does not start with that many numbers.
std::string numeric_prefix(std::string_view version, int parts) {
  size_t i = 0;
  for (int part = 0; part < parts; ++part) {
    if (part > 0) {
      if (i >= version.size() || version[i] != '.') return {};
      ++i;
    }
    const size_t start = i;
    while (i < version.size() && is_digit(version[i])) ++i;
    if (i == start) return {};
  }
  return std::string(version.substr(0, i));
}

std::string release_major(const scan::OsRelease& os) { return numeric_prefix(os.version, 1); }
std::string release_whole(const scan::OsRelease& os) { return os.version; }
std::string release_none(const scan::OsRelease&) { return {}; }

// Debian: VERSION_ID is the major release ("12"). Testing and unstable images carry no VERSION_ID
// (the scanner then reports the codename, or "trixie/sid" from /etc/debian_version) and cannot be
// told apart: a testing codename maps to the release number the tracker files that codename
// under (sources/debian_releases.h, the importer's own table), the conservative choice for both
// (testing lags unstable, so its records name at least as many open issues); "sid" alone is
// "unstable".
std::string release_debian(const scan::OsRelease& os) {
  if (std::string major = numeric_prefix(os.version, 1); !major.empty()) return major;
  std::string_view name = os.version.empty() ? std::string_view(os.codename) : os.version;
  name = name.substr(0, name.find('/'));  // "trixie/sid"
  constexpr std::string_view kPrefix = "debian:";
  if (std::string_view distro = debian_distro_of(name); distro.starts_with(kPrefix)) {
    return std::string(distro.substr(kPrefix.size()));  // "sid" -> "unstable"
  }
  if (name == "unstable") return "unstable";
  return {};
}

// Alpine: major.minor of VERSION_ID ("3.19.1" -> "3.19"); edge images have a prerelease
// VERSION_ID ("3.20.0_alpha20240315") and are filed under "edge".
std::string release_alpine(const scan::OsRelease& os) {
  if (os.version.find("_alpha") != std::string::npos || os.version == "edge") return "edge";
  return numeric_prefix(os.version, 2);
}

// openSUSE Leap: the OSV ecosystem "openSUSE:Leap 15.5" becomes "opensuse:leap 15.5".
std::string release_leap(const scan::OsRelease& os) {
  return os.version.empty() ? std::string() : "leap " + os.version;
}

struct OsDistro {
  std::string_view os_id;   // os-release ID
  std::string_view distro;  // the name the importers file advisories under
  std::string (*release)(const scan::OsRelease& os);
  bool needs_release;  // no distro without a release
};

// os-release ID -> the importers' distro names (sources/debian.cc, alpine.cc, osv.cc's table).
constexpr std::array<OsDistro, 14> kOsDistros = {{
    {"debian", "debian", release_debian, true},
    {"ubuntu", "ubuntu", release_whole, true},  // "22.04"
    {"alpine", "alpine", release_alpine, true},
    {"almalinux", "almalinux", release_major, true},
    {"rocky", "rocky", release_major, true},
    {"rhel", "redhat", release_major, true},
    {"centos", "redhat", release_major, true},  // built from RHEL sources; Red Hat's data applies
    {"ol", "oracle", release_major, true},
    {"amzn", "amazon", release_whole, true},  // "2", "2023"
    {"mageia", "mageia", release_whole, true},
    {"photon", "photon", release_whole, true},  // "5.0"
    {"opensuse-leap", "opensuse", release_leap, true},
    {"wolfi", "wolfi", release_none, false},  // rolling: the OSV ecosystem has no release
    {"chainguard", "chainguard", release_none, false},
}};

// ---- package names ----------------------------------------------------------------------------

void name_as_is(std::string_view name, std::string& out) { out.append(name); }

void name_lower(std::string_view name, std::string& out) {
  for (char c : name) out.push_back(to_lower(c));
}

// PEP 503: lower case, every run of '-', '_' and '.' one '-'.
void name_pep503(std::string_view name, std::string& out) {
  bool in_run = false;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (!in_run) out.push_back('-');
      in_run = true;
    } else {
      out.push_back(to_lower(c));
      in_run = false;
    }
  }
}

// crates.io: case-insensitive, '-' and '_' the same crate.
void name_cargo(std::string_view name, std::string& out) {
  for (char c : name) out.push_back(c == '_' ? '-' : to_lower(c));
}

struct NameRule {
  std::string_view ecosystem;
  void (*normalize)(std::string_view name, std::string& out);
};
constexpr std::array<NameRule, 4> kNameRules = {{
    {"pypi", name_pep503},
    {"nuget", name_lower},
    {"composer", name_lower},
    {"cargo", name_cargo},
}};

// How the feeds join an inventory package's namespace and name.
struct FeedName {
  std::string_view type;
  std::string_view separator;
  std::string_view namespace_prefix;  // added when the namespace lacks it (npm "@scope")
};
constexpr std::array<FeedName, 4> kFeedNames = {{
    {"golang", "/", ""},
    {"maven", ":", ""},
    {"npm", "/", "@"},
    {"composer", "/", ""},
}};

// OS package types: matched by source package within the image's distribution (match.h). The
// Debian tracker, Debian/Ubuntu OSV and Alpine secdb speak of source packages and their versions;
// the RPM feeds (AlmaLinux, Rocky OSV) name binary packages with the binary's
// epoch:version-release.
constexpr std::array<OsPackageRule, 3> kOsPackageRules = {{
    {"deb", true, false},
    {"apk", true, false},
    {"rpm", false, true},
}};

}  // namespace

const OsPackageRule* os_package_rule(std::string_view type) {
  for (const OsPackageRule& rule : kOsPackageRules) {
    if (rule.type == type) return &rule;
  }
  return nullptr;
}

void append_normalized_name(std::string_view ecosystem, std::string_view name, std::string& out) {
  for (const NameRule& rule : kNameRules) {
    if (rule.ecosystem == ecosystem) {
      rule.normalize(name, out);
      return;
    }
  }
  name_as_is(name, out);
}

std::string distro_of(const scan::OsRelease& os) {
  for (const OsDistro& d : kOsDistros) {
    if (d.os_id != os.family) continue;
    const std::string release = d.release(os);
    if (release.empty()) return d.needs_release ? std::string() : std::string(d.distro);
    return std::string(d.distro) + ":" + release;
  }
  return {};
}

std::string normalize_package_name(std::string_view ecosystem, std::string_view name) {
  std::string out;
  out.reserve(name.size());
  append_normalized_name(ecosystem, name, out);
  return out;
}

std::string feed_package_name(const scan::Package& package) {
  if (package.namespace_.empty()) return package.name;
  for (const FeedName& f : kFeedNames) {
    if (f.type != package.type) continue;
    std::string out;
    if (!package.namespace_.starts_with(f.namespace_prefix)) out.append(f.namespace_prefix);
    out.append(package.namespace_).append(f.separator).append(package.name);
    return out;
  }
  return package.name;
}

MatchPackage match_package(const scan::Package& package) {
  MatchPackage out;
  out.type = package.type;
  out.name = feed_package_name(package);
  out.version = package.version;
  // rpm keeps the epoch apart; the feeds write "E:V-R" (an epoch of 0 is the same as none).
  if (package.type == "rpm" && package.epoch.value_or(0) != 0 && !package.version.empty()) {
    out.version = std::to_string(*package.epoch) + ":" + package.version;
  }
  if (const OsPackageRule* rule = os_package_rule(package.type)) {
    out.source_name = package.source_name.empty() ? out.name : package.source_name;
    if (rule->source_version) {
      out.source_version =
          package.source_version.empty() ? package.version : package.source_version;
    }
  }
  out.purl = package.purl;
  return out;
}

MatchResult match_inventory(const MatchIndex& index, const scan::Inventory& inventory) {
  MatchInput input;
  if (inventory.os) input.distro = distro_of(*inventory.os);
  input.packages.reserve(inventory.packages.size());
  for (const scan::Package& package : inventory.packages) {
    input.packages.push_back(match_package(package));
  }
  return index.match(input);
}

}  // namespace bulwark::vulndb
