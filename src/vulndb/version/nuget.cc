// NuGet versions, ordered as NuGet.Versioning's VersionComparer: one to four numeric parts
// (missing parts are 0), a release after its pre-releases, pre-release labels compared
// label by label (numeric labels numerically and before alphanumeric ones, which compare
// case-insensitively), build metadata after '+' ignored.
#include <string_view>

#include "vulndb/version/compare_util.h"
#include "vulndb/version/comparators.h"

namespace bulwark::vulndb::version_detail {
namespace {

struct NugetVersion {
  std::string_view parts[4] = {"0", "0", "0", "0"};
  std::string_view pre;
};

bool label_ok(std::string_view id) {
  if (id.empty()) return false;
  for (char c : id) {
    if (!is_alnum(c) && c != '-') return false;
  }
  return true;
}

bool labels_ok(std::string_view s) {
  while (true) {
    size_t dot = s.find('.');
    if (!label_ok(s.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

bool parse(std::string_view v, NugetVersion* out) {
  if (size_t plus = v.find('+'); plus != std::string_view::npos) {
    if (!labels_ok(v.substr(plus + 1))) return false;
    v = v.substr(0, plus);
  }
  if (size_t dash = v.find('-'); dash != std::string_view::npos) {
    out->pre = v.substr(dash + 1);
    if (!labels_ok(out->pre)) return false;
    v = v.substr(0, dash);
  }
  for (int k = 0;; ++k) {
    if (k == 4) return false;
    size_t dot = v.find('.');
    out->parts[k] = v.substr(0, dot);
    if (!all_digits(out->parts[k])) return false;
    if (dot == std::string_view::npos) return true;
    v.remove_prefix(dot + 1);
  }
}

bool nuget_valid(std::string_view v) {
  NugetVersion n;
  return parse(v, &n);
}

int compare_label(std::string_view a, std::string_view b) {
  const bool na = all_digits(a), nb = all_digits(b);
  if (na && nb) return compare_digits(a, b);
  if (na != nb) return na ? -1 : 1;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    char x = to_lower(a[i]), y = to_lower(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return (a.size() > b.size()) - (a.size() < b.size());
}

int nuget_compare_valid(std::string_view a, std::string_view b) {
  NugetVersion x, y;
  parse(a, &x);
  parse(b, &y);
  for (int k = 0; k < 4; ++k) {
    if (int r = compare_digits(x.parts[k], y.parts[k])) return r;
  }
  if (x.pre.empty() || y.pre.empty()) return x.pre.empty() - y.pre.empty();
  std::string_view p = x.pre, q = y.pre;
  while (true) {
    size_t dp = p.find('.'), dq = q.find('.');
    if (int r = compare_label(p.substr(0, dp), q.substr(0, dq))) return r;
    const bool more_p = dp != std::string_view::npos, more_q = dq != std::string_view::npos;
    if (!more_p || !more_q) return more_p - more_q;
    p.remove_prefix(dp + 1);
    q.remove_prefix(dq + 1);
  }
}

int nuget_compare(std::string_view a, std::string_view b) {
  return compare_checked(a, b, nuget_valid, nuget_compare_valid);
}

}  // namespace

const VersionScheme kNugetScheme{"nuget", nuget_compare, nuget_valid};

}  // namespace bulwark::vulndb::version_detail
