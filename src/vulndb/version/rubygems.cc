// RubyGems versions, ordered as Gem::Version (rubygems 3.7): digits and letter runs are
// segments; a letter makes a pre-release, which sorts before the release; trailing zero segments
// are ignored; a '-' becomes '.' before a letter label and ".pre." before a numeric one; a "pre"
// directly before another letter segment is ignored. Surrounding whitespace is ignored and an
// empty version is "0".
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vulndb/version/compare_util.h"
#include "vulndb/version/comparators.h"

namespace bulwark::vulndb::version_detail {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view strip(std::string_view v) {
  while (!v.empty() && is_space(v.front())) v.remove_prefix(1);
  while (!v.empty() && is_space(v.back())) v.remove_suffix(1);
  return v;
}

// ANCHORED_VERSION_PATTERN: [0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?
bool rubygems_valid(std::string_view v) {
  v = strip(v);
  if (v.empty()) return true;
  size_t i = 0;
  auto run = [&](bool dash_ok) {
    size_t start = i;
    while (i < v.size() && (is_alnum(v[i]) || (dash_ok && v[i] == '-'))) ++i;
    return i > start;
  };
  while (i < v.size() && is_digit(v[i])) ++i;
  if (i == 0) return false;
  while (i < v.size() && v[i] == '.') {
    ++i;
    if (!run(false)) return false;
  }
  if (i < v.size() && v[i] == '-') {
    ++i;
    if (!run(true)) return false;
    while (i < v.size() && v[i] == '.') {
      ++i;
      if (!run(true)) return false;
    }
  }
  return i == v.size();
}

// Gem::Version.normalize_hyphens.
std::string normalize_hyphens(std::string_view v) {
  if (v.find('-') == std::string_view::npos) return std::string(v);
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t dash = v.find('-', start);
    parts.push_back(v.substr(start, dash - start));
    if (dash == std::string_view::npos) break;
    start = dash + 1;
  }
  while (!parts.empty() && parts.back().empty()) parts.pop_back();  // Ruby's String#split
  std::string out;
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k == 0) {
      out += parts[k];
      continue;
    }
    out += '.';
    std::string_view first = parts[k].substr(0, parts[k].find('.'));
    bool letter = false;
    for (char c : first) letter = letter || is_alpha(c);
    if (!letter) out += "pre.";
    out += parts[k];
  }
  return out;
}

using Segment = std::variant<std::string, std::string>;  // index 0: number, 1: letters

std::vector<Segment> canonical_segments(std::string_view text) {
  text = strip(text);
  std::string v = text.empty() ? std::string("0") : normalize_hyphens(text);
  bool prerelease = false;
  for (char c : v) prerelease = prerelease || is_alpha(c);
  // sub(/(?<=[a-zA-Z.])[.0]+\z/, ""): drop a trailing run of '.' and '0' after a letter or dot.
  for (size_t i = 1; i < v.size(); ++i) {
    if ((is_alpha(v[i - 1]) || v[i - 1] == '.') &&
        v.find_first_not_of(".0", i) == std::string::npos) {
      v.erase(i);
      break;
    }
  }
  // sub(/(?<=\.|\A)[0.]+(?=[a-zA-Z])/, ""): drop zero segments before the first letter.
  if (prerelease) {
    for (size_t i = 0; i < v.size(); ++i) {
      if (i > 0 && v[i - 1] != '.') continue;
      size_t end = v.find_first_not_of("0.", i);
      if (end != i && end != std::string::npos && is_alpha(v[end])) {
        v.erase(i, end - i);
        break;
      }
    }
  }
  std::vector<Segment> segs;
  for (size_t i = 0; i < v.size();) {
    size_t start = i;
    if (is_digit(v[i])) {
      while (i < v.size() && is_digit(v[i])) ++i;
      segs.emplace_back(std::in_place_index<0>, v.substr(start, i - start));
    } else if (is_alpha(v[i])) {
      while (i < v.size() && is_alpha(v[i])) ++i;
      segs.emplace_back(std::in_place_index<1>, v.substr(start, i - start));
    } else {
      ++i;
    }
  }
  // skip_redundant_pre_segments
  std::vector<Segment> out;
  for (size_t i = 0; i < segs.size(); ++i) {
    if (segs[i].index() == 1 && std::get<1>(segs[i]) == "pre" && i + 1 < segs.size() &&
        segs[i + 1].index() == 1) {
      continue;
    }
    out.push_back(segs[i]);
  }
  return out;
}

bool is_zero(const Segment& s) { return s.index() == 0 && compare_digits(std::get<0>(s), "0") == 0; }

int rubygems_compare_valid(std::string_view a, std::string_view b) {
  std::vector<Segment> l = canonical_segments(a), r = canonical_segments(b);
  size_t limit = std::min(l.size(), r.size());
  for (size_t i = 0; i < limit; ++i) {
    const bool ls = l[i].index() == 1, rs = r[i].index() == 1;
    if (ls != rs) return ls ? -1 : 1;
    int c = ls ? compare_bytes(std::get<1>(l[i]), std::get<1>(r[i]))
               : compare_digits(std::get<0>(l[i]), std::get<0>(r[i]));
    if (c) return c;
  }
  // The longer one wins if what remains has a non-zero number before any letters.
  const bool left_longer = l.size() > r.size();
  const std::vector<Segment>& rest = left_longer ? l : r;
  for (size_t i = limit; i < rest.size(); ++i) {
    int c = rest[i].index() == 1 ? -1 : is_zero(rest[i]) ? 0 : 1;
    if (c) return left_longer ? c : -c;
  }
  return 0;
}

int rubygems_compare(std::string_view a, std::string_view b) {
  return compare_checked(a, b, rubygems_valid, rubygems_compare_valid);
}

}  // namespace

const VersionScheme kRubygemsScheme{"rubygems", rubygems_compare, rubygems_valid};

}  // namespace bulwark::vulndb::version_detail
