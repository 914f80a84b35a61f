// Version requirements into OSV-style events (see version_requirements.h). Stateless.
#include "vulndb/sources/version_requirements.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <utility>

#include "vulndb/sources/feed_io.h"

namespace bulwark::vulndb::feed {
namespace {

constexpr size_t kMaxVersionLength = 64;
constexpr size_t kMaxComparators = 16;
constexpr size_t kMaxNumberDigits = 9;  // a segment a requirement bumps must fit in uint32

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_version_char(char c) {
  return is_digit(c) || is_alpha(c) || c == '.' || c == '-' || c == '+' || c == '_';
}

// One segment of a version: a run of digits or of letters.
struct Segment {
  bool number = true;
  std::string_view text;  // digits without leading zeros ("" is 0), or letters
};

std::vector<Segment> segments_of(std::string_view version) {
  if (!version.empty() && (version[0] == 'v' || version[0] == 'V')) version.remove_prefix(1);
  std::vector<Segment> out;
  size_t i = 0;
  while (i < version.size()) {
    const char c = version[i];
    if (!is_digit(c) && !is_alpha(c)) {
      ++i;
      continue;
    }
    const bool number = is_digit(c);
    size_t end = i;
    while (end < version.size() && (number ? is_digit(version[end]) : is_alpha(version[end]))) ++end;
    std::string_view text = version.substr(i, end - i);
    if (number) {
      while (!text.empty() && text.front() == '0') text.remove_prefix(1);
    }
    out.push_back({number, text});
    i = end;
  }
  return out;
}

int compare_segments(const Segment& a, const Segment& b) {
  if (a.number != b.number) return a.number ? 1 : -1;  // "rc" orders before any number
  if (a.number && a.text.size() != b.text.size()) return a.text.size() < b.text.size() ? -1 : 1;
  const int c = a.text.compare(b.text);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// The dot-separated leading all-digit segments of `version` (before any "-" or "+" part).
std::optional<std::vector<uint32_t>> numbers_of(std::string_view version) {
  version = version.substr(0, version.find_first_of("-+"));
  std::vector<uint32_t> numbers;
  size_t start = 0;
  while (start <= version.size()) {
    const size_t dot = version.find('.', start);
    const auto part = version.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (part.empty() || part.size() > kMaxNumberDigits ||
        !std::all_of(part.begin(), part.end(), is_digit)) {
      break;
    }
    uint32_t n = 0;
    std::from_chars(part.data(), part.data() + part.size(), n);
    numbers.push_back(n);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (numbers.empty()) return std::nullopt;
  return numbers;
}

// `numbers` with the one at `index` incremented and the later ones dropped (RubyGems' bump) or,
// with `width`, zeroed up to `width` numbers (Cargo's caret and tilde).
std::string bumped(std::vector<uint32_t> numbers, size_t index, size_t width) {
  numbers.resize(std::max(index + 1, width), 0);
  ++numbers[index];
  std::string out;
  for (size_t i = 0; i < numbers.size(); ++i) {
    if (i > index && width == 0) break;
    if (i > 0) out += '.';
    out += std::to_string(i > index ? 0 : numbers[i]);
  }
  return out;
}

// Tightens `into` by `bound`: a greater lower bound (or the exclusive one of two equal ones).
void tighten_lower(std::optional<Bound>& into, Bound bound) {
  if (!into) {
    into = std::move(bound);
    return;
  }
  const int c = compare_versions(bound.version, into->version);
  if (c > 0 || (c == 0 && !bound.inclusive)) into = std::move(bound);
}
void tighten_upper(std::optional<Bound>& into, Bound bound) {
  if (!into) {
    into = std::move(bound);
    return;
  }
  const int c = compare_versions(bound.version, into->version);
  if (c < 0 || (c == 0 && !bound.inclusive)) into = std::move(bound);
}

// Applies one comparator (`op` and `version`) to `interval`.
Result<void> apply(std::string_view op, std::string_view version, RequirementSyntax syntax,
                   VersionInterval& interval) {
  const std::string v(version);
  const auto fail_here = [&] {
    return fail(ErrorCode::kInvalidArgument, "unsupported version requirement " +
                                                 feed::quoted(std::string(op) + " " + v));
  };
  if (op.empty()) op = syntax == RequirementSyntax::kCargo ? "^" : "=";
  if (op == ">=") {
    tighten_lower(interval.lower, {v, true});
  } else if (op == ">") {
    tighten_lower(interval.lower, {v, false});
  } else if (op == "<") {
    tighten_upper(interval.upper, {v, false});
  } else if (op == "<=") {
    tighten_upper(interval.upper, {v, true});
  } else if (op == "=" || op == "==") {
    tighten_lower(interval.lower, {v, true});
    tighten_upper(interval.upper, {v, true});
  } else if (op == "~>" && syntax == RequirementSyntax::kRubyGems) {
    // RubyGems: ~> 1.2.3 is >= 1.2.3, < 1.3; ~> 1.2 is >= 1.2, < 2; ~> 1 is >= 1, < 2.
    const auto numbers = numbers_of(v);
    if (!numbers) return fail_here();
    const size_t index = numbers->size() > 1 ? numbers->size() - 2 : 0;
    tighten_lower(interval.lower, {v, true});
    tighten_upper(interval.upper, {bumped(*numbers, index, 0), false});
  } else if ((op == "^" || op == "~") && syntax == RequirementSyntax::kCargo) {
    // Cargo: ^1.2.3 < 2.0.0, ^0.2.3 < 0.3.0, ^0.0.3 < 0.0.4, ^0.0 < 0.1.0, ^0 < 1.0.0;
    // ~1.2.3 and ~1.2 < 1.3.0, ~1 < 2.0.0.
    const auto numbers = numbers_of(v);
    if (!numbers || numbers->size() > 3) return fail_here();
    size_t index = 0;
    if (op == "~") {
      index = numbers->size() >= 2 ? 1 : 0;
    } else {
      while (index + 1 < numbers->size() && (*numbers)[index] == 0) ++index;
    }
    tighten_lower(interval.lower, {v, true});
    tighten_upper(interval.upper, {bumped(*numbers, index, 3), false});
  } else {
    return fail_here();
  }
  return ok();
}

}  // namespace

int compare_versions(std::string_view a, std::string_view b) {
  const auto x = segments_of(a);
  const auto y = segments_of(b);
  const Segment zero{true, {}};
  for (size_t i = 0; i < std::max(x.size(), y.size()); ++i) {
    const int c = compare_segments(i < x.size() ? x[i] : zero, i < y.size() ? y[i] : zero);
    if (c != 0) return c;
  }
  return 0;
}

Result<VersionInterval> parse_requirement(std::string_view requirement, RequirementSyntax syntax) {
  static constexpr std::string_view kOps[] = {"~>", ">=", "<=", "==", "!=", ">", "<", "=", "^", "~"};
  VersionInterval interval;
  size_t comparators = 0;
  size_t pos = 0;
  bool need_separator = false;
  while (true) {
    while (pos < requirement.size() && requirement[pos] == ' ') ++pos;
    if (pos < requirement.size() && requirement[pos] == ',') {
      if (!need_separator) break;  // ", " with nothing before it
      need_separator = false;
      ++pos;
      continue;
    }
    if (pos >= requirement.size()) break;
    if (need_separator && syntax != RequirementSyntax::kComposer) break;
    std::string_view op;
    for (const auto candidate : kOps) {
      if (requirement.substr(pos).starts_with(candidate)) {
        op = candidate;
        break;
      }
    }
    pos += op.size();
    while (pos < requirement.size() && requirement[pos] == ' ') ++pos;
    size_t end = pos;
    while (end < requirement.size() && is_version_char(requirement[end])) ++end;
    const auto version = requirement.substr(pos, end - pos);
    if (version.empty() || version.size() > kMaxVersionLength || !is_digit(version.back()) ||
        !(is_digit(version.front()) || (syntax == RequirementSyntax::kComposer &&
                                        version.front() == 'v' && version.size() > 1)) ||
        ++comparators > kMaxComparators) {
      return fail(ErrorCode::kInvalidArgument,
                  "unsupported version requirement " + feed::quoted(requirement));
    }
    BULWARK_TRY_VOID(apply(op, version, syntax, interval));
    pos = end;
    need_separator = true;
  }
  if (pos < requirement.size() || comparators == 0 || !need_separator) {
    return fail(ErrorCode::kInvalidArgument, "unsupported version requirement " + feed::quoted(requirement));
  }
  return interval;
}

bool is_empty(const VersionInterval& interval) {
  if (!interval.lower || !interval.upper) return false;
  const int c = compare_versions(interval.lower->version, interval.upper->version);
  return c > 0 || (c == 0 && !(interval.lower->inclusive && interval.upper->inclusive));
}

namespace {

// The event that ends an affected stretch just below `lower`.
VersionEvent end_before(const Bound& lower) {
  return {lower.inclusive ? VersionEvent::Kind::kFixed : VersionEvent::Kind::kLastAffected,
          lower.version};
}

// Whether an interval starting at `lower` joins one ending at `upper` without a gap.
bool joins(const std::optional<Bound>& upper, const std::optional<Bound>& lower) {
  if (!upper || !lower) return true;
  const int c = compare_versions(lower->version, upper->version);
  return c < 0 || (c == 0 && (lower->inclusive || upper->inclusive));
}

}  // namespace

std::vector<VersionEvent> events_outside(std::vector<VersionInterval> unaffected) {
  std::erase_if(unaffected, [](const VersionInterval& i) { return is_empty(i); });
  std::stable_sort(unaffected.begin(), unaffected.end(),
                   [](const VersionInterval& a, const VersionInterval& b) {
                     if (!a.lower || !b.lower) return !a.lower && b.lower;
                     const int c = compare_versions(a.lower->version, b.lower->version);
                     return c < 0 || (c == 0 && a.lower->inclusive && !b.lower->inclusive);
                   });
  std::vector<VersionInterval> merged;
  for (auto& interval : unaffected) {
    if (merged.empty() || !joins(merged.back().upper, interval.lower)) {
      merged.push_back(std::move(interval));
      continue;
    }
    auto& upper = merged.back().upper;
    if (!upper) continue;
    if (!interval.upper) {
      upper.reset();
    } else {
      const int c = compare_versions(interval.upper->version, upper->version);
      if (c > 0 || (c == 0 && interval.upper->inclusive)) upper = interval.upper;
    }
  }
  std::vector<VersionEvent> events;
  if (merged.empty()) return std::vector<VersionEvent>{{VersionEvent::Kind::kIntroduced, "0"}};
  const auto& first = merged.front().lower;
  if (first && !(first->inclusive && compare_versions(first->version, "0") <= 0)) {
    events.push_back({VersionEvent::Kind::kIntroduced, "0"});
    events.push_back(end_before(*first));
  }
  for (size_t i = 0; i < merged.size(); ++i) {
    const auto& upper = merged[i].upper;
    if (!upper) break;
    events.push_back({upper->inclusive ? VersionEvent::Kind::kIntroducedAfter
                                       : VersionEvent::Kind::kIntroduced,
                      upper->version});
    if (i + 1 < merged.size()) events.push_back(end_before(*merged[i + 1].lower));
  }
  return events;
}

std::optional<std::vector<VersionEvent>> events_inside(const VersionInterval& affected) {
  if (is_empty(affected)) return std::nullopt;
  std::vector<VersionEvent> events;
  if (!affected.lower) {
    events.push_back({VersionEvent::Kind::kIntroduced, "0"});
  } else {
    events.push_back({affected.lower->inclusive ? VersionEvent::Kind::kIntroduced
                                                : VersionEvent::Kind::kIntroducedAfter,
                      affected.lower->version});
  }
  if (affected.upper) {
    events.push_back({affected.upper->inclusive ? VersionEvent::Kind::kLastAffected
                                                : VersionEvent::Kind::kFixed,
                      affected.upper->version});
  }
  return events;
}

Result<std::vector<VersionEvent>> affected_outside(
    std::initializer_list<const std::vector<std::string>*> safe_lists, RequirementSyntax syntax) {
  std::vector<VersionInterval> safe;
  for (const auto* list : safe_lists) {
    for (const auto& requirement : *list) {
      BULWARK_ASSIGN_OR_RETURN(VersionInterval interval, parse_requirement(requirement, syntax));
      safe.push_back(std::move(interval));
    }
  }
  auto events = events_outside(std::move(safe));
  if (events.empty()) return fail(ErrorCode::kInvalidArgument, "no affected versions");
  return events;
}

}  // namespace bulwark::vulndb::feed
