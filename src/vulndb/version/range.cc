#include "vulndb/version/range.h"

#include <algorithm>
#include <array>
#include <utility>

namespace bulwark::vulndb {
namespace {

struct OpSpelling {
  std::string_view text;
  RangeOp op;
};

// Longest spellings first so that ">=" is not read as ">".
constexpr std::array kComparatorOps = {
    OpSpelling{">=", RangeOp::kGe}, OpSpelling{"<=", RangeOp::kLe}, OpSpelling{"!=", RangeOp::kNe},
    OpSpelling{"==", RangeOp::kEq}, OpSpelling{">", RangeOp::kGt},  OpSpelling{"<", RangeOp::kLt},
    OpSpelling{"=", RangeOp::kEq},
};

constexpr std::string_view kOperatorChars = "<>=!";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Reads an operator at the start of s (removing it); kEq when there is none.
RangeOp take_op(std::string_view* s) {
  for (const OpSpelling& o : kComparatorOps) {
    if (s->starts_with(o.text)) {
      s->remove_prefix(o.text.size());
      return o.op;
    }
  }
  return RangeOp::kEq;
}

auto bad(std::string_view what, std::string_view token) {
  return fail(ErrorCode::kInvalidArgument,
              "version range: " + std::string(what) + " '" + std::string(token) + "'");
}

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c <= '~'; });
}

// One AND group of syntax (a): constraints separated by ',' or whitespace.
Result<std::vector<VersionConstraint>> parse_group(std::string_view group) {
  std::vector<VersionConstraint> out;
  std::string_view rest = trim(group);
  if (rest.empty()) return bad("empty alternative next to", "||");
  while (!rest.empty()) {
    // A token: operator, optional spaces, version up to whitespace or ','.
    size_t end = 0;
    while (end < rest.size() && kOperatorChars.find(rest[end]) != std::string_view::npos) ++end;
    while (end < rest.size() && is_space(rest[end])) ++end;
    while (end < rest.size() && !is_space(rest[end]) && rest[end] != ',') ++end;
    std::string_view token = rest.substr(0, end);
    std::string_view text = token;
    RangeOp op = take_op(&text);
    text = trim(text);
    if (text.empty()) return bad("missing version after", token);
    if (kOperatorChars.find(text.front()) != std::string_view::npos) {
      return bad("unknown operator in", token);
    }
    if (text.find_first_of("|*,") != std::string_view::npos || !printable(text) ||
        text.find_first_of("<>!") != std::string_view::npos) {
      return bad("bad version in", token);
    }
    if (text.front() == '^' || text.front() == '~') return bad("unsupported operator in", token);
    out.push_back({op, std::string(text)});
    rest = trim(rest.substr(end));
    if (!rest.empty() && rest.front() == ',') {
      rest = trim(rest.substr(1));
      if (rest.empty()) return bad("trailing ',' in", group);
      if (rest.front() == ',') return bad("empty constraint in", group);
    }
  }
  return out;
}

Result<VersionRange> parse_comparators(std::string_view text) {
  VersionRange range;
  if (trim(text) == "*") {
    range.kind = VersionRange::Kind::kAll;
    return range;
  }
  range.kind = VersionRange::Kind::kComparators;
  std::string_view rest = text;
  while (true) {
    size_t bar = rest.find("||");
    std::string_view group = rest.substr(0, bar);
    if (size_t single = group.find('|'); single != std::string_view::npos) {
      return bad("unexpected", group.substr(single, 1));
    }
    BULWARK_ASSIGN_OR_RETURN(auto constraints, parse_group(group));
    range.any_of.push_back(std::move(constraints));
    if (bar == std::string_view::npos) break;
    rest = rest.substr(bar + 2);
  }
  return range;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    const int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1;
    const int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) return bad("bad percent-encoding in", s);
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

constexpr std::array kVersOps = {
    OpSpelling{">=", RangeOp::kGe}, OpSpelling{"<=", RangeOp::kLe}, OpSpelling{"!=", RangeOp::kNe},
    OpSpelling{"<", RangeOp::kLt},  OpSpelling{">", RangeOp::kGt},  OpSpelling{"=", RangeOp::kEq},
};

