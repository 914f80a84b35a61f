// Composer versions (composer/semver): each version is first normalised the way
// VersionParser::normalize() does it, then normalised versions are ordered by PHP's
// version_compare(), as Composer's Comparator does:
//  - "v" prefix dropped, up to four numeric parts padded with ".0" ("1.2" -> "1.2.0.0"),
//    zero padding kept, build metadata ("+foo"), " as alias" and "@stability" flags dropped;
//    date versions ("2010-01-02", "20100102.203040") keep their own parts;
//  - stability suffixes: dev < alpha (a) < beta (b) < RC < (stable) < patch (p, pl), each with an
//    optional number ("1.0.0-beta2", "1.0.0RC1dev", "1.0.0.pl3-dev" -> "1.0.0.0-patch3-dev");
//  - numeric branches "1.x-dev" become "1.9999999.9999999.9999999-dev";
//  - named branches ("dev-master", "master", "dev-feature/foo") cannot be compared with versions
//    in Composer; here they sort below every version and byte-wise among themselves.
// Strings normalize() rejects ("1.0.0-meh", "1.*", "^1") are invalid.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vulndb/version/compare_util.h"
#include "vulndb/version/comparators.h"

namespace bulwark::vulndb::version_detail {
namespace {

bool php_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0' || c == '\v'; }
bool regex_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && php_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && php_space(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  }
  return true;
}
bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}
bool iends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

size_t count_digits(std::string_view s, size_t pos, size_t max = std::string_view::npos) {
  size_t n = 0;
  while (pos + n < s.size() && n < max && is_digit(s[pos + n])) ++n;
  return n;
}

// The modifier regex `[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?$`
// (case-insensitive), matched against all of `s`, in the regex engine's backtracking order.
struct Modifier {
  std::string_view stability, numbers;
  bool dev = false;
};

// `([.-]?dev)?$` from pos.
bool dev_tail(std::string_view s, size_t pos, bool* dev) {
  if (pos == s.size()) return *dev = false, true;
  if (s[pos] == '.' || s[pos] == '-') ++pos;
  *dev = true;
  return iequals(s.substr(pos), "dev");
}

bool match_modifier(std::string_view s, Modifier* m) {
  static constexpr std::array<std::string_view, 9> kWords = {"stable", "beta", "b",     "RC", "alpha",
                                                             "a",      "patch", "pl", "p"};
  const bool has_sep = !s.empty() && (s[0] == '.' || s[0] == '_' || s[0] == '-');
  for (size_t start : {size_t{has_sep ? 1u : 0u}, size_t{0}}) {
    for (std::string_view w : kWords) {
      if (!istarts_with(s.substr(start), w)) continue;
      size_t pos = start + w.size();
      const size_t numbers_start = pos;
      while (true) {  // (?:[.-]?\d+)*+ : possessive
        size_t p = pos;
        if (p < s.size() && (s[p] == '.' || s[p] == '-')) ++p;
        const size_t d = count_digits(s, p);
        if (d == 0) break;
        pos = p + d;
      }
      if (dev_tail(s, pos, &m->dev)) {
        m->stability = s.substr(start, w.size());
        m->numbers = s.substr(numbers_start, pos - numbers_start);
        return true;
      }
    }
    m->stability = m->numbers = {};
    if (dev_tail(s, start, &m->dev)) return true;
    if (!has_sep) break;
  }
  return false;
}

std::string expand_stability(std::string_view s) {
  std::string lower;
  for (char c : s) lower += to_lower(c);
  if (lower == "a") return "alpha";
  if (lower == "b") return "beta";
  if (lower == "p" || lower == "pl") return "patch";
  if (lower == "rc") return "RC";
  return lower;
}

std::string with_modifier(std::string version, const Modifier& m) {
  if (!m.stability.empty()) {
    if (m.stability == "stable") return version;
    std::string_view numbers = m.numbers;
    while (!numbers.empty() && (numbers[0] == '.' || numbers[0] == '-')) numbers.remove_prefix(1);
    // Appended piece by piece (operator+ chains trip GCC 12's -Wrestrict false positive at -O3).
    version += '-';
    version += expand_stability(m.stability);
    version += numbers;
  }
  if (m.dev) version += "-dev";
  return version;
}

// `^v?(\d{1,5}+)(\.\d++)?(\.\d++)?(\.\d++)?` + modifier, case-insensitive.
std::optional<std::string> classical(std::string_view s) {
  size_t pos = !s.empty() && (s[0] == 'v' || s[0] == 'V') ? 1 : 0;
  const size_t major = count_digits(s, pos, 5);
  if (major == 0) return std::nullopt;
  std::string out(s.substr(pos, major));
  pos += major;
  for (int k = 0; k < 3; ++k) {
    const size_t d = pos < s.size() && s[pos] == '.' ? count_digits(s, pos + 1) : 0;
    if (d == 0) {
      out += ".0";
      continue;
    }
    out += s.substr(pos, d + 1);
    pos += d + 1;
  }
  Modifier m;
  if (!match_modifier(s.substr(pos), &m)) return std::nullopt;
  return with_modifier(std::move(out), m);
}

