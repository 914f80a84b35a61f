// npm ranges, following node-semver 7's Range/Comparator (classes/range.js): each alternative is
// build-stripped, recognised as a hyphen range or split into comparator tokens, and every token
// desugared (caret, tilde, X-range, star, ">=0.0.0") into plain comparators.
#include "vulndb/version/npm_range.h"

#include <array>
#include <optional>
#include <utility>

#include "vulndb/version/compare_util.h"

namespace bulwark::vulndb {
namespace {

using namespace version_detail;
using Version = NpmRange::Version;
using Op = NpmRange::Op;
using Comparator = NpmRange::Comparator;
using ComparatorSet = NpmRange::ComparatorSet;

constexpr uint64_t kMaxSafeInteger = (uint64_t{1} << 53) - 1;  // JavaScript's
constexpr size_t kMaxVersionLength = 256;                       // node-semver's MAX_LENGTH

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// NUMERICIDENTIFIER: "0" or digits without a leading zero, at most 2^53-1.
std::optional<uint64_t> number(std::string_view s) {
  if (!all_digits(s) || (s.size() > 1 && s[0] == '0') || s.size() > 16) return std::nullopt;
  uint64_t n = 0;
  for (char c : s) n = n * 10 + static_cast<uint64_t>(c - '0');
  if (n > kMaxSafeInteger) return std::nullopt;
  return n;
}

// Dot-separated identifiers of [0-9A-Za-z-]; numeric prerelease ones without leading zeros.
bool identifiers(std::string_view s, bool prerelease, std::vector<std::string>* out) {
  std::vector<std::string_view> ids;
  if (!split_semver_identifiers(s, prerelease, &ids)) return false;
  if (out != nullptr) out->insert(out->end(), ids.begin(), ids.end());
  return true;
}

// A version, possibly partial: up to three components, each a number or x/X/* (missing ones
// are wildcards too), then "-prerelease" only after the third.
struct Partial {
  std::optional<uint64_t> part[3];  // nullopt = wildcard
  std::vector<std::string> pre;
  bool x(int i) const { return !part[i].has_value(); }
  bool any_x() const { return x(0) || x(1) || x(2); }
};

std::optional<Partial> parse_partial(std::string_view s) {
  Partial p;
  std::string_view core = s;
  if (size_t dash = s.find('-'); dash != std::string_view::npos) {
    core = s.substr(0, dash);
    if (!identifiers(s.substr(dash + 1), true, &p.pre)) return std::nullopt;
  }
  for (int i = 0; i < 3; ++i) {
    const size_t dot = core.find('.');
    std::string_view c = core.substr(0, dot);
    if (c == "x" || c == "X" || c == "*") {
      p.part[i] = std::nullopt;
    } else if (auto n = number(c)) {
      p.part[i] = n;
    } else {
      return std::nullopt;
    }
    if (dot == std::string_view::npos) {
      if (i < 2 && !p.pre.empty()) return std::nullopt;  // "1.2-beta"
      return p;
    }
    core.remove_prefix(dot + 1);
  }
  return std::nullopt;  // a fourth component
}

// Strict SemVer 2.0 with an optional "v", as new SemVer(v) (non-loose) accepts it.
std::optional<Version> parse_version(std::string_view s) {
  if (s.size() > kMaxVersionLength) return std::nullopt;
  s = trim(s);
  if (!s.empty() && s[0] == 'v') s.remove_prefix(1);
  if (size_t plus = s.find('+'); plus != std::string_view::npos) {
    if (!identifiers(s.substr(plus + 1), false, nullptr)) return std::nullopt;
    s = s.substr(0, plus);
  }
  std::optional<Partial> p = parse_partial(s);
  if (!p || p->any_x()) return std::nullopt;
  return Version{*p->part[0], *p->part[1], *p->part[2], std::move(p->pre)};
}

int compare_identifier(std::string_view a, std::string_view b) {
  const bool na = all_digits(a), nb = all_digits(b);
  if (na && nb) return compare_digits(a, b);
  if (na != nb) return na ? -1 : 1;
  return compare_bytes(a, b);
}

int compare(const Version& a, const Version& b) {
  const std::array x{a.major, a.minor, a.patch}, y{b.major, b.minor, b.patch};
  for (size_t i = 0; i < 3; ++i) {
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  }
  if (a.pre.empty() || b.pre.empty()) return static_cast<int>(a.pre.empty()) - static_cast<int>(b.pre.empty());
  for (size_t i = 0; i < a.pre.size() && i < b.pre.size(); ++i) {
    if (int r = compare_identifier(a.pre[i], b.pre[i])) return r;
  }
  return (a.pre.size() > b.pre.size()) - (a.pre.size() < b.pre.size());
}

bool test(const Comparator& c, const Version& v) {
  if (c.op == Op::kAny) return true;
  const int r = compare(v, c.version);
  switch (c.op) {
    case Op::kEq: return r == 0;
    case Op::kLt: return r < 0;
    case Op::kLe: return r <= 0;
    case Op::kGt: return r > 0;
    case Op::kGe: return r >= 0;
    case Op::kAny: break;
  }
  return true;
}

bool is_null_set(const Comparator& c) {  // "<0.0.0-0": nothing is below it
  return c.op == Op::kLt && c.version.major == 0 && c.version.minor == 0 && c.version.patch == 0 &&
         c.version.pre == std::vector<std::string>{"0"};
}

// Builds comparators from desugared bounds, failing (like `new SemVer`) when an incremented
// component leaves JavaScript's safe integers.
class Builder {
 public:
  Builder(bool include_prerelease, ComparatorSet* out) : inc_pre_(include_prerelease), out_(out) {}

