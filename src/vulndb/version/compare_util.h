// Helpers shared by the version comparators (internal to vulndb/version). Pure functions;
// thread-safe.
#pragma once

#include <string_view>
#include <vector>

namespace bulwark::vulndb::version_detail {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
inline bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool is_alpha(char c) { return is_lower(c) || is_upper(c); }
inline bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }
inline char to_lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }
inline int sign(int v) { return (v > 0) - (v < 0); }
bool all_digits(std::string_view s);  // false for ""

// Compares two strings of ASCII digits as unbounded non-negative integers ("007" == "7").
// An empty string counts as 0.
int compare_digits(std::string_view a, std::string_view b);

// "[epoch:]version[-release]" split as dpkg and rpm split it: the epoch before the first ':',
// the release (dpkg: revision) after the last '-'.
struct EpochVersionRelease {
  std::string_view epoch;  // "" when absent (means 0)
  std::string_view version;
  std::string_view release;  // "" when absent
  bool has_epoch = false;
  bool has_release = false;
};
EpochVersionRelease split_evr(std::string_view v);

// A semver identifier character: [0-9A-Za-z-].
inline bool semver_ident_char(char c) { return is_alnum(c) || c == '-'; }
// Splits dot-separated semver identifiers (prerelease or build), appending each to `out` (may be
// null); false when one is empty, has other characters, or (prerelease) is numeric with a
// leading zero.
bool split_semver_identifiers(std::string_view s, bool prerelease, std::vector<std::string_view>* out);

// Byte-wise three-way comparison (-1, 0, 1).
int compare_bytes(std::string_view a, std::string_view b);

// compare_checked for schemes whose parser returns std::optional<Parsed>: each string is parsed
// once (not once to validate and again to compare), then compared with cmp(Parsed, Parsed).
template <class Parse, class Compare>
int compare_parsed_once(std::string_view a, std::string_view b, Parse parse, Compare cmp) {
  const auto x = parse(a);
  const auto y = parse(b);
  if (x && y) return sign(cmp(*x, *y));
  if (x.has_value() != y.has_value()) return x ? -1 : 1;
  return compare_bytes(a, b);
}

// Orders a and b by `cmp` when both are valid; a valid version sorts before an invalid one;
// two invalid versions compare byte-wise. Returns -1, 0 or 1.
int compare_checked(std::string_view a, std::string_view b, bool (*valid)(std::string_view),
                    int (*cmp)(std::string_view, std::string_view));

}  // namespace bulwark::vulndb::version_detail
