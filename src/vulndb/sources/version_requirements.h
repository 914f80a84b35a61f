// Version requirements of the language feeds (RustSec's Cargo semver requirements, RubySec's
// RubyGems requirements, FriendsOfPHP's Composer constraints) turned into OSV-style range events.
//
// A requirement ("~> 5.2.4, >= 5.2.4.3", ">= 0.6.14, < 1.0.0", "^0.9.5") is parsed into one
// interval of versions (the intersection of its comparators). The feeds either list the intervals
// that are NOT affected (patched/unaffected: the affected versions are the complement of their
// union) or the affected interval itself (composer branches); both become events in version
// order. An affected stretch starts at a version ("introduced": after an exclusive "< X" bound, or
// from the first version) or right after one ("introduced_after", kIntroducedAfter: after an
// inclusive "<= X" / "= X" bound, or at a Composer "> X"), and ends before a version ("fixed") or
// at one ("last_affected"), so every non-empty set of intervals can be stated exactly. Versions
// compare segment by segment (numbers numerically, a text segment before a
// number: "1.0.0-rc1" < "1.0.0", missing segments count as 0).
// Pure functions; thread-safe.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "vulndb/advisory.h"

namespace bulwark::vulndb::feed {

// How a feed writes its requirements.
enum class RequirementSyntax {
  kCargo,     // "^1.2.3" / bare "1.2.3" (caret), "~1.2", "=1.2.3", ">= 1", "< 2", comma-joined
  kRubyGems,  // "~> 1.2.3" (>= 1.2.3, < 1.3), bare "1.2.3" / "= 1.2.3", ">= 1", "< 2", comma-joined
  kComposer,  // ">=1.0", "<1.2", "<=1.1", ">1.0", comma- or space-joined
};

struct Bound {
  std::string version;
  bool inclusive = false;
};

// An interval of versions; a missing bound is unbounded.
struct VersionInterval {
  std::optional<Bound> lower;
  std::optional<Bound> upper;
};

// -1, 0 or 1 as `a` orders before, the same as, or after `b`.
int compare_versions(std::string_view a, std::string_view b);

// The interval `requirement` allows; an error naming the requirement when it is not understood.
// An empty interval (">= 2, < 1") is returned as such (see is_empty).
Result<VersionInterval> parse_requirement(std::string_view requirement, RequirementSyntax syntax);

bool is_empty(const VersionInterval& interval);

// The events of the versions outside every interval of `unaffected` (in any order). No
// intervals: everything is affected (introduced "0"). Empty when nothing is affected. A stretch
// right after an inclusive upper bound ("<= 1.13.7" unaffected, ">= 1.13.10" patched) starts with
// introduced_after 1.13.7.
std::vector<VersionEvent> events_outside(std::vector<VersionInterval> unaffected);

// The affected versions' events of an advisory that lists the requirements that are safe
// (patched and unaffected lists, RustSec and RubySec style). Errors (kInvalidArgument) say why
// the record cannot be used: a requirement that does not parse, or no affected versions at all.
Result<std::vector<VersionEvent>> affected_outside(
    std::initializer_list<const std::vector<std::string>*> safe_lists, RequirementSyntax syntax);

// The events of the versions inside `affected` (an exclusive lower bound "> X" starts with
// introduced_after X); nullopt when the interval is empty.
std::optional<std::vector<VersionEvent>> events_inside(const VersionInterval& affected);

}  // namespace bulwark::vulndb::feed
