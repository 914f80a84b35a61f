#include "scan/purl.h"

#include <algorithm>
#include <string_view>

namespace bulwark::scan {
namespace {

// How the distro qualifier is spelled for a type.
enum class Distro {
  kNone,           // no distro qualifier
  kFamilyVersion,  // "debian-12", "rhel-8.9"
  kVersion,        // "3.19.1" (apk)
};

// The per-type rules of PURL-TYPES that matter for the packages we report.
struct PurlType {
  std::string_view type;
  bool lower_namespace;  // the namespace is case-insensitive: lower-case it
  bool lower_name;       // the name is case-insensitive: lower-case it
  bool pep503_name;      // pypi: lower-case, runs of [-_.] become one '-'
  bool os_vendor;        // OS packages: the namespace is the OS vendor
  Distro distro;
};

// golang stays case-sensitive: Go module paths are (github.com/Azure/...); the type's 1.0
// definition says so and Trivy, Syft and ScanCode keep the case.
constexpr PurlType kTypes[] = {
    {"deb", true, true, false, true, Distro::kFamilyVersion},
    {"rpm", true, false, false, true, Distro::kFamilyVersion},
    {"apk", true, true, false, true, Distro::kVersion},
    {"npm", true, true, false, false, Distro::kNone},
    {"pypi", false, true, true, false, Distro::kNone},
    {"golang", false, false, false, false, Distro::kNone},
    {"maven", false, false, false, false, Distro::kNone},
    {"cargo", false, false, false, false, Distro::kNone},
    {"gem", false, false, false, false, Distro::kNone},
    {"composer", true, true, false, false, Distro::kNone},
    {"nuget", false, false, false, false, Distro::kNone},
    {"oci", false, true, false, false, Distro::kNone},
};

constexpr PurlType kOtherType = {"", false, false, false, false, Distro::kNone};

// os-release IDs whose purl vendor differs from the ID.
struct Vendor {
  std::string_view os_id, vendor;
};
constexpr Vendor kVendors[] = {
    {"rhel", "redhat"},
    {"ol", "oracle"},
    {"sles", "suse"},
    {"opensuse-leap", "opensuse"},
    {"opensuse-tumbleweed", "opensuse"},
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

const PurlType& type_rules(std::string_view type) {
  for (const auto& t : kTypes) {
    if (t.type == type) return t;
  }
  return kOtherType;
}

std::string vendor_of(std::string_view os_id) {
  std::string id = lower(os_id);
  for (const auto& v : kVendors) {
    if (v.os_id == id) return std::string(v.vendor);
  }
  return id;
}

// PEP 503: lower case, each run of '-', '_' and '.' becomes a single '-'.
std::string pep503(std::string_view name) {
  std::string out;
  bool in_run = false;
  for (char c : lower(name)) {
    if (c == '-' || c == '_' || c == '.') {
      if (!in_run) out += '-';
      in_run = true;
    } else {
      out += c;
      in_run = false;
    }
  }
  return out;
}

bool unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_' || c == '~';
}

// Percent-encodes everything but the unreserved characters, ':' (never encoded) and `keep`.
std::string encode(std::string_view s, std::string_view keep = "") {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (unreserved(c) || c == ':' || keep.find(ch) != std::string_view::npos) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

// Encodes each non-empty '/'-separated segment (dropping empty, and for subpaths '.'/'..', ones)
// and joins them with '/'.
std::string encode_segments(std::string_view path, bool drop_dots) {
  std::string out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    auto segment = path.substr(start, end - start);
    bool skip = segment.empty() || (drop_dots && (segment == "." || segment == ".."));
    if (!skip) {
      if (!out.empty()) out += '/';
      out += encode(segment);
    }
    start = end + 1;
  }
  return out;
}

std::string_view strip_slashes(std::string_view s) {
  while (!s.empty() && s.front() == '/') s.remove_prefix(1);
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return s;
}

}  // namespace

std::string build_purl(const PurlParts& parts) {
  const std::string type = lower(parts.type);
  const PurlType& rules = type_rules(type);

  std::string out = "pkg:" + type + "/";
  std::string ns = rules.lower_namespace ? lower(parts.namespace_) : parts.namespace_;
  std::string ns_encoded = encode_segments(ns, /*drop_dots=*/false);
  if (!ns_encoded.empty()) out += ns_encoded + "/";

  std::string_view raw_name = strip_slashes(parts.name);
  std::string name = rules.pep503_name  ? pep503(raw_name)
                     : rules.lower_name ? lower(raw_name)
                                        : std::string(raw_name);
  out += encode(name);

  if (!parts.version.empty()) out += "@" + encode(parts.version);

  // Sorted by key; a key given twice keeps its first non-empty value. Values keep '/' as the
  // spec's examples do (repository_url=https://...).
  std::vector<std::pair<std::string, std::string_view>> qualifiers;
  for (const auto& [key, value] : parts.qualifiers) {
    if (!value.empty()) qualifiers.emplace_back(lower(key), value);
  }
  std::stable_sort(qualifiers.begin(), qualifiers.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  char separator = '?';
  for (size_t i = 0; i < qualifiers.size(); ++i) {
    if (i > 0 && qualifiers[i].first == qualifiers[i - 1].first) continue;
    out += separator + qualifiers[i].first + "=" + encode(qualifiers[i].second, "/");
    separator = '&';
  }

  std::string subpath = encode_segments(parts.subpath, /*drop_dots=*/true);
  if (!subpath.empty()) out += "#" + subpath;
  return out;
}

std::string purl_of(const Package& package, const std::optional<OsRelease>& os) {
  const PurlType& rules = type_rules(lower(package.type));
  PurlParts parts;
  parts.type = package.type;
  parts.namespace_ = package.namespace_;
  parts.name = package.name;
  parts.version = package.version;
  if (rules.os_vendor && parts.namespace_.empty() && os) parts.namespace_ = vendor_of(os->family);

  parts.qualifiers.emplace_back("arch", package.arch);
  if (os && !os->version.empty()) {
    if (rules.distro == Distro::kFamilyVersion && !os->family.empty()) {
      parts.qualifiers.emplace_back("distro", lower(os->family) + "-" + os->version);
    } else if (rules.distro == Distro::kVersion) {
      parts.qualifiers.emplace_back("distro", os->version);
    }
  }
  if (package.epoch && *package.epoch != 0) {
    parts.qualifiers.emplace_back("epoch", std::to_string(*package.epoch));
  }
  if (rules.os_vendor && package.source_name != package.name) {
    parts.qualifiers.emplace_back("upstream", package.source_name);
  }
  return build_purl(parts);
}

}  // namespace bulwark::scan