Result<VersionRange> parse_vers(std::string_view text) {
  std::string compact;  // spaces and tabs are not significant
  for (char c : text) {
    if (c != ' ' && c != '\t') compact += c;
  }
  std::string_view rest = std::string_view(compact).substr(5);  // after "vers:"
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return bad("missing '/' after the scheme in", text);
  std::string_view scheme = rest.substr(0, slash);
  if (scheme.empty()) return bad("empty versioning scheme in", text);
  for (char c : scheme) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '+')) {
      return bad("bad versioning scheme", scheme);
    }
  }
  VersionRange range;
  range.scheme = std::string(scheme);
  std::string_view constraints = rest.substr(slash + 1);
  if (constraints.empty()) return bad("no constraints in", text);
  if (constraints == "*") {
    range.kind = range.scheme == "none" ? VersionRange::Kind::kNone : VersionRange::Kind::kAll;
    return range;
  }
  if (range.scheme == "all" || range.scheme == "none") return bad("expected '*' after", scheme);
  range.kind = VersionRange::Kind::kVers;
  std::vector<VersionConstraint> list;
  while (!constraints.empty()) {
    size_t bar = constraints.find('|');
    std::string_view token = constraints.substr(0, bar);
    constraints = bar == std::string_view::npos ? std::string_view() : constraints.substr(bar + 1);
    if (token.empty()) continue;  // consecutive, leading and trailing pipes
    std::string_view v = token;
    RangeOp op = RangeOp::kEq;
    for (const OpSpelling& o : kVersOps) {
      if (v.starts_with(o.text)) {
        op = o.op;
        v.remove_prefix(o.text.size());
        break;
      }
    }
    if (v.empty()) return bad("missing version in", token);
    if (v.find_first_of("<>=!*") != std::string_view::npos) return bad("bad constraint", token);
    if (!printable(v)) return bad("bad version in", token);
    BULWARK_ASSIGN_OR_RETURN(std::string version, percent_decode(v));
    for (const VersionConstraint& c : list) {
      if (c.version == version) return bad("duplicate version", token);
    }
    list.push_back({op, std::move(version)});
  }
  if (list.empty()) return bad("no constraints in", text);
  range.any_of.push_back(std::move(list));
  return range;
}

bool satisfies(const VersionScheme& s, std::string_view version, const VersionConstraint& c) {
  const int r = s.compare(version, c.version);
  switch (c.op) {
    case RangeOp::kEq: return r == 0;
    case RangeOp::kNe: return r != 0;
    case RangeOp::kLt: return r < 0;
    case RangeOp::kLe: return r <= 0;
    case RangeOp::kGt: return r > 0;
    case RangeOp::kGe: return r >= 0;
  }
  return false;
}

bool is_lower_bound(RangeOp op) { return op == RangeOp::kGt || op == RangeOp::kGe; }
bool is_upper_bound(RangeOp op) { return op == RangeOp::kLt || op == RangeOp::kLe; }

// The vers containment algorithm (VERSION-RANGE-SPEC, "Checking if a version is contained").
bool vers_contains(const VersionScheme& s, std::string_view version,
                   const std::vector<VersionConstraint>& constraints) {
  bool has_eq = false;
  for (const VersionConstraint& c : constraints) {
    const bool inclusive = c.op == RangeOp::kEq || c.op == RangeOp::kLe || c.op == RangeOp::kGe;
    if (inclusive && s.compare(version, c.version) == 0) return true;
    has_eq = has_eq || c.op == RangeOp::kEq;
  }
  for (const VersionConstraint& c : constraints) {
    if (c.op == RangeOp::kNe && s.compare(version, c.version) == 0) return false;
  }
  std::vector<const VersionConstraint*> bounds;
  for (const VersionConstraint& c : constraints) {
    if (c.op != RangeOp::kEq && c.op != RangeOp::kNe) bounds.push_back(&c);
  }
  if (bounds.empty()) return !has_eq;  // only "!=" (and "=") constraints
  // Insertion sort: well-defined even where a scheme's order is not transitive (Maven).
  for (size_t i = 1; i < bounds.size(); ++i) {
    for (size_t j = i; j > 0 && s.compare(bounds[j - 1]->version, bounds[j]->version) > 0; --j) {
      std::swap(bounds[j - 1], bounds[j]);
    }
  }
  if (is_upper_bound(bounds.front()->op) && s.compare(version, bounds.front()->version) < 0) {
    return true;
  }
  if (is_lower_bound(bounds.back()->op) && s.compare(version, bounds.back()->version) > 0) {
    return true;
  }
  for (size_t i = 0; i + 1 < bounds.size(); ++i) {
    const VersionConstraint& cur = *bounds[i];
    const VersionConstraint& next = *bounds[i + 1];
    if (is_lower_bound(cur.op) && is_upper_bound(next.op) &&
        s.compare(version, cur.version) > 0 && s.compare(version, next.version) < 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool VersionRange::contains(const VersionScheme& s, std::string_view version) const {
  switch (kind) {
    case Kind::kAll: return true;
    case Kind::kNone: return false;
    case Kind::kVers: return !any_of.empty() && vers_contains(s, version, any_of.front());
    case Kind::kComparators:
      return std::any_of(any_of.begin(), any_of.end(), [&](const auto& group) {
        return std::all_of(group.begin(), group.end(),
                           [&](const VersionConstraint& c) { return satisfies(s, version, c); });
      });
  }
  return false;
}

Result<VersionRange> parse_version_range(std::string_view text) {
  std::string_view t = trim(text);
  if (t.empty()) return fail(ErrorCode::kInvalidArgument, "version range: empty");
  if (t.starts_with("vers:")) return parse_vers(t);
  return parse_comparators(t);
}

}  // namespace bulwark::vulndb