  bool add(Op op, uint64_t M, uint64_t m, uint64_t p, std::vector<std::string> pre = {}) {
    if (M > kMaxSafeInteger || m > kMaxSafeInteger || p > kMaxSafeInteger) return false;
    Comparator c{op, Version{M, m, p, std::move(pre)}};
    // replaceGTE0: ">=0.0.0" (">=0.0.0-0" with includePrerelease) is "any".
    if (op == Op::kGe && M == 0 && m == 0 && p == 0 &&
        c.version.pre == (inc_pre_ ? std::vector<std::string>{"0"} : std::vector<std::string>{})) {
      c.op = Op::kAny;
    }
    out_->push_back(std::move(c));
    return true;
  }
  void any() { out_->push_back(Comparator{}); }
  void none() { add(Op::kLt, 0, 0, 0, {"0"}); }
  // The "-0" lower bounds get when prereleases are included (`z` in range.js).
  std::vector<std::string> z() const { return inc_pre_ ? std::vector<std::string>{"0"} : std::vector<std::string>{}; }
  static std::vector<std::string> zero() { return {"0"}; }
  bool include_prerelease() const { return inc_pre_; }

 private:
  bool inc_pre_;
  ComparatorSet* out_;
};

// "[v=]*" before a version; a full version (no wildcard) takes at most one "v", as
// node-semver re-parses those with FULLPLAIN.
std::string_view skip_prefix(std::string_view* s) {
  size_t n = 0;
  while (n < s->size() && ((*s)[n] == 'v' || (*s)[n] == '=')) ++n;
  std::string_view prefix = s->substr(0, n);
  s->remove_prefix(n);
  return prefix;
}
bool full_prefix_ok(std::string_view prefix) { return prefix.empty() || prefix == "v"; }

// ~1.2.3 := >=1.2.3 <1.3.0-0, ~1.2 := >=1.2.0 <1.3.0-0, ~1 := >=1.0.0 <2.0.0-0.
bool tilde(const Partial& p, Builder& b) {
  if (p.x(0)) return b.any(), true;
  const uint64_t M = *p.part[0];
  if (p.x(1)) return b.add(Op::kGe, M, 0, 0, b.z()) && b.add(Op::kLt, M + 1, 0, 0, b.zero());
  const uint64_t m = *p.part[1];
  if (p.x(2)) return b.add(Op::kGe, M, m, 0, b.z()) && b.add(Op::kLt, M, m + 1, 0, b.zero());
  return b.add(Op::kGe, M, m, *p.part[2], p.pre) && b.add(Op::kLt, M, m + 1, 0, b.zero());
}

// ^1.2.3 := >=1.2.3 <2.0.0-0, ^0.2.3 := >=0.2.3 <0.3.0-0, ^0.0.3 := >=0.0.3 <0.0.4-0.
bool caret(const Partial& p, Builder& b) {
  if (p.x(0)) return b.any(), true;
  const uint64_t M = *p.part[0];
  if (p.x(1)) return b.add(Op::kGe, M, 0, 0, b.z()) && b.add(Op::kLt, M + 1, 0, 0, b.zero());
  const uint64_t m = *p.part[1];
  if (p.x(2)) {
    return b.add(Op::kGe, M, m, 0, b.z()) &&
           (M == 0 ? b.add(Op::kLt, M, m + 1, 0, b.zero()) : b.add(Op::kLt, M + 1, 0, 0, b.zero()));
  }
  const uint64_t pt = *p.part[2];
  if (!b.add(Op::kGe, M, m, pt, p.pre)) return false;
  if (M != 0) return b.add(Op::kLt, M + 1, 0, 0, b.zero());
  if (m != 0) return b.add(Op::kLt, M, m + 1, 0, b.zero());
  return b.add(Op::kLt, M, m, pt + 1, b.zero());
}

struct GtLt {
  std::string_view text;
  Op op;
};
// Longest first.
constexpr std::array kGtLt = {GtLt{">=", Op::kGe}, GtLt{"<=", Op::kLe}, GtLt{">", Op::kGt},
                              GtLt{"<", Op::kLt},  GtLt{"=", Op::kEq}};

// An X-range with an operator (">1.x", "<=1.2", "=1.*") or without ("1.x", "*").
bool xrange(Op op, bool has_op, const Partial& p, Builder& b) {
  const bool xM = p.x(0), xm = xM || p.x(1);
  if (op == Op::kEq) has_op = false;
  std::vector<std::string> pr = b.z();
  if (xM) {
    if (has_op && (op == Op::kGt || op == Op::kLt)) return b.none(), true;
    return b.any(), true;
  }
  uint64_t M = *p.part[0], m = xm ? 0 : *p.part[1], pt = 0;
  if (has_op) {
    if (op == Op::kGt) {
      op = Op::kGe;
      if (xm) {
        ++M, m = 0;
      } else {
        ++m;
      }
    } else if (op == Op::kLe) {
      op = Op::kLt;
      if (xm) {
        ++M;
      } else {
        ++m;
      }
    }
    if (op == Op::kLt) pr = b.zero();
    return b.add(op, M, m, pt, std::move(pr));
  }
  if (xm) return b.add(Op::kGe, M, 0, 0, std::move(pr)) && b.add(Op::kLt, M + 1, 0, 0, b.zero());
  return b.add(Op::kGe, M, m, 0, std::move(pr)) && b.add(Op::kLt, M, m + 1, 0, b.zero());
}

// One comparator token after whitespace between operator and version has been removed.
bool comparator(std::string_view tok, Builder& b) {
  if (tok.starts_with('~') || tok.starts_with('^')) {
    const bool is_tilde = tok[0] == '~';
    tok.remove_prefix(is_tilde && tok.starts_with("~>") ? 2 : 1);
    skip_prefix(&tok);
    std::optional<Partial> p = parse_partial(tok);
    return p && (is_tilde ? tilde(*p, b) : caret(*p, b));
  }
  Op op = Op::kEq;
  bool has_op = false;
  for (const GtLt& g : kGtLt) {
    if (tok.starts_with(g.text)) {
      op = g.op, has_op = true;
      tok.remove_prefix(g.text.size());
      break;
    }
  }
  const std::string_view prefix = skip_prefix(&tok);
  std::optional<Partial> p = parse_partial(tok);
  if (!p) return false;
  if (p->any_x()) {
    // invalidXRangeOrder: "x.1", "1.x.2" are not ranges.
    if ((p->x(0) && !p->x(1)) || (p->x(1) && !p->x(2))) return false;
    return xrange(op, has_op, *p, b);
  }
  return full_prefix_ok(prefix) && b.add(op, *p->part[0], *p->part[1], *p->part[2], p->pre);
}

// "A - B": each side a possibly partial version.
bool hyphen(std::string_view from, std::string_view to, Builder& b) {
  const std::string_view fprefix = skip_prefix(&from), tprefix = skip_prefix(&to);
  std::optional<Partial> f = parse_partial(from), t = parse_partial(to);
  if (!f || !t) return false;
  if (f->x(0)) {
    // no lower bound
  } else if (f->x(1)) {
    if (!b.add(Op::kGe, *f->part[0], 0, 0, b.z())) return false;
  } else if (f->x(2)) {
    if (!b.add(Op::kGe, *f->part[0], *f->part[1], 0, b.z())) return false;
  } else {
    // node-semver keeps the text as written here, so "=1.2.3" would read ">==1.2.3".
    if (!full_prefix_ok(fprefix)) return false;
    if (!b.add(Op::kGe, *f->part[0], *f->part[1], *f->part[2], f->pre.empty() ? b.z() : f->pre)) return false;
  }
  if (t->x(0)) {
    // no upper bound
  } else if (t->x(1)) {
    if (!b.add(Op::kLt, *t->part[0] + 1, 0, 0, b.zero())) return false;
  } else if (t->x(2)) {
    if (!b.add(Op::kLt, *t->part[0], *t->part[1] + 1, 0, b.zero())) return false;
  } else if (!t->pre.empty()) {
    if (!b.add(Op::kLe, *t->part[0], *t->part[1], *t->part[2], t->pre)) return false;
  } else if (b.include_prerelease()) {
    if (!b.add(Op::kLt, *t->part[0], *t->part[1], *t->part[2] + 1, b.zero())) return false;
  } else {
    if (!full_prefix_ok(tprefix)) return false;
    if (!b.add(Op::kLe, *t->part[0], *t->part[1], *t->part[2])) return false;
  }
  return true;
}

// Removes build metadata ("+build.1") wherever it appears, as BUILDSTRIPRE does.
std::string strip_build(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '+' && i + 1 < s.size() && semver_ident_char(s[i + 1])) {
      size_t j = i + 1;
      while (true) {
        while (j < s.size() && semver_ident_char(s[j])) ++j;
        if (j + 1 < s.size() && s[j] == '.' && semver_ident_char(s[j + 1])) {
          ++j;
          continue;
        }
        break;
      }
      i = j;
      continue;
    }
    out += s[i++];
  }
  return out;
}

