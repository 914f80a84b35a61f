// PEP 440 versions (PyPI), with the parsing leniency and ordering of the reference
// implementation, packaging.version.Version: case-insensitive, optional "v", alternative
// spellings (alpha/a, beta/b, c/pre/preview/rc, post/rev/r, "-N" for a post release) and
// separators; order by epoch, release (trailing zeros ignored), pre-release (a < b < rc; a bare
// dev release sorts before every pre-release of its release), post-release, dev-release, and
// local version (absent first; numeric segments after alphanumeric ones).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vulndb/version/compare_util.h"
#include "vulndb/version/comparators.h"

namespace bulwark::vulndb::version_detail {
namespace {

struct Pep440 {
  std::string epoch;
  std::vector<std::string> release;
  std::optional<std::pair<int, std::string>> pre;  // (0=a, 1=b, 2=rc, number)
  std::optional<std::string> post;
  std::optional<std::string> dev;
  std::optional<std::vector<std::string>> local;
};

class Parser {
 public:
  explicit Parser(std::string s) : s_(std::move(s)) {}

  std::optional<Pep440> parse() {
    Pep440 v;
    if (peek() == 'v') ++pos_;
    std::string first = digits();
    if (first.empty()) return std::nullopt;
    if (peek() == '!') {
      ++pos_;
      v.epoch = first;
      first = digits();
      if (first.empty()) return std::nullopt;
    }
    v.release.push_back(first);
    while (peek() == '.' && is_digit(peek(1))) {
      ++pos_;
      v.release.push_back(digits());
    }
    // pre: [-_.]? (alpha|a|beta|b|preview|pre|c|rc) [-_.]? [0-9]*
    {
      size_t save = pos_;
      skip_sep();
      static constexpr std::pair<std::string_view, int> kPre[] = {
          {"alpha", 0}, {"a", 0}, {"beta", 1}, {"b", 1}, {"preview", 2},
          {"pre", 2},   {"c", 2}, {"rc", 2}};
      int letter = -1;
      for (auto [word, rank] : kPre) {
        if (take(word)) {
          letter = rank;
          break;
        }
      }
      if (letter < 0) {
        pos_ = save;
      } else {
        v.pre.emplace(letter, optional_number());
      }
    }
    // post: -N | [-_.]? (post|rev|r) [-_.]? [0-9]*
    {
      size_t save = pos_;
      if (peek() == '-' && is_digit(peek(1))) {
        ++pos_;
        v.post = digits();
      } else {
        skip_sep();
        if (take("post") || take("rev") || take("r")) {
          v.post = optional_number();
        } else {
          pos_ = save;
        }
      }
    }
    // dev: [-_.]? dev [-_.]? [0-9]*
    {
      size_t save = pos_;
      skip_sep();
      if (take("dev")) {
        v.dev = optional_number();
      } else {
        pos_ = save;
      }
    }
    // local: + [a-z0-9]+ ([-_.][a-z0-9]+)*
    if (peek() == '+') {
      ++pos_;
      std::vector<std::string> parts;
      while (true) {
        size_t start = pos_;
        while (is_alnum(peek())) ++pos_;
        if (pos_ == start) return std::nullopt;
        parts.push_back(s_.substr(start, pos_ - start));
        if (!is_sep(peek())) break;
        ++pos_;
      }
      v.local = std::move(parts);
    }
    if (pos_ != s_.size()) return std::nullopt;
    return v;
  }

 private:
  char peek(size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }
  static bool is_sep(char c) { return c == '-' || c == '_' || c == '.'; }
  void skip_sep() {
    if (is_sep(peek())) ++pos_;
  }
  bool take(std::string_view word) {
    if (std::string_view(s_).substr(pos_).starts_with(word)) {
      pos_ += word.size();
      return true;
    }
    return false;
  }
  std::string digits() {
    size_t start = pos_;
    while (is_digit(peek())) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // [-_.]? [0-9]*  -> the number, "0" when absent (the separator is only taken before digits).
  std::string optional_number() {
    size_t save = pos_;
    skip_sep();
    std::string n = digits();
    if (n.empty()) {
      pos_ = save;
      // The regex may consume a trailing separator here without digits; the following
      // optional groups accept a leading separator, so giving it back is equivalent.
      return "0";
    }
    return n;
  }

  std::string s_;
  size_t pos_ = 0;
};

std::optional<Pep440> parse(std::string_view text) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  std::string lower(text);
  for (char& c : lower) c = to_lower(c);
  return Parser(std::move(lower)).parse();
}

bool pep440_valid(std::string_view v) { return parse(v).has_value(); }

// Release segments, trailing zeros ignored ("1.0" == "1"), without copying them.
int compare_release(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  auto significant = [](const std::vector<std::string>& r) {
    size_t n = r.size();
    while (n > 0 && compare_digits(r[n - 1], "0") == 0) --n;
    return n;
  };
  const size_t na = significant(a), nb = significant(b);
  for (size_t i = 0; i < na && i < nb; ++i) {
    if (int r = compare_digits(a[i], b[i])) return r;
  }
  return (na > nb) - (na < nb);
}

// -1 = negative infinity, 1 = positive infinity, 0 = compare the values.
int compare_optional(const std::optional<std::string>& a, const std::optional<std::string>& b,
                     int absent) {
  if (a && b) return compare_digits(*a, *b);
  if (!a && !b) return 0;
  return a ? -absent : absent;
}

int compare_local(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const bool na = all_digits(a[i]), nb = all_digits(b[i]);
    int r = na && nb ? compare_digits(a[i], b[i]) : na != nb ? (na ? 1 : -1) : compare_bytes(a[i], b[i]);
    if (r) return r;
  }
  return (a.size() > b.size()) - (a.size() < b.size());
}

int compare_parsed(const Pep440& x, const Pep440& y) {
  if (int r = compare_digits(x.epoch, y.epoch)) return r;
  if (int r = compare_release(x.release, y.release)) return r;
  // Pre-release key: a lone dev release is below every pre-release; no pre-release is above.
  auto pre_rank = [](const Pep440& v) {
    if (!v.pre && !v.post && v.dev) return 0;
    return v.pre ? 1 : 2;
  };
  if (int r = pre_rank(x) - pre_rank(y)) return r;
  if (x.pre && y.pre) {
    if (int r = x.pre->first - y.pre->first) return r;
    if (int r = compare_digits(x.pre->second, y.pre->second)) return r;
  }
  if (int r = compare_optional(x.post, y.post, -1)) return r;
  if (int r = compare_optional(x.dev, y.dev, 1)) return r;
  if (x.local && y.local) return compare_local(*x.local, *y.local);
  return (x.local.has_value()) - (y.local.has_value());
}

int pep440_compare(std::string_view a, std::string_view b) {
  return compare_parsed_once(a, b, parse, compare_parsed);
}

}  // namespace

const VersionScheme kPep440Scheme{"pep440", pep440_compare, pep440_valid};

}  // namespace bulwark::vulndb::version_detail
