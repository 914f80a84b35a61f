// Go versions, one order for the three spellings a Go advisory or SBOM uses:
//  - module versions (golang.org/x/mod/semver): "v" required, "v1" and "v1.2" short for
//    "v1.0.0" and "v1.2.0", SemVer 2.0 precedence, build metadata ("+incompatible") ignored.
//    Pseudo-versions (v0.0.0-20191109021931-daa7c04131f5, v1.2.4-0.2019..., v1.2.4-pre.0.2019...)
//    are ordinary prereleases and sort as such;
//  - Go toolchain versions (go/version, internal/gover): "go1.21rc2", "1.19.8", "1.21", where the
//    language version "1.21" < "1.21rc1" < "1.21.0", "1.20" == "1.20.0" (before Go 1.21 the first
//    release had no ".0"), alpha < beta < rc, and a "-suffix" after "go1.x" is ignored;
//  - plain SemVer without "v" as OSV writes the standard library ("1.21.0-rc.1", "1.21.0-0").
// Toolchain versions map into SemVer: "1.21" is 1.21.0-0, "1.21rc1" is 1.21.0-rc.1,
// "1.9.2beta2" is 1.9.2-beta.2, so all three spellings compare with one another.
#include <optional>
#include <string_view>
#include <vector>

#include "vulndb/version/compare_util.h"
#include "vulndb/version/comparators.h"

namespace bulwark::vulndb::version_detail {
namespace {

struct GoVersion {
  std::string_view major, minor, patch;   // decimal strings without leading zeros
  std::vector<std::string_view> pre;      // prerelease identifiers, empty for a release
};


// A decimal without an unnecessary leading zero at the start of *s (consumed).
bool take_int(std::string_view* s, std::string_view* out) {
  size_t n = 0;
  while (n < s->size() && is_digit((*s)[n])) ++n;
  if (n == 0 || ((*s)[0] == '0' && n > 1)) return false;
  *out = s->substr(0, n);
  s->remove_prefix(n);
  return true;
}

// golang.org/x/mod/semver's grammar after the "v".
bool parse_semver(std::string_view s, GoVersion* v) {
  if (!take_int(&s, &v->major)) return false;
  v->minor = v->patch = "0";
  if (s.empty()) return true;  // "v1"
  if (s[0] != '.') return false;
  s.remove_prefix(1);
  if (!take_int(&s, &v->minor)) return false;
  if (s.empty()) return true;  // "v1.2"
  if (s[0] != '.') return false;
  s.remove_prefix(1);
  if (!take_int(&s, &v->patch)) return false;
  const size_t plus = s.find('+');
  if (plus != std::string_view::npos) {
    if (!split_semver_identifiers(s.substr(plus + 1), false, nullptr)) return false;
    s = s.substr(0, plus);
  }
  if (s.empty()) return true;
  return s[0] == '-' && split_semver_identifiers(s.substr(1), true, &v->pre);
}

// internal/gover's grammar: major[.minor[.patch]][kind[pre]], kind lower-case letters.
bool parse_toolchain(std::string_view s, GoVersion* v) {
  static constexpr std::string_view kLang = "0";  // "1.21" sorts as 1.21.0-0
  if (!take_int(&s, &v->major)) return false;
  v->minor = v->patch = "0";
  if (s.empty()) return true;  // "1" is 1.0.0
  if (s[0] != '.') return false;
  s.remove_prefix(1);
  if (!take_int(&s, &v->minor)) return false;
  bool has_patch = false;
  if (!s.empty() && s[0] == '.') {
    s.remove_prefix(1);
    if (!take_int(&s, &v->patch)) return false;
    has_patch = true;
  }
  if (s.empty()) {
    // Before Go 1.21, "1.N" was the first release itself; from 1.21 on it is the language.
    if (!has_patch && compare_digits(v->minor, "21") >= 0) v->pre = {kLang};
    return true;
  }
  size_t n = 0;
  while (n < s.size() && is_lower(s[n])) ++n;
  if (n == 0) return false;
  v->pre.push_back(s.substr(0, n));
  s.remove_prefix(n);
  if (!s.empty()) {
    std::string_view number;
    if (!take_int(&s, &number) || !s.empty()) return false;
    v->pre.push_back(number);
  }
  return true;
}

std::optional<GoVersion> parse(std::string_view s) {
  GoVersion v;
  if (s.starts_with('v')) {
    if (parse_semver(s.substr(1), &v)) return v;
  } else if (s.starts_with("go")) {
    s.remove_prefix(2);
    if (parse_toolchain(s.substr(0, s.find('-')), &v)) return v;  // "go1.21.0-bigcorp"
  } else {
    if (parse_toolchain(s, &v)) return v;
    v = GoVersion{};
    if (parse_semver(s, &v)) return v;
  }
  return std::nullopt;
}

bool golang_valid(std::string_view s) { return parse(s).has_value(); }

int compare_ident(std::string_view a, std::string_view b) {
  const bool na = all_digits(a), nb = all_digits(b);
  if (na && nb) return compare_digits(a, b);
  if (na != nb) return na ? -1 : 1;
  return compare_bytes(a, b);
}

int compare_parsed(const GoVersion& x, const GoVersion& y) {
  if (int r = compare_digits(x.major, y.major)) return r;
  if (int r = compare_digits(x.minor, y.minor)) return r;
  if (int r = compare_digits(x.patch, y.patch)) return r;
  if (x.pre.empty() || y.pre.empty()) return static_cast<int>(x.pre.empty()) - static_cast<int>(y.pre.empty());
  for (size_t i = 0; i < x.pre.size() && i < y.pre.size(); ++i) {
    if (int r = compare_ident(x.pre[i], y.pre[i])) return r;
  }
  return (x.pre.size() > y.pre.size()) - (x.pre.size() < y.pre.size());
}

int golang_compare(std::string_view a, std::string_view b) {
  return compare_parsed_once(a, b, parse, compare_parsed);
}

}  // namespace

const VersionScheme kGolangScheme{"golang", golang_compare, golang_valid};

}  // namespace bulwark::vulndb::version_detail