std::vector<std::string> split_spaces(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (true) {
    while (i < s.size() && is_space(s[i])) ++i;
    if (i == s.size()) return out;
    size_t j = i;
    while (j < s.size() && !is_space(s[j])) ++j;
    out.emplace_back(s.substr(i, j - i));
    i = j;
  }
}

bool is_operator_only(std::string_view t) {
  static constexpr std::array kOps = {"<", ">", "<=", ">=", "=", "~", "~>", "^"};
  for (std::string_view op : kOps) {
    if (t == op) return true;
  }
  return false;
}

// One "||" alternative; on failure *bad names the comparator.
bool parse_set(std::string_view text, bool include_prerelease, ComparatorSet* out, std::string* bad) {
  const std::string stripped = strip_build(text);
  std::vector<std::string> tokens = split_spaces(stripped);
  Builder b(include_prerelease, out);
  if (tokens.empty()) {
    b.any();
    return true;
  }
  if (tokens.size() == 3 && tokens[1] == "-") {
    std::string_view f = tokens[0], t = tokens[2];
    skip_prefix(&f);
    skip_prefix(&t);
    if (parse_partial(f) && parse_partial(t)) {
      if (hyphen(tokens[0], tokens[2], b)) return true;
      *bad = stripped;
      return false;
    }
  }
  // "> 1.2.3", "~ 1.2", "^ 1" -> one token.
  std::vector<std::string> merged;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (is_operator_only(tokens[i]) && i + 1 < tokens.size()) {
      std::string_view next = tokens[i + 1];
      const bool gtlt = tokens[i][0] != '~' && tokens[i][0] != '^';
      skip_prefix(&next);
      if (!gtlt || (!next.empty() && (is_digit(next[0]) || next[0] == 'x' || next[0] == 'X' || next[0] == '*'))) {
        merged.push_back(tokens[i] + tokens[i + 1]);
        ++i;
        continue;
      }
    }
    merged.push_back(tokens[i]);
  }
  for (const std::string& tok : merged) {
    if (!comparator(tok, b)) {
      *bad = tok;
      return false;
    }
  }
  // A null comparator makes the whole set null.
  for (const Comparator& c : *out) {
    if (is_null_set(c)) {
      Comparator null = c;
      *out = {null};
      return true;
    }
  }
  return true;
}