// Backtracking search for `(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2}` then the modifier to the
// end, in the regex engine's order (greedy). `groups` counts the {1,6} groups, `tails` the {0,2}.
bool date_rest(std::string_view s, size_t pos, int groups, int tails, size_t* end, Modifier* m) {
  if (tails == 0 && groups < 6) {
    // Try another two-digit group first (greedy), with and without a separator.
    for (size_t sep = 0; sep < 2; ++sep) {
      if (sep == 1 && !(pos < s.size() && (s[pos] == '.' || s[pos] == ':' || s[pos] == '-'))) continue;
      if (sep == 0 && pos < s.size() && !is_digit(s[pos])) continue;
      const size_t p = pos + sep;
      if (count_digits(s, p, 2) == 2 && date_rest(s, p + 2, groups + 1, 0, end, m)) return true;
    }
  }
  if (groups >= 1 && tails < 2) {
    for (size_t sep = 0; sep < 2; ++sep) {
      if (sep == 1 && !(pos < s.size() && (s[pos] == '.' || s[pos] == ':' || s[pos] == '-'))) continue;
      if (sep == 0 && pos < s.size() && !is_digit(s[pos])) continue;
      const size_t p = pos + sep;
      for (size_t n = count_digits(s, p, 3); n >= 1; --n) {
        if (date_rest(s, p + n, groups, tails + 1, end, m)) return true;
      }
    }
  }
  if (groups >= 1 && match_modifier(s.substr(pos), m)) {
    *end = pos;
    return true;
  }
  return false;
}

// `^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2})` + modifier: non-digits become dots.
std::optional<std::string> date(std::string_view s) {
  const size_t start = !s.empty() && (s[0] == 'v' || s[0] == 'V') ? 1 : 0;
  if (count_digits(s, start, 4) != 4) return std::nullopt;
  size_t end = 0;
  Modifier m;
  if (!date_rest(s, start + 4, 0, 0, &end, &m)) return std::nullopt;
  std::string out(s.substr(start, end - start));
  for (char& c : out) {
    if (!is_digit(c)) c = '.';
  }
  return with_modifier(std::move(out), m);
}

// VersionParser::normalizeBranch() for the numeric case:
// `^v?(\d++)(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?$`.
std::optional<std::string> numeric_branch(std::string_view s) {
  size_t pos = !s.empty() && (s[0] == 'v' || s[0] == 'V') ? 1 : 0;
  const size_t major = count_digits(s, pos);
  if (major == 0) return std::nullopt;
  std::string out(s.substr(pos, major));
  pos += major;
  for (int k = 0; k < 3; ++k) {
    if (pos < s.size() && s[pos] == '.') {
      if (const size_t d = count_digits(s, pos + 1)) {
        out += s.substr(pos, d + 1);
        pos += d + 1;
        continue;
      }
      if (pos + 1 < s.size() && (s[pos + 1] == 'x' || s[pos + 1] == 'X' || s[pos + 1] == '*')) {
        out += ".9999999";
        pos += 2;
        continue;
      }
    }
    out += ".9999999";
  }
  if (pos != s.size()) return std::nullopt;
  return out + "-dev";
}

// VersionParser::normalize(); nullopt where it throws.
std::optional<std::string> normalize(std::string_view v) {
  v = trim(v);
  // "1.0.0 as 2.0": `^([^,\s]++) ++as ++([^,\s]++)$`
  if (size_t as = v.find(" as "); as != std::string_view::npos) {
    std::string_view left = v.substr(0, as), right = v.substr(as + 4);
    while (!left.empty() && left.back() == ' ') left.remove_suffix(1);
    while (!right.empty() && right[0] == ' ') right.remove_prefix(1);
    auto plain = [](std::string_view t) {
      if (t.empty()) return false;
      for (char c : t) {
        if (c == ',' || regex_space(c)) return false;
      }
      return true;
    };
    if (plain(left) && plain(right)) v = left;
  }
  // "@dev" and the other stability flags
  for (std::string_view flag : {"@stable", "@RC", "@beta", "@alpha", "@dev"}) {
    if (iends_with(v, flag)) {
      v.remove_suffix(flag.size());
      break;
    }
  }
  if (v == "master" || v == "trunk" || v == "default") return "dev-" + std::string(v);
  if (istarts_with(v, "dev-")) return "dev-" + std::string(v.substr(4));
  // Build metadata: `^([^,\s+]++)\+[^\s]++$`
  if (size_t plus = v.find('+'); plus != std::string_view::npos && plus > 0) {
    std::string_view head = v.substr(0, plus), tail = v.substr(plus + 1);
    bool ok = !tail.empty();
    for (char c : head) ok = ok && c != ',' && !regex_space(c);
    for (char c : tail) ok = ok && !regex_space(c);
    if (ok) v = head;
  }
  if (auto c = classical(v)) return c;
  if (auto d = date(v)) return d;
  // "1.x-dev", "2.0.*-dev": `(.*?)[.-]?dev$`
  if (iends_with(v, "dev")) {
    std::string_view name = v.substr(0, v.size() - 3);
    if (!name.empty() && (name.back() == '.' || name.back() == '-')) name.remove_suffix(1);
    std::string_view trimmed = trim(name);
    if (auto b = numeric_branch(trimmed)) return b;
  }
  return std::nullopt;
}

