// RPM versions: [epoch:]version[-release], compared as rpm 4.18 does (rpmverCmp: epochs, then
// rpmvercmp() on version and release). rpmvercmp splits into alphabetic and numeric runs,
// ignores other separators, sorts '~' before everything (even the end) and '^' after the end but
// before anything else; numeric runs beat alphabetic ones. A missing release sorts like an empty
// one (before any release), as rpm.vercmp() does.
#include <string_view>

#include "vulndb/version/compare_util.h"
#include "vulndb/version/comparators.h"

namespace bulwark::vulndb::version_detail {
namespace {

using Evr = EpochVersionRelease;

bool rpm_chars(std::string_view s) {
  for (char c : s) {
    if (!is_alnum(c) && c != '.' && c != '_' && c != '+' && c != '~' && c != '^') return false;
  }
  return true;
}

bool rpm_valid(std::string_view v) {
  Evr e = split_evr(v);
  if (e.has_epoch && !all_digits(e.epoch)) return false;
  if (e.version.empty() || !rpm_chars(e.version)) return false;
  if (e.has_release && (e.release.empty() || !rpm_chars(e.release))) return false;
  return true;
}

// rpmio/rpmvercmp.c, on string_views.
int rpmvercmp(std::string_view a, std::string_view b) {
  if (a == b) return 0;
  size_t i = 0, j = 0;
  auto at = [](std::string_view s, size_t k) { return k < s.size() ? s[k] : '\0'; };
  auto skip = [&](std::string_view s, size_t& k) {
    while (k < s.size() && !is_alnum(s[k]) && s[k] != '~' && s[k] != '^') ++k;
  };
  while (i < a.size() || j < b.size()) {
    skip(a, i);
    skip(b, j);
    char ca = at(a, i), cb = at(b, j);
    if (ca == '~' || cb == '~') {
      if (ca != '~') return 1;
      if (cb != '~') return -1;
      ++i;
      ++j;
      continue;
    }
    if (ca == '^' || cb == '^') {
      if (!ca) return -1;
      if (!cb) return 1;
      if (ca != '^') return 1;
      if (cb != '^') return -1;
      ++i;
      ++j;
      continue;
    }
    if (!(ca && cb)) break;
    size_t ei = i, ej = j;
    const bool numeric = is_digit(ca);
    auto same_kind = [numeric](char c) { return numeric ? is_digit(c) : is_alpha(c); };
    while (ei < a.size() && same_kind(a[ei])) ++ei;
    while (ej < b.size() && same_kind(b[ej])) ++ej;
    if (ej == j) return numeric ? 1 : -1;  // different kinds: numeric is newer
    std::string_view sa = a.substr(i, ei - i), sb = b.substr(j, ej - j);
    int r = numeric ? compare_digits(sa, sb) : compare_bytes(sa, sb);
    if (r) return r;
    i = ei;
    j = ej;
  }
  if (i >= a.size() && j >= b.size()) return 0;
  return i >= a.size() ? -1 : 1;
}

int rpm_compare_valid(std::string_view a, std::string_view b) {
  Evr x = split_evr(a), y = split_evr(b);
  if (int r = compare_digits(x.epoch, y.epoch)) return r;
  if (int r = rpmvercmp(x.version, y.version)) return r;
  return rpmvercmp(x.release, y.release);
}

int rpm_compare(std::string_view a, std::string_view b) {
  return compare_checked(a, b, rpm_valid, rpm_compare_valid);
}

}  // namespace

const VersionScheme kRpmScheme{"rpm", rpm_compare, rpm_valid};

}  // namespace bulwark::vulndb::version_detail
