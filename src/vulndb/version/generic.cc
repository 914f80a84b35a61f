// The fallback order for ecosystems without a comparator of their own (composer, unknown
// feeds): a leading "v" before a digit is dropped; the version is split into runs of digits and
// runs of letters (everything else separates); runs compare pairwise, numbers numerically,
// letters case-insensitively, a number above a word; a missing run counts as 0, so "1.0" equals
// "1" and "1.0-beta" sorts before "1.0".
#include <string_view>

#include "vulndb/version/compare_util.h"
#include "vulndb/version/comparators.h"

namespace bulwark::vulndb::version_detail {
namespace {

bool generic_valid(std::string_view v) {
  if (v.empty()) return false;
  bool alnum = false;
  for (char c : v) {
    if (c <= ' ' || c > '~') return false;
    alnum = alnum || is_alnum(c);
  }
  return alnum;
}

// Returns the next run (digits or letters) of v from *pos, or "" at the end.
std::string_view next_run(std::string_view v, size_t* pos) {
  while (*pos < v.size() && !is_alnum(v[*pos])) ++*pos;
  size_t start = *pos;
  if (start == v.size()) return {};
  const bool digit = is_digit(v[start]);
  while (*pos < v.size() && is_alnum(v[*pos]) && is_digit(v[*pos]) == digit) ++*pos;
  return v.substr(start, *pos - start);
}

int compare_words(std::string_view a, std::string_view b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    char x = to_lower(a[i]), y = to_lower(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return (a.size() > b.size()) - (a.size() < b.size());
}

int generic_compare_valid(std::string_view a, std::string_view b) {
  auto drop_v = [](std::string_view& s) {
    if (s.size() > 1 && (s[0] == 'v' || s[0] == 'V') && is_digit(s[1])) s.remove_prefix(1);
  };
  drop_v(a);
  drop_v(b);
  size_t i = 0, j = 0;
  while (true) {
    std::string_view x = next_run(a, &i), y = next_run(b, &j);
    if (x.empty() && y.empty()) return 0;
    // A missing run is the number 0.
    const bool xn = x.empty() || is_digit(x[0]), yn = y.empty() || is_digit(y[0]);
    int r = xn && yn ? compare_digits(x, y) : xn != yn ? (xn ? 1 : -1) : compare_words(x, y);
    if (r) return r;
  }
}

int generic_compare(std::string_view a, std::string_view b) {
  return compare_checked(a, b, generic_valid, generic_compare_valid);
}

}  // namespace

const VersionScheme kGenericScheme{"generic", generic_compare, generic_valid};

}  // namespace bulwark::vulndb::version_detail
