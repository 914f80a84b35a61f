// Semantic Versioning 2.0.0 precedence (semver.org section 11), for npm, cargo and Go modules:
// MAJOR.MINOR.PATCH numerically, a release after its pre-releases, pre-release identifiers
// numeric-before-alphanumeric, build metadata ignored. One leading "v" (Go) or "=" (npm) is
// accepted; Go's "+incompatible" is build metadata. Numbers must not have leading zeros.
#include <string_view>

#include "vulndb/version/compare_util.h"
#include "vulndb/version/comparators.h"

namespace bulwark::vulndb::version_detail {
namespace {

struct SemVer {
  std::string_view core[3];
  std::string_view pre;  // dot-separated identifiers, "" when none
};

bool ident_chars(std::string_view id) {
  if (id.empty()) return false;
  for (char c : id) {
    if (!is_alnum(c) && c != '-') return false;
  }
  return true;
}

bool number(std::string_view id) { return all_digits(id) && (id.size() == 1 || id[0] != '0'); }

// Splits "a.b.c" and checks each identifier with `ok`.
template <class F>
bool each_ident(std::string_view s, F ok) {
  while (true) {
    size_t dot = s.find('.');
    if (!ok(s.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

bool parse(std::string_view v, SemVer* out) {
  if (!v.empty() && (v[0] == 'v' || v[0] == 'V' || v[0] == '=')) v.remove_prefix(1);
  if (size_t plus = v.find('+'); plus != std::string_view::npos) {
    if (!each_ident(v.substr(plus + 1), ident_chars)) return false;
    v = v.substr(0, plus);
  }
  if (size_t dash = v.find('-'); dash != std::string_view::npos) {
    out->pre = v.substr(dash + 1);
    auto ok = [](std::string_view id) { return ident_chars(id) && (!all_digits(id) || number(id)); };
    if (!each_ident(out->pre, ok)) return false;
    v = v.substr(0, dash);
  } else {
    out->pre = {};
  }
  for (int k = 0; k < 3; ++k) {
    size_t dot = v.find('.');
    if ((k < 2) != (dot != std::string_view::npos)) return false;
    out->core[k] = v.substr(0, dot);
    if (!number(out->core[k])) return false;
    if (dot != std::string_view::npos) v.remove_prefix(dot + 1);
  }
  return true;
}

bool semver_valid(std::string_view v) {
  SemVer s;
  return parse(v, &s);
}

int compare_ident(std::string_view a, std::string_view b) {
  const bool na = all_digits(a), nb = all_digits(b);
  if (na && nb) return compare_digits(a, b);
  if (na != nb) return na ? -1 : 1;
  return compare_bytes(a, b);
}

int semver_compare_valid(std::string_view a, std::string_view b) {
  SemVer x, y;
  parse(a, &x);
  parse(b, &y);
  for (int k = 0; k < 3; ++k) {
    if (int r = compare_digits(x.core[k], y.core[k])) return r;
  }
  if (x.pre.empty() || y.pre.empty()) return x.pre.empty() - y.pre.empty();
  std::string_view p = x.pre, q = y.pre;
  while (true) {
    size_t dp = p.find('.'), dq = q.find('.');
    if (int r = compare_ident(p.substr(0, dp), q.substr(0, dq))) return r;
    const bool more_p = dp != std::string_view::npos, more_q = dq != std::string_view::npos;
    if (!more_p || !more_q) return more_p - more_q;
    p.remove_prefix(dp + 1);
    q.remove_prefix(dq + 1);
  }
}

int semver_compare(std::string_view a, std::string_view b) {
  return compare_checked(a, b, semver_valid, semver_compare_valid);
}

}  // namespace

const VersionScheme kSemverScheme{"semver", semver_compare, semver_valid};

}  // namespace bulwark::vulndb::version_detail