bool composer_valid(std::string_view v) { return normalize(v).has_value(); }

// PHP's php_canonicalize_version(): '-', '_', '+' and other non-alphanumerics become '.', and a
// '.' separates digit runs from letter runs.
std::string php_canonicalize(std::string_view v) {
  std::string out;
  if (v.empty()) return out;
  out += v[0];
  auto isdig = [](char c) { return is_digit(c); };
  auto isndig = [](char c) { return !is_digit(c) && c != '.'; };
  char lp = v[0];
  for (size_t i = 1; i < v.size(); ++i) {
    const char c = v[i];
    const char lq = out.back();
    if (c == '-' || c == '_' || c == '+') {
      if (lq != '.') out += '.';
    } else if ((isndig(lp) && isdig(c)) || (isdig(lp) && isndig(c))) {
      if (lq != '.') out += '.';
      out += c;
    } else if (!is_alnum(c)) {
      if (lq != '.') out += '.';
    } else {
      out += c;
    }
    lp = c;
  }
  return out;
}

// compare_special_version_forms(): a form ranks by the first name it starts with.
int special_rank(std::string_view form) {
  struct Form {
    std::string_view name;
    int order;
  };
  static constexpr std::array<Form, 10> kForms = {{{"dev", 0},
                                                   {"alpha", 1},
                                                   {"a", 1},
                                                   {"beta", 2},
                                                   {"b", 2},
                                                   {"RC", 3},
                                                   {"rc", 3},
                                                   {"#", 4},
                                                   {"pl", 5},
                                                   {"p", 5}}};
  for (const Form& f : kForms) {
    if (form.starts_with(f.name)) return f.order;
  }
  return -6;
}
constexpr int kNumberRank = 4;  // "#N#"

// strtol() of a digit run: saturates at LONG_MAX.
int compare_php_numbers(std::string_view a, std::string_view b) {
  auto value = [](std::string_view s) {
    constexpr uint64_t kMax = (uint64_t{1} << 63) - 1;
    uint64_t n = 0;
    for (char c : s) {
      if (!is_digit(c)) break;
      if (n > (kMax - static_cast<uint64_t>(c - '0')) / 10) return kMax;
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    return n;
  };
  const uint64_t x = value(a), y = value(b);
  return (x > y) - (x < y);
}

int compare_part(std::string_view p, std::string_view q) {
  const bool dp = !p.empty() && is_digit(p[0]), dq = !q.empty() && is_digit(q[0]);
  if (dp && dq) return compare_php_numbers(p, q);
  const int rp = dp ? kNumberRank : special_rank(p), rq = dq ? kNumberRank : special_rank(q);
  return sign(rp - rq);
}

// php_version_compare() on two canonical strings; a missing part is below a number and ranks as
// a number against a name.
int php_version_compare(std::string_view a, std::string_view b) {
  const std::string x = php_canonicalize(a), y = php_canonicalize(b);
  std::string_view p = x, q = y;
  while (true) {
    const size_t np = p.find('.'), nq = q.find('.');
    if (int r = compare_part(p.substr(0, np), q.substr(0, nq))) return r;
    const bool more_p = np != std::string_view::npos, more_q = nq != std::string_view::npos;
    if (more_p && more_q) {
      p.remove_prefix(np + 1);
      q.remove_prefix(nq + 1);
      if (p.empty() || q.empty()) return 0;  // PHP stops at an empty part
      continue;
    }
    if (more_p) {
      p.remove_prefix(np + 1);
      if (p.empty()) return 0;
      return is_digit(p[0]) ? 1 : sign(special_rank(p.substr(0, p.find('.'))) - kNumberRank);
    }
    if (more_q) {
      q.remove_prefix(nq + 1);
      if (q.empty()) return 0;
      return is_digit(q[0]) ? -1 : sign(kNumberRank - special_rank(q.substr(0, q.find('.'))));
    }
    return 0;
  }
}

int composer_compare_valid(std::string_view a, std::string_view b) {
  const std::string x = *normalize(a), y = *normalize(b);
  const bool bx = x.starts_with("dev-"), by = y.starts_with("dev-");
  if (bx || by) return bx && by ? compare_bytes(x, y) : bx ? -1 : 1;
  return php_version_compare(x, y);
}

int composer_compare(std::string_view a, std::string_view b) {
  return compare_checked(a, b, composer_valid, composer_compare_valid);
}

}  // namespace

const VersionScheme kComposerScheme{"composer", composer_compare, composer_valid};

}  // namespace bulwark::vulndb::version_detail
