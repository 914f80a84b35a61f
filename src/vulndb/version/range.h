// Version ranges as vulnerability feeds and users write them, in two syntaxes:
//
//  (a) comparator lists: ">=1.2.0, <1.4.3" (',' or whitespace between constraints = AND),
//      "<1.0 || >=2.0, <2.5" ("||" = OR), "=1.2.3" or "==1.2.3", "!=1.2.3", a bare "1.2.3"
//      (exact), "*" (any version). Spaces after an operator are allowed (">= 1.2.0, < 1.4.3", as
//      GitHub advisories write them).
//  (b) vers URIs (purl-spec VERSION-RANGE-SPEC): "vers:npm/>=1.0.0|<2.0.0|3.0.0", "vers:deb/*",
//      "vers:all/*", "vers:none/*". Constraints are signposts sorted by version; a version is in
//      the range if it equals an "=", "<=" or ">=" version, else (unless it equals a "!="
//      version) if it falls in an interval opened by ">"/">=" and closed by the next "<"/"<=",
//      or below a leading "<"/"<=", or above a trailing ">"/">=". A range of "!=" constraints
//      alone contains every other version.
//
// Parsing knows no version scheme: the caller passes one to contains() (for vers, usually
// version_scheme_for(range.scheme)). VersionRange is a plain value; thread-compatible, and
// contains() is const and safe to call concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "vulndb/version/scheme.h"

namespace bulwark::vulndb {

enum class RangeOp { kEq, kNe, kLt, kLe, kGt, kGe };

struct VersionConstraint {
  RangeOp op = RangeOp::kEq;
  std::string version;
  bool operator==(const VersionConstraint&) const = default;
};

struct VersionRange {
  enum class Kind {
    kAll,          // "*", "vers:<scheme>/*", "vers:all/*"
    kNone,         // "vers:none/*"
    kComparators,  // syntax (a): any_of is a disjunction of conjunctions
    kVers,         // syntax (b): any_of holds exactly one list, the vers constraints as written
  };
  Kind kind = Kind::kNone;
  std::string scheme;  // the vers versioning scheme ("npm", "deb", ...); empty for syntax (a)
  std::vector<std::vector<VersionConstraint>> any_of;

  // REQUIRES: `scheme` is the scheme the range's versions are written in.
  bool contains(const VersionScheme& scheme, std::string_view version) const;
};

// Parses either syntax (vers when the text starts with "vers:"). Errors (kInvalidArgument)
// quote the offending token.
Result<VersionRange> parse_version_range(std::string_view text);

}  // namespace bulwark::vulndb
