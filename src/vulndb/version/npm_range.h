// npm version ranges (node-semver's Range, non-loose mode): the syntax package.json dependencies
// and npm advisories use. A range is "||"-separated alternatives; each alternative is a
// whitespace-separated AND of comparators written as
//   full or partial versions with an optional operator  ">=1.2.3", "<2", "=1.2", "1.2.3", "v1.2.3"
//   X-ranges                                            "1.x", "1.2.*", "*", "x", "" (any)
//   hyphen ranges                                       "1.2.3 - 2.3.4", "1.2 - 2"
//   tilde and caret ranges                              "~1.2.3", "~>1.2", "^0.2.3", "^0.0.x"
// desugared exactly as node-semver desugars them (build metadata stripped, "<2" meaning
// "<2.0.0-0", "^0.0.3" meaning ">=0.0.3 <0.0.4-0", ...). A version matches an alternative when
// it satisfies every comparator and, if it is a prerelease, some comparator of that alternative
// names a prerelease of the same major.minor.patch (unless include_prerelease). The version is a
// strict SemVer 2.0 string, optionally with one "v" and surrounding whitespace; anything else
// (including "=1.2.3" and numbers above 2^53-1) satisfies no range, as in semver.satisfies().
//
// NpmRange is an immutable value; thread-compatible, contains() is const and safe to call
// concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace bulwark::vulndb {

class NpmRange {
 public:
  // True if `version` satisfies the range, as semver.satisfies(version, range,
  // {includePrerelease}) answers.
  bool contains(std::string_view version, bool include_prerelease = false) const;

  // A parsed version or bound (internal representation, exposed for the parser only).
  struct Version {
    uint64_t major = 0, minor = 0, patch = 0;
    std::vector<std::string> pre;  // prerelease identifiers, empty for a release
  };
  enum class Op { kAny, kEq, kLt, kLe, kGt, kGe };
  struct Comparator {
    Op op = Op::kAny;
    Version version;
  };
  using ComparatorSet = std::vector<Comparator>;  // AND

 private:
  friend Result<NpmRange> parse_npm_range(std::string_view text);
  // OR of ANDs, desugared once without and once with includePrerelease (the two differ in
  // their lower bounds: "1.x" is ">=1.0.0" or ">=1.0.0-0").
  std::vector<ComparatorSet> sets_[2];
};

// Parses an npm range. Errors (kInvalidArgument) quote the offending comparator, as
// node-semver's "Invalid comparator" does.
Result<NpmRange> parse_npm_range(std::string_view text);

}  // namespace bulwark::vulndb
