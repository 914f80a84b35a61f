// Debian versions: [epoch:]upstream_version[-debian_revision], compared as dpkg does
// (lib/dpkg/version.c: epochs numerically, then upstream and revision with verrevcmp, where
// '~' sorts before everything, even the end of the string, and letters before other symbols).
#include <string_view>

#include "vulndb/version/compare_util.h"
#include "vulndb/version/comparators.h"

namespace bulwark::vulndb::version_detail {
namespace {

using DebVersion = EpochVersionRelease;

bool chars_in(std::string_view s, std::string_view extra) {
  for (char c : s) {
    if (!is_alnum(c) && extra.find(c) == std::string_view::npos) return false;
  }
  return true;
}

// dpkg's parseversion() rules, with its "does not start with digit" warning treated as an error.
bool deb_valid(std::string_view v) {
  if (v.empty()) return false;
  DebVersion d = split_evr(v);
  if (d.has_epoch) {
    if (!all_digits(d.epoch) || compare_digits(d.epoch, "2147483647") > 0) return false;
  }
  if (d.version.empty() || !is_digit(d.version.front())) return false;
  if (!chars_in(d.version, ".-+~:")) return false;
  if (d.has_release && (d.release.empty() || !chars_in(d.release, ".+~"))) return false;
  return true;
}

int order(char c) {
  if (is_digit(c)) return 0;
  if (is_alpha(c)) return c;
  if (c == '~') return -1;
  if (c) return c + 256;
  return 0;
}

int verrevcmp(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  auto at = [](std::string_view s, size_t k) { return k < s.size() ? s[k] : '\0'; };
  while (i < a.size() || j < b.size()) {
    int first_diff = 0;
    while ((i < a.size() && !is_digit(a[i])) || (j < b.size() && !is_digit(b[j]))) {
      int ac = order(at(a, i));
      int bc = order(at(b, j));
      if (ac != bc) return ac - bc;
      ++i;
      ++j;
    }
    while (at(a, i) == '0') ++i;
    while (at(b, j) == '0') ++j;
    while (is_digit(at(a, i)) && is_digit(at(b, j))) {
      if (!first_diff) first_diff = at(a, i) - at(b, j);
      ++i;
      ++j;
    }
    if (is_digit(at(a, i))) return 1;
    if (is_digit(at(b, j))) return -1;
    if (first_diff) return first_diff;
  }
  return 0;
}

int deb_compare_valid(std::string_view a, std::string_view b) {
  DebVersion x = split_evr(a), y = split_evr(b);
  if (int r = compare_digits(x.epoch, y.epoch)) return r;
  if (int r = verrevcmp(x.version, y.version)) return r;
  return verrevcmp(x.release, y.release);
}

int deb_compare(std::string_view a, std::string_view b) {
  return compare_checked(a, b, deb_valid, deb_compare_valid);
}

}  // namespace

const VersionScheme kDebScheme{"deb", deb_compare, deb_valid};

}  // namespace bulwark::vulndb::version_detail