bool is_any_set(const ComparatorSet& s) {
  for (const Comparator& c : s) {
    if (c.op != Op::kAny) return false;
  }
  return true;
}

Result<std::vector<ComparatorSet>> parse_sets(std::string_view text, bool include_prerelease) {
  std::vector<ComparatorSet> sets;
  while (true) {
    const size_t bar = text.find("||");
    ComparatorSet set;
    std::string bad;
    if (!parse_set(text.substr(0, bar), include_prerelease, &set, &bad)) {
      return fail(ErrorCode::kInvalidArgument, "npm range: invalid comparator '" + bad + "'");
    }
    sets.push_back(std::move(set));
    if (bar == std::string_view::npos) break;
    text.remove_prefix(bar + 2);
  }
  // Null alternatives are dropped unless all are; then one "*" alternative absorbs the others
  // (so "* || 1.2.3-beta" does not match 1.2.3-beta, as in node-semver).
  if (sets.size() > 1) {
    std::vector<ComparatorSet> kept;
    for (ComparatorSet& s : sets) {
      if (!is_null_set(s[0])) kept.push_back(std::move(s));
    }
    if (kept.empty()) {
      sets.resize(1);
    } else {
      sets = std::move(kept);
      for (const ComparatorSet& s : sets) {
        if (is_any_set(s)) {
          sets = {s};
          break;
        }
      }
    }
  }
  return sets;
}

bool test_set(const ComparatorSet& set, const Version& v, bool include_prerelease) {
  for (const Comparator& c : set) {
    if (!test(c, v)) return false;
  }
  if (v.pre.empty() || include_prerelease) return true;
  // A prerelease only matches if some comparator names a prerelease of the same release.
  for (const Comparator& c : set) {
    if (c.op != Op::kAny && !c.version.pre.empty() && c.version.major == v.major &&
        c.version.minor == v.minor && c.version.patch == v.patch) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool NpmRange::contains(std::string_view version, bool include_prerelease) const {
  std::optional<Version> v = parse_version(version);
  if (!v) return false;
  for (const ComparatorSet& set : sets_[include_prerelease ? 1 : 0]) {
    if (test_set(set, *v, include_prerelease)) return true;
  }
  return false;
}

Result<NpmRange> parse_npm_range(std::string_view text) {
  NpmRange r;
  for (int inc = 0; inc < 2; ++inc) {
    BULWARK_ASSIGN_OR_RETURN(r.sets_[inc], parse_sets(text, inc == 1));
  }
  return r;
}

}  // namespace bulwark::vulndb
