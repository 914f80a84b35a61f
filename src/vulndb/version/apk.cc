// Alpine versions: {digit}{.digit}...{letter}{_suffix{#}}...{-r#}, compared as apk-tools does
// (src/version.c): a token stream of digits, an optional letter, suffixes (_alpha < _beta <
// _pre < _rc < release < _cvs < _svn < _git < _hg < _p) and a -rN revision; numbers after a dot
// with leading zeros compare as fractions; numbers of 18 or more digits are invalid.
#include <cstdint>
#include <string_view>

#include "vulndb/version/compare_util.h"
#include "vulndb/version/comparators.h"

namespace bulwark::vulndb::version_detail {
namespace {

enum Token {
  kInvalid = -1,
  kDigitOrZero,
  kDigit,
  kLetter,
  kSuffix,
  kSuffixNo,
  kRevisionNo,
  kEnd,
};

constexpr std::string_view kPreSuffixes[] = {"alpha", "beta", "pre", "rc"};
constexpr std::string_view kPostSuffixes[] = {"cvs", "svn", "git", "hg", "p"};

void next_token(int* type, std::string_view* s) {
  int n = kInvalid;
  if (s->empty() || s->front() == '\0') {
    n = kEnd;
  } else if ((*type == kDigit || *type == kDigitOrZero) && is_lower(s->front())) {
    n = kLetter;
  } else if (*type == kLetter && is_digit(s->front())) {
    n = kDigit;
  } else if (*type == kSuffix && is_digit(s->front())) {
    n = kSuffixNo;
  } else {
    switch (s->front()) {
      case '.': n = kDigitOrZero; break;
      case '_': n = kSuffix; break;
      case '-':
        if (s->size() > 1 && (*s)[1] == 'r') {
          n = kRevisionNo;
          s->remove_prefix(1);
        }
        break;
      default: break;
    }
    s->remove_prefix(1);
  }
  if (n < *type) {
    if (!((n == kDigitOrZero && *type == kDigit) || (n == kSuffix && *type == kSuffixNo) ||
          (n == kDigit && *type == kLetter))) {
      n = kInvalid;
    }
  }
  *type = n;
}

int64_t get_token(int* type, std::string_view* s) {
  size_t i = 0;
  int nt = kInvalid;
  int64_t v = 0;
  if (s->empty()) {
    *type = kEnd;
    return 0;
  }
  auto read_number = [&]() -> bool {
    while (i < s->size() && is_digit((*s)[i])) v = v * 10 + ((*s)[i++] - '0');
    return i < 18;
  };
  switch (*type) {
    case kDigitOrZero:
      if ((*s)[0] == '0') {  // leading zeros: the value is minus their count (minus one)
        while (i + 1 < s->size() && (*s)[i + 1] == '0') ++i;
        nt = kDigit;
        v = -static_cast<int64_t>(i);
        break;
      }
      [[fallthrough]];
    case kDigit:
    case kSuffixNo:
    case kRevisionNo:
      if (!read_number()) {
        *type = kInvalid;
        return -1;
      }
      break;
    case kLetter:
      v = (*s)[i++];
      break;
    case kSuffix: {
      bool found = false;
      for (size_t k = 0; k < std::size(kPreSuffixes) && !found; ++k) {
        if (s->starts_with(kPreSuffixes[k])) {
          i = kPreSuffixes[k].size();
          v = static_cast<int64_t>(k) - static_cast<int64_t>(std::size(kPreSuffixes));
          found = true;
        }
      }
      for (size_t k = 0; k < std::size(kPostSuffixes) && !found; ++k) {
        if (s->starts_with(kPostSuffixes[k])) {
          i = kPostSuffixes[k].size();
          v = static_cast<int64_t>(k);
          found = true;
        }
      }
      if (found) break;
      *type = kInvalid;
      return -1;
    }
    default:
      *type = kInvalid;
      return -1;
  }
  s->remove_prefix(i);
  if (s->empty()) {
    *type = kEnd;
  } else if (nt != kInvalid) {
    *type = nt;
  } else {
    next_token(type, s);
  }
  return v;
}

bool apk_valid(std::string_view v) {
  int t = kDigit;
  while (t != kEnd && t != kInvalid) get_token(&t, &v);
  return t == kEnd;
}

int apk_compare_valid(std::string_view a, std::string_view b) {
  int at = kDigit, bt = kDigit;
  int64_t av = 0, bv = 0;
  while (at == bt && at != kEnd && at != kInvalid && av == bv) {
    av = get_token(&at, &a);
    bv = get_token(&bt, &b);
  }
  if (av < bv) return -1;
  if (av > bv) return 1;
  if (at == bt) return 0;
  // Equal so far: the longer one is newer unless what follows is a pre-release suffix.
  int tt = at;
  if (at == kSuffix && get_token(&tt, &a) < 0) return -1;
  tt = bt;
  if (bt == kSuffix && get_token(&tt, &b) < 0) return 1;
  if (at > bt) return -1;
  if (bt > at) return 1;
  return 0;
}

int apk_compare(std::string_view a, std::string_view b) {
  return compare_checked(a, b, apk_valid, apk_compare_valid);
}

}  // namespace

const VersionScheme kApkScheme{"apk", apk_compare, apk_valid};

}  // namespace bulwark::vulndb::version_detail
